package metrics

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// quietBus is a daemon.Bus that keeps the message handler and drops what
// is published: the daemon's core runs without MQTT.
type quietBus struct {
	mu sync.Mutex
	h  daemon.Handler
}

func (b *quietBus) Subscribe(_ string, _ byte, h daemon.Handler) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.h = h
	return nil
}

func (b *quietBus) Publish(string, byte, bool, []byte) error { return nil }

func (b *quietBus) handler() daemon.Handler {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.h
}

// fakeFleet is a Fleet over a real Controller and vehicles Master on the
// default site, without a daemon, MQTT or journal, whose vehicles drive
// their orders at once when the test says so (drive). A fake for unit
// tests that need moves to reach the gates and be delivered.
type fakeFleet struct {
	t      *testing.T
	mu     sync.Mutex
	now    time.Time
	ctl    *fleet.Controller
	m      *vehicles.Master
	drives map[string][]fleet.Command // drive commands not driven yet
}

func newFakeFleet(t *testing.T) (*fakeFleet, *geo.Site, *routing.Graph) {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	ctl, err := fleet.NewController(fleet.Config{Graph: g})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	m, err := vehicles.New(vehicles.Config{Graph: g, Roster: roster, AutoAdmit: true})
	require.NoError(t, err)
	return &fakeFleet{t: t, now: time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC), ctl: ctl, m: m, drives: map[string][]fleet.Command{}}, site, g
}

func (f *fakeFleet) Do(_ context.Context, fn func(time.Time, *fleet.Controller, *vehicles.Master)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.now, f.ctl, f.m)
	return nil
}

func (f *fakeFleet) Read(_ context.Context, fn func(time.Time, daemon.View)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.now, daemon.NewView(f.ctl, f.m))
	return nil
}

func (f *fakeFleet) Counters() daemon.Counters { return daemon.Counters{} }

func (f *fakeFleet) DecisionLatency() daemon.Latency {
	return daemon.Latency{Buckets: daemon.LatencyBuckets, Counts: make([]uint64, len(daemon.LatencyBuckets))}
}

func (f *fakeFleet) Active() bool { return true }

// handle gives the Controller one event and keeps its drive commands;
// the caller holds mu.
func (f *fakeFleet) handle(ev fleet.Event) {
	f.t.Helper()
	f.now = f.now.Add(time.Second)
	cmds, err := f.ctl.Handle(f.now, ev)
	require.NoError(f.t, err)
	for _, c := range cmds {
		if c.Kind == fleet.CmdDrive {
			f.drives[c.Shuttle] = append(f.drives[c.Shuttle], c)
		}
	}
}

// join has a vehicle report its first state at a node.
func (f *fakeFleet) join(serial, node string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, _, err := f.m.Incoming(f.now, "uagv/v2/acme/"+serial+"/state", stateMsg(f.t, serial, node))
	require.NoError(f.t, err)
	for _, ev := range evs {
		f.handle(ev)
	}
}

// send hands the Controller an event as an operator, an officer or a
// vehicle would.
func (f *fakeFleet) send(ev fleet.Event) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handle(ev)
}

// deliver drives every granted step and does every action at once, and
// decides on every container waiting at a gate (decide says what), until
// every move is delivered.
func (f *fakeFleet) deliver(decide func(fleet.GateWait) fleet.Verdict) {
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
		moved := false
		for id, cs := range f.drives {
			if len(cs) == 0 {
				continue
			}
			c := cs[0]
			f.drives[id] = cs[1:]
			moved = true
			f.handle(fleet.NodeReached{Shuttle: id, Step: c.To, SoC: 0.7})
			if c.Action != "" && c.Action != fleet.ActionCharge {
				f.handle(fleet.ActionDone{Shuttle: id, Action: c.Action, SoC: 0.7})
			}
		}
		if moved {
			continue
		}
		f.now = f.now.Add(30 * time.Second)
		f.handle(fleet.Tick{})
		for _, w := range f.ctl.GateQueue() {
			if !w.Decided {
				f.handle(fleet.CustomsDecision{Checkpoint: w.Checkpoint, Country: w.Country, Move: w.Move,
					Decision: decide(w), Officer: "test"})
			}
		}
	}
	f.t.Fatal("deliver: never done")
}

// stateMsg is a VDA 5050 state of a vehicle standing at a node.
func stateMsg(t *testing.T, serial, node string) []byte {
	t.Helper()
	var st vda5050.State
	var h vda5050.Headers
	h.Stamp(&st.Header, "acme", serial, vda5050.TopicState, time.Now())
	st.LastNodeID, st.OperatingMode = node, vda5050.ModeAutomatic
	st.NodeStates, st.EdgeStates, st.ActionStates, st.Errors = []vda5050.NodeState{}, []vda5050.EdgeState{}, []vda5050.ActionState{}, []vda5050.Error{}
	st.BatteryState = vda5050.BatteryState{BatteryCharge: 70}
	st.SafetyState = vda5050.SafetyState{EStop: vda5050.EStopNone}
	b, err := json.Marshal(st)
	require.NoError(t, err)
	return b
}
