package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entry is one scenario of the library.
type entry struct {
	name string
	sc   sim.Scenario
	cfg  sim.Config
}

// library loads every scenario file here, as `fleetd sim --scenario`
// would (a site file named relative to the scenario's folder).
func library(t *testing.T) []entry {
	files, err := filepath.Glob("*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []entry
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc, err := sim.ParseScenario(f, data)
		require.NoError(t, err, f)
		site, err := geo.Default()
		if sc.Site != "" {
			var raw []byte
			raw, err = os.ReadFile(sc.Site)
			require.NoError(t, err, f)
			site, err = geo.Load(raw)
		}
		require.NoError(t, err, f)
		out = append(out, entry{name: strings.TrimSuffix(f, ".json"), sc: sc, cfg: sc.Apply(sim.DefaultConfig(site))})
	}
	return out
}

// measuredSeeds is how many seeds (1, 2, ...) each floor was measured
// on; the test runs each scenario on one of them, a different one from
// scenario to scenario, to stay within its time budget (about 40 s on
// two cores).
const measuredSeeds = 5

// Every scenario of the library keeps every safety promise and reaches
// its floor's bound ratio (-short: for the floor's short hours, at the
// short tier's floor).
func TestLibrary(t *testing.T) {
	lib := library(t)
	// at most two runs at a time: the machine has two cores
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, e := range lib {
		if e.sc.Sweep != nil {
			continue // a sweep is a series of runs with no floor
		}
		require.NotNil(t, e.sc.Floor, "%s: a library scenario states its floor", e.name)
		require.NotEmpty(t, e.sc.Description, "%s: a library scenario says what it is for", e.name)
		{
			cfg := e.cfg
			cfg.Seed = int64(1 + i%measuredSeeds)
			short := testing.Short() && e.sc.Floor.ShortHours > 0
			if short {
				cfg.Hours = e.sc.Floor.ShortHours
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				r, err := sim.Run(cfg)
				if !assert.NoError(t, err, e.name) {
					return
				}
				assert.NoError(t, e.sc.Floor.Check(r, short), "%s, seed %d, %g h: %.1f of %.1f loaded trips/h; %v",
					e.name, cfg.Seed, cfg.Hours, r.LoadedTrips, r.BoundLoadedTrips, r.Errors)
				assert.Positive(t, r.MovesDelivered, "%s, seed %d", e.name, cfg.Seed)
				t.Logf("%-20s seed %d, %4g h: bound ratio %.3f (%.1f of %.1f trips/h), %.1f s wall", e.name, cfg.Seed, cfg.Hours,
					r.BoundRatio, r.LoadedTrips, r.BoundLoadedTrips, r.WallSeconds)
			}()
		}
	}
	wg.Wait()
}

// The library has the scenarios issue 21 names, and a floor is stated
// as a share of the bound. The end-to-end ones (end_to_end: fleetd and
// broker restarts) run in process here like the others, without their
// restarts; e2e.TestScenarioEndToEnd runs them end to end.
func TestLibraryNames(t *testing.T) {
	have := map[string]bool{}
	for _, e := range library(t) {
		have[e.name] = true
		if e.sc.Floor != nil {
			assert.Greater(t, e.sc.Floor.BoundRatio, 0.0, e.name)
			assert.NotEmpty(t, e.sc.Floor.Measured, "%s: say where the floor comes from", e.name)
		}
	}
	for _, n := range []string{"default-day", "peak-hour", "unbalanced-80-20", "winter-day", "breakdown-heavy",
		"inspection-heavy", "refusal-heavy", "lane-closure-noon", "charger-outage", "generated-site",
		"fleetd-restart", "broker-restart"} {
		assert.True(t, have[n], n)
	}
}
