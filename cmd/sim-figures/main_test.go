package main

import (
	"bytes"
	"testing"

	"github.com/borderfleet/borderfleet/sim"
	"github.com/stretchr/testify/assert"
)

// Each figure is met or missed by its goal.
func TestFigures(t *testing.T) {
	ok := sim.Report{BoundRatio: 0.93, LoadedTrips: 44, BoundLoadedTrips: 47.3, MeanLeadTimeS: 1000}
	r := runs{Default: ok, Greedy: sim.Report{LoadedTrips: 39, MeanLeadTimeS: 1100},
		SeedsRuns: []sim.Report{ok, ok}, RefusedRuns: []sim.Report{ok}, Large: sim.Report{WallSeconds: 4}}
	for _, f := range figures(r, 2, 24) {
		assert.True(t, f.Met, "%s: %s", f.Name, f.Measured)
	}
	held := ok
	held.ActivityHours = map[string]float64{sim.HeldBehindBreakdown: 6, "waiting in traffic (held)": 20}
	r.SeedsRuns = []sim.Report{ok, held}
	assert.Contains(t, figures(r, 2, 24)[3].Measured, "held behind breakdowns: mean 3.0, most 6.0",
		"the seeds' hours queued behind broken-down shuttles, and no other wait")
	held.EndSoC, r.Default.Bound.VehicleMinSoC = 0.5, 0.2
	r.SeedsRuns = []sim.Report{{EndSoC: 0.4}, held}
	assert.Contains(t, figures(r, 2, 24)[3].Measured, "ends at a mean charge of 0.45, which the bound counts as driving down to 0.20",
		"the charge the fleet keeps past the end, which the bound counts as time to drive")
	bad := ok
	bad.BoundRatio, bad.Deadlocks, bad.Seed = 0.7, 1, 9
	r = runs{Default: bad, Greedy: sim.Report{LoadedTrips: 43, MeanLeadTimeS: 1050},
		SeedsRuns: []sim.Report{ok, bad}, RefusedRuns: []sim.Report{bad}, Large: sim.Report{WallSeconds: 12}}
	for _, f := range figures(r, 2, 24) {
		assert.False(t, f.Met, "%s: %s", f.Name, f.Measured)
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"-seeds", "0"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: sim-figures")
}

// -case runs one harness case and says whether it passed; a case that
// does not parse is a usage error.
func TestCase(t *testing.T) {
	var out, errOut bytes.Buffer
	c := `{"scenario":{"shuttles":2,"hours":0.5,"no_breakdowns":true,"moves_per_hour":4,"drain":"2h","drain_cancels_pending":true},"seed":1}`
	assert.Equal(t, 0, run([]string{"-case", c}, &out, &errOut), "%s%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "passed: no violation")
	assert.Contains(t, out.String(), `"moves_created"`)

	out.Reset()
	assert.Equal(t, 2, run([]string{"-case", `{"scenario":{"shutles":2}}`}, &out, &errOut))
	assert.Contains(t, errOut.String(), "shutles")
}

// The harness figure is met only when every case passed.
func TestSoakFigure(t *testing.T) {
	f := soakFigures(soakRun{Cases: 10, Seed: 1, ByKind: map[string]int{}})
	assert.True(t, f[0].Met)
	f = soakFigures(soakRun{Cases: 10, Seed: 1, Failed: 2, ByKind: map[string]int{"deadlock": 2}})
	assert.False(t, f[0].Met)
	assert.Contains(t, f[0].Measured, "deadlock 2")
}
