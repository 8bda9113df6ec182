package routing

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/borderfleet/borderfleet/geo"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func newTraffic(t testing.TB, g *Graph) *Traffic {
	t.Helper()
	tr, err := NewTraffic(g, TrafficConfig{})
	require.NoError(t, err)
	return tr
}

// drive grants and moves a shuttle until it arrives or cannot move.
func drive(t *testing.T, tr *Traffic, id string) Position {
	t.Helper()
	for {
		_, err := tr.Grant(id)
		require.NoError(t, err)
		p, _ := tr.Position(id)
		if p.Granted == p.AtStep {
			return p
		}
		require.NoError(t, tr.Progress(id, p.AtStep+2))
	}
}

func TestTrafficConfig(t *testing.T) {
	g := newGraph(t, smallSite(t), 0)
	_, err := NewTraffic(g, TrafficConfig{MinGap: -1})
	assert.ErrorContains(t, err, "routing: minimum gap -1 m")
	tr := newTraffic(t, g)
	assert.Equal(t, TrafficConfig{VehicleLength: 12, MinGap: 5, GrantAhead: 120, QueueAhead: 200}, tr.Config())
	_, err = NewTraffic(g, TrafficConfig{GrantAhead: 300, QueueAhead: 100})
	assert.ErrorContains(t, err, "queue-ahead distance 100 m is shorter than the grant-ahead distance 300 m")
}

func TestPlaceAndPlanErrors(t *testing.T) {
	tr := newTraffic(t, newGraph(t, smallSite(t), 0))
	require.NoError(t, tr.Place("a", "w-bay"))
	assert.ErrorIs(t, tr.Place("b", "w-bay"), ErrTaken)
	assert.ErrorContains(t, tr.Place("a", "e-bay"), "placed already")
	assert.ErrorContains(t, tr.Place("b", "moon"), `no node "moon"`)
	require.NoError(t, tr.Place("b", "e-bay"))

	_, err := tr.Plan("zz", "e-bay", PlanOptions{})
	assert.ErrorIs(t, err, ErrUnknownShuttle)
	_, err = tr.Plan("a", "e-bay", PlanOptions{})
	assert.ErrorIs(t, err, ErrBlocked, "b stands at e-bay")
	assert.ErrorContains(t, err, `shuttle "b" will stand there`)
	_, err = tr.Plan("a", "e-park", PlanOptions{})
	require.NoError(t, err)
	// b cannot get past where a will stand, on the only lane
	_, err = tr.Plan("b", "w-charge", PlanOptions{})
	assert.ErrorIs(t, err, ErrNoRoute)
	assert.ErrorContains(t, err, "blocked by shuttles that will stand on it")
	assert.ErrorIs(t, tr.Progress("a", 5), ErrBadProgress)
}

// Two shuttles head-on on the small site's single two-way lane: the one
// planned first passes the whole stretch before the other enters it.
func TestHeadOnOnTwoWayLane(t *testing.T) {
	g := newGraph(t, smallSite(t), 0)
	tr := newTraffic(t, g)
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), legs: map[string]int{}, stopUntil: map[string]int{}}
	require.NoError(t, tr.Place("east", "w-bay"))
	require.NoError(t, tr.Place("west", "e-park"))
	f.ids = []string{"east", "west"}
	_, err := tr.Plan("east", "gate-inspection", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("west", "w-charge", PlanOptions{})
	require.NoError(t, err)
	assert.Zero(t, tr.Waits())
	f.run(1000) // checks that the lane is never held both ways
	p, _ := tr.Position("west")
	assert.Equal(t, "w-charge", p.At)
	assert.Positive(t, tr.Waits(), "one of them waited for the other on the two-way lane")
}

// twoAtTheStopLine routes shuttle a from kz-bay-10 and b from kz-bay-09
// to CN bays with a hold at the stop line kz-bakhty-out, and drives both
// as far as they may go: a waits at the stop line, b behind it.
func twoAtTheStopLine(t *testing.T) (*Graph, *Traffic) {
	t.Helper()
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("a", "kz-bay-10"))
	require.NoError(t, tr.Place("b", "kz-bay-09"))
	hold := PlanOptions{Holds: []string{"kz-bakhty-out"}}
	_, err := tr.Plan("a", "cn-bay-01", hold)
	require.NoError(t, err)
	_, err = tr.Plan("b", "cn-bay-02", hold)
	require.NoError(t, err)
	driveTurns(t, tr, 400, "a", "b")
	return g, tr
}

