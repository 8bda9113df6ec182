package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A short simulated morning on the default site: containers cross both
// ways, nothing is lost, delivered twice or driven into another shuttle.
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
	assert.Less(t, r.EndSoC, r.Bound.StartSoC, "the fleet drove on its start charge")
	assert.GreaterOrEqual(t, r.EndSoC, r.MinSoC, "a mean is no lower than the lowest")
	b := r.Bound
	assert.InDelta(t, 6*b.ChargingAvail*b.BreakdownAvail*b.DeliveredShare*2*3600/b.CycleS, b.Fleet, 1e-9, "the fleet bound from its inputs")
	assert.InDelta(t, 2*b.RouteLengthM/b.MeanSpeedMPS+2*b.PerEndS+2*(b.GateS+b.CustomsWaitS), b.CycleS, 1e-9, "the cycle from its inputs")
	assert.InDelta(t, float64(b.GatesPerCrossing)*(1-b.PreClearedShare)*(b.DecideAfterS+b.InspectedShare*b.InspectS), b.CustomsWaitS, 1e-9)
	assert.Equal(t, 1.0, b.BreakdownAvail, "no breakdowns in this run")
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

// Whole simulated days on the default site, as CI runs them: the safety
// promises hold, and throughput stays near the bound (a floor well under
// what the fleet reaches, so that only a real regression trips it).
func TestSimulatedDays(t *testing.T) {
	if testing.Short() {
		t.Skip("whole days: run without -short")
	}
	site, err := geo.Default()
	require.NoError(t, err)
	for _, tc := range []struct {
		shuttles int
		seed     int64
		floor    float64 // bound ratio
	}{{20, 1, 0.7}, {20, 2, 0.7}, {20, 3, 0.7}, {50, 1, 0.4}} {
		c := DefaultConfig(site)
		c.Shuttles, c.Seed = tc.shuttles, tc.seed
		r, err := Run(c)
		require.NoError(t, err)
		name := fmt.Sprintf("%d shuttles, seed %d", tc.shuttles, tc.seed)
		assert.False(t, r.Failed(), "%s: %+v", name, r.Errors)
		assert.Zero(t, r.Conflicts+r.BatteryDepletions+r.Deadlocks+r.LostMoves+r.DuplicateDeliveries+r.IllegalTransitions, name)
		assert.Greater(t, r.BoundRatio, tc.floor, "%s: %.1f of %.1f loaded trips/h", name, r.LoadedTrips, r.BoundLoadedTrips)
		assert.Equal(t, r.MovesCreated, r.MovesDelivered+r.MovesReturned+r.MovesInProgress+r.MovesPending, "%s: every move accounted for", name)
	}
}

// The time a shuttle waits in a queue headed by a broken-down shuttle is
// reported apart from other waits in traffic: on single-lane yards and
// roads it is what a breakdown costs the others, often several times the
// repair itself.
func TestHeldBehindABreakdownReportedApart(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed = 20, 6, 1
	c.MTBF, c.MTTR = 10*time.Hour, time.Hour
	r, err := Run(c)
	require.NoError(t, err)
	require.Positive(t, r.Breakdowns)
	const behind = HeldBehindBreakdown
	assert.Equal(t, "waiting in traffic (held behind a breakdown)", behind)
	assert.Positive(t, r.ActivityHours[behind], "shuttles queued behind a broken-down one: %v", r.ActivityHours)
	assert.Positive(t, r.ActivityHours["waiting in traffic (held)"], "and behind others")
	var sum float64
	for a, h := range r.ActivityHours {
		sum += h
		assert.NotContains(t, a, "shuttle-", "activities are named by kind, not by who or where")
	}
	assert.InDelta(t, float64(c.Shuttles)*c.Hours, sum, 0.1, "every shuttle minute counted once")

	c.NoBreakdowns = true
	r, err = Run(c)
	require.NoError(t, err)
	assert.Zero(t, r.ActivityHours[behind], "no breakdowns, no one behind one")
}
