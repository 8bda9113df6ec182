package sim

import (
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sweep names a known parameter and some values each of which the
// parameter can take; the error says which is wrong and where.
func TestSweepValidate(t *testing.T) {
	for _, tc := range []struct {
		s    Sweep
		want string
	}{
		{Sweep{Parameter: "fleet", Values: []float64{1}}, `sweep parameter "fleet": want one of shuttles, chargers_per_station, refused_share, moves_per_hour`},
		{Sweep{Parameter: "shuttles"}, "sweep of shuttles: no values"},
		{Sweep{Parameter: "shuttles", Values: []float64{5, 7.5}}, "value 2 (7.5): want a whole number"},
		{Sweep{Parameter: "refused_share", Values: []float64{1.5}}, "value 1 (1.5): want a share"},
		{Sweep{Parameter: "moves_per_hour", Values: []float64{0}}, "want more than 0"},
	} {
		assert.ErrorContains(t, tc.s.Validate(), tc.want)
	}
	assert.NoError(t, Sweep{Parameter: "chargers_per_station", Values: []float64{1, 2}}.Validate())

	_, err := ParseScenario("sweep.json", []byte(`{"sweep": {"parameter": "speed", "values": [1]}}`))
	assert.ErrorContains(t, err, `scenario sweep.json: sim: sweep parameter "speed"`)
	_, err = ParseScenario("sweep.json", []byte(`{"sweep": {"parameter": "shuttles", "values": []}}`))
	assert.ErrorContains(t, err, "scenario sweep.json: sim: sweep of shuttles: no values")
}

// Applying a sweep's value changes that setting only; chargers change on
// a copy of the site, never the site shared by others.
func TestSweepApply(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	base := DefaultConfig(site)
	c, err := Sweep{Parameter: SweepChargersPerStation, Values: []float64{2}}.Apply(base, 2)
	require.NoError(t, err)
	for _, st := range c.Site.Stations {
		assert.Equal(t, 2, st.Chargers)
	}
	assert.Equal(t, 6, site.Stations[0].Chargers, "the shared site is unchanged")
	c, err = Sweep{Parameter: SweepShuttles}.Apply(base, 35)
	require.NoError(t, err)
	assert.Equal(t, 35, c.Shuttles)
	c, err = Sweep{Parameter: SweepRefusedShare}.Apply(base, 0.3)
	require.NoError(t, err)
	assert.Equal(t, 0.3, c.Refused)
	c, err = Sweep{Parameter: SweepMovesPerHour}.Apply(base, 44)
	require.NoError(t, err)
	assert.Equal(t, 44.0, c.MovesPerHour)
	// fewer chargers lower the bound (charging availability) of a fleet
	// that charges
	_, full, err := BoundOf(base)
	require.NoError(t, err)
	one, err := Sweep{Parameter: SweepChargersPerStation}.Apply(base, 1)
	require.NoError(t, err)
	_, fewer, err := BoundOf(one)
	require.NoError(t, err)
	assert.LessOrEqual(t, fewer, full)
}

// A scenario's lane closure happens at its time and is undone after its
// while; a charger outage takes chargers off their station for the run;
// either on a site that lacks the lane or station is an error naming it.
func TestOutages(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed = 6, 2, 4
	c.LaneClosures = []LaneClosure{{Lane: "kz-yard-cut", At: Duration(30 * time.Minute), For: Duration(time.Hour)}}
	c.ChargerOutages = []ChargerOutage{{Station: "kz-charging", Chargers: 4}}
	r, rec, err := RunWith(c, Options{Record: true})
	require.NoError(t, err)
	assert.False(t, r.Failed(), r.Errors)
	var lane []Event
	for _, ev := range rec.Events {
		if ev.Kind == EventLane {
			lane = append(lane, ev)
		}
	}
	require.Len(t, lane, 2)
	assert.Equal(t, Event{T: 30 * time.Minute, Kind: EventLane, What: "closed", Where: "kz-yard-cut"}, lane[0])
	assert.Equal(t, 90*time.Minute, lane[1].T)
	assert.Equal(t, 2, rec.Stations[0].Chargers, "4 of kz-charging's 6 out")
	assert.Equal(t, 6, site.Stations[0].Chargers)

	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.LaneClosures = []LaneClosure{{Lane: "no-such-lane"}} }, `lane closure 1: no lane "no-such-lane"`},
		{func(c *Config) { c.ChargerOutages = []ChargerOutage{{Station: "mars", Chargers: 1}} }, `charger outage 1: no charging station "mars"`},
		{func(c *Config) { c.ChargerOutages = []ChargerOutage{{Station: "cn-charging", Chargers: 6}} }, "6 of the 6 chargers at cn-charging out"},
	} {
		bad := DefaultConfig(site)
		tc.mod(&bad)
		_, err := Run(bad)
		assert.ErrorContains(t, err, tc.want)
	}
}

// A floor fails a run below its bound ratio or with a broken safety
// promise, and takes the short tier's ratio for a short run.
func TestFloorCheck(t *testing.T) {
	f := Floor{BoundRatio: 0.8, ShortBoundRatio: 0.6}
	assert.NoError(t, f.Check(Report{BoundRatio: 0.81}, false))
	assert.ErrorIs(t, f.Check(Report{BoundRatio: 0.7}, false), ErrBelowFloor)
	assert.NoError(t, f.Check(Report{BoundRatio: 0.7}, true))
	assert.ErrorContains(t, f.Check(Report{BoundRatio: 0.9, Conflicts: 1}, false), "1 conflicts")
	assert.Error(t, Floor{BoundRatio: 1.2}.Validate())
}
