package vehicles

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What no vehicle should be believed: each message is refused with its
// reason, changes nothing the fleet reports, and the vehicle's next honest
// state is taken as usual.
func TestForgedAndImpossibleStatesAreRefused(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.state()
	r.state() // headerId 2 now
	before := r.m.Vehicles()[0]
	far := func(st *vda5050.State) { st.AgvPosition.X += 500_000 }
	cases := []struct {
		name   string
		edit   func(st *vda5050.State, h *vda5050.Header)
		reason string
	}{
		{"another vehicle's serial", func(_ *vda5050.State, h *vda5050.Header) { h.SerialNumber = "s2" }, RefusedIdentity},
		{"another manufacturer", func(_ *vda5050.State, h *vda5050.Header) { h.Manufacturer = "evil" }, RefusedIdentity},
		{"headerId backwards", func(_ *vda5050.State, h *vda5050.Header) { h.HeaderID = 0 }, RefusedSequence},
		{"another map", func(st *vda5050.State, _ *vda5050.Header) { st.AgvPosition.MapID = "elsewhere" }, RefusedMap},
		{"500 km off", func(st *vda5050.State, _ *vda5050.Header) { far(st) }, RefusedPosition},
		{"at 1e308", func(st *vda5050.State, _ *vda5050.Header) { st.AgvPosition.Y = 1e308 }, RefusedPosition},
		{"a node not in the graph", func(st *vda5050.State, _ *vda5050.Header) { st.LastNodeID = "nowhere" }, RefusedNode},
		{"node position on another map", func(st *vda5050.State, _ *vda5050.Header) {
			st.NodeStates = []vda5050.NodeState{{NodeID: st.LastNodeID, SequenceID: 0, Released: true,
				NodePosition: &vda5050.NodePosition{X: 1, Y: 1, MapID: "elsewhere"}}}
		}, RefusedMap},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := r.st
			pos := *st.AgvPosition
			st.AgvPosition = &pos
			st.BatteryState.BatteryCharge = 7 // would show if believed
			r.now = r.now.Add(1e9)
			r.hdr.Stamp(&st.Header, "acme", "s1", vda5050.TopicState, r.now)
			tc.edit(&st, &st.Header)
			b, err := json.Marshal(st)
			require.NoError(t, err)
			evs, out, err := r.m.Incoming(r.now, vda5050.TopicName("", "acme", "s1", vda5050.TopicState), b)
			require.Error(t, err)
			assert.Equal(t, tc.reason, ReasonOf(err), "%v", err)
			assert.Empty(t, evs)
			assert.Empty(t, out)
			after := r.m.Vehicles()[0]
			assert.Equal(t, before.SoC, after.SoC, "a refused state changed what the fleet reports")
		})
	}
	// the honest vehicle goes on, and its state is believed
	r.st.BatteryState.BatteryCharge = 55
	r.state()
	assert.InDelta(t, 0.55, r.m.Vehicles()[0].SoC, 1e-9)
}

// A restarted vehicle counts headerIds from 0 again: after a connection
// message that is a new session, not a forgery.
func TestHeaderIdResetAfterReconnect(t *testing.T) {
	r := newRig(t, Config{})
	for range 5 {
		r.state()
	}
	r.connection(vda5050.ConnectionBroken)
	r.connection(vda5050.ConnectionOnline)
	r.hdr = vda5050.Headers{} // the vehicle restarted
	st := r.st
	r.now = r.now.Add(1e9)
	r.hdr.Stamp(&st.Header, "acme", "s1", vda5050.TopicState, r.now)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	_, _, err = r.m.Incoming(r.now, vda5050.TopicName("", "acme", "s1", vda5050.TopicState), b)
	assert.NoError(t, err, "a reset after a reconnect is allowed")
}

// Check refuses garbage and another vehicle's header before the daemon
// counts the vehicle as heard.
func TestCheck(t *testing.T) {
	topic := vda5050.TopicName("", "acme", "s1", vda5050.TopicState)
	r := newRig(t, Config{})
	Check := func(topic string, b []byte) error { return r.m.Check(r.now, topic, b) }
	assert.Equal(t, RefusedInvalid, ReasonOf(Check(topic, []byte(`{garbage`))))
	st := r.st
	r.hdr.Stamp(&st.Header, "acme", "s2", vda5050.TopicState, r.now)
	b, _ := json.Marshal(st)
	assert.Equal(t, RefusedIdentity, ReasonOf(Check(topic, b)))
	r.hdr.Stamp(&st.Header, "acme", "s1", vda5050.TopicState, r.now)
	b, _ = json.Marshal(st)
	assert.NoError(t, Check(topic, b))
	assert.Equal(t, RefusedTopic, ReasonOf(Check("uagv/v2/acme", b)))
	st.AgvPosition.MapID = "elsewhere"
	b, _ = json.Marshal(st)
	assert.Equal(t, RefusedMap, ReasonOf(Check(topic, b)), "a lie about the map is refused before it could pass for a repeat")
}

