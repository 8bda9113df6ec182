package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Planar helpers in the local frame (metres). orb/planar gives distances
// and containment; segment crossing and projection are added here.

func distanceXY(a, b orb.Point) float64 { return planar.Distance(a, b) }

func lengthXY(ls orb.LineString) float64 { return planar.Length(ls) }

// inPolygon reports whether p is inside pg or on its boundary. Rings with
// fewer than four positions are treated as empty.
func inPolygon(pg orb.Polygon, p orb.Point) bool {
	if len(pg) == 0 || !usableRing(pg[0]) {
		return false
	}
	if !planar.RingContains(pg[0], p) {
		return false
	}
	for _, hole := range pg[1:] {
		if usableRing(hole) && planar.RingContains(hole, p) && !onRing(hole, p, 1e-9) {
			return false
		}
	}
	return true
}

// strictlyInside reports whether p is inside pg and farther than eps from
// every ring.
func strictlyInside(pg orb.Polygon, p orb.Point, eps float64) bool {
	if !inPolygon(pg, p) {
		return false
	}
	for _, r := range pg {
		if onRing(r, p, eps) {
			return false
		}
	}
	return true
}

func onRing(r orb.Ring, p orb.Point, eps float64) bool {
	for i := 0; i+1 < len(r); i++ {
		if planar.DistanceFromSegment(r[i], r[i+1], p) <= eps {
			return true
		}
	}
	return false
}

func usableRing(r orb.Ring) bool { return len(r) >= 4 && r[0] == r[len(r)-1] }

// orient is the sign of the cross product (b-a) x (c-a): +1 left turn,
// -1 right turn, 0 collinear.
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// crossProperly reports whether segments ab and cd cross at a single point
// interior to both.
func crossProperly(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	return o1*o2 < 0 && o3*o4 < 0
}