// driveTurns gives each shuttle in turn its grant and moves it a node on
// if it may, rounds times: shuttles driving side by side.
func driveTurns(t *testing.T, tr *Traffic, rounds int, ids ...string) {
	t.Helper()
	for range rounds {
		for _, id := range ids {
			_, err := tr.Grant(id)
			require.NoError(t, err)
			if p, _ := tr.Position(id); p.Granted > p.AtStep {
				require.NoError(t, tr.Progress(id, p.AtStep+2))
			}
		}
	}
}

// A laden shuttle waits at a customs stop line; the one behind queues
// behind it; on refusal the first turns back ahead of the second.
func TestGateHoldAndRefusal(t *testing.T) {
	_, tr := twoAtTheStopLine(t)
	pa, _ := tr.Position("a")
	pb, _ := tr.Position("b")
	assert.Equal(t, "kz-bakhty-out", pa.At, "a waits at the stop line")
	assert.NotEqual(t, "kz-bakhty-out", pb.At, "b queues behind")
	assert.Contains(t, tr.Holders("kz-bakhty-out"), "a")

	// refused: back to the origin centre, ahead of b
	plan, err := tr.Plan("a", "kz-bay-05", PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, "kz-bakhty-out", plan.Nodes[0], "the new route stitches at the stop line")
	assert.Contains(t, plan.Nodes, "crossover-w340@0", "turns back at the crossover ahead")
	// b is released by its own customs later
	require.NoError(t, tr.ClearHold("b", "kz-bakhty-out"))
	assert.Error(t, tr.ClearHold("b", "kz-bakhty-out"))
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(2)), ids: []string{"a", "b"}, legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(2000)
	pa, _ = tr.Position("a")
	pb, _ = tr.Position("b")
	assert.Equal(t, "kz-bay-05", pa.At)
	assert.Equal(t, "cn-bay-02", pb.At)
}

// Following shuttles keep the gap even when the leader stops dead.
func TestFollowingKeepsGap(t *testing.T) {
	g, tr := leadAndNext(t) // the leader drives 40 nodes and stops
	// the follower drives all it can
	pn := drive(t, tr, "next")
	pl, _ := tr.Position("lead")
	sl, sn := tr.shuttles["lead"], tr.shuttles["next"]
	gap := dist(g.Nodes[sl.step(sl.at).node].XY, g.Nodes[sn.step(sn.at).node].XY)
	assert.GreaterOrEqual(t, gap, tr.clearance-1e-6, "follower at %s, leader at %s", pn.At, pl.At)
	assert.Less(t, gap, tr.clearance+2*DefaultBlockLength, "the follower closes up")
}

func TestCancelAndRemove(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("a", "kz-park-01"))
	_, err := tr.Plan("a", "cn-bay-01", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Grant("a")
	require.NoError(t, err)
	require.NoError(t, tr.Cancel("a"))
	p := drive(t, tr, "a")
	assert.True(t, p.Arrived)
	assert.Equal(t, p.Authority, p.Goal, "stops at the end of its authority")
	assert.NotEqual(t, "cn-bay-01", p.At)
	assert.Equal(t, []string{"a"}, tr.Holders(p.At))
	require.NoError(t, tr.Remove("a"))
	assert.Empty(t, tr.Holders(p.At))
	assert.ErrorIs(t, tr.Remove("a"), ErrUnknownShuttle)
}

func TestRoutedOverClosedLane(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("a", "kz-park-01"))
	_, err := tr.Plan("a", "cn-bay-01", PlanOptions{})
	require.NoError(t, err)
	require.NoError(t, g.Close("road-east"))
	assert.Equal(t, []string{"a"}, tr.RoutedOver("road-east"))
	assert.Empty(t, tr.RoutedOver("road-west"))
}

