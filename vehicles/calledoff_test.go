package vehicles

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// logLines keeps what a logger gets, one line a record.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	s := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

func (l *logLines) with(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, x := range l.lines {
		if strings.Contains(x, s) {
			out = append(out, x)
		}
	}
	return out
}

const box = "CSQU3054383"

// pickRunning has s1 run a pick at the node it stands on: it returns the
// rig, the order and the pick's action id. Its states report the
// stateRequest fleetd sent when it came online: it reports instant
// actions.
func pickRunning(t *testing.T, log *logLines) (*rig, vda5050.Order, string) {
	r := newRig(t, Config{Log: slog.New(log)})
	_, out := r.connection(vda5050.ConnectionOnline)
	asked := instants(t, out)
	require.NotEmpty(t, asked)
	evs, _ := r.state()
	require.Len(t, evs, 1)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, Action: "pick", Container: box}))
	require.Len(t, os, 1)
	pick := os[0].Nodes[0].Actions[0].ActionID
	r.st.OrderID = os[0].OrderID
	r.st.ActionStates = []vda5050.ActionState{
		{ActionID: asked[0].ActionID, ActionType: asked[0].ActionType, ActionStatus: vda5050.StatusFinished},
		{ActionID: pick, ActionType: vda5050.ActionPick, ActionStatus: vda5050.StatusRunning}}
	evs, _ = r.state()
	require.Empty(t, evs)
	return r, os[0], pick
}

// The Controller calls off a pick under way (its shuttle faulted), and a
// fleetd behind its inbox reads the states of the vehicle late: one
// made before the cancel reached the vehicle, with the pick FINISHED and
// the container aboard. A pick cannot be stopped: the container is on
// the vehicle. fleetd does not take the state for the cancel's answer
// (no new order from where a state it read late put the vehicle), says
// which container is aboard against its word, and holds the vehicle
// until its loads match.
func TestPickCalledOffThatFinishesAnyway(t *testing.T) {
	log := &logLines{}
	r, _, pick := pickRunning(t, log)
	as := instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdCancel}))
	require.Len(t, as, 1)
	require.Equal(t, vda5050.ActionCancelOrder, as[0].ActionType)

	r.st.ActionStates[1].ActionStatus = vda5050.StatusFinished
	r.st.Loads = []vda5050.Load{{LoadID: box}}
	evs, out := r.state()
	assert.Empty(t, evs, "no ActionDone: the Controller gave the pick up")
	assert.Empty(t, orders(t, out), "the cancel is not over until the vehicle says so")
	assert.Len(t, log.with("called off"), 1, "the pick that happened after all is logged: %v", log.lines)
	assert.Contains(t, strings.Join(log.with("called off"), ""), box)

	var all []fleet.Event
	for range loadsGrace {
		evs, out := r.state()
		all = append(all, evs...)
		assert.Empty(t, orders(t, out))
	}
	require.Len(t, all, 1)
	assert.Contains(t, all[0].(fleet.FaultReported).Reason, `it reports loads "`+box+`", fleetd put none there`)

	// the vehicle answers the cancel: still held, no order
	r.st.ActionStates = append(r.st.ActionStates, vda5050.ActionState{ActionID: as[0].ActionID, ActionType: vda5050.ActionCancelOrder, ActionStatus: vda5050.StatusFinished})
	evs, out = r.state()
	assert.Empty(t, evs)
	assert.Empty(t, orders(t, out), "held until its loads match")
	_ = pick
}

