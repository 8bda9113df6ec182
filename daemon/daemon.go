package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"sync/atomic"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Config is what a Daemon needs. Zero fields take the defaults noted.
type Config struct {
	// Graph is the site's lane graph. Required.
	Graph *routing.Graph
	// Fleet configures the Controller (its Graph is set from Graph).
	Fleet fleet.Config
	// Vehicles configures the VDA 5050 side (its Graph and Log are set).
	Vehicles vehicles.Config
	// Clock tells the time; default time.Now. fleetd demo passes a clock
	// that runs faster, in step with shuttle-sim's time scale.
	Clock func() time.Time
	// TickEvery is how often time alone is handed to the core; default
	// 200 ms.
	TickEvery time.Duration
	// Seed seeds the Controller's randomness; default 1.
	Seed int64
	// Inbox is how many received messages may wait for the core before
	// more are dropped (and counted); default 4096.
	Inbox int
	// Log is the daemon's logger; nil discards.
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.TickEvery == 0 {
		c.TickEvery = 200 * time.Millisecond
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Inbox == 0 {
		c.Inbox = 4096
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Bus is what the daemon needs of MQTT (an *mqttbus.Client).
type Bus interface {
	Subscribe(filter string, qos byte, h mqttbus.Handler) error
	Publish(topic string, qos byte, retained bool, payload []byte) error
}

// Counters are the daemon's message counts.
type Counters struct {
	MessagesIn       int64 // received from vehicles
	MessagesOut      int64 // published
	MessagesRejected int64 // received and not understood (or from unknown vehicles)
	MessagesDropped  int64 // received while the inbox was full
	PublishErrors    int64
	ControllerErrors int64 // events the Controller refused
}

// Daemon runs the fleet: one goroutine owns the Controller and the
// vehicles' Master; MQTT handlers only hand messages over.
type Daemon struct {
	cfg   Config
	ctl   *fleet.Controller
	m     *vehicles.Master
	log   *slog.Logger
	inbox chan inMsg
	reqs  chan func()
	bus   Bus

	in, out, rejected, dropped, pubErr, ctlErr atomic.Int64
}

type inMsg struct {
	topic   string
	payload []byte
}

// New builds a daemon's core.
func New(cfg Config) (*Daemon, error) {
	if cfg.Graph == nil {
		return nil, errors.New("daemon: config has no lane graph")
	}
	cfg = cfg.withDefaults()
	cfg.Fleet.Graph = cfg.Graph
	ctl, err := fleet.NewController(cfg.Fleet, rand.New(rand.NewSource(cfg.Seed)))
	if err != nil {
		return nil, err
	}
	cfg.Vehicles.Graph = cfg.Graph
	cfg.Vehicles.Log = cfg.Log.With("component", "vehicles")
	m, err := vehicles.New(cfg.Vehicles)
	if err != nil {
		return nil, err
	}
	return &Daemon{cfg: cfg, ctl: ctl, m: m, log: cfg.Log, inbox: make(chan inMsg, cfg.Inbox), reqs: make(chan func())}, nil
}

// Run subscribes to the vehicles' topics on bus and runs the fleet until
// ctx is cancelled.
func (d *Daemon) Run(ctx context.Context, bus Bus) error {
	d.bus = bus
	for _, s := range d.m.Subscriptions() {
		if err := bus.Subscribe(s.Filter, s.QoS, d.receive); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
	}
	t := time.NewTicker(d.cfg.TickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case msg := <-d.inbox:
			d.incoming(msg)
		case fn := <-d.reqs:
			fn()
		case <-t.C:
			d.tick()
		}
	}
}

// receive is the MQTT handler: it copies and hands over, never blocks.
func (d *Daemon) receive(topic string, payload []byte) {
	select {
	case d.inbox <- inMsg{topic: topic, payload: bytes.Clone(payload)}:
	default:
		d.dropped.Add(1)
	}
}

func (d *Daemon) incoming(msg inMsg) {
	d.in.Add(1)
	now := d.cfg.Clock()
	evs, outs, err := d.m.Incoming(now, msg.topic, msg.payload)
	if err != nil {
		d.rejected.Add(1)
		if !errors.Is(err, vehicles.ErrUnknownVehicle) {
			d.log.Warn("message rejected", "topic", msg.topic, "err", err)
		}
	}
	d.publish(outs)
	d.apply(now, evs)
}

func (d *Daemon) tick() {
	now := d.cfg.Clock()
	evs, outs := d.m.Tick(now)
	d.publish(outs)
	d.apply(now, evs)
	d.handle(now, fleet.Tick{})
}

// apply hands events to the Controller in order and sends what follows.
func (d *Daemon) apply(now time.Time, evs []fleet.Event) {
	for _, ev := range evs {
		err := d.handle(now, ev)
		if j, ok := ev.(fleet.ShuttleJoined); ok && err != nil {
			d.m.JoinFailed(j.Shuttle, err)
		}
	}
}

// handle gives one event to the Controller and publishes its commands.
func (d *Daemon) handle(now time.Time, ev fleet.Event) error {
	cmds, err := d.ctl.Handle(now, ev)
	if err != nil {
		d.ctlErr.Add(1)
		d.log.Warn("controller refused an event", "event", fmt.Sprintf("%T", ev), "err", err)
	}
	d.publish(d.m.Commands(now, cmds))
	return err
}

func (d *Daemon) publish(outs []vehicles.Outgoing) {
	for _, o := range outs {
		if err := d.bus.Publish(o.Topic, o.QoS, o.Retained, o.Payload); err != nil {
			d.pubErr.Add(1)
			d.log.Warn("publish failed", "topic", o.Topic, "err", err)
			continue
		}
		d.out.Add(1)
	}
}

// Do runs fn on the daemon's goroutine, with the core to itself, and
// returns when it has run (or ctx ends first). fn must not keep the
// pointers it is given.
func (d *Daemon) Do(ctx context.Context, fn func(now time.Time, ctl *fleet.Controller, m *vehicles.Master)) error {
	done := make(chan struct{})
	req := func() {
		defer close(done)
		fn(d.cfg.Clock(), d.ctl, d.m)
	}
	select {
	case d.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit hands an event (an operator's move, a customs decision) to the
// Controller and returns its verdict.
func (d *Daemon) Submit(ctx context.Context, ev fleet.Event) error {
	var err error
	if derr := d.Do(ctx, func(now time.Time, _ *fleet.Controller, _ *vehicles.Master) { err = d.handle(now, ev) }); derr != nil {
		return derr
	}
	return err
}

// Counters returns the message counts so far.
func (d *Daemon) Counters() Counters {
	return Counters{MessagesIn: d.in.Load(), MessagesOut: d.out.Load(), MessagesRejected: d.rejected.Load(),
		MessagesDropped: d.dropped.Load(), PublishErrors: d.pubErr.Load(), ControllerErrors: d.ctlErr.Load()}
}

// ScaledClock is a clock that starts now and runs scale times faster than
// real time: a demo's minutes pass in seconds, in step with simulated
// vehicles running at the same scale.
func ScaledClock(scale float64) func() time.Time {
	start := time.Now()
	if scale == 1 {
		return time.Now
	}
	return func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * scale)) }
}
