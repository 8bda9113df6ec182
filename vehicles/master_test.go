package vehicles

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func graph(t *testing.T) *routing.Graph {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	return g
}

// rig is a Master with one roster vehicle, "acme"/"s1", and a hand-made
// vehicle state to send it.
type rig struct {
	t   *testing.T
	g   *routing.Graph
	m   *Master
	now time.Time
	st  vda5050.State
	hdr vda5050.Headers
}

func newRig(t *testing.T, cfg Config) *rig {
	g := graph(t)
	if cfg.Roster == nil {
		r, err := NewRoster(Entry{Manufacturer: "acme", SerialNumber: "s1"})
		require.NoError(t, err)
		cfg.Roster = r
	}
	cfg.Graph = g
	m, err := New(cfg)
	require.NoError(t, err)
	start := g.Site().Parking[0].ID
	n, _ := g.Node(start)
	return &rig{t: t, g: g, m: m, now: t0, st: vda5050.State{
		LastNodeID: start, OperatingMode: vda5050.ModeAutomatic,
		NodeStates: []vda5050.NodeState{}, EdgeStates: []vda5050.EdgeState{}, ActionStates: []vda5050.ActionState{},
		Errors: []vda5050.Error{}, BatteryState: vda5050.BatteryState{BatteryCharge: 60},
		SafetyState: vda5050.SafetyState{EStop: vda5050.EStopNone},
		AgvPosition: &vda5050.AgvPosition{X: g.Nodes[n].XY[0], Y: g.Nodes[n].XY[1], MapID: g.MapID, PositionInitialized: true},
	}}
}

func (r *rig) send(topic vda5050.Topic, msg any, hdr *vda5050.Header) ([]fleet.Event, []Outgoing) {
	r.t.Helper()
	r.now = r.now.Add(time.Second)
	r.hdr.Stamp(hdr, "acme", "s1", topic, r.now)
	b, err := json.Marshal(msg)
	require.NoError(r.t, err)
	evs, out, err := r.m.Incoming(r.now, vda5050.TopicName("", "acme", "s1", topic), b)
	require.NoError(r.t, err)
	return evs, out
}

// state sends the rig's state; like an honest vehicle it reports its
// position at the node it names as the last one passed.
func (r *rig) state() ([]fleet.Event, []Outgoing) {
	st := r.st
	if n, ok := r.g.Node(st.LastNodeID); ok && st.AgvPosition != nil {
		p := *st.AgvPosition
		p.X, p.Y = r.g.Nodes[n].XY[0], r.g.Nodes[n].XY[1]
		st.AgvPosition = &p
	}
	return r.send(vda5050.TopicState, &st, &st.Header)
}

func (r *rig) connection(state string) ([]fleet.Event, []Outgoing) {
	c := vda5050.Connection{ConnectionState: state}
	return r.send(vda5050.TopicConnection, &c, &c.Header)
}

func (r *rig) commands(cmds ...fleet.Command) []Outgoing {
	r.now = r.now.Add(time.Second)
	return r.m.Commands(r.now, cmds)
}

// orders decodes the orders among outgoing messages; each must validate.
func orders(t *testing.T, out []Outgoing) []vda5050.Order {
	t.Helper()
	var os []vda5050.Order
	for _, o := range out {
		if o.Kind != vda5050.TopicOrder {
			continue
		}
		ord, err := vda5050.DecodeOrder(o.Payload)
		require.NoError(t, err)
		os = append(os, ord)
	}
	return os
}

func instants(t *testing.T, out []Outgoing) []vda5050.Action {
	t.Helper()
	var as []vda5050.Action
	for _, o := range out {
		if o.Kind != vda5050.TopicInstantActions {
			continue
		}
		ia, err := vda5050.DecodeInstantActions(o.Payload)
		require.NoError(t, err)
		as = append(as, ia.Actions...)
	}
	return as
}

