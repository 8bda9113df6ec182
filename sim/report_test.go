package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadSite loads a site file for a test.
func loadSite(t *testing.T, path string) *geo.Site {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err := geo.Load(data)
	require.NoError(t, err)
	return s
}

// boundOf works out the bound of a scenario as Run does.
func boundOf(t *testing.T, cfg Config) Bound {
	t.Helper()
	g, err := routing.NewGraph(cfg.Site, routing.GraphConfig{})
	require.NoError(t, err)
	return computeBound(cfg, g, routing.TrafficConfig{})
}

func direction(t *testing.T, b Bound, from, to string) DirectionBound {
	t.Helper()
	for _, d := range b.Directions {
		if d.From == from && d.To == to {
			return d
		}
	}
	t.Fatalf("no direction %s→%s", from, to)
	return DirectionBound{}
}

// stopLineCap is a stop line's capacity with the default customs and the
// given release time (StopLineBound): 0.8 r at the line, 0.2 (90 + 0.1 *
// 1200) = 42 s at the line or aside, 24 s at the inspection bay.
func stopLineCap(releaseS float64) float64 {
	return math.Min(math.Min(3600/(0.8*releaseS), 3600/24.0), 7200/(0.8*releaseS+42))
}

// On the default site's default day the bound is 50.8 loaded trips/h for
// 20 shuttles (49.2 when a pre-cleared share of the release times and the
// charging of a steady state were not yet in it): t_g is 0.8 * 2 * 30 s at
// the stop lines + 2 * 42 s customs = 132 s, and a day that starts at 70 %
// charges 1.43 times a shuttle, not the 2.26 of a steady state.
func TestBoundDefaultSite(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	for _, tc := range []struct {
		name       string
		edit       func(*Config)
		bound, t_g float64
		gates      float64
		directions int // in demand
	}{
		{"default", func(*Config) {}, 50.8, 132, 2 * stopLineCap(30), 2},
		{"all pre-cleared", func(c *Config) { c.PreCleared = 1 }, 54.2, 60, 2 * 3600 / 30.0, 2},
		{"10 shuttles", func(c *Config) { c.Shuttles = 10 }, 25.4, 132, 2 * stopLineCap(30), 2},
		{"eastbound only", func(c *Config) { c.Eastbound = 1 }, 50.8, 132, stopLineCap(30), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig(site)
			tc.edit(&cfg)
			b := boundOf(t, cfg)
			assert.InDelta(t, tc.bound, b.min(), 0.05)
			assert.InDelta(t, tc.t_g, b.CrossingS, 0.01)
			assert.InDelta(t, tc.gates, b.Gates, 1e-9)
			assert.InDelta(t, 3197, b.RouteLengthM, 1)
			assert.Equal(t, 120.0, b.Handling)
			assert.Equal(t, 10, b.BaysPerCentre)
			assert.InDelta(t, float64(tc.directions)*1109.46, b.Lane, 0.05, "no shared segment: one behind the other each way")
			assert.Empty(t, b.SharedSegments, "the crossovers are two-way, but no fastest route between the centres drives them")
			assert.Equal(t, 2.0, b.GatesPerCrossing)
			inDemand := 0
			for _, d := range b.Directions {
				if d.inDemand() {
					inDemand++
				}
			}
			assert.Equal(t, tc.directions, inDemand)
			assert.Equal(t, []string{"kz-bakhty-out", "cn-pokitu-in"}, direction(t, b, "kz-lc", "cn-lc").StopLines)
			assert.Equal(t, []string{"cn-pokitu-out", "kz-bakhty-in"}, direction(t, b, "cn-lc", "kz-lc").StopLines)
			_, err := json.Marshal(b)
			assert.NoError(t, err, "every input in JSON")
		})
	}
}

