package agv

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Defaults of Config's zero fields.
const (
	DefaultManufacturer    = "borderfleet"
	DefaultStartSoC        = 0.7
	DefaultTopSpeedKmh     = 25.0
	DefaultHandling        = 5 * time.Minute
	DefaultStatePeriod     = time.Second
	DefaultVisPeriod       = time.Second
	DefaultDeviation       = 0.5  // metres
	DefaultNewBaseDistance = 50.0 // metres
	DefaultMTTR            = 20 * time.Minute
	DefaultLinkOutage      = 30 * time.Second
	// Heartbeat is the longest time between two states, in real time.
	Heartbeat = 30 * time.Second
)

// Config describes one simulated shuttle. Zero fields take the defaults
// noted; durations are vehicle time unless said otherwise (see the package
// documentation on time).
type Config struct {
	// Manufacturer and SerialNumber name the vehicle in topics and headers.
	// Manufacturer defaults to DefaultManufacturer; SerialNumber is required.
	Manufacturer, SerialNumber string
	// Interface is the first topic level; default vda5050.DefaultInterface.
	Interface string

	// Site is the world the vehicle drives in: its map (MapID), lane graph
	// and charging stations. Required.
	Site *geo.Site
	// Graph is the lane graph whose node and edge ids orders use; nil builds
	// one from Site with routing's default GraphConfig, as fleetd does. The
	// vehicle only reads it, so vehicles may share one.
	Graph *routing.Graph
	// StartNode is the lane-graph node the vehicle stands on at start;
	// default the site's first parking spot.
	StartNode string
	// StartSoC is the state of charge at start, 0 < StartSoC <= 1; zero
	// means DefaultStartSoC.
	StartSoC float64
	// StartLoad is the id of a load aboard at start; empty: none. A
	// vehicle switched on laden (say, in the place of one a fleet had
	// laden when it went down) reports it until it drops it.
	StartLoad string

	// TopSpeedKmh is the vehicle's top speed; default 25 km/h.
	TopSpeedKmh float64
	// Handling is how long a pick or a drop takes; default 5 min.
	Handling time.Duration
	// Model is the energy model; the zero value means
	// charging.DefaultVehicle().
	Model charging.Vehicle
	// AmbientC is the outside temperature in °C; zero is taken as 0 °C.
	AmbientC float64

	// StatePeriod is how often, in real time, state goes out while the
	// vehicle drives; default 1 s; negative: only on events (as idle).
	// Idle, state goes out on events and at least every Heartbeat.
	StatePeriod time.Duration
	// IdleStatePeriod is how often, in real time, state goes out while the
	// vehicle does not drive; zero: only on events and at least every
	// Heartbeat. A load generator sets it so that a standing fleet reports
	// at a steady rate as well.
	IdleStatePeriod time.Duration
	// VisualizationPeriod is how often, in real time, visualization goes
	// out while the vehicle drives; default 1 s; negative turns it off.
	VisualizationPeriod time.Duration
	// TimeScale is vehicle time per real time; default 1.
	TimeScale float64
	// Deviation is how far in metres the vehicle may stand from a node whose
	// nodePosition gives no allowedDeviationXY and still count as on it;
	// default 0.5 m.
	Deviation float64
	// NewBaseDistance: the vehicle sets newBaseRequest when its order has a
	// horizon and less than this many metres of base are left; default 50 m.
	NewBaseDistance float64

	// MTBF is the mean time between random breakdowns; zero: none.
	MTBF time.Duration
	// BreakOnArrival makes a random breakdown (MTBF) come on the first
	// arrival at a node after its time has come, before the node's
	// actions start: so only while driving, as the in-process
	// simulation's model has it (the bound in package sim assumes it).
	// Off, it comes whenever its time has come.
	BreakOnArrival bool
	// PauseAtNode makes a startPause stop the vehicle at the end of the
	// edge it drives rather than where it is, as package sim's own model
	// has it; either way it holds an action under way until stopPause.
	PauseAtNode bool
	// MTTR is the mean repair time of a random breakdown; default 20 min.
	MTTR time.Duration
	// LinkLossMTBF is the mean time between random MQTT link losses;
	// zero: none.
	LinkLossMTBF time.Duration
	// LinkOutage is the mean outage of a random link loss; default 30 s.
	LinkOutage time.Duration
	// Seed seeds the vehicle's random faults.
	Seed int64
	// VendorKeys adds to every state keys that fleetd does not know, as
	// third-party vehicles do (the protocol allows it): a vendor extension
	// object, and "LastNodeID", a known key in another letter case, with
	// a value that would be wrong if it were read.
	VendorKeys bool
}