// route is the first few steps of a real route from the rig's start.
func (r *rig) route(to string) []string {
	rt, err := r.g.Route(r.st.LastNodeID, to, routing.Limits{})
	require.NoError(r.t, err)
	var steps []string
	for i, e := range rt.Edges {
		steps = append(steps, e, rt.Nodes[i+1])
	}
	return steps
}

func (r *rig) joined() {
	r.t.Helper()
	_, _ = r.connection(vda5050.ConnectionOnline)
	evs, _ := r.state()
	require.Equal(r.t, []fleet.Event{fleet.ShuttleJoined{Shuttle: "s1", Node: r.st.LastNodeID, SoC: 0.6}}, evs)
}

func TestJoinPlacesByLastNodeOrPosition(t *testing.T) {
	r := newRig(t, Config{})
	evs, out := r.connection(vda5050.ConnectionOnline)
	assert.Empty(t, evs)
	kinds := []string{}
	for _, a := range instants(t, out) {
		kinds = append(kinds, a.ActionType)
	}
	assert.Equal(t, []string{vda5050.ActionStateRequest, vda5050.ActionFactsheetRequest}, kinds, "on ONLINE it asks for state and factsheet")

	// no last node, but a position 1 m off a node: placed there
	want := r.st.LastNodeID
	r.st.LastNodeID = ""
	r.st.AgvPosition.X += 1
	evs, _ = r.state()
	require.Len(t, evs, 1)
	assert.Equal(t, want, evs[0].(fleet.ShuttleJoined).Node)

	// a second vehicle 50 m from any node is not placed
	r2 := newRig(t, Config{})
	r2.st.LastNodeID = ""
	r2.st.AgvPosition.Y += 50
	evs, _ = r2.state()
	assert.Empty(t, evs)
	assert.False(t, r2.m.Vehicles()[0].Joined)
}

// A factsheetRequest that no factsheet answers is asked again every
// FactsheetEvery (scaled with the core's clock by a daemon that runs it
// faster than real time), maxInstantTries times in all, then given up with
// one warning until the vehicle reconnects.
func TestFactsheetAskedAgainEveryFactsheetEvery(t *testing.T) {
	r := newRig(t, Config{FactsheetEvery: 10 * time.Minute})
	r.joined()
	asks := func(after time.Duration) int {
		_, out := r.m.Tick(r.now.Add(after))
		n := 0
		for _, a := range instants(t, out) {
			if a.ActionType == vda5050.ActionFactsheetRequest {
				n++
			}
		}
		return n
	}
	assert.Zero(t, asks(31*time.Second), "not after the default 30 s")
	assert.Equal(t, 1, asks(10*time.Minute+time.Second), "after FactsheetEvery")
	assert.Equal(t, 1, asks(20*time.Minute+2*time.Second))
	assert.Equal(t, 1, asks(30*time.Minute+3*time.Second), "the fourth and last")
	assert.Zero(t, asks(time.Hour), "given up")
}

func TestUnknownVehicleIsLeftAloneUnlessAutoAdmit(t *testing.T) {
	r := newRig(t, Config{})
	st := r.st
	r.hdr.Stamp(&st.Header, "other", "x9", vda5050.TopicState, r.now)
	b, _ := json.Marshal(st)
	_, _, err := r.m.Incoming(r.now, vda5050.TopicName("", "other", "x9", vda5050.TopicState), b)
	require.ErrorIs(t, err, ErrUnknownVehicle)
	assert.Contains(t, r.m.Unknown(), "other/x9")

	empty, _ := NewRoster()
	r = newRig(t, Config{AutoAdmit: true, Roster: empty})
	evs, _ := r.state()
	require.Len(t, evs, 1)
	assert.Equal(t, "s1", evs[0].(fleet.ShuttleJoined).Shuttle)
}