// The tiny site has one two-way lane between its centres, with the stop
// line on it: both ways pass the one stop line and drive the lane.
func TestBoundOneTwoWayLane(t *testing.T) {
	cfg := DefaultConfig(loadSite(t, "../geo/testdata/small.geojson"))
	cfg.Shuttles = 4
	b := boundOf(t, cfg)
	for _, d := range b.Directions {
		assert.Equal(t, []string{"gate"}, d.StopLines, d.Name())
		assert.InDelta(t, 0.8*30+42, d.CrossingS, 1e-9, d.Name())
		assert.InDelta(t, stopLineCap(30), d.Gates, 1e-9, d.Name())
	}
	assert.InDelta(t, stopLineCap(30), b.Gates, 1e-9, "the one stop line, shared by both ways, counted once")
	require.Len(t, b.SharedSegments, 1)
	seg := b.SharedSegments[0]
	assert.Equal(t, []string{"main"}, seg.Lanes)
	assert.InDelta(t, b.RouteLengthM, seg.LengthM, 1e-6, "the whole way from bay to bay")
	assert.Equal(t, 4, seg.PlatoonMax, "no other way back: at most the fleet in one run")
	assert.Len(t, seg.Directions, 2)
	assertSegment(t, seg, b.ClearanceM)
	assert.InDelta(t, seg.Capacity, b.Lane, 1e-9)
}

// assertSegment checks a shared segment's capacity from its inputs.
func assertSegment(t *testing.T, seg SharedSegment, clearanceM float64) {
	t.Helper()
	assert.InDelta(t, clearanceM/seg.SpeedMPS, seg.HeadwayS, 1e-9)
	assert.InDelta(t, (seg.LengthM+clearanceM)/seg.SpeedMPS, seg.ClearanceS, 1e-9)
	m := float64(seg.PlatoonMax)
	assert.InDelta(t, 3600*m/((m-1)*seg.HeadwayS+seg.ClearanceS), seg.Capacity, 1e-9)
	assert.Greater(t, seg.Capacity, 3600/seg.ClearanceS, "platoons pass more than one shuttle at a time")
}

// The trio site (sim/testdata): three centres, two KZ stop lines
// eastbound, a 400 m two-way bridge in the neutral zone that every way
// between the west and the others drives.
func TestBoundThreeCentres(t *testing.T) {
	cfg := DefaultConfig(loadSite(t, "testdata/trio.geojson"))
	b := boundOf(t, cfg)
	require.Len(t, b.Directions, 6, "every ordered pair of centres")
	for _, tc := range []struct {
		from, to string
		lines    []string
		gateS    float64
		gates    float64
		bridge   bool
	}{
		{"w", "e", []string{"kz-out-a", "kz-out-b", "cn-e-in"}, 30 + 20 + 40, stopLineCap(40), true},
		{"e", "w", []string{"cn-e-out", "kz-in"}, 60, stopLineCap(30), true},
		{"w", "s", []string{"kz-out-a", "kz-out-b", "cn-s-in"}, 80, stopLineCap(30), true},
		{"s", "w", []string{"kz-in"}, 30, stopLineCap(30), true},
		{"e", "s", []string{"cn-e-out", "cn-s-in"}, 60, stopLineCap(30), false},
		{"s", "e", []string{"cn-e-in"}, 40, stopLineCap(40), false},
	} {
		d := direction(t, b, tc.from, tc.to)
		assert.InDelta(t, 1.0/6, d.Share, 1e-12, d.Name())
		assert.Equal(t, tc.lines, d.StopLines, d.Name())
		assert.InDelta(t, tc.gateS, d.ReleaseS, 1e-9, d.Name())
		assert.InDelta(t, 0.8*tc.gateS, d.GateS, 1e-9, d.Name(), "the pre-cleared share waits the release times")
		assert.InDelta(t, 0.8*tc.gateS+float64(len(tc.lines))*42, d.CrossingS, 1e-9, d.Name())
		assert.InDelta(t, tc.gates, d.Gates, 1e-9, d.Name())
		assert.Equal(t, tc.bridge, contains(b.SharedSegments[0].Directions, d.Name()), d.Name())
	}
	// all centres, every direction weighed by its sixth of the demand
	mean := 0.0
	for _, d := range b.Directions {
		mean += d.RouteLengthM / 6
	}
	assert.InDelta(t, mean, b.RouteLengthM, 1e-6)
	assert.InDelta(t, (90+60+80+30+60+40)/6.0, b.ReleaseS, 1e-9)
	assert.InDelta(t, 0.8*(90+60+80+30+60+40)/6.0+(3+2+3+1+2+1)/6.0*42, b.CrossingS, 1e-9)
	require.Len(t, b.Centres, 3)
	assert.Equal(t, 1, b.BaysPerCentre, "the south yard")
	assert.InDelta(t, 3600/300.0/(2.0/3), b.Handling, 1e-9, "a third of trips load and a third unload at the south yard's one bay")
	require.Len(t, b.SharedSegments, 1)
	seg := b.SharedSegments[0]
	assert.Equal(t, []string{"bridge"}, seg.Lanes)
	assert.InDelta(t, 400, seg.LengthM, 0.01)
	assert.InDelta(t, 20/3.6, seg.SpeedMPS, 1e-9, "the neutral zone's limit")
	assert.Equal(t, cfg.Shuttles, seg.PlatoonMax)
	assertSegment(t, seg, b.ClearanceM)
	assert.LessOrEqual(t, b.Lane, seg.Capacity+direction(t, b, "e", "s").Lane+direction(t, b, "s", "e").Lane+1e-9)
	// kz-in, which e→w and s→w pass, is the shared stop line that caps
	// the sum most: with the four other directions' own capacities
	assert.InDelta(t, stopLineCap(30)+2*stopLineCap(40)+2*stopLineCap(30), b.Gates, 1e-9)
}

