package sim

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A short simulated morning on the default site: containers cross both
// ways, nothing is lost, delivered twice or driven into another shuttle.
// (Throughput and freedom from stalls over whole days are not there yet:
// see the README's status.)
func TestShortRun(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	r, err := Run(shortRun(site))
	require.NoError(t, err)
	assert.Greater(t, r.MovesDelivered, 0)
	assert.Zero(t, r.Conflicts)
	assert.Zero(t, r.LostMoves)
	assert.Zero(t, r.DuplicateDeliveries)
	assert.Zero(t, r.BatteryDepletions)
	assert.Greater(t, r.BoundLoadedTrips, 0.0)
	assert.InDelta(t, 6*r.Bound.ChargingAvail*2*3600/r.Bound.CycleS, r.Bound.Fleet, 1e-9, "the fleet bound from its inputs")
	// deterministic for a seed
	again, err := Run(shortRun(site))
	require.NoError(t, err)
	assert.Equal(t, r.MovesDelivered, again.MovesDelivered)
	assert.Equal(t, r.MeanLeadTimeS, again.MeanLeadTimeS)
}

func TestConfigValidate(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "sim: no site"},
		{Config{Site: site, Policy: "random"}, `policy "random"`},
		{Config{Site: site, Charging: "never"}, `charging "never"`},
		{Config{Site: site, Shuttles: 5000}, "5000 shuttles"},
		{Config{Site: site, PreCleared: 2}, "shares must be between 0 and 1"},
	} {
		_, err := Run(tc.cfg)
		assert.ErrorContains(t, err, tc.want)
	}
}

func shortRun(site *geo.Site) Config {
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed, c.NoBreakdowns = 6, 2, 3, true
	return c
}
