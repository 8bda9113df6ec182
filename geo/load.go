package geo

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Defaults and limits of the site file format.
const (
	DefaultJoinTolerance = 1.0  // metres, when the site feature gives none
	minJoinTolerance     = 0.01 // metres
	maxJoinTolerance     = 10.0 // metres
	maxSpeedKmh          = 130.0
	maxReleaseTimeS      = 3600.0
)

// Load reads a site from a GeoJSON FeatureCollection and validates it. On
// failure it returns a *ValidationError naming every problem found, each with
// the feature's index and id; it never panics, whatever the input.
func Load(data []byte) (*Site, error) {
	ps := &problems{}
	feats := decodeCollection(data, ps)
	l := &loader{ps: ps, site: &Site{}, byID: map[string]*feature{}}
	if len(feats) > 0 || len(ps.list) == 0 {
		l.load(feats)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return l.site, nil
}

// loader carries the state of one Load.
type loader struct {
	ps   *problems
	site *Site
	byID map[string]*feature
	// features of each accepted place, parallel to the Site's slices
	zoneF, centreF, bayF, laneF, checkF, stationF, parkF []*feature
}

func (l *loader) load(all []*feature) {
	l.indexIDs(all)
	var feats []*feature
	for _, f := range all {
		if f.ok {
			feats = append(feats, f)
		}
	}
	l.readSite(all, feats)
	for _, f := range feats {
		if f.kind != KindSite && l.coordsOK(f) {
			l.readPlace(f)
		}
	}
	l.checkRefs()
	l.checkAreas()
	l.checkLanes()
	if len(l.site.Centres) < 2 {
		l.ps.site("a site needs at least two logistics centres (features of kind \"centre\"), found %d", len(l.site.Centres))
	}
	if len(l.site.Lanes) == 0 {
		l.ps.site("a site needs lanes (features of kind \"lane\"), found none")
		return
	}
	l.site.Network = buildNetwork(l)
	l.checkReach()
}

// indexIDs reports duplicate ids.
func (l *loader) indexIDs(feats []*feature) {
	for _, f := range feats {
		if f.id == "" {
			continue
		}
		if first, dup := l.byID[f.id]; dup {
			f.errorf("duplicate id: feature #%d (%s) has it already", first.index, first.kind)
			continue
		}
		l.byID[f.id] = f
	}
}

// readSite reads the one site feature and sets up the local frame. Without
// a usable one the frame is centred on the features so that the remaining
// checks still run.
func (l *loader) readSite(all, feats []*feature) {
	s := l.site
	s.JoinTolerance = DefaultJoinTolerance
	var sf *feature
	for _, f := range feats {
		if f.kind != KindSite {
			continue
		}
		if sf != nil {
			f.errorf("a second site feature: feature #%d is the site already", sf.index)
			continue
		}
		sf = f
	}
	if sf == nil {
		if !slices.ContainsFunc(all, func(f *feature) bool { return f.kind == KindSite }) {
			l.ps.site("no feature of kind \"site\": one Point feature must give the site origin, name and map_id")
		}
		s.Frame = NewFrame(fallbackOrigin(feats))
		return
	}
	origin := sf.geom.(orb.Point)
	if !validLonLat(origin) || math.Abs(origin.Lat()) > maxPole {
		sf.errorf("origin %v is not a usable WGS84 position (longitude within ±180, latitude within ±%g)", origin, maxPole)
		origin = fallbackOrigin(feats)
	}
	s.Frame = NewFrame(origin)
	s.ID = sf.id
	s.Name = sf.str("name", true)
	s.MapID = sf.str("map_id", true)
	if bad := badIDRune(s.MapID); s.MapID != "" && bad != "" {
		sf.errorf("map_id %q contains %s: use only letters, digits and _ . : -", s.MapID, bad)
	}
	s.JoinTolerance = sf.number("join_tolerance_m", false, minJoinTolerance, maxJoinTolerance, DefaultJoinTolerance)
	s.Sources = readSources(sf)
	s.features = append(s.features, sf.raw)
}

// readSources reads "sources": a string or an array of strings.
func readSources(f *feature) []string {
	switch v := f.props["sources"].(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				f.errorf("property \"sources\" item %d must be a string, got %s", i, describe(x))
				continue
			}
			out = append(out, s)
		}
		return out
	default:
		f.errorf("property \"sources\" must be a string or an array of strings, got %s", describe(v))
		return nil
	}
}