// fewerChecksWhenShort runs a property test's cases only 15 times with
// -short (as the race-detector run of scripts/test.sh does), unless
// -rapid.checks says otherwise.
func fewerChecksWhenShort(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); testing.Short() && f != nil && f.Value.String() == f.DefValue {
		require.NoError(t, flag.Set("rapid.checks", "15"))
		t.Cleanup(func() { _ = flag.Set("rapid.checks", f.DefValue) })
	}
}

// maxFleet is the largest random fleet: 100, or 40 with -short (the race
// detector's run).
func maxFleet() int {
	if testing.Short() {
		return 40
	}
	return 100
}

// Random fleets with random goals and random stops: no conflict, no
// deadlock, every shuttle arrives. Routes are queued whole when they are
// planned (an infinite queue-ahead distance), which is deadlock-free on any
// lane graph, up to the largest fleets.
func TestPropertyDefaultSite(t *testing.T) {
	propertyDefaultSite(t, TrafficConfig{QueueAhead: math.Inf(1)}, maxFleet())
}

// The same with routes queued a stretch ahead (the default), with fleets
// of up to 20 shuttles: see the package documentation for why larger ones
// are not promised.
func TestPropertyDefaultSiteQueueAhead(t *testing.T) {
	propertyDefaultSite(t, TrafficConfig{}, 20)
}

func propertyDefaultSite(t *testing.T, cfg TrafficConfig, maxN int) {
	fewerChecksWhenShort(t)
	site := defaultSite(t)
	places := restingPlaces(site)
	rapid.Check(t, func(rt *rapid.T) {
		g, err := NewGraph(site, GraphConfig{})
		if err != nil {
			rt.Fatalf("graph: %v", err)
		}
		tr, err := NewTraffic(g, cfg)
		if err != nil {
			rt.Fatalf("traffic: %v", err)
		}
		n := rapid.IntRange(1, min(maxN, len(places))).Draw(rt, "shuttles")
		seed := rapid.Int64().Draw(rt, "seed")
		stop := rapid.Float64Range(0, 0.02).Draw(rt, "stop probability")
		rng := rand.New(rand.NewSource(seed))
		starts := append([]string(nil), places...)
		rng.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
		f := newFleetSim(rt, tr, rng, starts[:n], places, 2, stop)
		f.lend = rapid.Float64Range(0, 1).Draw(rt, "breakdown share of stops")
		if rapid.Bool().Draw(rt, "customs") {
			for _, c := range site.Checkpoints {
				f.holds = append(f.holds, c.ID)
			}
			f.divert = rapid.Float64Range(0, 0.2).Draw(rt, "divert probability")
		}
		f.run(200000)
	})
}

// The same on a generated grid of two-way lanes, where shuttles meet
// head-on and cross at every junction.
func TestPropertyGrid(t *testing.T) {
	propertyGrid(t, TrafficConfig{QueueAhead: math.Inf(1)}, maxFleet())
}

func propertyGrid(t *testing.T, cfg TrafficConfig, maxN int) {
	fewerChecksWhenShort(t)
	site, err := gridSite(12, 40, true)
	require.NoError(t, err)
	nodes := restingPlaces(site)
	var junctions []string
	for _, n := range site.Network.Nodes {
		if n.Kind == geo.NodeJunction {
			junctions = append(junctions, n.ID)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		g, err := NewGraph(site, GraphConfig{})
		if err != nil {
			rt.Fatalf("graph: %v", err)
		}
		tr, err := NewTraffic(g, cfg)
		if err != nil {
			rt.Fatalf("traffic: %v", err)
		}
		n := rapid.IntRange(1, maxN).Draw(rt, "shuttles")
		rng := rand.New(rand.NewSource(rapid.Int64().Draw(rt, "seed")))
		stop := rapid.Float64Range(0, 0.02).Draw(rt, "stop probability")
		starts := append([]string(nil), nodes...)
		rng.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
		f := newFleetSim(rt, tr, rng, starts[:n], nodes, 2, stop)
		f.lend = rapid.Float64Range(0, 1).Draw(rt, "breakdown share of stops")
		if rapid.Bool().Draw(rt, "holds") {
			// customs-like holds at some junctions, with diversions
			for i := 0; i < 12; i++ {
				f.holds = append(f.holds, junctions[rng.Intn(len(junctions))])
			}
			f.divert = rapid.Float64Range(0, 0.3).Draw(rt, "divert probability")
		}
		f.run(200000)
		if n == 100 {
			rt.Logf("moves %d, diverted %d, overtakes %d, plan failures %d, ticks %d", f.moves, f.diverted, f.overtakes, f.planFails, f.tick)
		}
	})
}