func TestBadMessagesAreErrorsThatChangeNothing(t *testing.T) {
	r := newRig(t, Config{})
	for _, tc := range []struct{ topic, payload, want string }{
		{"uagv/v2/acme/s1/state", `{"headerId": 1}`, "required field missing"},
		{"uagv/v2/acme/s1/state", `not json`, "state"},
		{"uagv/v2/acme/s1/order", `{}`, "not one a vehicle publishes"},
		{"other/v2/acme/s1/state", `{}`, "interface"},
		{"uagv/v2/acme", `{}`, "topic"},
	} {
		_, _, err := r.m.Incoming(r.now, tc.topic, []byte(tc.payload))
		require.Error(t, err, tc.topic)
		assert.Contains(t, err.Error(), tc.want)
	}
	assert.False(t, r.m.Vehicles()[0].Joined)
}

func TestOrdersAndUpdatesFollowTheGrants(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	bay := r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID
	steps := r.route(bay)
	require.GreaterOrEqual(t, len(steps), 6)

	// the first grant: a new order from where it stands
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 4, Steps: steps[:4]}))
	require.Len(t, os, 1)
	o := os[0]
	assert.Equal(t, uint32(0), o.OrderUpdateID)
	require.Len(t, o.Nodes, 3)
	assert.Equal(t, r.st.LastNodeID, o.Nodes[0].NodeID)
	assert.Equal(t, []uint32{0, 2, 4}, []uint32{o.Nodes[0].SequenceID, o.Nodes[1].SequenceID, o.Nodes[2].SequenceID})
	assert.Equal(t, steps[0], o.Edges[0].EdgeID)
	assert.Equal(t, r.g.MapID, o.Nodes[1].NodePosition.MapID)
	require.NotNil(t, o.Edges[0].MaxSpeed)

	// the vehicle takes it and passes both nodes in one state: two
	// NodeReached
	r.st.OrderID, r.st.OrderUpdateID, r.st.LastNodeID, r.st.LastNodeSequenceID = o.OrderID, 0, steps[3], 4
	evs, _ := r.state()
	assert.Equal(t, []fleet.Event{fleet.NodeReached{Shuttle: "s1", Step: 2, SoC: 0.6}, fleet.NodeReached{Shuttle: "s1", Step: 4, SoC: 0.6}}, evs)

	// more lane, with the pick at its end: an update stitched at step 4
	rest := steps[4:]
	to := 4 + len(rest)
	os = orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 4, To: to, Steps: rest, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os, 1)
	u := os[0]
	assert.Equal(t, o.OrderID, u.OrderID)
	assert.Equal(t, uint32(1), u.OrderUpdateID)
	assert.Equal(t, o.Nodes[2], u.Nodes[0], "the stitching node is sent as it was")
	last := u.Nodes[len(u.Nodes)-1]
	assert.Equal(t, bay, last.NodeID)
	require.Len(t, last.Actions, 1)
	pick := last.Actions[0]
	assert.Equal(t, vda5050.ActionPick, pick.ActionType)
	assert.Equal(t, vda5050.BlockingHard, pick.BlockingType)
	assert.Contains(t, pick.ActionParameters, vda5050.ActionParameter{Key: "loadId", Value: "CSQU3054383"})

	// the pick finishes at the bay
	r.st.OrderUpdateID, r.st.LastNodeID, r.st.LastNodeSequenceID = 1, bay, uint32(to)
	r.st.ActionStates = []vda5050.ActionState{{ActionID: pick.ActionID, ActionType: "pick", ActionStatus: vda5050.StatusFinished}}
	evs, _ = r.state()
	require.NotEmpty(t, evs)
	assert.Equal(t, fleet.ActionDone{Shuttle: "s1", Action: "pick", SoC: 0.6}, evs[len(evs)-1])
	assert.Equal(t, fleet.NodeReached{Shuttle: "s1", Step: to, SoC: 0.6}, evs[len(evs)-2])

	// the same state again reports nothing new
	evs, _ = r.state()
	assert.Empty(t, evs)
}

