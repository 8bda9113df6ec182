package sitegen_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/geo/sitegen"
)

func TestOptionsFixCounts(t *testing.T) {
	tests := []sitegen.Options{
		{Bays: 1, Parking: 1, Checkpoints: 1, DistanceM: 500, Yard: sitegen.YardRing},
		{Bays: 50, Parking: 200, Checkpoints: 3, DistanceM: 500, Yard: sitegen.YardRows},
		{Bays: 100, Parking: 500, Checkpoints: 2, DistanceM: 15000},
	}
	for _, o := range tests {
		for seed := range int64(5) {
			site, _ := generate(t, seed, o)
			for _, c := range site.Centres {
				parking := 0
				for _, p := range site.Parking {
					if p.Centre == c.ID && !strings.Contains(p.ID, "-wait-") {
						parking++
					}
				}
				if n := len(site.BaysOf(c.ID)); n != o.Bays || parking != o.Parking {
					t.Errorf("%+v seed %d: centre %s has %d bays and %d parking spots", o, seed, c.ID, n, parking)
				}
			}
			if n := len(site.Checkpoints); n != 4*o.Checkpoints {
				t.Errorf("%+v seed %d: %d checkpoints", o, seed, n)
			}
			if gap := centreGap(site.Centres[0].XY, site.Centres[1].XY); o.DistanceM > 1000 && math.Abs(gap-o.DistanceM) > 1e-3 {
				t.Errorf("%+v seed %d: centres %.3f m apart", o, seed, gap)
			}
			for _, l := range site.Lanes {
				if o.Yard == sitegen.YardRing && strings.HasSuffix(l.ID, "-stub") && strings.Contains(l.ID, "-bay-") ||
					o.Yard == sitegen.YardRows && strings.Contains(l.ID, "-bay-") && strings.HasSuffix(l.ID, "-lane") {
					t.Errorf("%+v seed %d: lane %s in a %s yard", o, seed, l.ID, o.Yard)
				}
			}
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o    sitegen.Options
		want string
	}{
		{sitegen.Options{}, ""},
		{sitegen.Options{Bays: 20, Parking: 60, Checkpoints: 3, DistanceM: 15000, Yard: sitegen.YardRows}, ""},
		{sitegen.Options{Bays: -1}, "sitegen: -1 bays per centre"},
		{sitegen.Options{Bays: sitegen.MaxBaysOption + 1}, fmt.Sprintf("sitegen: %d bays per centre", sitegen.MaxBaysOption+1)},
		{sitegen.Options{Parking: sitegen.MaxParkingOption + 1}, fmt.Sprintf("sitegen: %d parking spots", sitegen.MaxParkingOption+1)},
		{sitegen.Options{Checkpoints: 4}, "sitegen: 4 checkpoints per country and direction"},
		{sitegen.Options{DistanceM: 499}, "sitegen: distance 499 m"},
		{sitegen.Options{DistanceM: math.NaN()}, "sitegen: distance NaN m"},
		{sitegen.Options{Yard: "maze"}, `sitegen: yard layout "maze"`},
	}
	for _, tc := range tests {
		err := tc.o.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.o, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: got %v, want %q", tc.o, err, tc.want)
		}
		if tc.want != "" {
			if _, _, err := sitegen.Generate(1, tc.o); err == nil {
				t.Errorf("%+v: Generate accepted invalid options", tc.o)
			}
		}
	}
}
