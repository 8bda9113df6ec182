package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// overlapEps is how far, in metres, a point must be inside a polygon to
// count as inside rather than on its boundary.
const overlapEps = 1e-6

// checkAreas checks zone and centre polygons: well-formed rings, no
// self-intersection, holes inside their outer ring, no overlaps between
// zones or between centres; centres and checkpoints in their own country's
// territory; charging stations and parking spots inside their centre.
func (l *loader) checkAreas() {
	s := l.site
	zonesOK := make([]bool, len(s.Zones))
	for i, z := range s.Zones {
		zonesOK[i] = polygonOK(l.zoneF[i], z.XY, s.Frame)
	}
	centresOK := make([]bool, len(s.Centres))
	for i, c := range s.Centres {
		centresOK[i] = polygonOK(l.centreF[i], c.XY, s.Frame)
	}
	for i := range s.Zones {
		for j := 0; j < i; j++ {
			if zonesOK[i] && zonesOK[j] {
				if p, bad := polygonsOverlap(s.Zones[i].XY, s.Zones[j].XY, overlapEps); bad {
					l.zoneF[i].errorf("overlaps zone %q near %s: zones may share edges but not ground", s.Zones[j].ID, fmtLonLat(s.Frame.ToWGS84(p)))
				}
			}
		}
	}
	terr := territories{l: l, ok: zonesOK}
	for i, c := range s.Centres {
		for j := 0; j < i; j++ {
			if centresOK[i] && centresOK[j] {
				if p, bad := polygonsOverlap(c.XY, s.Centres[j].XY, overlapEps); bad {
					l.centreF[i].errorf("overlaps centre %q near %s", s.Centres[j].ID, fmtLonLat(s.Frame.ToWGS84(p)))
				}
			}
		}
		if centresOK[i] {
			terr.check(l.centreF[i], c.Country, c.XY[0][:len(c.XY[0])-1]...)
		}
	}
	for i, c := range s.Checkpoints {
		terr.check(l.checkF[i], c.Country, c.StopLine.XY)
	}
	inCentre := func(f *feature, centre string, p orb.Point) {
		if c, ok := s.Centre(centre); ok && usableRing(c.XY[0]) && !inPolygon(c.XY, p) {
			f.errorf("lies outside its centre %q", centre)
		}
	}
	for i, c := range s.Stations {
		inCentre(l.stationF[i], c.Centre, c.Pos.XY)
	}
	for i, p := range s.Parking {
		inCentre(l.parkF[i], p.Centre, p.Pos.XY)
	}
}

// territories checks places against the countries' territory zones.
type territories struct {
	l  *loader
	ok []bool // zones fit to test against
}

// check reports the first of the points that is not in a territory zone of
// the country. It says nothing when the site has no territory zones, or
// the country code is malformed (reported already).
func (t territories) check(f *feature, country string, pts ...orb.Point) {
	if len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z' {
		return
	}
	var own, some bool
	for i, z := range t.l.site.Zones {
		if t.ok[i] && z.Type == ZoneTerritory {
			some = true
			own = own || z.Country == country
		}
	}
	if !some {
		return
	}
	if !own {
		f.errorf("has country %q, but no zone is the territory of %q", country, country)
		return
	}
	for _, p := range pts {
		inOwn, other := false, -1
		for i, z := range t.l.site.Zones {
			if !t.ok[i] || z.Type != ZoneTerritory || !inPolygon(z.XY, p) {
				continue
			}
			if z.Country == country {
				inOwn = true
			} else if other < 0 && strictlyInside(z.XY, p, overlapEps) {
				other = i
			}
		}
		switch {
		case other >= 0:
			z := t.l.site.Zones[other]
			f.errorf("has country %q but reaches into zone %q, the territory of %q, near %s", country, z.ID, z.Country, fmtLonLat(t.l.site.Frame.ToWGS84(p)))
			return
		case !inOwn:
			f.errorf("has country %q but lies outside its territory near %s", country, fmtLonLat(t.l.site.Frame.ToWGS84(p)))
			return
		}
	}
}

// polygonOK checks every ring: closed, at least four positions, not
// crossing itself, and every hole inside the outer ring. It reports the
// first problem of each ring.
func polygonOK(f *feature, pg orb.Polygon, fr Frame) bool {
	if len(pg) == 0 {
		f.errorf("polygon has no rings")
		return false
	}
	ok := true
	for ri, r := range pg {
		name := "outer ring"
		if ri > 0 {
			name = fmt.Sprintf("hole %d", ri)
		}
		switch {
		case len(r) < 4:
			f.errorf("%s has %d positions: a ring needs at least 4, the last equal to the first", name, len(r))
			ok = false
		case r[0] != r[len(r)-1]:
			f.errorf("%s is not closed: its last position must equal its first", name)
			ok = false
		default:
			if p, found := selfIntersection(dedupe(r)); found {
				f.errorf("%s intersects itself near %s", name, fmtLonLat(fr.ToWGS84(p)))
				ok = false
			} else if planar.Area(orb.Polygon{r}) == 0 {
				f.errorf("%s encloses no area", name)
				ok = false
			} else if ri > 0 && ok {
				if p, out := holeOutside(pg[0], r); out {
					f.errorf("%s is not inside the outer ring: it leaves it near %s", name, fmtLonLat(fr.ToWGS84(p)))
					ok = false
				}
			}
		}
	}
	return ok
}

// holeOutside reports a point of hole that is outside outer, or where
// their edges cross.
func holeOutside(outer, hole orb.Ring) (orb.Point, bool) {
	for _, p := range hole {
		if !planar.RingContains(outer, p) {
			return p, true
		}
	}
	return ringsCross(outer, hole)
}

// checkLanes checks each lane's own geometry.
func (l *loader) checkLanes() {
	tol := l.site.JoinTolerance
	for i, ln := range l.site.Lanes {
		f := l.laneF[i]
		switch {
		case len(ln.XY) < 2:
			f.errorf("has %d position(s): a lane needs at least two", len(ln.XY))
		case len(cleanPath(ln.XY, tol)) < 2:
			f.errorf("is %.2f m long: shorter than the join tolerance of %g m", ln.Length, tol)
		}
	}
}