func TestUnconfirmedOrderIsSentAgain(t *testing.T) {
	r := newRig(t, Config{ResendAfter: 5 * time.Second})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	require.Len(t, os, 1)
	_, out := r.m.Tick(r.now.Add(2 * time.Second))
	assert.Empty(t, orders(t, out), "not yet")
	_, out = r.m.Tick(r.now.Add(6 * time.Second))
	again := orders(t, out)
	require.Len(t, again, 1)
	assert.Equal(t, os[0].OrderID, again[0].OrderID)
	assert.Equal(t, os[0].Nodes, again[0].Nodes)
}

func TestActionAtTheNodeItStandsOnIsANewOrderOnceSettled(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	// standing where the charger would be is not needed: any node does
	out := r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 0, Action: "drop", Container: "CSQU3054383"})
	os := orders(t, out)
	require.Len(t, os, 1)
	require.Len(t, os[0].Nodes, 1)
	assert.Equal(t, vda5050.ActionDrop, os[0].Nodes[0].Actions[0].ActionType)
	assert.Empty(t, os[0].Edges)
}

func TestLinkLossTakesTheVehicleOutUntilItReportsAgain(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	evs, _ := r.connection(vda5050.ConnectionBroken)
	require.Len(t, evs, 1)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "CONNECTIONBROKEN")
	assert.True(t, evs[0].(fleet.FaultReported).Unreachable, "a cancel would not reach it")
	evs, _ = r.connection(vda5050.ConnectionOnline)
	assert.Empty(t, evs, "online again, but no state yet")
	evs, _ = r.state()
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
}

func TestStaleFatalManualEStopFaults(t *testing.T) {
	for name, spoil := range map[string]func(*vda5050.State){
		"fatal": func(s *vda5050.State) {
			s.Errors = []vda5050.Error{{ErrorType: "batteryEmpty", ErrorLevel: vda5050.LevelFatal}}
		},
		"manual": func(s *vda5050.State) { s.OperatingMode = vda5050.ModeManual },
		"estop":  func(s *vda5050.State) { s.SafetyState.EStop = vda5050.EStopManual },
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, Config{})
			r.joined()
			good := r.st
			spoil(&r.st)
			evs, _ := r.state()
			require.Len(t, evs, 1)
			require.IsType(t, fleet.FaultReported{}, evs[0])
			assert.False(t, evs[0].(fleet.FaultReported).Unreachable, "it hears fleetd")
			evs, _ = r.state()
			assert.Empty(t, evs, "reported once")
			r.st = good
			evs, _ = r.state()
			assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
		})
	}
	r := newRig(t, Config{})
	r.joined()
	evs := r.m.Silent(r.now, "acme", "s1", 31*time.Second)
	require.Len(t, evs, 1)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "no state for 31s")
	assert.True(t, evs[0].(fleet.FaultReported).Unreachable, "silent: what it was sent it may still do")
	evs, _ = r.state()
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs, "back with its next state")
	as := instants(t, r.m.Resumed(r.now))
	require.Len(t, as, 1)
	assert.Equal(t, vda5050.ActionStateRequest, as[0].ActionType)
}

func TestCancelStopsTheVehicleAndResendsTheLaneWithoutTheAction(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	to := len(steps)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: to, Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os, 1)
	o := os[0]
	pickID := o.Nodes[len(o.Nodes)-1].Actions[0].ActionID
	r.st.OrderID, r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = o.OrderID, steps[1], 2, true
	r.st.ActionStates = []vda5050.ActionState{{ActionID: pickID, ActionType: "pick", ActionStatus: vda5050.StatusWaiting}}
	_, _ = r.state()

	out := r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdCancel})
	as := instants(t, out)
	require.Len(t, as, 1)
	assert.Equal(t, vda5050.ActionCancelOrder, as[0].ActionType)

	// it stops at the next node; the pick failed, the cancel finished
	r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = steps[3], 4, false
	r.st.ActionStates = []vda5050.ActionState{
		{ActionID: pickID, ActionType: "pick", ActionStatus: vda5050.StatusFailed},
		{ActionID: as[0].ActionID, ActionType: vda5050.ActionCancelOrder, ActionStatus: vda5050.StatusFinished}}
	evs, out := r.state()
	assert.Equal(t, []fleet.Event{fleet.NodeReached{Shuttle: "s1", Step: 4, SoC: 0.6}}, evs, "a cancelled action's failure is no fault")
	os = orders(t, out)
	require.Len(t, os, 1, "the rest of the lane as a new order")
	n := os[0]
	assert.NotEqual(t, o.OrderID, n.OrderID)
	assert.Equal(t, steps[3], n.Nodes[0].NodeID)
	assert.Equal(t, uint32(0), n.Nodes[0].SequenceID)
	for _, node := range n.Nodes {
		assert.Empty(t, node.Actions)
	}
	assert.Equal(t, steps[len(steps)-1], n.Nodes[len(n.Nodes)-1].NodeID)
}

