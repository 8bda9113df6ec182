package sim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
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

// On the default site the bound is what it was (49.2 loaded trips/h for
// 20 shuttles, t_g 144 s) but for the gates, which now count a
// container's customs at the line or the inspection bay.
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
		{"default", func(*Config) {}, 49.2, 144, 2 * stopLineCap(30), 2},
		{"all pre-cleared", func(c *Config) { c.PreCleared = 1 }, 53.0, 60, 2 * 3600 / 30.0, 2},
		{"10 shuttles", func(c *Config) { c.Shuttles = 10 }, 24.6, 144, 2 * stopLineCap(30), 2},
		{"eastbound only", func(c *Config) { c.Eastbound = 1 }, 49.2, 144, stopLineCap(30), 1},
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
		assert.InDelta(t, 30+42, d.CrossingS, 1e-9, d.Name())
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
		assert.InDelta(t, tc.gateS, d.GateS, 1e-9, d.Name())
		assert.InDelta(t, tc.gateS+float64(len(tc.lines))*42, d.CrossingS, 1e-9, d.Name())
		assert.InDelta(t, tc.gates, d.Gates, 1e-9, d.Name())
		assert.Equal(t, tc.bridge, contains(b.SharedSegments[0].Directions, d.Name()), d.Name())
	}
	// all centres, every direction weighed by its sixth of the demand
	mean := 0.0
	for _, d := range b.Directions {
		mean += d.RouteLengthM / 6
	}
	assert.InDelta(t, mean, b.RouteLengthM, 1e-6)
	assert.InDelta(t, (90+60+80+30+60+40)/6.0+(3+2+3+1+2+1)/6.0*42, b.CrossingS, 1e-9)
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
	assert.InDelta(t, (60+40)/2.0+1.5*42, b.CrossingS, 1e-9)
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
