package report

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
)

// BenchmarkWriteDay50 times writing the report of 24 simulated hours of
// 50 shuttles on the default site, the simulation itself left out (goal:
// under 5 s on the 2-core machine).
// go test -run '^$' -bench WriteDay50 -benchtime 3x ./sim/report
func BenchmarkWriteDay50(b *testing.B) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	c := sim.DefaultConfig(site)
	c.Shuttles = 50
	r, rec, err := sim.RunWith(c, sim.Options{Record: true})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := Write(dir, r, rec); err != nil {
			b.Fatal(err)
		}
	}
}
