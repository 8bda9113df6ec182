package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS84 ellipsoid constants.
const (
	wgs84A  = 6378137.0             // semi-major axis, metres
	wgs84F  = 1 / 298.257223563     // flattening
	wgs84E2 = wgs84F * (2 - wgs84F) // first eccentricity squared
	radPerD = math.Pi / 180         // radians per degree
	degPerR = 180 / math.Pi         // degrees per radian
	maxLat  = 90.0                  // largest valid latitude
	maxLon  = 180.0                 // largest valid longitude
	maxPole = 89.0                  // the local frame is refused this close to a pole
)

// MaxSiteRadius is how far, in metres, any coordinate of a site may lie from
// the site origin. Within it a distance measured in the local frame differs
// from the same distance on the ellipsoid by less than about 0.002 %
// (TestFrameScaleError measures it), far under the join tolerance of any
// sensible site.
const MaxSiteRadius = 50_000.0

// Frame is a site's local metric frame: x metres east and y metres north of
// an origin given in WGS84, on the plane tangent to the WGS84 ellipsoid at
// the origin (local east-north-up, the height dropped). A point's x and y
// are its offsets from the origin along the plane's east and north axes,
// so distances and bearings near the origin are true and the error grows
// only with the square of the distance from it (about 1e-5 at 50 km, at
// any latitude); a frame in degrees scaled at the origin instead is off by
// the change in a degree of longitude's length, 0.8 % at 50 km north of
// the default site. Routing and the VDA 5050 nodePosition use this frame.
type Frame struct {
	origin orb.Point  // lon, lat in degrees
	o      [3]float64 // the origin, earth-centred (ECEF), metres
	e, n   [3]float64 // unit vectors east and north at the origin
	u      [3]float64 // unit vector up (the ellipsoid's normal) at the origin
}

// NewFrame returns the local frame around origin (longitude, latitude in
// degrees). The origin must lie within 89 degrees of the equator.
func NewFrame(origin orb.Point) Frame {
	phi, lam := origin.Lat()*radPerD, origin.Lon()*radPerD
	sp, cp, sl, cl := math.Sin(phi), math.Cos(phi), math.Sin(lam), math.Cos(lam)
	return Frame{
		origin: origin,
		o:      ecef(origin),
		e:      [3]float64{-sl, cl, 0},
		n:      [3]float64{-sp * cl, -sp * sl, cp},
		u:      [3]float64{cp * cl, cp * sl, sp},
	}
}

// ecef is a WGS84 (longitude, latitude) point on the ellipsoid in
// earth-centred, earth-fixed coordinates.
func ecef(p orb.Point) [3]float64 {
	phi, lam := p.Lat()*radPerD, p.Lon()*radPerD
	s := math.Sin(phi)
	n := wgs84A / math.Sqrt(1-wgs84E2*s*s) // prime vertical radius
	return [3]float64{n * math.Cos(phi) * math.Cos(lam), n * math.Cos(phi) * math.Sin(lam), n * (1 - wgs84E2) * s}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// Origin is the frame's origin as (longitude, latitude).
func (f Frame) Origin() orb.Point { return f.origin }

// ToLocal converts a WGS84 (longitude, latitude) point to local (x, y) metres.
func (f Frame) ToLocal(p orb.Point) orb.Point {
	q := ecef(p)
	d := [3]float64{q[0] - f.o[0], q[1] - f.o[1], q[2] - f.o[2]}
	return orb.Point{dot(d, f.e), dot(d, f.n)}
}

// ToWGS84 converts local (x, y) metres back to (longitude, latitude): the
// point of the ellipsoid that lies on the plane's normal through (x, y).
func (f Frame) ToWGS84(p orb.Point) orb.Point {
	var c [3]float64 // the point on the plane, earth-centred
	for i := range c {
		c[i] = f.o[i] + p[0]*f.e[i] + p[1]*f.n[i]
	}
	// c + t·u on the ellipsoid: (x²+y²)/a² + z²/b² = 1, a quadratic in t
	b2 := wgs84A * wgs84A * (1 - wgs84E2)
	a2 := wgs84A * wgs84A
	qa := (f.u[0]*f.u[0]+f.u[1]*f.u[1])/a2 + f.u[2]*f.u[2]/b2
	qb := 2 * ((c[0]*f.u[0]+c[1]*f.u[1])/a2 + c[2]*f.u[2]/b2)
	qc := (c[0]*c[0]+c[1]*c[1])/a2 + c[2]*c[2]/b2 - 1
	// the root near 0 (the plane touches the ellipsoid at the origin), in
	// the form that does not cancel
	t := 2 * qc / (-qb - math.Sqrt(qb*qb-4*qa*qc))
	x, y, z := c[0]+t*f.u[0], c[1]+t*f.u[1], c[2]+t*f.u[2]
	lat := math.Atan2(z, (1-wgs84E2)*math.Hypot(x, y)) // exact on the ellipsoid
	return orb.Point{math.Atan2(y, x) * degPerR, lat * degPerR}
}

// lineToLocal converts every point of a line string.
func (f Frame) lineToLocal(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = f.ToLocal(p)
	}
	return out
}

// polygonToLocal converts every ring of a polygon.
func (f Frame) polygonToLocal(pg orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, len(pg))
	for i, r := range pg {
		out[i] = orb.Ring(f.lineToLocal(orb.LineString(r)))
	}
	return out
}

// validLonLat reports whether p is a finite WGS84 coordinate in range.
func validLonLat(p orb.Point) bool {
	lon, lat := p.Lon(), p.Lat()
	return !math.IsNaN(lon) && !math.IsNaN(lat) &&
		lon >= -maxLon && lon <= maxLon && lat >= -maxLat && lat <= maxLat
}
