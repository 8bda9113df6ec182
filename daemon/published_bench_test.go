package daemon

import (
	"fmt"
	"testing"

	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// BenchmarkPublish measures what a publication costs the daemon's
// goroutine with 10,000 vehicles on the roster: "one" after an input
// that marked one shuttle (a vehicle's state: the common case),
// "one-recount" when the step also changed a move (the moves by state,
// the gate queue, the charger slots counted again), "full"
// when the whole fleet is copied (a tick every 10 s, a restore, a
// resume). See BENCHMARKS.md.
func BenchmarkPublish(b *testing.B) {
	const n = 10000
	site, _, err := sitegen.Generate(1, sitegen.Options{Parking: n / 2, Bays: 100, DistanceM: 1000, Checkpoints: 1})
	if err != nil {
		b.Fatal(err)
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]vehicles.Entry, n)
	for i := range entries {
		entries[i] = vehicles.Entry{Manufacturer: "acme", SerialNumber: fmt.Sprintf("v%05d", i)}
	}
	roster, err := vehicles.NewRoster(entries...)
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(Config{Graph: g, Vehicles: vehicles.Config{Roster: roster}})
	if err != nil {
		b.Fatal(err)
	}
	if d.Published().Len() != n {
		b.Fatalf("%d shuttles published, want %d", d.Published().Len(), n)
	}
	b.Run("one", func(b *testing.B) {
		i := 0
		for b.Loop() {
			d.markShuttle(entries[i%n].SerialNumber)
			d.publishView()
			i += 7919
		}
	})
	b.Run("one-recount", func(b *testing.B) { // a step that changed a move too
		i := 0
		for b.Loop() {
			d.markShuttle(entries[i%n].SerialNumber)
			d.pub.aggr = true
			d.publishView()
			i += 7919
		}
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			d.markAll()
			d.publishView()
		}
	})
}
