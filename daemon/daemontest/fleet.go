package daemontest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Fleet is a fake of a running daemon (what api, metrics and webhook ask
// of one) over a real Controller and vehicles Master on a site, without
// a goroutine, MQTT or a journal: inputs are applied at once, under a
// lock, and the core's clock moves a second per event. Vehicles join by
// a state handed straight to the Master (Join), and drive the orders
// they get when the test says so (Drive, Deliver; one shuttle a node at a
// time, Step); minutes pass on the core's clock when it says so too (Wait).
type Fleet struct {
	t       testing.TB
	mu      sync.Mutex
	now     time.Time
	ctl     *fleet.Controller
	m       *vehicles.Master
	standby atomic.Bool
	drives  map[string][]fleet.Command // drive commands not driven yet
	events  []fleet.Event              // every event submitted
	g       *routing.Graph
	version uint64            // of the last publication
	last    *daemon.Published // the last publication
}

// Start is the core's clock when a Fleet starts.
var Start = time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)

// NewFleet is a Fleet on a site whose Master admits any vehicle, and
// the site's lane graph.
func NewFleet(t testing.TB, site *geo.Site) (*Fleet, *routing.Graph) {
	t.Helper()
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	ctl, err := fleet.NewController(fleet.Config{Graph: g})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	m, err := vehicles.New(vehicles.Config{Graph: g, Roster: roster, AutoAdmit: true})
	require.NoError(t, err)
	return &Fleet{t: t, now: Start, ctl: ctl, m: m, g: g, drives: map[string][]fleet.Command{}}, g
}

// Do runs fn with the core, as daemon.Daemon.Do.
func (f *Fleet) Do(_ context.Context, fn func(time.Time, *fleet.Controller, *vehicles.Master)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.now, f.ctl, f.m)
	return nil
}

// Read runs fn with a view of the core, as daemon.Daemon.Read.
func (f *Fleet) Read(_ context.Context, fn func(time.Time, daemon.View)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.now, daemon.NewView(f.ctl, f.m))
	return nil
}

// Submit hands the Controller an event and returns its verdict; a
// standby fleet refuses with daemon.ErrStandby.
func (f *Fleet) Submit(_ context.Context, ev fleet.Event) error {
	if f.standby.Load() {
		return daemon.ErrStandby
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return f.handle(ev)
}

// Admit puts a vehicle on the roster; a standby fleet refuses with
// daemon.ErrStandby.
func (f *Fleet) Admit(_ context.Context, e vehicles.Entry) error {
	if f.standby.Load() {
		return daemon.ErrStandby
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.m.Added(f.now, e)
	return err
}

// Active reports whether the fleet is active (not SetStandby).
func (f *Fleet) Active() bool { return !f.standby.Load() }

// SetStandby makes the fleet stand by (or active again), as an instance
// that does not hold the lease.
func (f *Fleet) SetStandby(standby bool) { f.standby.Store(standby) }

// Counters are all zero.
func (f *Fleet) Counters() daemon.Counters { return daemon.Counters{} }

// DecisionLatency is an empty histogram.
func (f *Fleet) DecisionLatency() daemon.Latency {
	return daemon.Latency{Buckets: daemon.LatencyBuckets, Counts: make([]uint64, len(daemon.LatencyBuckets))}
}

// Now is the core's clock.
func (f *Fleet) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Events are the events submitted so far, in order.
func (f *Fleet) Events() []fleet.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fleet.Event(nil), f.events...)
}

// handle gives the Controller one event and keeps its drive commands;
// the caller holds mu.
func (f *Fleet) handle(ev fleet.Event) error {
	f.now = f.now.Add(time.Second)
	rd, err := f.ctl.Handle(f.now, ev)
	for _, c := range rd.Commands {
		if c.Kind == fleet.CmdDrive {
			f.drives[c.Shuttle] = append(f.drives[c.Shuttle], c)
		}
	}
	return err
}

// Receive hands the Master a message from a vehicle and the Controller
// the events it becomes; both must take them.
func (f *Fleet) Receive(topic string, payload []byte) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, _, err := f.m.Incoming(f.now, topic, payload)
	require.NoError(f.t, err)
	for _, ev := range evs {
		require.NoError(f.t, f.handle(ev))
	}
}

