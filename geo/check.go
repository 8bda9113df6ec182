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
// self-intersection, no overlaps between zones or between centres, and each
// centre and checkpoint in its own country's territory.
func (l *loader) checkAreas() {
	zonesOK := make([]bool, len(l.site.Zones))
	for i, z := range l.site.Zones {
		zonesOK[i] = polygonOK(l.zoneF[i], z.XY, l.site.Frame)
	}
	centresOK := make([]bool, len(l.site.Centres))
	for i, c := range l.site.Centres {
		centresOK[i] = polygonOK(l.centreF[i], c.XY, l.site.Frame)
	}
	for i := range l.site.Zones {
		for j := 0; j < i; j++ {
			if zonesOK[i] && zonesOK[j] {
				if p, bad := polygonsOverlap(l.site.Zones[i].XY, l.site.Zones[j].XY, overlapEps); bad {
					l.zoneF[i].errorf("overlaps zone %q near %s: zones may share edges but not ground", l.site.Zones[j].ID, fmtLonLat(l.site.Frame.ToWGS84(p)))
				}
			}
		}
	}
	for i, c := range l.site.Centres {
		for j := 0; j < i; j++ {
			if centresOK[i] && centresOK[j] {
				if p, bad := polygonsOverlap(c.XY, l.site.Centres[j].XY, overlapEps); bad {
					l.centreF[i].errorf("overlaps centre %q near %s", l.site.Centres[j].ID, fmtLonLat(l.site.Frame.ToWGS84(p)))
				}
			}
		}
		if centresOK[i] {
			if ctr, area := planar.CentroidArea(c.XY); area > 0 {
				l.checkCountry(l.centreF[i], c.Country, ctr, zonesOK)
			}
		}
	}
	for i, c := range l.site.Checkpoints {
		l.checkCountry(l.checkF[i], c.Country, c.StopLine.XY, zonesOK)
	}
}

// checkCountry reports a place of one country that stands in another
// country's territory.
func (l *loader) checkCountry(f *feature, country string, p orb.Point, zonesOK []bool) {
	if country == "" {
		return
	}
	for i, z := range l.site.Zones {
		if zonesOK[i] && z.Type == ZoneTerritory && z.Country != "" && z.Country != country && strictlyInside(z.XY, p, overlapEps) {
			f.errorf("has country %q but lies in zone %q, the territory of %q", country, z.ID, z.Country)
			return
		}
	}
}

// polygonOK checks every ring: closed, at least four positions, not
// crossing itself. It reports the first problem of each ring.
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
			dr := dedupe(r)
			if i, j := selfIntersection(dr); i >= 0 {
				f.errorf("%s intersects itself: edges %d and %d meet near %s", name, i, j, fmtLonLat(fr.ToWGS84(dr[i+1])))
				ok = false
			} else if planar.Area(orb.Polygon{r}) == 0 {
				f.errorf("%s encloses no area", name)
				ok = false
			}
		}
	}
	return ok
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
