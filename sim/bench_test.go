package sim

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo"
)

// BenchmarkDay50 is the speed figure: 24 simulated hours of 50 shuttles
// on the default site (goal: under 10 s of wall time on the 2-core
// machine). go test -run '^$' -bench Day50 -benchtime 1x ./sim
func BenchmarkDay50(b *testing.B) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	c := DefaultConfig(site)
	c.Shuttles = 50
	for b.Loop() {
		r, err := Run(c)
		if err != nil {
			b.Fatal(err)
		}
		if r.Failed() {
			b.Fatalf("the day broke a safety promise: %+v", r.Errors)
		}
	}
}