// A state or visualization stamped far from the wall clock (a vehicle
// clock that is wrong, a recording played back) is refused by Check with
// reason "time"; connection messages are not (a last will carries the time
// of its connect), and a negative MaxClockSkew turns the check off.
func TestCheckTimestamps(t *testing.T) {
	r := newRig(t, Config{})
	wall := r.now
	stamped := func(tp vda5050.Topic, at time.Time) (string, []byte) {
		var msg any
		switch tp {
		case vda5050.TopicState:
			st := r.st
			r.hdr.Stamp(&st.Header, "acme", "s1", tp, at)
			msg = st
		case vda5050.TopicVisualization:
			vis := vda5050.Visualization{AgvPosition: r.st.AgvPosition}
			r.hdr.Stamp(&vis.Header, "acme", "s1", tp, at)
			msg = vis
		case vda5050.TopicConnection:
			c := vda5050.Connection{ConnectionState: vda5050.ConnectionBroken}
			r.hdr.Stamp(&c.Header, "acme", "s1", tp, at)
			msg = c
		}
		b, err := json.Marshal(msg)
		require.NoError(t, err)
		return vda5050.TopicName("", "acme", "s1", tp), b
	}
	for _, tc := range []struct {
		name string
		tp   vda5050.Topic
		at   time.Time
		want string
	}{
		{"state now", vda5050.TopicState, wall, ""},
		{"state 4 min late", vda5050.TopicState, wall.Add(-4 * time.Minute), ""},
		{"state 6 min late", vda5050.TopicState, wall.Add(-6 * time.Minute), RefusedTime},
		{"state 6 min ahead", vda5050.TopicState, wall.Add(6 * time.Minute), RefusedTime},
		{"state in 1999", vda5050.TopicState, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), RefusedTime},
		{"state in 2099", vda5050.TopicState, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), RefusedTime},
		{"visualization in 1999", vda5050.TopicVisualization, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), RefusedTime},
		{"last will from yesterday", vda5050.TopicConnection, wall.Add(-24 * time.Hour), ""},
	} {
		topic, b := stamped(tc.tp, tc.at)
		err := r.m.Check(wall, topic, b)
		assert.Equal(t, tc.want, ReasonOf(err), "%s: %v", tc.name, err)
		if tc.want == RefusedTime {
			assert.ErrorContains(t, err, "max_clock_skew", tc.name)
		}
	}
	off := newRig(t, Config{MaxClockSkew: -1})
	topic, b := stamped(vda5050.TopicState, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.NoError(t, off.m.Check(wall, topic, b), "the check is off")
}

// A position far from the node a vehicle in the fleet says it last passed
// is a position fault for the operator, not a silent move.
func TestPositionFarFromItsNodeIsAFault(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	st := r.st
	pos := *st.AgvPosition
	pos.X += 500
	st.AgvPosition = &pos
	st.BatteryState.BatteryCharge = 7
	r.now = r.now.Add(1e9)
	r.hdr.Stamp(&st.Header, "acme", "s1", vda5050.TopicState, r.now)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	evs, _, err := r.m.Incoming(r.now, vda5050.TopicName("", "acme", "s1", vda5050.TopicState), b)
	assert.Equal(t, RefusedPosition, ReasonOf(err))
	require.Len(t, evs, 1)
	f, ok := evs[0].(fleet.FaultReported)
	require.True(t, ok, "%#v", evs[0])
	assert.Contains(t, f.Reason, "500 m from its lastNodeId")
	assert.InDelta(t, 0.6, r.m.Vehicles()[0].SoC, 1e-9, "nothing else of the state was believed")
}

