package routing

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a generated crossing whose stop line mm-in-1 stands 23 m past the
// end of a shared two-way lane (a queue of one), a shuttle bound there
// waits before the shared lane while another stands between its end and
// the stop line, and says so; it goes on once that one has left. (Held
// on the shared lane's end instead, it stood where shuttles of the other
// direction enter the lane, and a refused container that had to leave
// that way kept the stop line's inspection bay for good: the harness's
// stalls on 6 of 10 sites, e.g. sim/soak/testdata/
// deadlock-stop-line-close-past-a-shared-lane.json.)
func TestSpillGuardHoldsBeforeTheSharedLane(t *testing.T) {
	site, _, err := sitegen.Generate(348112620, sitegen.Options{})
	require.NoError(t, err)
	g := newGraph(t, site, 0)
	tr := newTraffic(t, g)
	require.NotEmpty(t, tr.guards, "the stop line 23 m past the shared lane is guarded")

	require.NoError(t, tr.Place("lead", "road-ba-2#7+1"))
	require.NoError(t, tr.Place("next", "road-ba-2#5+1"))
	hold := PlanOptions{Holds: []string{"mm-in-1"}}
	for _, p := range [][2]string{{"lead", "mm-bay-01"}, {"next", "mm-bay-02"}} { // the one ahead first
		_, err := tr.Plan(p[0], p[1], hold)
		require.NoError(t, err)
	}
	driveTurns(t, tr, 200, "lead", "next")
	lead, _ := tr.Position("lead")
	require.Equal(t, "mm-in-1", lead.At, "the first waits at the stop line")
	next, _ := tr.Position("next")
	assert.Contains(t, next.At, "road-ba-2", "the second waits before the shared lane")
	assert.NotContains(t, tr.Holders("road-shared-1#1+1"), "next")
	w := tr.WaitsFor("next")
	assert.Equal(t, WaitSpill, w.Kind)
	assert.Equal(t, "lead", w.Shuttle)
	assert.Equal(t, "the stop line close past the shared lane ahead", Wait{Kind: w.Kind}.String())

	require.NoError(t, tr.ClearHold("lead", "mm-in-1"))
	driveTurns(t, tr, 200, "lead", "next")
	next, _ = tr.Position("next")
	assert.Equal(t, "mm-in-1", next.At, "once the first has gone on, the second comes to the stop line")
}

// The room past a stretch's end: one shuttle at the stop line, and one
// at each node a clearance behind the one ahead whose own clearance is
// off the stretch's end.
func TestSpillRoom(t *testing.T) {
	tr := newTraffic(t, newGraph(t, smallSite(t), 0))
	c := tr.clearance
	for _, tc := range []struct {
		at   []float64 // node distances past the end; the last is the stop line
		want int
	}{
		{[]float64{1.3 * c}, 1},
		{[]float64{0.5 * c, 1.2 * c}, 1},
		{[]float64{0.5 * c, 1.5 * c, 2.5 * c, 3.5 * c}, 3},
		{[]float64{0.5 * c, 1.5 * c, 2 * c, 2.2 * c, 3.5 * c}, 2},
	} {
		assert.Equal(t, tc.want, tr.spillRoom(tc.at), "%v clearances", tc.at)
	}
}
