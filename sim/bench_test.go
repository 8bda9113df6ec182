package sim

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo"
)

// BenchmarkDay50 is the speed figure: 24 simulated hours of 50 shuttles
// on the default site (goal: under 10 s of wall time on the 2-core
// machine). go test -run '^$' -bench Day50 -benchtime 1x ./sim
func BenchmarkDay50(b *testing.B) { benchDay(b, 50, 24, false) }

// BenchmarkDay50Recorded is BenchmarkDay50 recording what a report needs
// (Options.Record: the time series each simulated minute and every
// event); its excess over BenchmarkDay50 is what recording costs the
// run. Writing the report from the recording is
// sim/report's BenchmarkWriteDay50 (the two together: the report's cost
// beyond the simulation, goal under 5 s).
// go test -run '^$' -bench 'Day50(Recorded)?$' -benchtime 2x ./sim
func BenchmarkDay50Recorded(b *testing.B) { benchDayWith(b, 50, 24, false, Options{Record: true}) }

// BenchmarkDay50VDA is BenchmarkDay50 on the protocol path
// (Config.VDA5050): what it costs to drive every shuttle through
// vehicles.Master.
func BenchmarkDay50VDA(b *testing.B) { benchDay(b, 50, 24, true) }

// BenchmarkHours4 and BenchmarkHours4VDA are a quicker pair for
// profiling: 4 simulated hours of the default 20 shuttles.
// go test -run '^$' -bench Hours4 -benchtime 1x -cpuprofile cpu.out ./sim
func BenchmarkHours4(b *testing.B)    { benchDay(b, 20, 4, false) }
func BenchmarkHours4VDA(b *testing.B) { benchDay(b, 20, 4, true) }

func benchDay(b *testing.B, shuttles int, hours float64, vda bool) {
	benchDayWith(b, shuttles, hours, vda, Options{})
}

func benchDayWith(b *testing.B, shuttles int, hours float64, vda bool, opt Options) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.VDA5050 = shuttles, hours, vda
	for b.Loop() {
		r, _, err := RunWith(c, opt)
		if err != nil {
			b.Fatal(err)
		}
		if r.Failed() {
			b.Fatalf("the day broke a safety promise: %+v", r.Errors)
		}
	}
}