// A vehicle in the fleet that drives an order fleetd did not send is held
// out of dispatch for the operator, and none of its progress is believed.
func TestForeignOrderIsHeldForTheOperator(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.st.OrderID, r.st.Driving = "someone-elses-order", true
	r.st.NodeStates = []vda5050.NodeState{{NodeID: r.st.LastNodeID, SequenceID: 2, Released: true}}
	evs, _ := r.state()
	require.Len(t, evs, 1)
	f, ok := evs[0].(fleet.FaultReported)
	require.True(t, ok, "%#v", evs[0])
	assert.Contains(t, f.Reason, "fleetd did not send")
	evs, _ = r.state()
	assert.Empty(t, evs, "told once")
	r.st.OrderID, r.st.Driving, r.st.NodeStates = "", false, []vda5050.NodeState{}
	_, _ = r.state()
	evs, err := r.m.ClearFault(r.now, "s1")
	require.NoError(t, err)
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
}

// The vehicle view shows its factsheet and the keys fleetd ignored.
func TestVehicleShowsFactsheetAndIgnoredKeys(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.factsheet(func(f map[string]any) { f["vendorSupport"] = "+49 ..." })
	v := r.m.Vehicles()[0]
	require.NotNil(t, v.Factsheet)
	assert.NotEmpty(t, v.Factsheet.SeriesName)
	assert.NotEmpty(t, v.Factsheet.Actions)
	assert.Equal(t, []string{"factsheet:vendorSupport"}, v.IgnoredKeys)
}

// Order updates respect the vehicle's minOrderInterval: those made sooner
// go out as one update once the interval has passed.
func TestOrderUpdatesRespectMinOrderInterval(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.factsheet(func(f map[string]any) {
		f["protocolLimits"].(map[string]any)["timing"].(map[string]any)["minOrderInterval"] = 2.0
	})

	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	require.GreaterOrEqual(t, len(steps), 8)
	os0 := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	require.Len(t, os0, 1)
	r.st.OrderID = os0[0].OrderID
	_, _ = r.state() // taken (a second later)
	// two more grants within the interval: nothing sent yet
	r.now = r.now.Add(300 * time.Millisecond)
	assert.Empty(t, orders(t, r.m.Commands(r.now, []fleet.Command{{Shuttle: "s1", Kind: fleet.CmdDrive, From: 2, To: 4, Steps: steps[2:4]}})))
	r.now = r.now.Add(300 * time.Millisecond)
	assert.Empty(t, orders(t, r.m.Commands(r.now, []fleet.Command{{Shuttle: "s1", Kind: fleet.CmdDrive, From: 4, To: 6, Steps: steps[4:6]}})))
	_, out := r.m.Tick(r.now)
	assert.Empty(t, orders(t, out), "still within the interval")
	// once it has passed: one update with both
	r.now = r.now.Add(500 * time.Millisecond)
	_, out = r.m.Tick(r.now)
	us := orders(t, out)
	require.Len(t, us, 1)
	assert.Equal(t, uint32(1), us[0].OrderUpdateID)
	assert.Equal(t, os0[0].Nodes[1], us[0].Nodes[0], "stitched at the last decision point sent")
	assert.Equal(t, steps[5], us[0].Nodes[len(us[0].Nodes)-1].NodeID)
}

// The action parameters a vehicle type needs come from its roster entry,
// and a factsheet that needs one nobody sets is a warning.
func TestActionParametersFromTheRoster(t *testing.T) {
	e := Entry{Manufacturer: "acme", SerialNumber: "s1",
		ActionParameters: map[string]map[string]any{"pick": {"stationType": "FLOOR", "loadType": "TEU40"}}}
	roster, err := NewRoster(e)
	require.NoError(t, err)
	r := newRig(t, Config{Roster: roster})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os0 := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: len(steps), Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os0, 1)
	pick := os0[0].Nodes[len(os0[0].Nodes)-1].Actions[0]
	assert.Contains(t, pick.ActionParameters, vda5050.ActionParameter{Key: "stationType", Value: "FLOOR"})
	assert.Contains(t, pick.ActionParameters, vda5050.ActionParameter{Key: "loadType", Value: "TEU40"})
	assert.Contains(t, pick.ActionParameters, vda5050.ActionParameter{Key: "loadId", Value: "CSQU3054383"})

	f := &vda5050.Factsheet{}
	f.ProtocolFeatures.AgvActions = []vda5050.AgvAction{
		{ActionType: "pick", ActionParameters: []vda5050.AgvActionParameter{{Key: "loadId"}, {Key: "stationType"}, {Key: "loadType"}}},
		{ActionType: "drop", ActionParameters: []vda5050.AgvActionParameter{{Key: "loadId"}, {Key: "stationType"}, {Key: "side", IsOptional: true}}},
	}
	assert.Equal(t, []string{`drop needs parameter "stationType", which nobody sets: add it to the roster entry's actionParameters.drop`}, paramMismatches(e, f))
	e.ActionParameters["pick"]["colour"] = "red"
	assert.Contains(t, paramMismatches(e, f), `pick: the roster entry sets parameter "colour", which the factsheet does not declare`)

	for _, bad := range []map[string]map[string]any{{"fly": {"x": 1}}, {"pick": {"loadId": "x"}}, {"drop": {"": 1}}, {"drop": {"k": nil}}} {
		assert.Error(t, Entry{Manufacturer: "acme", SerialNumber: "s1", ActionParameters: bad}.Validate(), "%v", bad)
	}
}