func TestRejectedOrderIsResynced(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	_ = orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	r.st.Errors = []vda5050.Error{{ErrorType: "orderError", ErrorLevel: vda5050.LevelWarning, ErrorDescription: "first node too far"}}
	evs, out := r.state()
	require.Len(t, evs, 1)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "rejected")
	as := instants(t, out)
	require.Len(t, as, 1)
	assert.Equal(t, vda5050.ActionCancelOrder, as[0].ActionType)
	// nothing to cancel: FAILED; it stands still, so the lane goes out again
	r.st.Errors = []vda5050.Error{}
	r.st.ActionStates = []vda5050.ActionState{{ActionID: as[0].ActionID, ActionType: vda5050.ActionCancelOrder, ActionStatus: vda5050.StatusFailed}}
	_, out = r.state()
	os := orders(t, out)
	require.Len(t, os, 1)
	r.st.OrderID = os[0].OrderID
	evs, _ = r.state()
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
}

func TestChargingEndsAtTheTarget(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 0, Action: fleet.ActionCharge, TargetSoC: 0.8}))
	require.Len(t, os, 1)
	start := os[0].Nodes[0].Actions[0]
	assert.Equal(t, vda5050.ActionStartCharging, start.ActionType)
	r.st.OrderID = os[0].OrderID
	r.st.ActionStates = []vda5050.ActionState{{ActionID: start.ActionID, ActionType: start.ActionType, ActionStatus: vda5050.StatusFinished}}
	r.st.BatteryState = vda5050.BatteryState{BatteryCharge: 70, Charging: true}
	evs, out := r.state()
	assert.Empty(t, evs)
	assert.Empty(t, instants(t, out))
	r.st.BatteryState.BatteryCharge = 80
	_, out = r.state()
	as := instants(t, out)
	require.Len(t, as, 1)
	assert.Equal(t, vda5050.ActionStopCharging, as[0].ActionType)
	r.st.BatteryState.Charging = false
	evs, _ = r.state()
	assert.Equal(t, []fleet.Event{fleet.ActionDone{Shuttle: "s1", Action: "charge", SoC: 0.8}}, evs)
}

func TestConfigAndRosterErrors(t *testing.T) {
	_, err := New(Config{})
	assert.ErrorContains(t, err, "lane graph")
	_, err = NewRoster(Entry{Manufacturer: "a", SerialNumber: "x"}, Entry{Manufacturer: "b", SerialNumber: "x"})
	assert.ErrorIs(t, err, ErrDuplicate)
	_, err = NewRoster(Entry{Manufacturer: "a/b", SerialNumber: "x"})
	assert.ErrorContains(t, err, "manufacturer")
}

func TestPauseAndResumeAreInstantActions(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	as := instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause}, fleet.Command{Shuttle: "s1", Kind: fleet.CmdResume}))
	require.Len(t, as, 2)
	assert.Equal(t, vda5050.ActionStartPause, as[0].ActionType)
	assert.Equal(t, vda5050.ActionStopPause, as[1].ActionType)
	assert.NotEqual(t, as[0].ActionID, as[1].ActionID)
}

