package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Sweep names one setting of a scenario and the values to run it with
// (a scenario's "sweep"): each value is one run of the scenario.
type Sweep struct {
	// Parameter is one of SweepParameters.
	Parameter string    `json:"parameter"`
	Values    []float64 `json:"values"`
}

// The parameters a sweep may vary.
const (
	SweepShuttles           = "shuttles"             // the fleet size
	SweepChargersPerStation = "chargers_per_station" // chargers at every charging station of the site
	SweepRefusedShare       = "refused_share"        // Config.Refused
	SweepMovesPerHour       = "moves_per_hour"       // Config.MovesPerHour
)

// SweepParameters lists the parameters a sweep may vary.
var SweepParameters = []string{SweepShuttles, SweepChargersPerStation, SweepRefusedShare, SweepMovesPerHour}

// Validate names what is wrong with the sweep: an unknown parameter, no
// values, or a value the parameter cannot take.
func (s Sweep) Validate() error {
	if !slices.Contains(SweepParameters, s.Parameter) {
		return fmt.Errorf("sim: sweep parameter %q: want one of %s", s.Parameter, strings.Join(SweepParameters, ", "))
	}
	if len(s.Values) == 0 {
		return fmt.Errorf("sim: sweep of %s: no values", s.Parameter)
	}
	for i, v := range s.Values {
		if err := s.check(v); err != nil {
			return fmt.Errorf("sim: sweep of %s: value %d (%g): %w", s.Parameter, i+1, v, err)
		}
	}
	return nil
}

func (s Sweep) check(v float64) error {
	whole := v == math.Trunc(v)
	switch s.Parameter {
	case SweepShuttles, SweepChargersPerStation:
		if !whole || v < 1 || v > 1000 {
			return fmt.Errorf("want a whole number from 1 to 1000")
		}
	case SweepRefusedShare:
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("want a share from 0 to 1")
		}
	case SweepMovesPerHour:
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("want more than 0")
		}
	}
	return nil
}

// Apply sets the sweep's parameter to v in c (a copy of the site when
// the chargers change).
func (s Sweep) Apply(c Config, v float64) (Config, error) {
	if err := s.check(v); err != nil {
		return c, fmt.Errorf("sim: sweep of %s: %g: %w", s.Parameter, v, err)
	}
	switch s.Parameter {
	case SweepShuttles:
		c.Shuttles = int(v)
	case SweepChargersPerStation:
		if c.Site == nil {
			return c, fmt.Errorf("sim: no site")
		}
		site := *c.Site
		site.Stations = slices.Clone(site.Stations)
		for i := range site.Stations {
			site.Stations[i].Chargers = int(v)
		}
		c.Site = &site
	case SweepRefusedShare:
		c.Refused = v
	case SweepMovesPerHour:
		c.MovesPerHour = v
	default:
		return c, s.Validate()
	}
	return c, nil
}
