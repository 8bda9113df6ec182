package sitegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// drawing collects a site's features in the corridor frame (u, v metres).
type drawing struct {
	p     plan
	feats []*geojson.Feature
	// marks on the one-way road lanes: u of every vertex that another
	// lane or a place needs there
	ab, ba []float64
}

// props are a feature's properties besides kind and id.
type props = map[string]any

func (d *drawing) add(kind, id string, g orb.Geometry, ps props) {
	f := geojson.NewFeature(g)
	f.Properties = geojson.Properties{"kind": kind, "id": id}
	for k, v := range ps {
		f.Properties[k] = v
	}
	d.feats = append(d.feats, f)
}

func (d *drawing) lane(id, name string, dir geo.Direction, kmh float64, pts ...orb.Point) {
	ps := props{"direction": string(dir), "speed_limit_kmh": kmh}
	if name != "" {
		ps["name"] = name
	}
	d.add(geo.KindLane, id, orb.LineString(pts), ps)
}

func (d *drawing) point(kind, id string, at orb.Point, ps props) { d.add(kind, id, at, ps) }

// rect draws a polygon over [u0, u1] x [v0, v1] of the corridor frame.
func (d *drawing) rect(kind, id string, u0, u1, v0, v1 float64, ps props) {
	r := orb.Ring{{u0, v0}, {u1, v0}, {u1, v1}, {u0, v1}, {u0, v0}}
	d.add(kind, id, orb.Polygon{r}, ps)
}

// drawSite draws the site feature, the zones and everything on them.
func (d *drawing) drawSite() {
	p := d.p
	d.point(geo.KindSite, p.siteID(), orb.Point{p.cor.gap / 2, 0}, props{
		"name": p.siteName(), "map_id": p.mapID(), "join_tolerance_m": 1,
		"sources": fmt.Sprintf("drawn by borderfleet geo/sitegen from seed %d: every figure is made up", p.seed),
	})
	a, b := p.sides[0], p.sides[1]
	d.rect(geo.KindZone, a.prefix+"-territory", -yardDepth(a.yard)-zoneBeyond, p.cor.border[0], -zoneHalf, zoneHalf,
		props{"zone_type": string(geo.ZoneTerritory), "country": a.code, "speed_limit_kmh": a.zoneKmh, "name": a.place + " (" + a.code + ")"})
	d.rect(geo.KindZone, "neutral-zone", p.cor.border[0], p.cor.border[1], -zoneHalf, zoneHalf,
		props{"zone_type": string(geo.ZoneNeutral), "speed_limit_kmh": p.neutralKmh, "name": "Neutral zone"})
	d.rect(geo.KindZone, b.prefix+"-territory", p.cor.border[1], p.cor.gap+yardDepth(b.yard)+zoneBeyond, -zoneHalf, zoneHalf,
		props{"zone_type": string(geo.ZoneTerritory), "country": b.code, "speed_limit_kmh": b.zoneKmh, "name": b.place + " (" + b.code + ")"})
	d.drawYard(0)
	d.drawYard(1)
	d.drawRoad()
}

// yardPt maps a point of a side's yard frame (p into the yard from its
// gate, q across it) to the corridor frame. Both maps are rotations, so
// the road's lane for traffic into a yard arrives at q = -laneOffset.
func (d *drawing) yardPt(side int, p, q float64) orb.Point {
	if side == 0 {
		return orb.Point{-p, -q}
	}
	return orb.Point{d.p.cor.gap + p, q}
}

// encode converts the drawing to WGS84 through the site's local frame
// and writes it as a FeatureCollection, one feature a line.
func (d *drawing) encode() ([]byte, error) {
	fr := geo.NewFrame(d.p.origin)
	rad := d.p.bearing * math.Pi / 180
	eu := orb.Point{math.Sin(rad), math.Cos(rad)} // along the corridor
	ev := orb.Point{-eu[1], eu[0]}                // to its left
	half := d.p.cor.gap / 2
	conv := func(c orb.Point) orb.Point {
		u, v := c[0]-half, c[1]
		return fr.ToWGS84(orb.Point{u*eu[0] + v*ev[0], u*eu[1] + v*ev[1]})
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type": "FeatureCollection", "features": [` + "\n")
	for i, f := range d.feats {
		f.Geometry = mapGeometry(f.Geometry, conv)
		line, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("sitegen: encode feature %q: %w", f.Properties["id"], err)
		}
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(line)
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}

// mapGeometry applies conv to every position of a point, line or polygon.
func mapGeometry(g orb.Geometry, conv func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return conv(g)
	case orb.LineString:
		out := make(orb.LineString, len(g))
		for i, p := range g {
			out[i] = conv(p)
		}
		return out
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = orb.Ring(mapGeometry(orb.LineString(r), conv).(orb.LineString))
		}
		return out
	}
	return g
}
