package api

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
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

// fakeFleet is a Fleet over a real Controller and vehicles Master on the
// default site, without a daemon, MQTT or journal: vehicles join by a
// state message handed straight to the Master, and drive moves at once
// when the test says so (drive). A fake for unit tests.
type fakeFleet struct {
	t       *testing.T
	mu      sync.Mutex
	now     time.Time
	ctl     *fleet.Controller
	m       *vehicles.Master
	standby atomic.Bool
	drives  map[string][]fleet.Command // drive commands not driven yet
	events  []fleet.Event              // every event submitted
}

func newFakeFleet(t *testing.T) (*fakeFleet, *geo.Site, *routing.Graph) {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	return newFakeFleetOn(t, site)
}

// newFakeFleetOn is newFakeFleet on another site.
func newFakeFleetOn(t *testing.T, site *geo.Site) (*fakeFleet, *geo.Site, *routing.Graph) {
	t.Helper()
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

func (f *fakeFleet) Submit(_ context.Context, ev fleet.Event) error {
	if f.standby.Load() {
		return daemon.ErrStandby
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return f.handle(ev)
}

func (f *fakeFleet) Active() bool { return !f.standby.Load() }

func (f *fakeFleet) Admit(_ context.Context, e vehicles.Entry) error {
	if f.standby.Load() {
		return daemon.ErrStandby
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.m.Added(f.now, e)
	return err
}

// handle gives the Controller one event and keeps its drive commands;
// the caller holds mu.
func (f *fakeFleet) handle(ev fleet.Event) error {
	f.now = f.now.Add(time.Second)
	cmds, err := f.ctl.Handle(f.now, ev)
	for _, c := range cmds {
		if c.Kind == fleet.CmdDrive {
			f.drives[c.Shuttle] = append(f.drives[c.Shuttle], c)
		}
	}
	return err
}

// join has a vehicle report its first state at a node.
func (f *fakeFleet) join(serial, node string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, _, err := f.m.Incoming(f.now, "uagv/v2/acme/"+serial+"/state", stateMsg(f.t, serial, node))
	require.NoError(f.t, err)
	for _, ev := range evs {
		require.NoError(f.t, f.handle(ev))
	}
}

// send hands the Controller an event as a vehicle would.
func (f *fakeFleet) send(ev fleet.Event) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NoError(f.t, f.handle(ev))
}

// drive drives every granted step and does every action at once, over
// and over, until done says so (or nothing moves).
func (f *fakeFleet) drive(done func(*fleet.Controller) bool) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for range 1000 {
		if done(f.ctl) {
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
			require.NoError(f.t, f.handle(fleet.NodeReached{Shuttle: id, Step: c.To, SoC: 0.7}))
			if c.Action != "" && c.Action != fleet.ActionCharge {
				require.NoError(f.t, f.handle(fleet.ActionDone{Shuttle: id, Action: c.Action, SoC: 0.7}))
			}
		}
		if !moved {
			f.now = f.now.Add(30 * time.Second)
			require.NoError(f.t, f.handle(fleet.Tick{}))
		}
	}
	f.t.Fatal("drive: never done")
}

// stateMsg is a VDA 5050 state of a vehicle standing at a node.
func stateMsg(t *testing.T, serial, node string) []byte {
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
