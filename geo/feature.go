package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Feature kinds: the value of every feature's "kind" property.
const (
	KindSite            = "site"
	KindZone            = "zone"
	KindCentre          = "centre"
	KindBay             = "bay"
	KindLane            = "lane"
	KindCheckpoint      = "checkpoint"
	KindChargingStation = "charging_station"
	KindParking         = "parking"

	// Derived kinds are written by Export and skipped by Load, so an
	// exported file loads again.
	KindGraphNode = "graph_node"
	KindGraphLink = "graph_link"
)

// geometryOf names the GeoJSON geometry type each kind must have, and
// whether the kind is known.
func geometryOf(kind string) (string, bool) {
	switch kind {
	case KindSite, KindBay, KindCheckpoint, KindChargingStation, KindParking:
		return "Point", true
	case KindZone, KindCentre:
		return "Polygon", true
	case KindLane:
		return "LineString", true
	}
	return "", false
}

// feature is one GeoJSON feature being loaded, with what is known of it.
type feature struct {
	index int
	kind  string
	id    string
	geom  orb.Geometry
	props geojson.Properties
	raw   *geojson.Feature
	ps    *problems
	ok    bool // kind and geometry are usable; otherwise only the id counts
}

func (f *feature) errorf(format string, args ...any) { f.ps.add(f, format, args...) }

// decodeCollection splits a FeatureCollection into features. Each feature is
// decoded on its own so that one malformed feature does not hide the others.
// Every feature comes back, so that its id counts for duplicates and
// references; only those with ok set are fit to be read further.
func decodeCollection(data []byte, ps *problems) []*feature {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		ps.site("not a GeoJSON document: %v", err)
		return nil
	}
	if fc.Type != "FeatureCollection" {
		ps.site("not a GeoJSON FeatureCollection: type is %q", fc.Type)
		return nil
	}
	out := make([]*feature, 0, len(fc.Features))
	for i, raw := range fc.Features {
		f := &feature{index: i, ps: ps}
		var light struct {
			Type     string `json:"type"`
			ID       any    `json:"id"`
			Geometry *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(raw, &light); err != nil || string(raw) == "null" {
			f.errorf("not a GeoJSON feature: a feature is a JSON object with \"type\": \"Feature\"")
			continue
		}
		if light.Type != "Feature" {
			f.errorf("not a GeoJSON feature: its type is %q, not \"Feature\"", light.Type)
			continue
		}
		f.props = geojson.Properties(light.Properties)
		if f.props == nil {
			f.props = geojson.Properties{}
		}
		geomType := ""
		if light.Geometry != nil {
			geomType = light.Geometry.Type
		}
		out = append(out, f)
		if !f.readHeader(light.ID, geomType) || !f.positionsOK(light.Geometry.Coordinates, geomType) {
			continue
		}
		gf, err := geojson.UnmarshalFeature(raw)
		if err != nil || gf == nil || gf.Geometry == nil {
			f.errorf("geometry is not valid GeoJSON: %v", err)
			continue
		}
		f.raw, f.geom, f.ok = gf, gf.Geometry, true
	}
	return out
}

// positionsOK checks that every position of the geometry is a pair of
// numbers (a third, the altitude, is allowed and ignored): orb would read a
// short position as zeros.
func (f *feature) positionsOK(raw json.RawMessage, geomType string) bool {
	var coords any
	if json.Unmarshal(raw, &coords) != nil {
		f.errorf("geometry has no valid \"coordinates\"")
		return false
	}
	depth := map[string]int{"Point": 0, "LineString": 1, "Polygon": 2}[geomType]
	n := 0
	var bad string
	var walk func(v any, d int)
	walk = func(v any, d int) {
		if bad != "" {
			return
		}
		arr, isArr := v.([]any)
		if !isArr {
			bad = fmt.Sprintf("coordinates hold %s where an array belongs", describe(v))
			return
		}
		if d > 0 {
			for _, x := range arr {
				walk(x, d-1)
			}
			return
		}
		if len(arr) < 2 || len(arr) > 3 {
			bad = fmt.Sprintf("position %d has %d values: it must be [longitude, latitude]", n, len(arr))
			return
		}
		for _, x := range arr {
			if _, isNum := x.(float64); !isNum {
				bad = fmt.Sprintf("position %d holds %s: it must be [longitude, latitude] numbers", n, describe(x))
				return
			}
		}
		n++
	}
	walk(coords, depth)
	if bad != "" {
		f.errorf("%s", bad)
		return false
	}
	return true
}

