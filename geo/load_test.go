package geo

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is a decoded site file that a test case may change.
type fixture struct {
	t    *testing.T
	doc  map[string]any
	feat []any
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	data, err := os.ReadFile("testdata/small.geojson")
	require.NoError(t, err)
	fx := &fixture{t: t}
	require.NoError(t, json.Unmarshal(data, &fx.doc))
	fx.feat = fx.doc["features"].([]any)
	return fx
}

// byID returns the feature with the given properties.id.
func (fx *fixture) byID(id string) map[string]any {
	for _, f := range fx.feat {
		if f.(map[string]any)["properties"].(map[string]any)["id"] == id {
			return f.(map[string]any)
		}
	}
	fx.t.Fatalf("fixture has no feature %q", id)
	return nil
}

func (fx *fixture) props(id string) map[string]any {
	return fx.byID(id)["properties"].(map[string]any)
}

// coords returns the coordinates of a feature's geometry.
func (fx *fixture) coords(id string) any {
	return fx.byID(id)["geometry"].(map[string]any)["coordinates"]
}

func (fx *fixture) add(f map[string]any) { fx.feat = append(fx.feat, f) }

func (fx *fixture) bytes() []byte {
	fx.doc["features"] = fx.feat
	b, err := json.Marshal(fx.doc)
	require.NoError(fx.t, err)
	return b
}

// shift moves a point feature by d degrees of latitude (1e-4 is about 11 m).
func (fx *fixture) shift(id string, d float64) {
	c := fx.coords(id).([]any)
	c[1] = c[1].(float64) + d
}

func point(kind, id string, lon, lat float64, props map[string]any) map[string]any {
	p := map[string]any{"kind": kind, "id": id}
	for k, v := range props {
		p[k] = v
	}
	return map[string]any{"type": "Feature", "properties": p,
		"geometry": map[string]any{"type": "Point", "coordinates": []any{lon, lat}}}
}

