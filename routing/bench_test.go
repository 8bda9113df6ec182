package routing

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
)

// busyTraffic places n+1 shuttles at the given places and routes the first
// n of them to random goals, driving each a random part of the way, so that
// they hold and queue for resources across the map. The last shuttle,
// "probe", is left standing at its place.
func busyTraffic(b *testing.B, site *geo.Site, starts, goals []string, n int) (*Traffic, int) {
	b.Helper()
	g, err := NewGraph(site, GraphConfig{})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTraffic(g, TrafficConfig{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	rng.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
	if err := tr.Place("probe", starts[n]); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := tr.Place(fmt.Sprintf("s%d", i), starts[i]); err != nil {
			b.Fatal(err)
		}
	}
	routed := 0
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("s%d", i)
		for try := 0; try < 20; try++ {
			if _, err := tr.Plan(id, goals[rng.Intn(len(goals))], PlanOptions{}); err == nil {
				routed++
				break
			}
		}
		for k := rng.Intn(30); k > 0; k-- {
			tr.Grant(id)
			if p, _ := tr.Position(id); p.Granted > p.AtStep {
				tr.Progress(id, p.AtStep+2)
			}
		}
	}
	return tr, routed
}

// benchPlan re-plans the probe between two goals, one plan per iteration,
// and reports how many of the other shuttles hold routes.
func benchPlan(b *testing.B, tr *Traffic, routed int, goals [2]string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Plan("probe", goals[i%2], PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(routed), "routed")
	b.ReportMetric(float64(len(tr.g.Nodes)), "nodes")
}

// One plan with its reservations on the default site while 40 other
// shuttles hold and queue for resources. Goal: under 1 ms.
func BenchmarkPlanDefaultSite40(b *testing.B) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	tr, routed := busyTraffic(b, site, probeFree(site), probeFree(site), 40)
	benchPlan(b, tr, routed, [2]string{"kz-bay-01", "cn-bay-10"})
}

// probeFree lists the default site's resting places but the probe's goals.
func probeFree(site *geo.Site) []string {
	var out []string
	for _, p := range restingPlaces(site) {
		if p != "kz-bay-01" && p != "cn-bay-10" {
			out = append(out, p)
		}
	}
	return out
}

// One plan with its reservations across a 100 x 100 grid of two-way lanes
// (10,000 junctions) while 500 other shuttles hold and queue for
// resources. Goal: under 20 ms.
func BenchmarkPlanGrid10k500(b *testing.B) {
	site, err := gridSite(100, 20, false)
	if err != nil {
		b.Fatal(err)
	}
	var nodes []string
	for _, n := range site.Network.Nodes {
		if n.Kind == geo.NodeJunction {
			nodes = append(nodes, n.ID)
		}
	}
	tr, routed := busyTraffic(b, site, nodes, nodes, 500)
	benchPlan(b, tr, routed, [2]string{"bay0", "bay1"})
}

// Routing alone, without traffic, on the default site.
func BenchmarkRouteDefaultSite(b *testing.B) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGraph(site, GraphConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := g.Route("kz-bay-01", "cn-bay-10", Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
