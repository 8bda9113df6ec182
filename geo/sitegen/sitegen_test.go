package sitegen_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// seeds is how many seeds the property tests draw.
func seeds(t *testing.T, full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// generate draws a seed's site and fails the test, naming the seed and
// every problem, when the loader refuses it.
func generate(t *testing.T, seed int64, o sitegen.Options) (*geo.Site, []byte) {
	t.Helper()
	site, data, err := sitegen.Generate(seed, o)
	if err != nil {
		var verr *geo.ValidationError
		if errors.As(err, &verr) {
			t.Fatalf("seed %d: the loader refuses the generated site (a generator bug), %d problem(s):\n  %s",
				seed, len(verr.Problems), strings.Join(problemLines(verr), "\n  "))
		}
		t.Fatalf("seed %d: %v", seed, err)
	}
	return site, data
}

func problemLines(v *geo.ValidationError) []string {
	var out []string
	for _, p := range v.Problems {
		out = append(out, fmt.Sprint(p))
	}
	return out
}

func TestGenerateLoads(t *testing.T) {
	n := seeds(t, 500, 100)
	var seen variety
	for seed := range int64(n) {
		site, _ := generate(t, seed, sitegen.Options{})
		checkSite(t, seed, site)
		seen.note(site)
	}
	seen.check(t)
}

// checkSite asserts the ranges the package promises.
func checkSite(t *testing.T, seed int64, s *geo.Site) {
	t.Helper()
	fail := func(format string, args ...any) { t.Errorf("seed %d: "+format, append([]any{seed}, args...)...) }
	if len(s.Centres) != 2 || s.Centres[0].Country == s.Centres[1].Country {
		fail("want two centres of two countries, got %+v", s.Centres)
		return
	}
	if !strings.Contains(s.MapID, fmt.Sprint(seed)) || !strings.Contains(s.Name, fmt.Sprint(seed)) {
		fail("map id %q and name %q do not name the seed", s.MapID, s.Name)
	}
	for _, c := range s.Centres {
		checkCentre(fail, s, c)
	}
	checkZones(fail, s)
	checkGates(fail, s)
	for _, l := range s.Lanes {
		if l.SpeedLimitKmh < 10 || l.SpeedLimitKmh > 40 {
			fail("lane %s: speed limit %g km/h", l.ID, l.SpeedLimitKmh)
		}
	}
	if gap := centreGap(s.Centres[0].XY, s.Centres[1].XY); gap < 500-1e-6 || gap > 15000+1e-6 {
		fail("centres %.1f m apart, want 500 to 15000", gap)
	}
	for _, pair := range [][2]geo.Centre{{s.Centres[0], s.Centres[1]}, {s.Centres[1], s.Centres[0]}} {
		if _, ok := s.Network.Distance(bayIDs(s.BaysOf(pair[0].ID)), bayIDs(s.BaysOf(pair[1].ID))); !ok {
			fail("no drive from %s to %s", pair[0].ID, pair[1].ID)
		}
	}
}

func checkCentre(fail func(string, ...any), s *geo.Site, c geo.Centre) {
	if n := len(s.BaysOf(c.ID)); n < sitegen.MinBays || n > sitegen.MaxBays {
		fail("centre %s has %d bays", c.ID, n)
	}
	parking, waits := 0, 0
	for _, p := range s.Parking {
		switch {
		case p.Centre != c.ID:
		case strings.Contains(p.ID, "-wait-"):
			waits++
		default:
			parking++
		}
	}
	if parking < sitegen.MinParking || parking > sitegen.MaxParking {
		fail("centre %s has %d parking spots", c.ID, parking)
	}
	if waits != 0 && waits != len(s.BaysOf(c.ID)) {
		fail("centre %s has %d waiting spots for %d bays", c.ID, waits, len(s.BaysOf(c.ID)))
	}
	stations := 0
	for _, st := range s.Stations {
		if st.Centre != c.ID {
			continue
		}
		stations++
		if st.Chargers < 1 || st.Chargers > 8 || st.ChargerPowerKW < 150 || st.ChargerPowerKW > 400 ||
			st.GridCapKW < st.ChargerPowerKW || st.GridCapKW > st.ChargerPowerKW*float64(st.Chargers) {
			fail("station %s: %d x %g kW, cap %g kW", st.ID, st.Chargers, st.ChargerPowerKW, st.GridCapKW)
		}
	}
	if stations < 1 || stations > 3 {
		fail("centre %s has %d charging stations", c.ID, stations)
	}
}

func checkZones(fail func(string, ...any), s *geo.Site) {
	kinds := map[string]int{}
	for _, z := range s.Zones {
		kinds[string(z.Type)+z.Country]++
		if z.SpeedLimitKmh < 10 || z.SpeedLimitKmh > 40 {
			fail("zone %s: speed limit %g km/h", z.ID, z.SpeedLimitKmh)
		}
	}
	for _, c := range s.Centres {
		if kinds["territory"+c.Country] != 1 {
			fail("no territory zone of %s: %v", c.Country, kinds)
		}
	}
	if kinds["neutral"] != 1 || len(s.Zones) != 3 {
		fail("want two territories and a neutral zone: %v", kinds)
	}
}

// checkGates counts checkpoints per country and direction (the lane of a
// stop line says which way it checks) and checks their figures.
func checkGates(fail func(string, ...any), s *geo.Site) {
	count := map[string]int{}
	for _, cp := range s.Checkpoints {
		dir := strings.TrimRight(cp.Lane, "0123456789")
		count[cp.Country+" "+dir]++
		if r := cp.ReleaseTime.Seconds(); r < 10 || r > 120 {
			fail("checkpoint %s: release time %g s", cp.ID, r)
		}
		if b, ok := s.Bay(cp.InspectionBay); !ok || b.Centre != "" {
			fail("checkpoint %s: inspection bay %q", cp.ID, cp.InspectionBay)
		}
	}
	for _, c := range s.Centres {
		for _, dir := range []string{"road-ab-", "road-ba-"} {
			if n := count[c.Country+" "+dir]; n < sitegen.MinCheckpoints || n > sitegen.MaxCheckpoints {
				fail("%d checkpoints of %s on %s lanes, want 1 to 3: %v", n, c.Country, dir, count)
			}
		}
	}
	if len(count) != 4 {
		fail("checkpoints on lanes other than the road's one-way lanes: %v", count)
	}
}

// centreGap is the shortest distance between two disjoint polygons'
// outer rings.
func centreGap(a, b orb.Polygon) float64 {
	gap := math.Inf(1)
	for _, p := range a[0] {
		gap = math.Min(gap, planar.DistanceFrom(orb.LineString(b[0]), p))
	}
	for _, p := range b[0] {
		gap = math.Min(gap, planar.DistanceFrom(orb.LineString(a[0]), p))
	}
	return gap
}

func bayIDs(bs []geo.Bay) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

// variety records what the seeds drew, to check that each thing the
// generator varies does vary.
type variety struct {
	quadrants                 [4]bool
	ring, rows, shared, whole bool
	near, far                 bool
	gates                     map[int]bool
	countries                 map[string]bool
}

func (v *variety) note(s *geo.Site) {
	if v.gates == nil {
		v.gates, v.countries = map[int]bool{}, map[string]bool{}
	}
	a, b := s.Centres[0].XY.Bound().Center(), s.Centres[1].XY.Bound().Center()
	bearing := math.Atan2(b[0]-a[0], b[1]-a[1]) * 180 / math.Pi
	v.quadrants[int(math.Mod(bearing+360, 360)/90)%4] = true
	twoWay := false
	for _, l := range s.Lanes {
		v.ring = v.ring || strings.HasSuffix(l.ID, "-bay-01-lane")
		v.rows = v.rows || strings.HasSuffix(l.ID, "-bay-01-stub")
		twoWay = twoWay || strings.HasPrefix(l.ID, "road-shared-")
	}
	v.shared, v.whole = v.shared || twoWay, v.whole || !twoWay
	gap := centreGap(s.Centres[0].XY, s.Centres[1].XY)
	v.near, v.far = v.near || gap < 1500, v.far || gap > 8000
	v.gates[len(s.Checkpoints)] = true
	for _, c := range s.Centres {
		v.countries[c.Country] = true
	}
}

func (v *variety) check(t *testing.T) {
	t.Helper()
	if v.quadrants != [4]bool{true, true, true, true} || !v.ring || !v.rows || !v.shared || !v.whole || !v.near || !v.far {
		t.Errorf("the seeds do not vary enough: %+v", *v)
	}
	if !v.gates[4] || !v.gates[12] || len(v.countries) < 10 {
		t.Errorf("checkpoint counts %v, countries %v: want 4 and 12 checkpoints seen, and 10 countries", v.gates, v.countries)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	for _, seed := range []int64{0, 1, 7, -3, math.MaxInt64, math.MinInt64} {
		_, a := generate(t, seed, sitegen.Options{})
		_, b := generate(t, seed, sitegen.Options{})
		if !bytes.Equal(a, b) {
			t.Errorf("seed %d: two runs gave different bytes", seed)
		}
		_, c := generate(t, seed+1, sitegen.Options{})
		if bytes.Equal(a, c) {
			t.Errorf("seeds %d and %d gave the same bytes", seed, seed+1)
		}
	}
}