// Validate reports the first field that makes no sense, by name.
func (c Config) Validate() error {
	c = c.withDefaults()
	if err := vda5050.CheckID(c.Manufacturer); err != nil {
		return fmt.Errorf("agv: Manufacturer: %w", err)
	}
	if err := vda5050.CheckID(c.SerialNumber); err != nil {
		return fmt.Errorf("agv: SerialNumber: %w", err)
	}
	if c.Site == nil {
		return errors.New("agv: no Site")
	}
	if c.StartNode == "" {
		return errors.New("agv: no StartNode and the site has no parking spot")
	}
	if c.Graph != nil {
		if _, ok := c.Graph.Node(c.StartNode); !ok {
			return fmt.Errorf("agv: StartNode %q is not a node of the lane graph", c.StartNode)
		}
	} else if _, ok := c.Site.Network.NodeIndex(c.StartNode); !ok {
		return fmt.Errorf("agv: StartNode %q is not a node of the site", c.StartNode)
	}
	pos := []struct {
		name string
		x    float64
	}{{"StartSoC", c.StartSoC}, {"TopSpeedKmh", c.TopSpeedKmh}, {"TimeScale", c.TimeScale}, {"Deviation", c.Deviation}, {"NewBaseDistance", c.NewBaseDistance}}
	for _, f := range pos {
		if !(f.x > 0) || math.IsInf(f.x, 0) {
			return fmt.Errorf("agv: %s is %g: it must be positive", f.name, f.x)
		}
	}
	if c.StartSoC > 1 {
		return fmt.Errorf("agv: StartSoC is %g: at most 1", c.StartSoC)
	}
	if math.IsNaN(c.AmbientC) || math.IsInf(c.AmbientC, 0) {
		return fmt.Errorf("agv: AmbientC is %g", c.AmbientC)
	}
	durs := []struct {
		name string
		d    time.Duration
	}{{"Handling", c.Handling}, {"MTBF", c.MTBF}, {"MTTR", c.MTTR}, {"LinkLossMTBF", c.LinkLossMTBF}, {"LinkOutage", c.LinkOutage}}
	for _, f := range durs {
		if f.d < 0 {
			return fmt.Errorf("agv: %s is %v: it must not be negative", f.name, f.d)
		}
	}
	if err := c.Model.Validate(); err != nil {
		return fmt.Errorf("agv: Model: %w", err)
	}
	return nil
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
	if c.Manufacturer == "" {
		c.Manufacturer = DefaultManufacturer
	}
	if c.Interface == "" {
		c.Interface = vda5050.DefaultInterface
	}
	if c.StartNode == "" && c.Site != nil && len(c.Site.Parking) > 0 {
		c.StartNode = c.Site.Parking[0].ID
	}
	def(&c.StartSoC, DefaultStartSoC)
	def(&c.TopSpeedKmh, DefaultTopSpeedKmh)
	def(&c.TimeScale, 1)
	def(&c.Deviation, DefaultDeviation)
	def(&c.NewBaseDistance, DefaultNewBaseDistance)
	defD(&c.Handling, DefaultHandling)
	defD(&c.StatePeriod, DefaultStatePeriod)
	defD(&c.VisualizationPeriod, DefaultVisPeriod)
	defD(&c.MTTR, DefaultMTTR)
	defD(&c.LinkOutage, DefaultLinkOutage)
	if c.Model.BatteryKWh == 0 && c.Model.Name == "" {
		c.Model = charging.DefaultVehicle()
	}
	return c
}