// segmentsTouch reports whether segments ab and cd share any point,
// including collinear overlap and touching ends.
func segmentsTouch(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// onSegment reports whether p, collinear with ab, lies within its box.
func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// intersection returns the crossing point of lines ab and cd (not parallel).
func intersection(a, b, c, d orb.Point) orb.Point {
	r := orb.Point{b[0] - a[0], b[1] - a[1]}
	s := orb.Point{d[0] - c[0], d[1] - c[1]}
	den := r[0]*s[1] - r[1]*s[0]
	if den == 0 {
		return a
	}
	t := ((c[0]-a[0])*s[1] - (c[1]-a[1])*s[0]) / den
	return orb.Point{a[0] + t*r[0], a[1] + t*r[1]}
}

// project returns the point of segment ab nearest to p and its fraction t
// along ab in [0, 1].
func project(a, b, p orb.Point) (orb.Point, float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return a, 0
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	t = math.Max(0, math.Min(1, t))
	return orb.Point{a[0] + t*dx, a[1] + t*dy}, t
}

// selfIntersection finds where a closed ring touches itself: two
// non-adjacent edges that meet, or adjacent edges that fold back on each
// other. Repeated consecutive positions are ignored. Edges are compared
// through a grid index, so large rings stay fast.
func selfIntersection(r orb.Ring) (orb.Point, bool) {
	r = dedupe(r)
	n := len(r) - 1 // edges; r[n] == r[0]
	if n < 3 {
		return orb.Point{}, false
	}
	for i := 0; i < n; i++ {
		if foldsBack(r[i], r[i+1], r[(i+2)%n]) {
			return r[i+1], true
		}
	}
	ix := newSegIndex([]orb.LineString{orb.LineString(r)}, ringCell(r))
	for i := 0; i < n; i++ {
		var hit orb.Point
		found := false
		ix.nearSegment(segRef{0, i}, func(o segRef) {
			j := o.seg
			if found || j <= i+1 || (i == 0 && j == n-1) {
				return // itself, adjacent, or seen from the other side
			}
			if p, ok := touch(r[i], r[i+1], r[j], r[j+1]); ok {
				hit, found = p, true
			}
		})
		if found {
			return hit, true
		}
	}
	return orb.Point{}, false
}

// ringsCross reports a point where an edge of a meets an edge of b.
func ringsCross(a, b orb.Ring) (orb.Point, bool) {
	ix := newSegIndex([]orb.LineString{orb.LineString(a), orb.LineString(b)}, math.Max(ringCell(a), ringCell(b)))
	var hit orb.Point
	found := false
	for i := 0; i+1 < len(b) && !found; i++ {
		ix.nearSegment(segRef{1, i}, func(o segRef) {
			if found || o.lane != 0 {
				return
			}
			if p, ok := touch(b[i], b[i+1], a[o.seg], a[o.seg+1]); ok {
				hit, found = p, true
			}
		})
	}
	return hit, found
}

// ringCell picks a grid cell size for a ring: its mean edge length.
func ringCell(r orb.Ring) float64 {
	if len(r) < 2 {
		return 1
	}
	return math.Max(0.01, planar.Length(orb.LineString(r))/float64(len(r)-1))
}

// touch returns a point that segments ab and cd share, if any.
func touch(a, b, c, d orb.Point) (orb.Point, bool) {
	if crossProperly(a, b, c, d) {
		return intersection(a, b, c, d), true
	}
	for _, p := range []struct{ s1, s2, q orb.Point }{{a, b, c}, {a, b, d}, {c, d, a}, {c, d, b}} {
		if orient(p.s1, p.s2, p.q) == 0 && onSegment(p.s1, p.s2, p.q) {
			return p.q, true
		}
	}
	return orb.Point{}, false
}

// foldsBack reports whether the path a->b->c turns back on itself.
func foldsBack(a, b, c orb.Point) bool {
	if orient(a, b, c) != 0 {
		return false
	}
	return (b[0]-a[0])*(c[0]-b[0])+(b[1]-a[1])*(c[1]-b[1]) < 0
}

// dedupe drops consecutive repeated positions.
func dedupe(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r))
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// polygonsOverlap reports whether the interiors of two polygons meet, and a
// point where they do. Shared edges and touching corners are not overlap.
func polygonsOverlap(p, q orb.Polygon, eps float64) (orb.Point, bool) {
	if !p.Bound().Intersects(q.Bound()) {
		return orb.Point{}, false
	}
	var paths []orb.LineString
	cell := 0.01
	for _, r := range append(append(orb.Polygon{}, p...), q...) {
		paths = append(paths, orb.LineString(r))
		cell = math.Max(cell, ringCell(r))
	}
	ix := newSegIndex(paths, cell)
	for pi := range p {
		rp := p[pi]
		for i := 0; i+1 < len(rp); i++ {
			var hit orb.Point
			found := false
			ix.nearSegment(segRef{pi, i}, func(o segRef) {
				if found || o.lane < len(p) {
					return
				}
				rq := q[o.lane-len(p)]
				if crossProperly(rp[i], rp[i+1], rq[o.seg], rq[o.seg+1]) {
					hit, found = intersection(rp[i], rp[i+1], rq[o.seg], rq[o.seg+1]), true
				}
			})
			if found {
				return hit, true
			}
		}
	}
	if pt, ok := anyStrictlyInside(p, q, eps); ok {
		return pt, true
	}
	return anyStrictlyInside(q, p, eps)
}

// anyStrictlyInside looks for a vertex, edge midpoint or centroid of p that
// lies strictly inside q.
func anyStrictlyInside(p, q orb.Polygon, eps float64) (orb.Point, bool) {
	outer := p[0]
	for i := 0; i+1 < len(outer); i++ {
		mid := orb.Point{(outer[i][0] + outer[i+1][0]) / 2, (outer[i][1] + outer[i+1][1]) / 2}
		for _, c := range []orb.Point{outer[i], mid} {
			if strictlyInside(q, c, eps) {
				return c, true
			}
		}
	}
	if c, area := planar.CentroidArea(p); area > 0 && strictlyInside(p, c, eps) && strictlyInside(q, c, eps) {
		return c, true
	}
	return orb.Point{}, false
}