// FuzzIncoming: no message on any topic crashes the Master, and one that
// is refused changes nothing a later good state would see.
func FuzzIncoming(f *testing.F) {
	f.Add("uagv/v2/acme/s1/state", []byte(`{"headerId":1,"timestamp":"2026-11-22T08:00:00.000Z","version":"2.0.0","manufacturer":"acme","serialNumber":"s1"}`))
	f.Add("uagv/v2/acme/s1/connection", []byte(`{"headerId":1,"timestamp":"2026-11-22T08:00:00.000Z","version":"2.0.0","manufacturer":"acme","serialNumber":"s1","connectionState":"ONLINE"}`))
	f.Add("uagv/v2/acme/s1/factsheet", []byte(`{}`))
	f.Add("uagv/v2/acme/s1/visualization", []byte(`{"agvPosition":{"x":1,"y":2,"theta":0,"mapId":"m","positionInitialized":true}}`))
	f.Add("uagv/v2/other/s9/state", []byte(`[]`))
	g := func() *routing.Graph {
		site, _ := geo.Default()
		g, _ := routing.NewGraph(site, routing.GraphConfig{})
		return g
	}()
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		roster, _ := NewRoster(Entry{Manufacturer: "acme", SerialNumber: "s1"})
		m, err := New(Config{Graph: g, Roster: roster})
		require.NoError(t, err)
		_, _, err = m.Incoming(t0, topic, payload)
		if err != nil {
			assert.False(t, m.Vehicles()[0].Joined, "a refused message joins nobody")
		}
		_, _ = m.Tick(t0.Add(time.Minute))
	})
}

// A charging session that ends before startCharging reports FINISHED (it
// may, by the spec) is over: the late FINISHED changes nothing.
func TestChargingEndsBeforeItsActionFinishes(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 0, Action: fleet.ActionCharge, TargetSoC: 0.8}))
	start := os[0].Nodes[0].Actions[0]
	r.st.OrderID = os[0].OrderID
	r.st.ActionStates = []vda5050.ActionState{{ActionID: start.ActionID, ActionType: start.ActionType, ActionStatus: vda5050.StatusRunning}}
	r.st.BatteryState = vda5050.BatteryState{BatteryCharge: 70, Charging: true}
	_, _ = r.state()
	r.st.BatteryState.Charging = false
	evs, _ := r.state()
	assert.Equal(t, []fleet.Event{fleet.ActionDone{Shuttle: "s1", Action: "charge", SoC: 0.7}}, evs)
	r.st.ActionStates[0].ActionStatus = vda5050.StatusFinished
	evs, _ = r.state()
	assert.Empty(t, evs)
}

// Order ids carry the time of the Master's first order: a fleetd started
// again does not reuse the ids a vehicle may still hold.
func TestOrderIdsDoNotRepeatAcrossRuns(t *testing.T) {
	ids := map[string]bool{}
	for i := 0; i < 2; i++ {
		r := newRig(t, Config{})
		r.now = r.now.Add(time.Duration(i) * time.Hour)
		r.joined()
		steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
		os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
		require.Len(t, os, 1)
		ids[os[0].OrderID] = true
	}
	assert.Len(t, ids, 2)
}

// A vehicle that took its order and then reports none (it restarted, or
// went through manual mode) is given its lane again, action included.
func TestLostOrderIsSentAgain(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	to := len(steps)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: to, Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	r.st.OrderID = os[0].OrderID
	_, _ = r.state() // confirmed
	r.st.OrderID, r.st.OrderUpdateID = "", 0
	_, out := r.state()
	again := orders(t, out)
	require.Len(t, again, 1)
	assert.NotEqual(t, os[0].OrderID, again[0].OrderID)
	last := again[0].Nodes[len(again[0].Nodes)-1]
	require.Len(t, last.Actions, 1)
	assert.Equal(t, vda5050.ActionPick, last.Actions[0].ActionType)
}

