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
// the site origin. Within it the local frame's scale error stays below about
// 0.1 %, far under the join tolerance of any sensible site.
const MaxSiteRadius = 50_000.0

// Frame is a site's local metric frame: x metres east and y metres north of
// an origin given in WGS84. It is a tangent-plane approximation using the
// ellipsoid's radii of curvature at the origin; over a border crossing a few
// kilometres across its error is a few millimetres. Routing and the VDA 5050
// nodePosition use this frame.
type Frame struct {
	origin orb.Point // lon, lat in degrees
	mx, my float64   // metres per degree of longitude and latitude at the origin
}

// NewFrame returns the local frame around origin (longitude, latitude in
// degrees). The origin must lie within 89 degrees of the equator.
func NewFrame(origin orb.Point) Frame {
	phi := origin.Lat() * radPerD
	s := math.Sin(phi)
	w := 1 - wgs84E2*s*s
	n := wgs84A / math.Sqrt(w)                       // prime vertical radius
	m := wgs84A * (1 - wgs84E2) / (w * math.Sqrt(w)) // meridian radius
	return Frame{
		origin: origin,
		mx:     n * math.Cos(phi) * radPerD,
		my:     m * radPerD,
	}
}

// Origin is the frame's origin as (longitude, latitude).
func (f Frame) Origin() orb.Point { return f.origin }

// ToLocal converts a WGS84 (longitude, latitude) point to local (x, y) metres.
func (f Frame) ToLocal(p orb.Point) orb.Point {
	return orb.Point{(p.Lon() - f.origin.Lon()) * f.mx, (p.Lat() - f.origin.Lat()) * f.my}
}

// ToWGS84 converts local (x, y) metres back to (longitude, latitude).
func (f Frame) ToWGS84(p orb.Point) orb.Point {
	return orb.Point{f.origin.Lon() + p[0]/f.mx, f.origin.Lat() + p[1]/f.my}
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
