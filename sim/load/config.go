package load

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Defaults of Config's zero fields.
const (
	DefaultVehicles = 200
	DefaultDuration = 20 * time.Second
	DefaultWarmup   = 5 * time.Second
	DefaultPeriod   = time.Second
	DefaultHandling = 30 * time.Second
)

// Config is one load run. Zero fields take the defaults noted.
type Config struct {
	// Fleetd is the fleetd executable to start (fleetd bench passes its
	// own). Required.
	Fleetd string
	// Vehicles is how many simulated vehicles; default DefaultVehicles.
	Vehicles int
	// Idle: the vehicles only stand and report; no moves are asked for.
	Idle bool
	// Moves is how many moves to ask for in driving mode; default one
	// per vehicle.
	Moves int
	// Duration is how long the measurement runs, after Warmup; defaults
	// DefaultDuration and DefaultWarmup.
	Duration, Warmup time.Duration
	// Handling is how long a vehicle takes to pick or drop a container;
	// default DefaultHandling (shorter than a real one's 5 minutes, so that
	// a short run sees whole moves).
	Handling time.Duration
	// Period is each vehicle's state period, driving or standing;
	// default 1 s.
	Period time.Duration
	// Broker: "mosquitto" (default: a private one on a free loopback
	// port), "embedded" (fleetd's own broker, on a free loopback port) or
	// the tcp:// URL of a broker already running on loopback.
	Broker string
	// Store: "" or "none" (fleetd keeps nothing), "bolt" (a bbolt file in
	// Dir), "redis" (a private redis-server on a free loopback port), or
	// a redis:// or bolt: URL as fleetd run --store takes it.
	Store string
	// Site is a site GeoJSON file; empty: one generated from Seed, sized
	// for Vehicles (parking for every vehicle, as many bays as the
	// generator gives).
	Site string
	// Seed of the generated site.
	Seed int64
	// Dir keeps the run's files (site, tokens, logs, store, profile);
	// empty: a temporary directory, removed afterwards.
	Dir string
	// Profile, if not zero, takes a CPU profile of fleetd for this long
	// in the middle of the measurement (fleetd --pprof) and writes it to
	// Dir/fleetd.cpu.pprof, and a heap profile after it to
	// Dir/fleetd.heap.pprof.
	Profile time.Duration
	// JournalBatch is fleetd's journal_batch (group commit); 0: fleetd's
	// default.
	JournalBatch int
	// Log receives progress lines; nil: none.
	Log io.Writer
}

func (c Config) withDefaults() Config {
	if c.Vehicles == 0 {
		c.Vehicles = DefaultVehicles
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	}
	if c.Period == 0 {
		c.Period = DefaultPeriod
	}
	if c.Handling == 0 {
		c.Handling = DefaultHandling
	}
	if c.Broker == "" {
		c.Broker = "mosquitto"
	}
	if c.Store == "" {
		c.Store = "none"
	}
	if c.Moves == 0 && !c.Idle {
		c.Moves = c.Vehicles
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// MaxVehicles is the most vehicles a run takes (the generated site's
// parking: sitegen.MaxParkingOption per centre).
const MaxVehicles = 10000

// Validate names the first field that makes no sense.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Fleetd == "":
		return errors.New("load: no fleetd executable")
	case c.Vehicles < 1 || c.Vehicles > MaxVehicles:
		return fmt.Errorf("load: %d vehicles: want 1 to %d", c.Vehicles, MaxVehicles)
	case c.Duration < 0 || c.Warmup < 0:
		return fmt.Errorf("load: duration %v, warm-up %v: must not be negative", c.Duration, c.Warmup)
	case c.Handling < 0:
		return fmt.Errorf("load: handling %v: must not be negative", c.Handling)
	case c.Period < 0:
		return fmt.Errorf("load: state period %v: must not be negative", c.Period)
	case c.JournalBatch < 0:
		return fmt.Errorf("load: journal batch %d: must not be negative", c.JournalBatch)
	case c.Moves < 0:
		return fmt.Errorf("load: %d moves: must not be negative", c.Moves)
	case c.Idle && c.Moves > 0:
		return errors.New("load: idle vehicles and moves: choose one")
	case c.Profile < 0 || c.Profile > c.Duration:
		return fmt.Errorf("load: profile %v: want 0 to the duration (%v)", c.Profile, c.Duration)
	}
	switch {
	case c.Broker == "mosquitto", c.Broker == "embedded":
	case strings.HasPrefix(c.Broker, "tcp://127.0.0.1:"), strings.HasPrefix(c.Broker, "tcp://localhost:"):
	default:
		return fmt.Errorf("load: broker %q: want mosquitto, embedded, or tcp://127.0.0.1:PORT (traffic stays on loopback)", c.Broker)
	}
	switch {
	case c.Store == "none", c.Store == "bolt", c.Store == "redis":
	case strings.HasPrefix(c.Store, "bolt:"), strings.HasPrefix(c.Store, "redis://127.0.0.1:"), strings.HasPrefix(c.Store, "redis://localhost:"):
	default:
		return fmt.Errorf("load: store %q: want none, bolt, redis, bolt:PATH or redis://127.0.0.1:PORT/DB", c.Store)
	}
	return nil
}
