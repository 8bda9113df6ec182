package sitegen_test

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/paulmach/orb/planar"
)

// TestGeneratedSitesRoute checks that routing works on generated sites:
// every bay of each centre reaches every bay of the other, the fastest
// route each way stops at 1 to 3 stop lines of each country, every stop
// line is on the way in one direction, and from each stop line and its
// inspection bay a refused container gets back to every bay of its
// origin centre, turning back before the other centre, and a released
// one on to every bay of the other.
func TestGeneratedSitesRoute(t *testing.T) {
	n := seeds(t, 150, 25)
	for seed := range int64(n) {
		site, _ := generate(t, seed, sitegen.Options{})
		checkRoutes(t, seed, site)
	}
}

func checkRoutes(t *testing.T, seed int64, s *geo.Site) {
	t.Helper()
	g, err := routing.NewGraph(s, routing.GraphConfig{})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	a, b := s.Centres[0], s.Centres[1]
	baysA, baysB := bayIDs(s.BaysOf(a.ID)), bayIDs(s.BaysOf(b.ID))
	for _, from := range baysA {
		reaches(t, g, seed, from, baysA, baysB)
	}
	for _, from := range baysB {
		reaches(t, g, seed, from, baysA, baysB)
	}
	origin := map[string][]string{} // checkpoint -> the bays its traffic comes from
	for _, dir := range [][2][]string{{baysA, baysB}, {baysB, baysA}} {
		for _, pair := range [][2]string{{dir[0][0], dir[1][0]}, {dir[0][len(dir[0])-1], dir[1][len(dir[1])-1]}} {
			stops := stopsOn(t, g, seed, pair[0], pair[1])
			perCountry := map[string]int{}
			for _, cp := range stops {
				perCountry[cp.Country]++
				origin[cp.ID] = dir[0]
			}
			for _, c := range []string{a.Country, b.Country} {
				if n := perCountry[c]; n < 1 || n > 3 {
					t.Errorf("seed %d: the fastest route %s -> %s stops at %d stop lines of %s", seed, pair[0], pair[1], n, c)
				}
			}
		}
	}
	for _, cp := range s.Checkpoints {
		from, ok := origin[cp.ID]
		if !ok {
			t.Errorf("seed %d: checkpoint %s is on neither centre's way to the other", seed, cp.ID)
			continue
		}
		to := baysB
		if from[0] == baysB[0] {
			to = baysA
		}
		reaches(t, g, seed, cp.ID, from, to, []string{cp.InspectionBay})
		reaches(t, g, seed, cp.InspectionBay, from, to)
		far := b
		if to[0] == baysA[0] {
			far = a
		}
		turnsBack(t, g, seed, cp.ID, from[0], far)
		turnsBack(t, g, seed, cp.InspectionBay, from[0], far)
	}
}

// turnsBack fails the test when the fastest way from a stop line or
// inspection bay back to a bay of the origin centre enters the centre the
// container was going to: it should turn back over a crossover.
func turnsBack(t *testing.T, g *routing.Graph, seed int64, from, home string, far geo.Centre) {
	t.Helper()
	r, err := g.Route(from, home, routing.Limits{})
	if err != nil {
		t.Errorf("seed %d: %v", seed, err)
		return
	}
	for _, n := range r.NodeIndexes() {
		if planar.PolygonContains(far.XY, g.Nodes[n].XY) {
			t.Errorf("seed %d: the way back from %s to %s enters %s at %s", seed, from, home, far.ID, g.Nodes[n].ID)
			return
		}
	}
}

// reaches fails the test for every node of the lists that from has no
// route to.
func reaches(t *testing.T, g *routing.Graph, seed int64, from string, lists ...[]string) {
	t.Helper()
	reach, ok := g.From(from, routing.Limits{})
	if !ok {
		t.Errorf("seed %d: no node %q", seed, from)
		return
	}
	for _, list := range lists {
		for _, to := range list {
			if i, ok := g.Node(to); !ok || !reach[i].OK {
				t.Errorf("seed %d: no route from %s to %s", seed, from, to)
			}
		}
	}
}

// stopsOn lists the checkpoints the fastest route between two bays stops at.
func stopsOn(t *testing.T, g *routing.Graph, seed int64, from, to string) []geo.Checkpoint {
	t.Helper()
	r, err := g.Route(from, to, routing.Limits{})
	if err != nil {
		t.Errorf("seed %d: %v", seed, err)
		return nil
	}
	byID := map[string]geo.Checkpoint{}
	for _, cp := range g.Site().Checkpoints {
		byID[cp.ID] = cp
	}
	var out []geo.Checkpoint
	for _, n := range r.Nodes {
		if cp, ok := byID[n]; ok {
			out = append(out, cp)
		}
	}
	return out
}