// Join has vehicle acme/serial report its first state at a node.
func (f *Fleet) Join(serial, node string) {
	f.t.Helper()
	f.Receive("uagv/v2/acme/"+serial+"/state", State(f.t, serial, node))
}

// Send hands the Controller an event as an operator, an officer or a
// vehicle would; it must take it.
func (f *Fleet) Send(ev fleet.Event) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NoError(f.t, f.handle(ev))
}

// step drives every shuttle's next granted step and does its action at
// once; it reports whether any shuttle moved. The caller holds mu.
func (f *Fleet) step() bool {
	moved := false
	for id, cs := range f.drives {
		if len(cs) == 0 {
			continue
		}
		c := cs[0]
		f.drives[id] = cs[1:]
		moved = true
		require.NoError(f.t, f.handle(fleet.NodeReached{Shuttle: id, Step: c.To, SoC: 0.7}))
		if c.Action != "" && c.Action != fleet.ActionCharge {
			require.NoError(f.t, f.handle(fleet.ActionDone{Shuttle: id, Action: c.Action, SoC: 0.7}))
		}
	}
	return moved
}

// Step drives one shuttle to the next node it is granted, the others
// standing where they are (a vehicle ahead may stop short, without a
// fault, as one does for an obstacle), and does the action there if
// that node ends a drive command; it returns the node reached, "" if the
// shuttle is granted nothing further.
func (f *Fleet) Step(id string) string {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.ctl.Traffic().Position(id)
	if !ok || p.Granted <= p.AtStep {
		return ""
	}
	to := p.AtStep + 2
	require.NoError(f.t, f.handle(fleet.NodeReached{Shuttle: id, Step: to, SoC: 0.7}))
	for cs := f.drives[id]; len(cs) > 0 && cs[0].To <= to; cs = f.drives[id] {
		f.drives[id] = cs[1:]
		if c := cs[0]; c.To == to && c.Action != "" && c.Action != fleet.ActionCharge {
			require.NoError(f.t, f.handle(fleet.ActionDone{Shuttle: id, Action: c.Action, SoC: 0.7}))
		}
	}
	p, _ = f.ctl.Traffic().Position(id)
	return p.At
}

// Wait lets d pass on the core's clock, no vehicle driving, and hands the
// Controller a tick.
func (f *Fleet) Wait(d time.Duration) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	require.NoError(f.t, f.handle(fleet.Tick{}))
}

// Drive drives every granted step and does every action at once, over
// and over, until done says so; when nothing moves, 30 s pass.
func (f *Fleet) Drive(done func(daemon.View) bool) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for range 1000 {
		if done(daemon.NewView(f.ctl, f.m)) {
			return
		}
		if !f.step() {
			f.now = f.now.Add(30 * time.Second)
			require.NoError(f.t, f.handle(fleet.Tick{}))
		}
	}
	f.t.Fatal("daemontest: Drive: never done")
}

// Deliver drives as Drive does, and when nothing moves lets 30 s pass
// and decides on every container waiting at a gate (decide says what),
// until every move is delivered.
func (f *Fleet) Deliver(decide func(fleet.GateWait) fleet.Verdict) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for range 2000 {
		done := true
		for _, mv := range f.ctl.Moves() {
			done = done && mv.State == fleet.MoveDelivered
		}
		if done {
			return
		}
		if f.step() {
			continue
		}
		f.now = f.now.Add(30 * time.Second)
		require.NoError(f.t, f.handle(fleet.Tick{}))
		for _, w := range f.ctl.GateQueue() {
			if !w.Decided {
				require.NoError(f.t, f.handle(fleet.CustomsDecision{Checkpoint: w.Checkpoint, Country: w.Country, Move: w.Move,
					Decision: decide(w), Officer: "test"}))
			}
		}
	}
	f.t.Fatal("daemontest: Deliver: never done")
}

// Published is the core published afresh, as daemon.Daemon.Published
// (its version counts the calls), sharing with the last publication what
// did not change, as the daemon's do.
func (f *Fleet) Published() *daemon.Published {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	f.last = daemon.NewPublished(f.version, f.now, f.g, f.ctl, f.m).Share(f.last)
	return f.last
}
