package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// Config describes one simulated run. Start from DefaultConfig: zero
// counts, durations and speeds take the defaults noted, but a zero
// temperature or share is taken as given. A Scenario file sets any of them.
type Config struct {
	Site     *geo.Site
	Shuttles int     // default 20
	Hours    float64 // default 24
	Policy   string  // dispatch: lookahead (default) or greedy
	Charging string  // opportunity (default) or threshold
	Seed     int64

	TopSpeedKmh float64       // default 25
	Handling    time.Duration // load or unload; default 5m
	AmbientC    float64       // default -17 (a Tacheng January)
	StartSoC    float64       // default 0.7

	MTBF time.Duration // mean time between breakdowns per shuttle; default 100h (0 with NoBreakdowns)
	MTTR time.Duration // mean time to repair; default 20m
	// NoBreakdowns turns breakdowns off.
	NoBreakdowns bool

	MovesPerHour float64 // both directions; default 100 (above capacity)
	Eastbound    float64 // share of moves from the first centre; default 0.5

	PreCleared  float64       // default 0.8
	Inspected   float64       // of those not pre-cleared; default 0.1
	Refused     float64       // of those not pre-cleared; default 0.02
	DecideAfter time.Duration // officer's mean time to decide at the gate; default 90s
	InspectTime time.Duration // default 20m
	// InspectRefused is the share of inspected containers refused after
	// their inspection.
	InspectRefused float64
	Vehicle        charging.Vehicle
	StartTime      time.Time // default 2026-01-15 00:00 UTC

	// Drain lets a run go on after demand stops at the end of Hours, for
	// at most this long, until every move has ended and every shuttle is
	// at rest; the report's Liveness says whether and when they did. Zero:
	// no drain, the run ends with the demand.
	Drain time.Duration
	// OperatorEventsPerHour is the rate of random operator verbs while
	// demand lasts (see ops.go); zero: none.
	OperatorEventsPerHour float64
	// LaneClosuresPerHour is the rate of random lane closures while demand
	// lasts, each reopened after 5 to 60 minutes; zero: none.
	LaneClosuresPerHour float64
	// MaxShuttles caps the fleet that random operator verbs may grow by
	// adding shuttles; zero: Shuttles + 2.
	MaxShuttles int
	// DrainCancelsPending makes the run cancel, when demand stops and the
	// drain begins, every move still pending (assigned to no shuttle), as
	// an operator closing the day would: each is the CancelRequested the
	// HTTP API submits. The drain then has only the moves under way to
	// end, a bound that holds however far demand was above capacity.
	// Without it a drain must end the whole queue.
	DrainCancelsPending bool
	// VDA5050 drives sim/agv vehicles (the ones shuttle-sim runs over
	// MQTT) through vehicles.Master over an in-memory link on the virtual
	// clock, so that the run exercises the VDA 5050 conversation (see
	// vda.go). Off, the engine's own vehicle model drives. The two are to
	// become one, the protocol path, once it is as fast and the
	// randomized harness passes with it (see the README of sim).
	VDA5050 bool
	// Tuning is the fleet core's (fleet.Config.Tuning); zero fields take
	// their defaults.
	Tuning fleet.Tuning
	// LaneClosures close lanes at set times of the run (outage.go).
	LaneClosures []LaneClosure
	// ChargerOutages take chargers out of order for the whole run
	// (outage.go).
	ChargerOutages []ChargerOutage
}

// shuttleCap is the most shuttles the fleet may grow to.
func (c Config) shuttleCap() int {
	if c.MaxShuttles == 0 {
		return c.Shuttles + 2
	}
	return c.MaxShuttles
}

// DefaultConfig is the reference scenario on a site: 20 shuttles for 24
// hours in a Tacheng January (-17 °C), demand above capacity and evenly
// split, 80 % of containers pre-cleared, 10 % of the rest inspected and 2 %
// refused.
func DefaultConfig(site *geo.Site) Config {
	c := Config{Site: site, AmbientC: -17, Eastbound: 0.5, PreCleared: 0.8, Inspected: 0.1, Refused: 0.02, InspectRefused: 0.1}
	return c.withDefaults()
}