// Flows between two of the three centres use only those two.
func TestBoundFlows(t *testing.T) {
	cfg := DefaultConfig(loadSite(t, "testdata/trio.geojson"))
	g, err := routing.NewGraph(cfg.Site, routing.GraphConfig{})
	require.NoError(t, err)
	b := boundFor(cfg, g, routing.TrafficConfig{}, []flow{{"e", "s", 0.5}, {"s", "e", 0.5}})
	assert.InDelta(t, 0.8*(60+40)/2.0+1.5*42, b.CrossingS, 1e-9)
	assert.Empty(t, b.SharedSegments, "the bridge is not on the way")
	assert.InDelta(t, stopLineCap(30)+stopLineCap(40), b.Gates, 1e-9)
	assert.InDelta(t, 3600/300.0, b.Handling, 1e-9, "every trip at the south yard's one bay")
	assert.Equal(t, 0.0, b.Centres[0].TripShare)
}

func TestTogether(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		caps   []float64
		shared []sharedCap
		want   float64
	}{
		{[]float64{10, 20}, nil, 30},
		{[]float64{10, 20}, []sharedCap{{15, []int{0, 1}}}, 15},
		{[]float64{10, 20, 5}, []sharedCap{{15, []int{0, 1}}}, 20},
		{[]float64{inf, inf}, []sharedCap{{15, []int{0, 1}}}, 15},
		{[]float64{10, 0}, nil, 10},
	} {
		assert.Equal(t, tc.want, together(tc.caps, tc.shared))
	}
}

// What a simulated morning on the default site achieves is within the
// bound.
func TestBoundAboveRun(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	cfg := DefaultConfig(site)
	cfg.Hours = 4
	r, err := Run(cfg)
	require.NoError(t, err)
	assert.Greater(t, r.LoadedTrips, 0.0)
	assert.LessOrEqual(t, r.LoadedTrips, r.BoundLoadedTrips)
}

