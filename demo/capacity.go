package demo

import (
	"fmt"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
)

// FleetShape is the demo fleet whose capacity Capacity works out: what the
// demo's simulated shuttles are.
type FleetShape struct {
	// Shuttles in the fleet; at least 1.
	Shuttles int
	// StartSoC is their state of charge at start, 0..1; zero: sim's
	// default (0.7, as the simulated shuttles').
	StartSoC float64
}

// CapacityHours is the span Capacity's bound is taken over: the first
// day, charging included.
const CapacityHours = 24

// DefaultLoad is the share of the fleet's capacity the demo asks for by
// default: the bound is an upper bound, which a fleet reaches about 0.85
// of on the simulated days, so at three quarters of it the pending moves
// stay few. Overload asks for twice the capacity.
const (
	DefaultLoad  = 0.75
	OverloadLoad = 2.0
)

// Capacity is how many moves an hour, both ways together, the fleet can
// carry on the site with the customs cfg plays: sim's analytic upper
// bound on loaded trips an hour (sim.BoundOf) for a run of CapacityHours
// with the demo's customs shares and times, without breakdowns (the
// simulated shuttles of the demo do not break down) and at 0 °C (theirs).
func Capacity(cfg Config, site *geo.Site, f FleetShape) (float64, error) {
	if f.Shuttles < 1 {
		return 0, fmt.Errorf("demo: capacity of %d shuttles: want at least 1", f.Shuttles)
	}
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	cfg = cfg.withDefaults()
	sc := sim.DefaultConfig(site)
	sc.Shuttles, sc.Hours, sc.StartSoC = f.Shuttles, CapacityHours, f.StartSoC
	sc.NoBreakdowns, sc.MTBF, sc.AmbientC = true, 0, 0
	sc.Eastbound, sc.PreCleared, sc.Inspected, sc.Refused, sc.InspectRefused = cfg.Eastbound, cfg.PreCleared, cfg.Inspected, cfg.Refused, cfg.Refused
	sc.DecideAfter, sc.InspectTime = cfg.DecideAfter, cfg.InspectTime
	if sc.StartSoC == 0 {
		sc.StartSoC = 0.7
	}
	_, bound, err := sim.BoundOf(sc)
	if err != nil {
		return 0, fmt.Errorf("demo: capacity: %w", err)
	}
	return bound, nil
}