// factsheet sends s1 the golden factsheet (vda5050/testdata), as edit
// changes it.
func (r *rig) factsheet(edit func(f map[string]any)) {
	r.t.Helper()
	b, err := os.ReadFile("../vda5050/testdata/factsheet.json")
	require.NoError(r.t, err)
	var f map[string]any
	require.NoError(r.t, json.Unmarshal(b, &f))
	f["manufacturer"], f["serialNumber"], f["headerId"] = "acme", "s1", 0
	edit(f)
	b, err = json.Marshal(f)
	require.NoError(r.t, err)
	_, _, err = r.m.Incoming(r.now, vda5050.TopicName("", "acme", "s1", vda5050.TopicFactsheet), b)
	require.NoError(r.t, err)
}

// loadStates sends n states reporting loads and returns the events.
func (r *rig) loadStates(n int, loads ...string) []fleet.Event {
	r.st.Loads = []vda5050.Load{}
	for _, l := range loads {
		r.st.Loads = append(r.st.Loads, vda5050.Load{LoadID: l})
	}
	var out []fleet.Event
	for range n {
		evs, _ := r.state()
		out = append(out, evs...)
	}
	return out
}

// A load fleetd did not put there (a shuttle that joins laden, a container
// put on by hand) holds the vehicle out of dispatch until it is gone; an
// operator cannot clear it by word.
func TestLoadFleetdDidNotPutThereHoldsTheVehicle(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	assert.Empty(t, r.loadStates(loadsGrace-1, "MSCU1234565"), "a state or two of grace")
	evs := r.loadStates(1, "MSCU1234565")
	require.Len(t, evs, 1)
	f, ok := evs[0].(fleet.FaultReported)
	require.True(t, ok, "%#v", evs[0])
	assert.Contains(t, f.Reason, `it reports loads "MSCU1234565", fleetd put none there`)
	_, err := r.m.ClearFault(r.now, "s1")
	assert.ErrorContains(t, err, "reports loads", "an operator's word does not take a container off")
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, r.loadStates(1), "back once it is taken off")

	// a vehicle that cannot tell its loads (leaves them out) is not held
	r.st.Loads = nil
	for range loadsGrace + 1 {
		evs, _ := r.state()
		assert.Empty(t, evs)
	}
}

// A container picked through fleetd may show a state after the pick is
// reported FINISHED; one that disappears without a drop holds the vehicle
// until an operator confirms it is gone.
func TestLoadPickedAndLostWithoutADrop(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 0, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os, 1)
	pick := os[0].Nodes[0].Actions[0]
	r.st.OrderID = os[0].OrderID
	r.st.ActionStates = []vda5050.ActionState{{ActionID: pick.ActionID, ActionType: "pick", ActionStatus: vda5050.StatusRunning}}
	assert.Empty(t, r.loadStates(loadsGrace+1), "no check while the pick runs")
	r.st.ActionStates[0].ActionStatus = vda5050.StatusFinished
	evs := r.loadStates(1) // FINISHED, the load not shown yet
	assert.Equal(t, []fleet.Event{fleet.ActionDone{Shuttle: "s1", Action: "pick", SoC: 0.6}}, evs)
	assert.Empty(t, r.loadStates(loadsGrace+1, "CSQU3054383"), "the load fleetd put there")

	evs = r.loadStates(loadsGrace)
	require.Len(t, evs, 1)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, `it reports loads none, fleetd put "CSQU3054383" there`)
	evs, err := r.m.ClearFault(r.now, "s1")
	require.NoError(t, err, "the operator confirms it is gone")
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
	assert.Empty(t, r.loadStates(loadsGrace+1), "and fleetd no longer expects it")
}
