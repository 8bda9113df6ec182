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
		SeedsRuns: []sim.Report{ok, ok}, Large: sim.Report{WallSeconds: 4}}
	for _, f := range figures(r, 2, 24) {
		assert.True(t, f.Met, "%s: %s", f.Name, f.Measured)
	}
	bad := ok
	bad.BoundRatio, bad.Deadlocks, bad.Seed = 0.7, 1, 9
	r = runs{Default: bad, Greedy: sim.Report{LoadedTrips: 43, MeanLeadTimeS: 1050},
		SeedsRuns: []sim.Report{ok, bad}, Large: sim.Report{WallSeconds: 12}}
	for _, f := range figures(r, 2, 24) {
		assert.False(t, f.Met, "%s: %s", f.Name, f.Measured)
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"-seeds", "0"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: sim-figures")
}
