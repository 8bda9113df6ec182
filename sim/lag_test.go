package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
)

// warnings keeps the warnings and errors a logger gets.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	s := r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	w.mu.Lock()
	w.lines = append(w.lines, s)
	w.mu.Unlock()
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

// A fleet core that reads its vehicles' states a minute or more late, and
// never reads most of them (an overloaded fleetd: its inbox lags and
// drops), still keeps a true record of every container: no vehicle
// reports a load fleetd did not put there or lost one it did, no pick or
// drop is forgotten, and every safety promise holds, only slower. (Its
// vehicles report state every second, as shuttle-sim's do; the Master
// sends each order update at once, as the daemon's does.)
func TestFleetBehindItsInbox(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed, c.MovesPerHour, c.NoBreakdowns, c.VDA5050 = 8, 4, 1, 30, true, true
	c.Handling = 30 * time.Second
	lags := []stateLag{{by: time.Minute, drop: 0.7}, {by: 2 * time.Minute, drop: 0.9}}
	if testing.Short() {
		lags, c.Hours = lags[:1], 2
	}
	for _, lag := range lags {
		name := fmt.Sprintf("states %s late, %.0f %% dropped", lag.by, 100*lag.drop)
		w := &warnings{}
		lag.period, lag.rng = time.Second, rand.New(rand.NewSource(1))
		r, _, err := RunWith(c, Options{lag: &lag, masterLog: slog.New(w)})
		require.NoError(t, err)
		safety(t, r, name)
		assert.Empty(t, r.Errors, name)
		assert.Positive(t, r.MovesDelivered, name)
		t.Logf("%s: %d moves delivered", name, r.MovesDelivered)
		for _, l := range w.lines {
			assert.NotContains(t, l, "loads", name)
			assert.NotContains(t, l, "called off", name)
		}
	}
}