func (c Config) withDefaults() Config {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	defD := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Shuttles == 0 {
		c.Shuttles = 20
	}
	def(&c.Hours, 24)
	def(&c.TopSpeedKmh, 25)
	def(&c.StartSoC, 0.7)
	def(&c.MovesPerHour, 100)
	defD(&c.Handling, 5*time.Minute)
	defD(&c.MTBF, 100*time.Hour)
	defD(&c.MTTR, 20*time.Minute)
	defD(&c.DecideAfter, 90*time.Second)
	defD(&c.InspectTime, 20*time.Minute)
	if c.Policy == "" {
		c.Policy = "lookahead"
	}
	if c.Charging == "" {
		c.Charging = "opportunity"
	}
	if c.Vehicle.BatteryKWh == 0 {
		c.Vehicle = charging.DefaultVehicle()
	}
	if c.StartTime.IsZero() {
		c.StartTime = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	}
	return c
}

// Validate names the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Site == nil:
		return fmt.Errorf("sim: no site")
	case c.Shuttles < 1 || c.Shuttles > 1000:
		return fmt.Errorf("sim: %d shuttles: want 1 to 1000", c.Shuttles)
	case !(c.Hours > 0) || c.Hours > 24*366:
		return fmt.Errorf("sim: %g hours: want more than 0 and at most a year", c.Hours)
	case c.Policy != "lookahead" && c.Policy != "greedy":
		return fmt.Errorf("sim: policy %q: want lookahead or greedy", c.Policy)
	case c.Charging != "opportunity" && c.Charging != "threshold":
		return fmt.Errorf("sim: charging %q: want opportunity or threshold", c.Charging)
	case !(c.TopSpeedKmh > 0):
		return fmt.Errorf("sim: top speed %g km/h: want more than 0", c.TopSpeedKmh)
	case !(c.MovesPerHour >= 0):
		return fmt.Errorf("sim: %g moves per hour: want 0 or more", c.MovesPerHour)
	case c.Eastbound < 0 || c.Eastbound > 1, c.PreCleared < 0 || c.PreCleared > 1,
		c.Inspected < 0 || c.Inspected > 1, c.Refused < 0 || c.Refused > 1, c.Inspected+c.Refused > 1,
		c.InspectRefused < 0 || c.InspectRefused > 1, math.IsNaN(c.Eastbound + c.PreCleared + c.Inspected + c.Refused + c.InspectRefused):
		return fmt.Errorf("sim: shares must be between 0 and 1, inspected and refused together at most 1 (eastbound %g, pre-cleared %g, inspected %g, refused %g, refused after inspection %g)",
			c.Eastbound, c.PreCleared, c.Inspected, c.Refused, c.InspectRefused)
	case !(c.StartSoC > 0 && c.StartSoC <= 1):
		return fmt.Errorf("sim: start state of charge %g: want more than 0 and at most 1", c.StartSoC)
	case len(c.Site.Centres) < 2:
		return fmt.Errorf("sim: the site has fewer than two centres")
	case len(demandCentres(c.Site)) < 2:
		return fmt.Errorf("sim: the site has fewer than two centres with bays")
	case c.Drain < 0 || c.Drain > 7*24*time.Hour:
		return fmt.Errorf("sim: drain %s: want 0 to a week", c.Drain)
	case !(c.OperatorEventsPerHour >= 0) || !(c.LaneClosuresPerHour >= 0):
		return fmt.Errorf("sim: %g operator events and %g lane closures per hour: want 0 or more", c.OperatorEventsPerHour, c.LaneClosuresPerHour)
	case c.DrainCancelsPending && c.Drain == 0:
		return fmt.Errorf("sim: cancelling the pending moves when demand stops wants a drain")
	case c.MaxShuttles != 0 && (c.MaxShuttles < c.Shuttles || c.MaxShuttles > 1000):
		return fmt.Errorf("sim: at most %d shuttles with %d to start with: want %d to 1000", c.MaxShuttles, c.Shuttles, c.Shuttles)
	}
	if err := c.Tuning.Validate(); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if err := c.checkOutages(); err != nil {
		return err
	}
	return c.Vehicle.Validate()
}

// BoundOf works out a configuration's bound without running it: the
// Bound and BoundLoadedTrips that Run would report for it.
func BoundOf(cfg Config) (Bound, float64, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Bound{}, 0, err
	}
	cfg = cfg.withOutages()
	g, err := routing.NewGraph(cfg.Site, routing.GraphConfig{})
	if err != nil {
		return Bound{}, 0, err
	}
	b := computeBound(cfg, g, routing.TrafficConfig{})
	return b, b.min(), nil
}

// StartSpots is the most shuttles a run on the site can start with: one
// on each parking spot of its first two centres (Run refuses more). A
// fleet grows beyond its start only onto a free parking spot (the random
// operators' add_shuttle).
func StartSpots(site *geo.Site) int {
	return len(startSpots(Config{Site: site}))
}