// A resync (the vehicle rejected its order updates) calls off a pick under
// way; the vehicle finishes it. It happened: the Controller, which never
// called it off, hears it is done, the load record has the container, and
// the lane sent again does not ask for the pick a second time.
func TestPickUnderAResyncIsNotForgotten(t *testing.T) {
	log := &logLines{}
	r, o, pick := pickRunning(t, log)
	// an update the vehicle does not take, until fleetd gives up on
	// stitching and starts the lane again
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	out := r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]})
	require.Len(t, orders(t, out), 1)
	r.st.OrderID, r.st.OrderUpdateID = o.OrderID, 0
	r.st.Errors = []vda5050.Error{{ErrorType: "orderUpdateError", ErrorLevel: vda5050.LevelWarning, ErrorDescription: "not at the decision point"}}
	var cancel string
	for i := 0; i < maxRestitch+2 && cancel == ""; i++ {
		r.now = r.now.Add(r.m.cfg.ResendAfter)
		_, out := r.state()
		for _, a := range instants(t, out) {
			if a.ActionType == vda5050.ActionCancelOrder {
				cancel = a.ActionID
			}
		}
	}
	require.NotEmpty(t, cancel, "resynced")
	require.NotEmpty(t, log.with("re-sending its lane"))

	// the pick ran to its end; the cancel is over
	r.st.Errors = []vda5050.Error{}
	r.st.ActionStates[1].ActionStatus = vda5050.StatusFinished
	r.st.ActionStates = append(r.st.ActionStates, vda5050.ActionState{ActionID: cancel, ActionType: vda5050.ActionCancelOrder, ActionStatus: vda5050.StatusFinished})
	r.st.Loads = []vda5050.Load{{LoadID: box}}
	evs, out := r.state()
	assert.Contains(t, evs, fleet.Event(fleet.ActionDone{Shuttle: "s1", Action: fleet.ActionPick, SoC: 0.6}))
	os := orders(t, out)
	require.Len(t, os, 1, "the lane again")
	for _, n := range os[0].Nodes {
		for _, a := range n.Actions {
			assert.NotEqual(t, vda5050.ActionPick, a.ActionType, "the pick is done: not asked for again")
		}
	}
	r.st.OrderID, r.st.ActionStates = os[0].OrderID, []vda5050.ActionState{}
	for range loadsGrace + 1 {
		evs, _ := r.state()
		for _, ev := range evs {
			_, fault := ev.(fleet.FaultReported)
			assert.False(t, fault, "%v", ev)
		}
	}
	assert.Empty(t, log.with("loads fleetd did not put there"))
	_ = pick
}

// A vehicle that reports its instant actions ends a cancel by reporting
// it: a state that shows it standing with nothing to do, but not the
// cancel, may have been made before the cancel reached it (read late by
// a fleetd behind its inbox), and a new order from where that state put
// it would be rejected by a vehicle that has moved on.
func TestCancelIsOverWhenTheVehicleSaysSo(t *testing.T) {
	r := newRig(t, Config{})
	_, out := r.connection(vda5050.ConnectionOnline)
	asked := instants(t, out)
	require.NotEmpty(t, asked)
	r.st.ActionStates = []vda5050.ActionState{{ActionID: asked[0].ActionID, ActionType: asked[0].ActionType, ActionStatus: vda5050.StatusFinished}}
	evs, _ := r.state()
	require.Len(t, evs, 1)
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: len(steps), Steps: steps, Action: "pick", Container: box}))
	require.Len(t, os, 1)
	as := instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdCancel}))
	require.Len(t, as, 1)

	// read late: made before the order reached it
	_, out = r.state()
	assert.Empty(t, orders(t, out), "no new order on a state that does not answer the cancel")
	r.st.ActionStates = append(r.st.ActionStates, vda5050.ActionState{ActionID: as[0].ActionID, ActionType: vda5050.ActionCancelOrder, ActionStatus: vda5050.StatusFailed})
	r.st.Errors = []vda5050.Error{{ErrorType: "noOrderToCancel", ErrorLevel: vda5050.LevelWarning}}
	_, out = r.state()
	os = orders(t, out)
	require.Len(t, os, 1, "answered: the lane goes out again")
	assert.Equal(t, r.st.LastNodeID, os[0].Nodes[0].NodeID)
}
