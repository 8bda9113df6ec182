package geo

import (
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
