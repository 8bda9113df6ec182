package sim

import (
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim/demand"
)

// EndToEnd is what a scenario sets for an end-to-end run only (`fleetd
// sim --e2e`, package sim/endtoend: fleetd, shuttle-sim, a real
// Mosquitto and a store as processes, on a scaled clock): the scenario's
// "end_to_end". An in-process run has no processes to restart and no
// broker, and ignores it.
type EndToEnd struct {
	// FleetdRestarts are the times of the run (fleetd's clock, from the
	// start) when fleetd gets SIGKILL and is started again at once on
	// the same store.
	FleetdRestarts []Duration `json:"fleetd_restarts,omitempty"`
	// BrokerRestarts are the times when Mosquitto gets SIGKILL and is
	// started again on its port (no persistence: sessions and retained
	// messages are gone; every client reconnects).
	BrokerRestarts []Duration `json:"broker_restarts,omitempty"`
	// TimeScale is how much faster than real time fleetd and the
	// shuttles run; zero: 60.
	TimeScale float64 `json:"time_scale,omitempty"`
}

// DefaultTimeScale is an end-to-end run's time scale when the scenario
// states none: a simulated minute a second, the scale the end-to-end
// tests and the chaos command run at.
const DefaultTimeScale = 60

// Validate names what cannot work in a run of the given hours.
func (e EndToEnd) Validate(hours float64) error {
	if !(e.TimeScale >= 0 && e.TimeScale <= 600) {
		return fmt.Errorf("sim: end_to_end: time_scale %g: want 1 to 600 (0: %d)", e.TimeScale, DefaultTimeScale)
	}
	if e.TimeScale > 0 && e.TimeScale < 1 {
		return fmt.Errorf("sim: end_to_end: time_scale %g: want 1 to 600 (0: %d)", e.TimeScale, DefaultTimeScale)
	}
	end := time.Duration(hours * float64(time.Hour))
	for _, l := range []struct {
		name string
		at   []Duration
	}{{"fleetd_restarts", e.FleetdRestarts}, {"broker_restarts", e.BrokerRestarts}} {
		for i, at := range l.at {
			if d := time.Duration(at); d <= 0 || d >= end {
				return fmt.Errorf("sim: end_to_end: %s[%d] %s: want a time within the run (after 0, before %s)", l.name, i, d, end)
			}
		}
	}
	return nil
}

// Scale is the time scale, its default filled in.
func (e EndToEnd) Scale() float64 {
	if e.TimeScale == 0 {
		return DefaultTimeScale
	}
	return e.TimeScale
}

// DemandConfig is the demand and the officers' model of the run, as the
// in-process run plays it: `fleetd demo --scenario` plays the same for
// an end-to-end run.
func (c Config) DemandConfig() demand.Config {
	return demand.Config{MovesPerHour: c.MovesPerHour, Eastbound: c.Eastbound, PreCleared: c.PreCleared,
		Inspected: c.Inspected, Refused: c.Refused, InspectRefused: c.InspectRefused,
		DecideAfter: c.DecideAfter, InspectTime: c.InspectTime}
}

// Defaults is the configuration with its defaults filled in, as Run
// would run it.
func (c Config) Defaults() Config { return c.withDefaults() }

// StartNodes are the parking spots a run's shuttles start on, in order:
// the first two centres' spots in turn, so that shuttles start on both
// sides. The first n shuttles of a run take the first n.
func StartNodes(site *geo.Site) []string { return startSpots(Config{Site: site}) }

// EndToEndFigures say how an end-to-end run was made and what it saw
// beside the Report's figures (Report.EndToEnd).
type EndToEndFigures struct {
	TimeScale float64 `json:"time_scale"`
	Store     string  `json:"store"` // redis or bolt
	// FleetdRestarts and BrokerRestarts are the restarts made; RecoveryMaxS
	// the longest real time from a fleetd SIGKILL to its ready.
	FleetdRestarts int     `json:"fleetd_restarts"`
	BrokerRestarts int     `json:"broker_restarts"`
	RecoveryMaxS   float64 `json:"recovery_max_s"`
	// Samples taken (one a simulated minute) and minutes missed while
	// fleetd did not answer.
	Samples       int `json:"samples"`
	MissedSamples int `json:"missed_samples"`
	// States and Orders seen on the wire, and the drops finished there.
	States int `json:"wire_states"`
	Orders int `json:"wire_orders"`
	Drops  int `json:"wire_drops"`
}