func TestLoadSmallSite(t *testing.T) {
	data, err := os.ReadFile("testdata/small.geojson")
	require.NoError(t, err)
	s, err := Load(data)
	require.NoError(t, err)

	assert.Equal(t, "tiny-v1", s.MapID)
	assert.Equal(t, []string{"made up for tests"}, s.Sources)
	assert.Len(t, s.Centres, 2)
	assert.Len(t, s.Bays, 3)
	assert.Equal(t, 30*1e9, float64(s.Checkpoints[0].ReleaseTime))
	assert.InDelta(t, -450, s.Bays[0].Pos.XY[0], 0.01, "bay x in the local frame")
	// on the origin's parallel, 450 m west: the parallel bends north of
	// the tangent plane's east axis (towards the pole) by x²·tan(lat)/2N,
	// 17 mm here
	assert.InDelta(t, 0.0168, s.Bays[0].Pos.XY[1], 0.001, "bay y in the local frame")

	for _, id := range []string{"w-bay", "e-bay", "gate-inspection", "gate", "w-charge", "e-park"} {
		_, ok := s.Network.NodeIndex(id)
		assert.True(t, ok, "place %s is a lane-graph node", id)
	}
	i, _ := s.Network.NodeIndex("w-charge")
	assert.Equal(t, NodeCharger, s.Network.Nodes[i].Kind)
	assert.Equal(t, 2, s.Network.Nodes[i].Capacity, "a station holds as many shuttles as it has chargers")
	i, _ = s.Network.NodeIndex("main@5")
	assert.Equal(t, NodeLaneEnd, s.Network.Nodes[i].Kind)
	i, _ = s.Network.NodeIndex("main@3")
	assert.Equal(t, NodeJunction, s.Network.Nodes[i].Kind, "the spur rejoins main at its vertex 3")

	d, ok := s.Network.Distance([]string{"w-bay"}, []string{"e-bay"})
	require.True(t, ok)
	assert.InDelta(t, 900, d, 0.5)

	// the east half of main lies in the 30 km/h zone
	for _, l := range s.Network.Links {
		if l.Lane == "main" && l.XY[0][0] >= 0 {
			assert.Equal(t, 25.0, l.SpeedLimitKmh)
		}
		if l.Lane == "spur" {
			assert.Equal(t, 10.0, l.SpeedLimitKmh)
		}
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(fx *fixture)
		raw    string // used instead of the fixture when set
		want   []string
	}{
		{name: "not JSON", raw: `{"type": "FeatureCollection", "features": [`, want: []string{"site: not a GeoJSON document"}},
		{name: "not a collection", raw: `{"type": "Feature"}`, want: []string{`not a GeoJSON FeatureCollection: type is "Feature"`}},
		{name: "empty collection", raw: `{"type": "FeatureCollection", "features": []}`,
			want: []string{`no feature of kind "site"`, "at least two logistics centres", "needs lanes"}},
		{name: "unknown kind", change: func(fx *fixture) { fx.props("e-park")["kind"] = "carpark" },
			want: []string{`(carpark "e-park"): unknown kind "carpark"`}},
		{name: "missing kind", change: func(fx *fixture) { delete(fx.props("e-park"), "kind") },
			want: []string{`missing property "kind"`}},
		{name: "missing id", change: func(fx *fixture) { delete(fx.props("e-park"), "id") },
			want: []string{`(parking): missing property "id"`}},
		{name: "duplicate id", change: func(fx *fixture) { fx.props("e-park")["id"] = "w-bay" },
			want: []string{`(parking "w-bay"): duplicate id: feature #7 (bay) has it already`}},
		{name: "id with a space", change: func(fx *fixture) { fx.props("e-park")["id"] = "east park" },
			want: []string{`id "east park" contains ' '`}},
		{name: "wrong geometry", change: func(fx *fixture) {
			fx.byID("e-park")["geometry"] = map[string]any{"type": "LineString", "coordinates": []any{[]any{82.8, 46.68}, []any{82.801, 46.68}}}
		}, want: []string{`(parking "e-park"): geometry is a LineString: a parking must be a Point`}},
		{name: "no geometry", change: func(fx *fixture) { fx.byID("e-park")["geometry"] = nil },
			want: []string{`(parking "e-park"): has no geometry`}},
		{name: "malformed feature", change: func(fx *fixture) { fx.byID("e-park")["type"] = "Thing" },
			want: []string{`feature #12: not a GeoJSON feature: its type is "Thing", not "Feature"`}},
		{name: "null feature", change: func(fx *fixture) { fx.feat[12] = nil },
			want: []string{`feature #12: not a GeoJSON feature: a feature is a JSON object`}},
		{name: "short position", change: func(fx *fixture) { fx.byID("e-park")["geometry"].(map[string]any)["coordinates"] = []any{82.8} },
			want: []string{`(parking "e-park"): position 0 has 1 values: it must be [longitude, latitude]`}},
		{name: "position with a string", change: func(fx *fixture) {
			fx.coords("main").([]any)[2] = []any{82.79, "46.68"}
		}, want: []string{`(lane "main"): position 2 holds the string "46.68"`}},
		{name: "duplicate id of a rejected feature", change: func(fx *fixture) {
			fx.add(point("carpark", "e-park", 82.8, 46.68, nil))
		}, want: []string{`(carpark "e-park"): duplicate id: feature #12 (parking) has it already`, `unknown kind "carpark"`}},
		{name: "site with the wrong geometry", change: func(fx *fixture) {
			fx.byID("tiny")["geometry"] = map[string]any{"type": "LineString", "coordinates": []any{[]any{82.8, 46.68}, []any{82.81, 46.68}}}
		}, want: []string{`(site "tiny"): geometry is a LineString: a site must be a Point`}},
		{name: "missing property", change: func(fx *fixture) { delete(fx.props("main"), "speed_limit_kmh") },
			want: []string{`(lane "main"): missing property "speed_limit_kmh"`}},
		{name: "wrong-typed property", change: func(fx *fixture) { fx.props("w-charge")["chargers"] = "two" },
			want: []string{`(charging_station "w-charge"): property "chargers" must be a number, got the string "two"`}},
		{name: "fractional chargers", change: func(fx *fixture) { fx.props("w-charge")["chargers"] = 2.5 },
			want: []string{`property "chargers" is 2.5: it must be a whole number`}},
		{name: "speed out of range", change: func(fx *fixture) { fx.props("main")["speed_limit_kmh"] = -5.0 },
			want: []string{`property "speed_limit_kmh" is -5: it must be between 1 and 130`}},
		{name: "bad direction", change: func(fx *fixture) { fx.props("spur")["direction"] = "oneway" },
			want: []string{`property "direction" is "oneway": it must be "one-way" or "two-way"`}},
		{name: "bad country", change: func(fx *fixture) { fx.props("e")["country"] = "China" },
			want: []string{`(centre "e"): property "country" is "China"`}},
		{name: "latitude out of range", change: func(fx *fixture) { fx.coords("e-park").([]any)[1] = 95.0 },
			want: []string{`(parking "e-park"): coordinate 0 [82.8039211, 95] is out of range`}},
		{name: "far from origin", change: func(fx *fixture) { fx.coords("e-park").([]any)[0] = 84.0 },
			want: []string{`(parking "e-park"): coordinate 0 [84, 46.68] lies 91.`, "within 50 km"}},
		{name: "no site feature", change: func(fx *fixture) { fx.feat = fx.feat[1:] },
			want: []string{`site: no feature of kind "site"`}},
		{name: "two site features", change: func(fx *fixture) {
			fx.add(point("site", "again", 82.8, 46.68, map[string]any{"name": "x", "map_id": "y"}))
		},
			want: []string{`(site "again"): a second site feature: feature #0 is the site already`}},
		{name: "bay off every lane", change: func(fx *fixture) { fx.shift("w-bay", 5e-4) },
			want: []string{`(bay "w-bay"): is not on any lane: the nearest point of lane "main" is 55.`}},
		{name: "parking off every lane", change: func(fx *fixture) { fx.shift("e-park", 1e-4) },
			want: []string{`(parking "e-park"): is not on any lane`}},
		{name: "station off every lane", change: func(fx *fixture) { fx.shift("w-charge", -1e-4) },
			want: []string{`(charging_station "w-charge"): is not on any lane`}},
		{name: "stop line off its lane", change: func(fx *fixture) { fx.shift("gate", 2e-4) },
			want: []string{`(checkpoint "gate"): its stop line is not on its lane "main": the nearest point of lane "main" is 22.`}},
		{name: "stop line on another lane", change: func(fx *fixture) { fx.props("gate")["lane"] = "spur"; fx.coords("gate").([]any)[0] = 82.7990 },
			want: []string{`its stop line is not on its lane "spur"`}},
		{name: "checkpoint names a missing lane", change: func(fx *fixture) { fx.props("gate")["lane"] = "nowhere" },
			want: []string{`(checkpoint "gate"): property "lane" names "nowhere", but no feature has that id`}},
		{name: "inspection bay is a centre", change: func(fx *fixture) { fx.props("gate")["inspection_bay"] = "w" },
			want: []string{`property "inspection_bay" names "w", which is a centre, not a bay`,
				`(bay "gate-inspection"): belongs to no centre`}},
		{name: "bay of an unknown centre", change: func(fx *fixture) { fx.props("e-bay")["centre"] = "north" },
			want: []string{`(bay "e-bay"): property "centre" names "north"`}},
		{name: "bay outside its centre", change: func(fx *fixture) { fx.props("e-bay")["centre"] = "w" },
			want: []string{`(bay "e-bay"): lies outside its centre "w"`, `(centre "e"): has no bays`}},
		{name: "one-way main cuts the west off", change: func(fx *fixture) { fx.props("main")["direction"] = "one-way" },
			want: []string{`(centre "e"): is cut off: no lane path leads from its bays to the other centres`,
				`(parking "e-park"): is a dead end`}},
		{name: "dead-end parking", change: func(fx *fixture) {
			fx.add(lineFeature("lane", "stub", "one-way", [][2]float64{{82.8027, 46.68}, {82.8027, 46.6805}}))
			fx.add(point("parking", "stub-park", 82.8027, 46.6805, nil))
		}, want: []string{`(lane "stub"): ends on lane "main" at [82.8027, 46.68], which has no vertex there`,
			`(parking "stub-park"): is cut off`}},
		{name: "lanes cross without a vertex", change: func(fx *fixture) {
			fx.add(lineFeature("lane", "cross", "two-way", [][2]float64{{82.8013, 46.6795}, {82.8013, 46.6805}}))
		}, want: []string{`(lane "main"): crosses lane "cross" at [82.8013, 46.68] without a shared vertex`}},
		{name: "lane through another's vertex", change: func(fx *fixture) {
			// main has a vertex at x=-400 (82.7947718); cross runs straight through it
			fx.add(lineFeature("lane", "cross", "two-way", [][2]float64{{82.7947718, 46.6795}, {82.7947718, 46.6805}}))
		}, want: []string{`(lane "main"): passes through lane "cross" at [82.7947718, 46.68], which has no vertex there`}},
		{name: "two lane ends meet on another lane", change: func(fx *fixture) {
			fx.add(lineFeature("lane", "in", "one-way", [][2]float64{{82.8013, 46.6795}, {82.8013, 46.68}}))
			fx.add(lineFeature("lane", "out", "one-way", [][2]float64{{82.8013, 46.68}, {82.8013, 46.6805}}))
		}, want: []string{`(lane "in"): ends on lane "main"`, `(lane "out"): ends on lane "main"`}},
		{name: "consecutive vertices merge through a third", change: func(fx *fixture) {
			// two vertices of a new lane 1.5 m apart, and another lane's end between them
			fx.add(lineFeature("lane", "wiggle", "two-way", [][2]float64{{82.8039211, 46.68}, {82.8039211, 46.6815}, {82.80394, 46.6815}, {82.80394, 46.6825}}))
			fx.add(lineFeature("lane", "poke", "two-way", [][2]float64{{82.80393, 46.6815}, {82.80393, 46.6812}}))
		}, want: []string{`(lane "wiggle"): positions 1 and 2 meet at one junction`}},
		{name: "two places at one spot", change: func(fx *fixture) {
			fx.add(point("parking", "w-park", fx.coords("w-bay").([]any)[0].(float64), 46.68, map[string]any{"centre": "w"}))
		}, want: []string{`(parking "w-park"): is at the same lane position as "w-bay"`}},
		{name: "zones overlap", change: func(fx *fixture) {
			ring := fx.coords("west").([]any)[0].([]any)
			for _, i := range []int{1, 2} {
				ring[i].([]any)[0] = 82.801
			}
		}, want: []string{`(zone "east"): overlaps zone "west"`}},
		{name: "zone crosses itself", change: func(fx *fixture) {
			ring := fx.coords("east").([]any)[0].([]any)
			ring[1], ring[2] = ring[2], ring[1]
		}, want: []string{`(zone "east"): outer ring intersects itself near [82.8039211, 46.6800001]`}},
		{name: "open ring", change: func(fx *fixture) {
			ring := fx.coords("east").([]any)[0].([]any)
			fx.coords("east").([]any)[0] = ring[:4]
		}, want: []string{`(zone "east"): outer ring is not closed`}},
		{name: "centre in the wrong country", change: func(fx *fixture) { fx.props("e")["country"] = "KZ" },
			want: []string{`(centre "e"): has country "KZ" but reaches into zone "east", the territory of "CN", near`}},
		{name: "centre outside every territory", change: func(fx *fixture) {
			ring := fx.coords("east").([]any)[0].([]any)
			for _, i := range []int{1, 2} {
				ring[i].([]any)[0] = 82.805 // the east zone now ends at x = 380 m, inside centre e
			}
		}, want: []string{`(centre "e"): has country "CN" but lies outside its territory near`}},
		{name: "no territory for the country", change: func(fx *fixture) { fx.props("east")["country"] = "MN" },
			want: []string{`(centre "e"): has country "CN", but no zone is the territory of "CN"`}},
		{name: "hole outside its zone", change: func(fx *fixture) {
			c := fx.coords("east").([]any)
			fx.byID("east")["geometry"].(map[string]any)["coordinates"] = append(c, []any{
				[]any{82.81, 46.69}, []any{82.811, 46.69}, []any{82.811, 46.691}, []any{82.81, 46.69}})
		}, want: []string{`(zone "east"): hole 1 is not inside the outer ring`}},
		{name: "parking outside its centre", change: func(fx *fixture) { fx.props("e-park")["centre"] = "e" },
			want: []string{`(parking "e-park"): lies outside its centre "e"`}},
		{name: "territory without country", change: func(fx *fixture) { delete(fx.props("east"), "country") },
			want: []string{`(zone "east"): missing property "country"`}},
		{name: "join tolerance too large", change: func(fx *fixture) { fx.props("tiny")["join_tolerance_m"] = 50.0 },
			want: []string{`(site "tiny"): property "join_tolerance_m" is 50: it must be between 0.01 and 10`}},
		{name: "many problems at once", change: func(fx *fixture) {
			fx.props("e-park")["kind"] = "carpark"
			delete(fx.props("main"), "speed_limit_kmh")
			fx.shift("w-bay", 5e-4)
			fx.props("gate")["lane"] = "nowhere"
		}, want: []string{`unknown kind "carpark"`, `missing property "speed_limit_kmh"`, `(bay "w-bay"): is not on any lane`, `names "nowhere"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.raw)
			if tc.raw == "" {
				fx := loadFixture(t)
				tc.change(fx)
				data = fx.bytes()
			}
			s, err := Load(data)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalidSite)
			var verr *ValidationError
			require.True(t, errors.As(err, &verr))
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if t.Failed() {
				t.Logf("got:\n%v", err)
			}
		})
	}
}

func lineFeature(kind, id, dir string, pts [][2]float64) map[string]any {
	c := make([]any, len(pts))
	for i, p := range pts {
		c[i] = []any{p[0], p[1]}
	}
	return map[string]any{"type": "Feature",
		"properties": map[string]any{"kind": kind, "id": id, "direction": dir, "speed_limit_kmh": 10.0},
		"geometry":   map[string]any{"type": "LineString", "coordinates": c}}
}

func TestProblemsAreOrderedByFeature(t *testing.T) {
	fx := loadFixture(t)
	fx.props("e-park")["kind"] = "carpark"
	fx.props("w")["country"] = "kz"
	fx.feat = fx.feat[1:] // no site feature
	_, err := Load(fx.bytes())
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.GreaterOrEqual(t, len(verr.Problems), 3)
	last := -1
	for _, p := range verr.Problems {
		if p.Index < 0 {
			last = 1 << 30
			continue
		}
		assert.GreaterOrEqual(t, p.Index, last, "problems are sorted by feature, site-wide last: %v", verr.Problems)
		last = p.Index
	}
	assert.True(t, strings.HasPrefix(verr.Problems[len(verr.Problems)-1].String(), "site: "))
}