// After a cancel, the order it called off is not sent again, and a
// rejection that names another order is not ours.
func TestNoResendOfACancelledOrderAndRejectionsOfOthers(t *testing.T) {
	r := newRig(t, Config{ResendAfter: 5 * time.Second})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: len(steps), Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os, 1)
	_ = r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdCancel})
	_, out := r.m.Tick(r.now.Add(6 * time.Second))
	assert.Empty(t, orders(t, out), "the called-off order is not resent")
	assert.NotEmpty(t, instants(t, out), "the cancel is")

	r2 := newRig(t, Config{})
	r2.joined()
	_ = orders(t, r2.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	r2.st.Errors = []vda5050.Error{{ErrorType: "orderError", ErrorLevel: vda5050.LevelWarning,
		ErrorReferences: []vda5050.ErrorReference{{ReferenceKey: "orderId", ReferenceValue: "someone-else-1"}}}}
	evs, _ := r2.state()
	assert.Empty(t, evs, "not our order")
}

// A failed pick is a fault and then an ActionFailed; an operator clears
// the fault; a broken link is not the operator's to clear.
func TestClearFault(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: len(steps), Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	pick := os[0].Nodes[len(os[0].Nodes)-1].Actions[0]
	r.st.OrderID = os[0].OrderID
	r.st.ActionStates = []vda5050.ActionState{{ActionID: pick.ActionID, ActionType: "pick", ActionStatus: vda5050.StatusFailed, ResultDescription: "no container"}}
	evs, _ := r.state()
	require.Len(t, evs, 2)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "pick failed: no container")
	assert.Equal(t, fleet.ActionFailed{Shuttle: "s1", Action: fleet.ActionPick, Reason: "no container"}, evs[1],
		"after the fault: the pick did not happen, and its move goes back to dispatch")
	evs, _ = r.state()
	assert.Empty(t, evs, "told once")
	evs, err := r.m.ClearFault(r.now, "s1")
	require.NoError(t, err)
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)

	_, _ = r.connection(vda5050.ConnectionBroken)
	_, err = r.m.ClearFault(r.now, "s1")
	assert.ErrorContains(t, err, "CONNECTIONBROKEN")
	_, err = r.m.ClearFault(r.now, "nobody")
	assert.Error(t, err)
}

// With UpdateWithin, grants made while the vehicle is far from the end of
// the base it was sent wait, and go out as one update with the state that
// reports it near.
func TestUpdatesWaitUntilTheVehicleIsNearItsDecisionPoint(t *testing.T) {
	r := newRig(t, Config{UpdateWithin: 1})
	r.joined()
	bay := r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID
	steps := r.route(bay)
	require.GreaterOrEqual(t, len(steps), 12)

	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 8, Steps: steps[:8]}))
	require.Len(t, os, 1, "a new order goes at once")
	o := os[0]
	require.Len(t, o.Nodes, 5)

	r.st.OrderID, r.st.OrderUpdateID, r.st.LastNodeSequenceID = o.OrderID, 0, 0
	_, _ = r.state()

	// two more grants while it has four nodes of base ahead: held
	assert.Empty(t, orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 8, To: 10, Steps: steps[8:10]})))
	assert.Empty(t, orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 10, To: 12, Steps: steps[10:12]})))
	r.now = r.now.Add(time.Minute)
	_, out := r.m.Tick(r.now)
	assert.Empty(t, orders(t, out), "a held update waits for a state, not a tick")

	// at step 4 two nodes are left: still held
	r.st.LastNodeID, r.st.LastNodeSequenceID = steps[3], 4
	_, out = r.state()
	assert.Empty(t, orders(t, out))

	// at step 6 one is left: both grants go as one update from step 8
	r.st.LastNodeID, r.st.LastNodeSequenceID = steps[5], 6
	evs, out := r.state()
	assert.Equal(t, []fleet.Event{fleet.NodeReached{Shuttle: "s1", Step: 6, SoC: 0.6}}, evs)
	os = orders(t, out)
	require.Len(t, os, 1)
	u := os[0]
	assert.Equal(t, o.OrderID, u.OrderID)
	assert.Equal(t, uint32(1), u.OrderUpdateID)
	require.Len(t, u.Nodes, 3)
	assert.Equal(t, o.Nodes[4], u.Nodes[0], "stitched at the decision point sent")
	assert.Equal(t, []uint32{8, 10, 12}, []uint32{u.Nodes[0].SequenceID, u.Nodes[1].SequenceID, u.Nodes[2].SequenceID})
	assert.Equal(t, steps[11], u.Nodes[2].NodeID)

	// a grant while it is on its last edge goes at once
	require.GreaterOrEqual(t, len(steps), 14)
	r.st.OrderUpdateID, r.st.LastNodeID, r.st.LastNodeSequenceID = 1, steps[9], 10
	_, _ = r.state()
	os = orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 12, To: 14, Steps: steps[12:14]}))
	require.Len(t, os, 1)
	assert.Equal(t, uint32(2), os[0].OrderUpdateID)
}