// Regression: at a station with two chargers, one shuttle stands for good,
// one leaves and one arrives; re-routing the leaving one must not leave the
// arriving one waiting for the one that never leaves.
func TestStationWaitsAreModelled(t *testing.T) {
	g := newGraph(t, smallSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("c", "w-charge"))
	require.NoError(t, tr.Place("a", "w-charge"))
	require.NoError(t, tr.Place("d", "e-bay"))
	_, err := tr.Plan("a", "gate-inspection", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("d", "w-charge", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("a", "e-park", PlanOptions{})
	assert.ErrorIs(t, err, ErrBlocked, "a now waits on d's way in; keeping its old route is safe")
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), ids: []string{"c", "a", "d"}, legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(2000)
}

// A station takes as many shuttles routed to it at once as it has
// chargers: one still on its way there does not keep the next out (they
// went one at a time, minutes apart, with chargers free), and one more than
// the chargers is refused. They all arrive.
func TestStationTakesRoutesUpToItsChargers(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	ids := []string{"a", "b", "c", "d", "e", "f", "g"}
	for i, id := range ids {
		require.NoError(t, tr.Place(id, fmt.Sprintf("kz-park-%02d", 30+i)))
	}
	for _, id := range ids[:6] {
		_, err := tr.Plan(id, "kz-charging", PlanOptions{})
		require.NoError(t, err, "%s: six chargers", id)
	}
	_, err := tr.Plan("g", "kz-charging", PlanOptions{})
	assert.ErrorIs(t, err, ErrBlocked, "a seventh has no charger")
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), ids: ids[:6], legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(20000)
	for _, id := range ids[:6] {
		p, _ := tr.Position(id)
		assert.Equal(t, "kz-charging", p.At, id)
	}
}

// Regression: a shuttle may not be cancelled to stand on the route of one
// queued behind it.
func TestCancelRefusedWhenItWouldBlock(t *testing.T) {
	_, tr := leadAndNext(t)
	assert.ErrorIs(t, tr.Cancel("lead"), ErrBlocked)
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), ids: []string{"lead", "next"}, legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(5000)
}

// Regression: re-planning a shuttle that waits at a hold keeps the hold.
func TestReplanKeepsHold(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("a", "kz-bay-10"))
	_, err := tr.Plan("a", "cn-bay-01", PlanOptions{Holds: []string{"kz-bakhty-out"}})
	require.NoError(t, err)
	p := drive(t, tr, "a")
	require.Equal(t, "kz-bakhty-out", p.At)
	_, err = tr.Plan("a", "cn-bay-02", PlanOptions{})
	require.NoError(t, err)
	p = drive(t, tr, "a")
	assert.Equal(t, "kz-bakhty-out", p.At, "still held")
	require.NoError(t, tr.ClearHold("a", "kz-bakhty-out"))
	p = drive(t, tr, "a")
	assert.Equal(t, "cn-bay-02", p.At)
}

// A shuttle at a junction is not held back by one routed through it
// earlier that is still beyond the queue-ahead distance: queues are made in
// the order shuttles come near.
func TestQueueAheadFollowsArrival(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("far", "kz-park-36"))
	require.NoError(t, tr.Place("near", "kz-bay-05"))
	_, err := tr.Plan("far", "cn-bay-01", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("near", "cn-bay-02", PlanOptions{})
	require.NoError(t, err)
	far := tr.shuttles["far"]
	assert.Less(t, far.step(far.queued).end, 200+20.0, "queued only ahead of itself")
	assert.Greater(t, far.last(), far.queued, "the rest of the route waits")
	for i := 0; i < 3; i++ {
		tr.Grant("near")
		p, _ := tr.Position("near")
		require.NoError(t, tr.Progress("near", p.Granted))
	}
	p, _ := tr.Position("near")
	assert.Greater(t, p.AtStep, 6, "drove on past the junction")
	assert.False(t, tr.Free("cn-bay-01"), "far's goal is taken although not queued yet")
	_, err = tr.Plan("near", "cn-bay-01", PlanOptions{})
	assert.ErrorIs(t, err, ErrBlocked, "a goal where another will stand")
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), ids: []string{"far", "near"}, legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(5000)
}

