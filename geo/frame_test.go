package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/stretchr/testify/assert"
)

func TestFrame(t *testing.T) {
	origin := orb.Point{82.7948, 46.683}
	fr := NewFrame(origin)
	tests := []struct {
		name string
		xy   orb.Point
	}{
		{"origin", orb.Point{0, 0}},
		{"east", orb.Point{2000, 0}},
		{"north", orb.Point{0, 2000}},
		{"south-west", orb.Point{-1500, -700}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ll := fr.ToWGS84(tc.xy)
			back := fr.ToLocal(ll)
			assert.InDelta(t, tc.xy[0], back[0], 1e-6, "x round trip")
			assert.InDelta(t, tc.xy[1], back[1], 1e-6, "y round trip")
			// the frame agrees with orb's great-circle distance to 0.5 %
			want := orbgeo.Distance(origin, ll)
			got := distanceXY(orb.Point{}, tc.xy)
			assert.InDelta(t, want, got, 0.005*want+1e-9)
		})
	}
	assert.Equal(t, origin, fr.Origin())
}

// TestFrameScaleError measures what MaxSiteRadius promises: anywhere
// within it, at any latitude the loader accepts, a distance measured in
// the local frame is within 0.002 % of the same distance on the
// ellipsoid. The reference is the straight line between the two points
// in earth-centred coordinates, lengthened by the arc's excess over its
// chord (d²/24R², 3e-6 at 50 km). An equirectangular frame (degrees
// scaled at the origin) is off by 0.8 % at 50 km north of the default
// site, and fails this.
func TestFrameScaleError(t *testing.T) {
	const tol = 2e-5
	worst := 0.0
	for _, lat := range []float64{0, 30, 46.683, 60, 75, 88} {
		origin := orb.Point{82.7948, lat}
		fr := NewFrame(origin)
		var pts []orb.Point
		for _, r := range []float64{5_000, 20_000, MaxSiteRadius} {
			for k := range 16 {
				a := float64(k) * 2 * math.Pi / 16
				pts = append(pts, orb.Point{r * math.Cos(a), r * math.Sin(a)})
			}
		}
		pts = append(pts, orb.Point{})
		for i, p := range pts {
			for _, q := range pts[i+1:] {
				pl, ql := fr.ToWGS84(p), fr.ToWGS84(q)
				a, b := ecef(pl), ecef(ql)
				chord := math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
				want := chord * (1 + chord*chord/(24*wgs84A*wgs84A))
				got := distanceXY(fr.ToLocal(pl), fr.ToLocal(ql))
				rel := math.Abs(got-want) / want
				worst = max(worst, rel)
				if rel > tol {
					t.Fatalf("origin latitude %v: from %v to %v the frame says %.3f m, the ellipsoid %.3f m (%.4f %%)", lat, p, q, got, want, 100*rel)
				}
			}
		}
		for _, p := range pts { // the round trip is exact to a tenth of a millimetre
			back := fr.ToLocal(fr.ToWGS84(p))
			assert.InDelta(t, p[0], back[0], 1e-4, "x round trip at %v, latitude %v", p, lat)
			assert.InDelta(t, p[1], back[1], 1e-4, "y round trip at %v, latitude %v", p, lat)
		}
	}
	t.Logf("largest relative distance error within %v m: %.2e", MaxSiteRadius, worst)
}