// Charging and breakdowns are over the run's hours: a run too short to use
// up the charge it starts with charges not at all, a long one as in a
// steady state, and a shuttle that starts up is up more of a short run.
func TestBoundRunHours(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	cfg := DefaultConfig(site)
	steady := func(b Bound) float64 {
		return b.CyclesPerCharge * b.CycleS / (b.CyclesPerCharge*b.CycleS + b.ChargeS)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		avail func(Bound) float64 // charging_availability
	}{
		{"4 h from 70 %", func(c *Config) { c.Hours = 4 }, func(Bound) float64 { return 1 }},
		{"a day from 70 %", func(*Config) {}, func(b Bound) float64 { return 0.961 }},
		{"a day from 20 %", func(c *Config) { c.StartSoC = c.Vehicle.MinSoC }, steady},
		{"a year", func(c *Config) { c.Hours = 365 * 24 }, steady},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			tc.edit(&c)
			b := boundOf(t, c)
			assert.InDelta(t, tc.avail(b), b.ChargingAvail, 1e-3)
			assert.InDelta(t, (c.StartSoC-0.2)/0.6, b.FreeCharges, 1e-12)
			assert.Equal(t, c.Hours, b.RunHours)
			assert.Equal(t, c.StartSoC, b.StartSoC)
			// the time a shuttle is up: its cycles and the charging beyond
			// what it starts with, or only cycles
			up := b.BreakdownAvail * b.RunHours * 3600
			cycles := b.ChargingAvail * up / b.CycleS
			if b.ChargingAvail < 1 {
				assert.InDelta(t, up, cycles*b.CycleS+b.ChargesPerShuttle*b.ChargeS, 1e-6)
				assert.InDelta(t, cycles/b.CyclesPerCharge-b.FreeCharges, b.ChargesPerShuttle, 1e-9)
			} else {
				assert.Zero(t, b.ChargesPerShuttle)
				assert.LessOrEqual(t, cycles/b.CyclesPerCharge, b.FreeCharges)
			}
			a := b.MTBFS / (b.MTBFS + b.MTTRS)
			assert.Greater(t, b.BreakdownAvail, a, "it starts up")
			assert.InDelta(t, a, b.BreakdownAvail, 1e-3)
		})
	}
	assert.InDelta(t, 1, upShare(100, 1, 1e-9), 1e-9, "up at the start")
	assert.InDelta(t, 100/101.0, upShare(100, 1, 1e9), 1e-6, "the long-run availability")
	assert.Equal(t, 1.0, chargingAvail(1000, 10, 3000, 1, 10*1000), "ten cycles on the charge it starts with")
	assert.InDelta(t, 10*1000*(20*1000+3000)/((10*1000+3000)*20*1000.0), chargingAvail(1000, 10, 3000, 1, 20*1000), 1e-12)
}

// What simulated 8 h days of 8 shuttles on generated sites achieve is
// within the bound (before the charging over the run's hours and the
// pre-cleared share of the release times, several were 3 to 7 % above it).
// -short runs two of them.
func TestBoundAboveGeneratedRuns(t *testing.T) {
	seeds := []int64{13, 22, 25, 27, 28, 41, 1, 7}
	if testing.Short() {
		seeds = []int64{13, 41}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("site ", seed), func(t *testing.T) {
			t.Parallel()
			site, _, err := sitegen.Generate(seed, sitegen.Options{})
			require.NoError(t, err)
			cfg := DefaultConfig(site)
			cfg.Hours, cfg.Shuttles, cfg.Seed = 8, 8, 1
			r, err := Run(cfg)
			require.NoError(t, err)
			assert.Greater(t, r.LoadedTrips, 0.0)
			assert.LessOrEqual(t, r.LoadedTrips, r.BoundLoadedTrips, "fleet %.2f, handling %.2f, gates %.2f, lane %.2f",
				r.Bound.Fleet, r.Bound.Handling, r.Bound.Gates, r.Bound.Lane)
		})
	}
}

// CountMove tallies a move by its state and counts one under way on no
// shuttle as lost (and says so); an ended one is never lost.
func TestReportCountMove(t *testing.T) {
	r := Report{MovesByState: map[string]int{}}
	for _, c := range []struct {
		state   fleet.MoveState
		shuttle string
		lost    bool
	}{
		{fleet.MoveDelivered, "", false},
		{fleet.MoveReturned, "", false},
		{fleet.MovePending, "", false},
		{fleet.MoveCancelled, "", false},
		{fleet.MoveFailed, "", false},
		{fleet.MoveLaden, "s1", false},
		{fleet.MoveAtGate, "", true},
	} {
		m := fleet.NewMove("m", "C1", "a", "b", time.Time{})
		m.State, m.Shuttle = c.state, c.shuttle
		assert.Equal(t, c.lost, r.CountMove(m), "%s on %q", c.state, c.shuttle)
	}
	assert.Equal(t, 1, r.MovesDelivered)
	assert.Equal(t, 1, r.MovesReturned)
	assert.Equal(t, 1, r.MovesPending)
	assert.Equal(t, 2, r.MovesInProgress)
	assert.Equal(t, 1, r.LostMoves)
	assert.Equal(t, map[string]int{"delivered": 1, "refused_returned": 1, "pending": 1, "cancelled": 1, "failed": 1, "laden_transit": 1, "at_gate": 1}, r.MovesByState)
}