// readHeader reads kind and id and checks the geometry type. It reports
// false when the feature cannot be read further.
func (f *feature) readHeader(featureID any, geomType string) bool {
	kind, ok := f.props["kind"].(string)
	if !ok {
		if f.props["kind"] == nil {
			f.errorf("missing property \"kind\"")
		} else {
			f.errorf("property \"kind\" must be a string, got %s", describe(f.props["kind"]))
		}
		return false
	}
	f.kind = kind
	if kind == KindGraphNode || kind == KindGraphLink {
		return false
	}
	f.id = f.readID(featureID)
	want, known := geometryOf(kind)
	if !known {
		f.errorf("unknown kind %q (want one of site, zone, centre, bay, lane, checkpoint, charging_station, parking)", kind)
		return false
	}
	if geomType == "" {
		f.errorf("has no geometry: a %s must be a %s", kind, want)
		return false
	}
	if geomType != want {
		f.errorf("geometry is a %s: a %s must be a %s", geomType, kind, want)
		return false
	}
	return true
}

// readID takes the id from properties.id, else from the feature's own id.
func (f *feature) readID(featureID any) string {
	var id string
	switch v := f.props["id"].(type) {
	case string:
		id = v
	case nil:
		switch fid := featureID.(type) {
		case string:
			id = fid
		case float64:
			id = fmt.Sprint(fid)
		}
	default:
		f.errorf("property \"id\" must be a string, got %s", describe(v))
		return ""
	}
	if id == "" {
		f.errorf("missing property \"id\"")
		return ""
	}
	f.id = id
	if bad := badIDRune(id); bad != "" {
		f.errorf("id %q contains %s: ids may use only letters, digits and _ . : - (they become VDA 5050 node ids)", id, bad)
	}
	return id
}

// badIDRune describes the first character an id may not contain, or "".
func badIDRune(id string) string {
	if len(id) > 64 {
		return "more than 64 characters"
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '_', r == '.', r == ':', r == '-':
		default:
			return fmt.Sprintf("%q", r)
		}
	}
	return ""
}

// str reads a string property.
func (f *feature) str(key string, required bool) string {
	v, present := f.props[key]
	if !present || v == nil {
		if required {
			f.errorf("missing property %q", key)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.errorf("property %q must be a string, got %s", key, describe(v))
		return ""
	}
	if required && s == "" {
		f.errorf("property %q is empty", key)
	}
	return s
}

// number reads a numeric property within [lo, hi]. A missing optional
// property gives def.
func (f *feature) number(key string, required bool, lo, hi, def float64) float64 {
	v, present := f.props[key]
	if !present || v == nil {
		if required {
			f.errorf("missing property %q", key)
		}
		return def
	}
	x, ok := v.(float64)
	if !ok {
		f.errorf("property %q must be a number, got %s", key, describe(v))
		return def
	}
	if math.IsNaN(x) || x < lo || x > hi {
		f.errorf("property %q is %g: it must be between %g and %g", key, x, lo, hi)
		return def
	}
	return x
}

// integer reads a whole-number property within [lo, hi].
func (f *feature) integer(key string, required bool, lo, hi int) int {
	x := f.number(key, required, float64(lo), float64(hi), 0)
	if x != math.Trunc(x) {
		f.errorf("property %q is %g: it must be a whole number", key, x)
		return 0
	}
	return int(x)
}

// country reads an ISO 3166-1 alpha-2 country code.
func (f *feature) country(required bool) string {
	c := f.str("country", required)
	if c == "" {
		return ""
	}
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		f.errorf("property \"country\" is %q: it must be a two-letter ISO 3166 code such as \"KZ\"", c)
	}
	return c
}

// describe names a JSON value's type for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case float64:
		return fmt.Sprintf("the number %g", x)
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