// fallbackOrigin is the centre of the bounding box of every valid coordinate.
func fallbackOrigin(feats []*feature) orb.Point {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, f := range feats {
		forEachPoint(f.geom, func(p orb.Point) bool {
			if validLonLat(p) {
				b = b.Extend(p)
			}
			return true
		})
	}
	c := b.Center()
	if !validLonLat(c) || math.Abs(c.Lat()) > maxPole {
		return orb.Point{0, 0}
	}
	return c
}

// forEachPoint visits every coordinate of g until visit returns false.
func forEachPoint(g orb.Geometry, visit func(orb.Point) bool) {
	switch g := g.(type) {
	case orb.Point:
		visit(g)
	case orb.LineString:
		for _, p := range g {
			if !visit(p) {
				return
			}
		}
	case orb.Polygon:
		for _, r := range g {
			for _, p := range r {
				if !visit(p) {
					return
				}
			}
		}
	}
}

// coordsOK checks that every coordinate is a WGS84 position near the origin.
func (l *loader) coordsOK(f *feature) bool {
	ok, i := true, 0
	forEachPoint(f.geom, func(p orb.Point) bool {
		defer func() { i++ }()
		if !validLonLat(p) {
			f.errorf("coordinate %d %s is out of range: longitude must be within ±180 and latitude within ±90", i, fmtLonLat(p))
			ok = false
			return false
		}
		if d := distanceXY(orb.Point{}, l.site.Frame.ToLocal(p)); d > MaxSiteRadius {
			f.errorf("coordinate %d %s lies %.1f km from the site origin: every place must be within %g km of it",
				i, fmtLonLat(p), d/1000, MaxSiteRadius/1000)
			ok = false
			return false
		}
		return true
	})
	return ok
}