// A standing vehicle's charge reaches the Controller as it drains, each
// time it has moved by a percentage point (BatteryReported); smaller
// changes are not passed on.
func TestBatteryReportedAsItDrains(t *testing.T) {
	r := newRig(t, Config{})
	r.joined() // at 60 %
	r.st.BatteryState.BatteryCharge = 59.5
	evs, _ := r.state()
	assert.Empty(t, evs, "half a point: nothing")
	r.st.BatteryState.BatteryCharge = 58.9
	evs, _ = r.state()
	assert.Equal(t, []fleet.Event{fleet.BatteryReported{Shuttle: "s1", SoC: 0.589}}, evs)
	r.st.BatteryState.BatteryCharge = 58.5
	evs, _ = r.state()
	assert.Empty(t, evs, "from what was told last")
}

// A vehicle told to pause is reported standing paused on its node
// (fleet.PausedAtNode) once a state shows it paused, not driving and on
// that node; once per pause. One that stopped between nodes (VDA 5050
// allows it) is not, nor one whose state says it still drives.
func TestPausedAtNodeOnceTheStateShowsIt(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	told := fleet.Event(fleet.PausedAtNode{Shuttle: "s1", Step: 0})
	require.Len(t, instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause})), 1)
	evs, _ := r.state()
	assert.NotContains(t, evs, told, "not confirmed yet")

	paused := true
	r.st.Paused = &paused
	off := r.st
	p := *off.AgvPosition
	p.X += 4
	off.AgvPosition = &p
	evs, _ = r.send(vda5050.TopicState, &off, &off.Header)
	assert.NotContains(t, evs, told, "paused between nodes")
	r.st.Driving = true
	evs, _ = r.state()
	assert.NotContains(t, evs, told, "still driving")
	r.st.Driving = false
	evs, _ = r.state()
	assert.Contains(t, evs, told, "paused on its node")
	evs, _ = r.state()
	assert.NotContains(t, evs, told, "told once")

	r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdResume})
	paused = false
	_, _ = r.state()
	r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause})
	paused = true
	evs, _ = r.state()
	assert.Contains(t, evs, told, "a new pause is told again")
}

// A vehicle the Controller wants paused that shows itself unpaused (it
// restarted, or was driven by hand) is asked to pause again, and gets no
// order until it confirms: it would drive it, maybe onto lane lent to
// others while it stood (fleet's breakdown.go).
func TestWantedPauseIsKeptAndOrdersWaitForIt(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	bay := r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID
	steps := r.route(bay)
	require.Len(t, instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause})), 1)
	paused := true
	r.st.Paused = &paused
	_, _ = r.state()

	paused = false
	_, out := r.state()
	as := instants(t, out)
	require.Len(t, as, 1, "asked to pause again")
	assert.Equal(t, vda5050.ActionStartPause, as[0].ActionType)
	out = r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 4, Steps: steps[:4]})
	assert.Empty(t, orders(t, out), "no order while it is not paused again")
	paused = true
	_, out = r.state()
	assert.Len(t, orders(t, out), 1, "paused again: the order goes, and it stands until resumed")
	out = r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdResume})
	assert.Equal(t, vda5050.ActionStopPause, instants(t, out)[0].ActionType)
}