// With the whole route queued at once (a queue-ahead distance longer than
// any route), a shuttle at a junction goes before one routed through it
// earlier that is still far away only by overtaking.
func TestOvertake(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	tr, err := NewTraffic(g, TrafficConfig{QueueAhead: 1e6})
	require.NoError(t, err)
	require.NoError(t, tr.Place("far", "kz-park-36"))
	require.NoError(t, tr.Place("near", "kz-bay-05"))
	_, err = tr.Plan("far", "cn-bay-01", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("near", "cn-bay-02", PlanOptions{})
	require.NoError(t, err)
	tr.Grant("near")
	p, _ := tr.Position("near")
	require.NoError(t, tr.Progress("near", p.AtStep+2))
	tr.Grant("near")
	before, _ := tr.Position("near")
	require.Contains(t, tr.WaitsFor("near").String(), "far at", "queued behind the far shuttle")
	require.Equal(t, "far", tr.WaitsFor("near").Shuttle)
	assert.True(t, tr.Overtake("near"))
	tr.Grant("near")
	after, _ := tr.Position("near")
	assert.Greater(t, after.Granted, before.Granted, "granted on past the junction")
	assert.False(t, tr.Overtake("far"), "nothing to overtake")
	f := &fleetSim{t: t, tr: tr, rng: rand.New(rand.NewSource(1)), ids: []string{"far", "near"}, legs: map[string]int{}, stopUntil: map[string]int{}}
	f.run(5000)
}

// leadAndNext routes "lead" from kz-bay-10 and "next" from kz-bay-09 to the
// CN bays, then drives the leader 40 nodes, where it stops.
func leadAndNext(t *testing.T) (*Graph, *Traffic) {
	t.Helper()
	g := newGraph(t, defaultSite(t), 0)
	tr := newTraffic(t, g)
	require.NoError(t, tr.Place("lead", "kz-bay-10"))
	require.NoError(t, tr.Place("next", "kz-bay-09"))
	_, err := tr.Plan("lead", "cn-bay-01", PlanOptions{})
	require.NoError(t, err)
	_, err = tr.Plan("next", "cn-bay-02", PlanOptions{})
	require.NoError(t, err)
	for i := 0; i < 40; i++ {
		tr.Grant("lead")
		p, _ := tr.Position("lead")
		require.NoError(t, tr.Progress("lead", p.AtStep+2))
	}
	return g, tr
}

// What a shuttle waits for reads as reports and explanations print it.
func TestWaitString(t *testing.T) {
	for _, tc := range []struct {
		w    Wait
		want string
	}{
		{Wait{Kind: WaitUnknownShuttle}, "unknown shuttle"},
		{Wait{Kind: WaitNothing}, "nothing: it may drive to the end of its route"},
		{Wait{Kind: WaitHold, Resource: "kz-bakhty-out-stop"}, "a hold at kz-bakhty-out-stop"},
		{Wait{Kind: WaitNotQueued, Detail: "queueing further would close a cycle"}, "its route ahead cannot be queued yet: queueing further would close a cycle"},
		{Wait{Kind: WaitHeld, Shuttle: "s2", Resource: `node "j1"`}, `s2 at node "j1", holding it`},
		{Wait{Kind: WaitQueued, Shuttle: "s2", Resource: `edge "e1"`}, `s2 at edge "e1", routed through it`},
		{Wait{Kind: WaitGrantAhead}, "the grant-ahead distance"},
		{Wait{Kind: WaitHold}, "a hold"},
		{Wait{Kind: WaitNotQueued}, "its route ahead cannot be queued yet"},
		{Wait{Kind: WaitLent}, "the lane ahead it lent while it stood still, to be taken back"},
		{Wait{Kind: WaitLent, Shuttle: "s2", Resource: `node "n1"`}, `the lane ahead it lent while it stood still: s2 holds it at node "n1"`},
	} {
		assert.Equal(t, tc.want, tc.w.String(), "%s", tc.w.Kind)
	}
}

// What queues behind the last step a shuttle has queued waits on that
// step: the shuttle leaves it only once it can queue on. (The wait-for
// model left that wait out, so a shuttle that could not queue past a
// junction was taken for one that would leave it: on the default site,
// harness case 6 of -soak.seed 7, shuttles queued in crossed orders on a
// bay lane's exit onto the yard ring and the ring behind it, and three of
// them stood for good.)
func TestLastQueuedStepIsWaitedOn(t *testing.T) {
	g, tr := twoAtTheStopLine(t)
	a, b := tr.shuttles["a"], tr.shuttles["b"]
	require.Equal(t, "kz-bakhty-out", g.Nodes[a.step(a.queued).node].ID, "a is queued up to the stop line it is held at")
	last := a.step(a.queued).v
	var behind *visit
	for i := b.at; i <= b.queued; i++ {
		if b.step(i).res == a.step(a.queued).res {
			behind = b.step(i).v
		}
	}
	require.NotNil(t, behind, "b is queued on the stop line behind a")
	var next []*visit
	tr.successors(last, func(w *visit) { next = append(next, w) })
	assert.Contains(t, next, behind, "b's visit at the stop line waits on a's")
	assert.True(t, tr.waitingOn(a, true).has(behind), "and is among what waits on a")
}

// WayAhead: no other shuttle holds or is queued on the way, up to the
// first node done names and the clearance past it. (A hold where a new
// route starts queues nothing of it: a's route here.)
func TestWayAhead(t *testing.T) {
	tr := newTraffic(t, newGraph(t, defaultSite(t), 0))
	placeAndPlan(t, tr, "a", "kz-bakhty-out-inspection", "cn-bay-02", PlanOptions{Holds: []string{"kz-bakhty-out-inspection"}})
	out := func(n string) bool { return n == "crossover-w340@0" } // past the lay-by's exit
	wayClear := func(id string, done func(string) bool) bool {
		clear, twoWay := tr.WayAhead(id, done)
		assert.False(t, twoWay, "the default site's roads are one-way")
		return clear
	}
	assert.True(t, wayClear("a", out), "nobody else on the lanes")
	assert.False(t, wayClear("nobody", out), "an unknown shuttle")

	// b comes along road-east from the yard: queued on a's way out
	placeAndPlan(t, tr, "b", "kz-bay-10", "cn-bay-01", PlanOptions{})
	for range 400 {
		if !wayClear("a", out) {
			break
		}
		_, err := tr.Grant("b")
		require.NoError(t, err)
		if p, _ := tr.Position("b"); p.Granted > p.AtStep {
			require.NoError(t, tr.Progress("b", p.AtStep+2))
		}
	}
	assert.False(t, wayClear("a", out), "b is queued on a's way out")
	drive(t, tr, "b")
	pb, _ := tr.Position("b")
	require.Equal(t, "cn-bay-01", pb.At, "%s", tr.WaitsFor("b"))
	assert.True(t, wayClear("a", out), "b has gone")
	// only the way up to done and the clearance counts: b standing far
	// beyond, on a's route, does not
	assert.True(t, wayClear("a", func(n string) bool { return n == "kz-bakhty-out-spur@3" }))
}

// Withhold: a shuttle that will wait where it stands gives up what it had
// queued beyond, so the one queued behind it there goes on; ClearHold
// lets it queue again, behind.
func TestWithhold(t *testing.T) {
	tr := newTraffic(t, newGraph(t, defaultSite(t), 0))
	placeAndPlan(t, tr, "a", "kz-bay-10", "cn-bay-01", PlanOptions{})
	placeAndPlan(t, tr, "b", "kz-bay-09", "cn-bay-02", PlanOptions{})
	pb := drive(t, tr, "b")
	require.NotEqual(t, "cn-bay-02", pb.At)
	require.Equal(t, "a", tr.WaitsFor("b").Shuttle, "b waits for a, queued ahead of it: %s", tr.WaitsFor("b"))

	require.NoError(t, tr.Withhold("a"))
	assert.Equal(t, Wait{Kind: WaitHold, Resource: "kz-bay-10"}, tr.WaitsFor("a"))
	pb = drive(t, tr, "b")
	assert.Equal(t, "cn-bay-02", pb.At, "b goes on: %s", tr.WaitsFor("b"))

	require.NoError(t, tr.ClearHold("a", "kz-bay-10"))
	pa := drive(t, tr, "a")
	assert.Equal(t, "cn-bay-01", pa.At, "%s", tr.WaitsFor("a"))
	assert.ErrorIs(t, tr.Withhold("nobody"), ErrUnknownShuttle)
}

// placeAndPlan places a shuttle at a node and routes it to goal.
func placeAndPlan(t *testing.T, tr *Traffic, id, at, goal string, opt PlanOptions) {
	t.Helper()
	require.NoError(t, tr.Place(id, at))
	_, err := tr.Plan(id, goal, opt)
	require.NoError(t, err)
}

// A stilled shuttle (Lend) lends what it was granted ahead: the shuttle
// behind it passes over it, granted at once past it by the clearance,
// and the lender has it back (Reclaim) only once that one is off it.
func TestLendAndReclaim(t *testing.T) {
	tr := newTraffic(t, newGraph(t, defaultSite(t), 0))
	placeAndPlan(t, tr, "a", "kz-bay-10", "cn-bay-01", PlanOptions{})
	placeAndPlan(t, tr, "b", "kz-bay-09", "cn-bay-02", PlanOptions{})
	_, err := tr.Grant("a")
	require.NoError(t, err)
	pa, _ := tr.Position("a")
	require.Greater(t, pa.Granted, pa.AtStep, "a holds lane ahead of where it stands")
	pb := drive(t, tr, "b")
	w := tr.WaitsFor("b")
	require.Equal(t, WaitHeld, w.Kind, "b is held by a: %s", w)
	require.Equal(t, "a", w.Shuttle)

	ok, err := tr.Reclaim("a")
	require.NoError(t, err)
	assert.True(t, ok, "nothing lent: nothing to reclaim")
	require.NoError(t, tr.Lend("a"))
	assert.True(t, tr.Stilled("a"))
	sa := tr.shuttles["a"]
	assert.False(t, tr.lent(sa.step(sa.at+1).v), "the edge right ahead, where a's front is, is not lent")
	assert.True(t, tr.lent(sa.step(sa.at+2).v), "the node after it is")
	// b goes ahead of what a is queued for beyond its authority and
	// passes over what a lent
	g, err := tr.Grant("b")
	require.NoError(t, err)
	require.True(t, g.Extended(), "b passes over what a lent")
	ok, err = tr.Reclaim("a")
	require.NoError(t, err)
	assert.False(t, ok, "b holds part of what a lent")
	assert.True(t, tr.Stilled("a"))
	w = tr.WaitsFor("a")
	assert.Equal(t, WaitLent, w.Kind)
	assert.Equal(t, "b", w.Shuttle, "%s", w)
	// b is granted past a's lane by the clearance: it drives off it
	// without waiting for anyone
	for step := pb.AtStep + 2; step <= g.To; step += 2 {
		require.NoError(t, tr.Progress("b", step))
	}
	ok, err = tr.Reclaim("a")
	require.NoError(t, err)
	assert.True(t, ok, "b is off a's lane")
	assert.False(t, tr.Stilled("a"))
	pa2, _ := tr.Position("a")
	assert.Equal(t, pa.Granted, pa2.Granted, "a keeps its authority: its vehicle was told to drive there")
	pb = drive(t, tr, "b")
	assert.Equal(t, "cn-bay-02", pb.At, "%s", tr.WaitsFor("b"))
	pa = drive(t, tr, "a")
	assert.Equal(t, "cn-bay-01", pa.At, "a goes on behind b: %s", tr.WaitsFor("a"))

	_, err = tr.Reclaim("nobody")
	assert.ErrorIs(t, err, ErrUnknownShuttle)
	assert.ErrorIs(t, tr.Lend("nobody"), ErrUnknownShuttle)
}