// fmtLonLat prints a point for people, to 7 decimals of a degree (about
// a centimetre).
func fmtLonLat(p orb.Point) string {
	f := func(v float64) string {
		s := strconv.FormatFloat(v, 'f', 7, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		if s == "-0" {
			s = "0"
		}
		return s
	}
	return "[" + f(p.Lon()) + ", " + f(p.Lat()) + "]"
}

// readPlace reads one non-site feature into the Site.
func (l *loader) readPlace(f *feature) {
	s := l.site
	switch f.kind {
	case KindZone:
		z := Zone{ID: f.id, Name: f.str("name", false), LonLat: f.geom.(orb.Polygon)}
		z.Type = ZoneType(f.str("zone_type", true))
		switch z.Type {
		case ZoneTerritory:
			z.Country = f.country(true)
		case ZoneNeutral:
		case "":
		default:
			f.errorf("property \"zone_type\" is %q: it must be \"territory\" or \"neutral\"", z.Type)
		}
		z.SpeedLimitKmh = f.number("speed_limit_kmh", true, 1, maxSpeedKmh, 0)
		z.XY = s.Frame.polygonToLocal(z.LonLat)
		s.Zones, l.zoneF = append(s.Zones, z), append(l.zoneF, f)
	case KindCentre:
		c := Centre{ID: f.id, Name: f.str("name", true), Country: f.country(true), LonLat: f.geom.(orb.Polygon)}
		c.XY = s.Frame.polygonToLocal(c.LonLat)
		s.Centres, l.centreF = append(s.Centres, c), append(l.centreF, f)
	case KindBay:
		b := Bay{ID: f.id, Centre: f.str("centre", false), Pos: l.position(f)}
		s.Bays, l.bayF = append(s.Bays, b), append(l.bayF, f)
	case KindLane:
		ln := Lane{ID: f.id, Name: f.str("name", false), LonLat: f.geom.(orb.LineString)}
		ln.Direction = Direction(f.str("direction", true))
		if ln.Direction != OneWay && ln.Direction != TwoWay && ln.Direction != "" {
			f.errorf("property \"direction\" is %q: it must be \"one-way\" or \"two-way\"", ln.Direction)
		}
		ln.SpeedLimitKmh = f.number("speed_limit_kmh", true, 1, maxSpeedKmh, 0)
		ln.XY = s.Frame.lineToLocal(ln.LonLat)
		ln.Length = lengthXY(ln.XY)
		s.Lanes, l.laneF = append(s.Lanes, ln), append(l.laneF, f)
	case KindCheckpoint:
		c := Checkpoint{ID: f.id, Name: f.str("name", false), Country: f.country(true),
			Lane: f.str("lane", true), StopLine: l.position(f), InspectionBay: f.str("inspection_bay", true)}
		c.ReleaseTime = time.Duration(f.number("release_time_s", true, 0.001, maxReleaseTimeS, 0) * float64(time.Second))
		s.Checkpoints, l.checkF = append(s.Checkpoints, c), append(l.checkF, f)
	case KindChargingStation:
		c := ChargingStation{ID: f.id, Name: f.str("name", false), Centre: f.str("centre", false), Pos: l.position(f)}
		c.Chargers = f.integer("chargers", true, 1, 1000)
		c.ChargerPowerKW = f.number("charger_power_kw", true, 0.1, 10_000, 0)
		c.GridCapKW = f.number("grid_cap_kw", true, 0.1, 1_000_000, 0)
		s.Stations, l.stationF = append(s.Stations, c), append(l.stationF, f)
	case KindParking:
		p := ParkingSpot{ID: f.id, Centre: f.str("centre", false), Pos: l.position(f)}
		s.Parking, l.parkF = append(s.Parking, p), append(l.parkF, f)
	}
	s.features = append(s.features, f.raw)
}

func (l *loader) position(f *feature) Position {
	p := f.geom.(orb.Point)
	return Position{LonLat: p, XY: l.site.Frame.ToLocal(p)}
}

// ref checks that property key of f names a feature of the wanted kind.
func (l *loader) ref(f *feature, key, id, want string) bool {
	if id == "" {
		return false
	}
	g, ok := l.byID[id]
	switch {
	case !ok:
		f.errorf("property %q names %q, but no feature has that id", key, id)
	case g.kind != want:
		f.errorf("property %q names %q, which is a %s, not a %s", key, id, g.kind, want)
	default:
		return true
	}
	return false
}

// checkRefs checks the references between features.
func (l *loader) checkRefs() {
	s := l.site
	inspects := map[string]string{} // bay id -> checkpoint id
	for i, c := range s.Checkpoints {
		f := l.checkF[i]
		l.ref(f, "lane", c.Lane, KindLane)
		if l.ref(f, "inspection_bay", c.InspectionBay, KindBay) {
			if other, dup := inspects[c.InspectionBay]; dup {
				f.errorf("inspection bay %q is already the inspection bay of checkpoint %q", c.InspectionBay, other)
			}
			inspects[c.InspectionBay] = c.ID
		}
	}
	bays := map[string]int{}
	for i, b := range s.Bays {
		f := l.bayF[i]
		_, inspection := inspects[b.ID]
		switch {
		case b.Centre == "" && !inspection:
			f.errorf("belongs to no centre: give it a \"centre\" property, or name it as a checkpoint's \"inspection_bay\"")
		case b.Centre != "" && inspection:
			f.errorf("is both a yard bay of centre %q and the inspection bay of checkpoint %q", b.Centre, inspects[b.ID])
		case b.Centre != "" && l.ref(f, "centre", b.Centre, KindCentre):
			bays[b.Centre]++
			if c, ok := s.Centre(b.Centre); ok && !inPolygon(c.XY, b.Pos.XY) {
				f.errorf("lies outside its centre %q", b.Centre)
			}
		}
	}
	for i, c := range s.Centres {
		if bays[c.ID] == 0 {
			l.centreF[i].errorf("has no bays: give at least one bay \"centre\": %q", c.ID)
		}
	}
	for i, c := range s.Stations {
		if c.Centre != "" {
			l.ref(l.stationF[i], "centre", c.Centre, KindCentre)
		}
	}
	for i, p := range s.Parking {
		if p.Centre != "" {
			l.ref(l.parkF[i], "centre", p.Centre, KindCentre)
		}
	}
}
