package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
)

// On the protocol path (every command an order or instant action made by
// vehicles.Master, every event from a sim/agv vehicle's state) a drained
// run delivers what the engine's own vehicle model does, within a few
// moves, on the same demand without breakdowns (breakdowns draw from
// another source on each path, so runs with them differ from the first
// one on); and a drained run with breakdowns and random operators keeps
// every safety promise, ends live and repeats for its seed.
func TestVDA5050Run(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	seeds := []int64{1, 2}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		name := fmt.Sprintf("seed %d", seed)
		c := DefaultConfig(site)
		c.Shuttles, c.Hours, c.Seed, c.MovesPerHour, c.Drain, c.NoBreakdowns = 8, 4, seed, 12, 2*time.Hour, true
		classic, err := Run(c)
		require.NoError(t, err)
		c.VDA5050 = true
		same, err := Run(c)
		require.NoError(t, err)
		assert.InDelta(t, classic.MovesDelivered, same.MovesDelivered, 3, name)
		assert.Equal(t, classic.MovesCreated, same.MovesCreated, "%s: the same demand", name)
		// breakdowns, and operators who pause, stop, cancel, add
		// shuttles and close lanes at random
		c.NoBreakdowns, c.MTBF = false, 2*time.Hour
		c.OperatorEventsPerHour, c.LaneClosuresPerHour = 20, 4
		a, err := Run(c)
		require.NoError(t, err)
		safety(t, a, name)
		ended(t, a, name)
		assert.Empty(t, a.Errors, name)
		assert.Positive(t, a.Breakdowns, name)
		b, err := Run(c)
		require.NoError(t, err)
		assert.Equal(t, a.MovesDelivered, b.MovesDelivered, name)
		assert.Equal(t, a.MeanLeadTimeS, b.MeanLeadTimeS, name)
		assert.Equal(t, a.ActivityHours, b.ActivityHours, name)
		assert.Equal(t, *a.Liveness.Ops, *b.Liveness.Ops, name)
		assert.Positive(t, sum(a.Liveness.Ops.Accepted), name)
	}
}
