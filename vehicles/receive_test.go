package vehicles

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// A message handed over as a value is believed or refused as the same
// message in bytes: same events, same messages out, same refusals.
func TestReceiveAsIncoming(t *testing.T) {
	bytesRig, valueRig := newRig(t, Config{}), newRig(t, Config{})
	topic := vda5050.TopicName("", "acme", "s1", vda5050.TopicState)
	both := func(st vda5050.State) ([]fleet.Event, error) {
		valueRig.now = valueRig.now.Add(time.Second)
		bytesRig.now = valueRig.now
		b, err := json.Marshal(st)
		require.NoError(t, err)
		evs1, out1, err1 := bytesRig.m.Incoming(bytesRig.now, topic, b)
		evs2, out2, err2 := valueRig.m.Receive(valueRig.now, topic, &st)
		assert.Equal(t, evs1, evs2)
		assert.Equal(t, len(out1), len(out2))
		for i := range min(len(out1), len(out2)) {
			assert.Equal(t, out1[i].Topic, out2[i].Topic)
			assert.NotNil(t, out2[i].Msg, "the value goes out with its bytes")
		}
		assert.Equal(t, ReasonOf(err1), ReasonOf(err2))
		return evs2, err2
	}
	st := valueRig.st
	valueRig.hdr.Stamp(&st.Header, "acme", "s1", vda5050.TopicState, t0)
	evs, err := both(st)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.IsType(t, fleet.ShuttleJoined{}, evs[0])

	forged := st
	forged.SerialNumber = "s2"
	_, err = both(forged)
	assert.Equal(t, RefusedIdentity, ReasonOf(err))

	far := st
	far.HeaderID++
	p := *st.AgvPosition
	p.X += 1e6
	far.AgvPosition = &p
	_, err = both(far)
	assert.Equal(t, RefusedPosition, ReasonOf(err))

	invalid := st
	invalid.HeaderID += 2
	invalid.OperatingMode = "DANCING"
	_, err = both(invalid)
	assert.Equal(t, RefusedInvalid, ReasonOf(err))

	// a vehicle that shares with its last state the lists that did not
	// change (sim/agv) is believed or refused as before: what it shares
	// was checked with that state, what it does not is checked now
	n, _ := valueRig.g.Node(st.LastNodeID)
	xy := valueRig.g.Nodes[n].XY
	withNodes := st
	withNodes.HeaderID += 3
	withNodes.NodeStates = []vda5050.NodeState{
		{NodeID: st.LastNodeID, SequenceID: 2, NodePosition: &vda5050.NodePosition{X: xy[0], Y: xy[1], MapID: valueRig.g.MapID}},
		{NodeID: st.LastNodeID, SequenceID: 4, NodePosition: &vda5050.NodePosition{X: xy[0], Y: xy[1], MapID: valueRig.g.MapID}},
	}
	_, err = both(withNodes)
	require.NoError(t, err)
	sharing := withNodes
	sharing.HeaderID++
	sharing.NodeStates = withNodes.NodeStates[1:]
	sharing.OperatingMode = "DANCING"
	_, err = both(sharing)
	assert.Equal(t, RefusedInvalid, ReasonOf(err), "invalid in what it does not share")
	sharing.OperatingMode = vda5050.ModeAutomatic
	sharing.EdgeStates = []vda5050.EdgeState{{EdgeID: "e", SequenceID: 2}}
	_, err = both(sharing)
	assert.Equal(t, RefusedInvalid, ReasonOf(err), "an edge state with an even sequence id")
	sharing.EdgeStates = []vda5050.EdgeState{}
	odd := sharing
	odd.NodeStates = []vda5050.NodeState{withNodes.NodeStates[1]}
	odd.NodeStates[0].SequenceID = 5
	_, err = both(odd)
	assert.Equal(t, RefusedInvalid, ReasonOf(err), "a node state of its own, with an odd sequence id")
	_, err = both(sharing)
	require.NoError(t, err)

	_, _, err = valueRig.m.Receive(valueRig.now, vda5050.TopicName("", "acme", "s1", vda5050.TopicConnection), st)
	assert.Equal(t, RefusedTopic, ReasonOf(err), "a state on the connection topic")
	_, _, err = valueRig.m.Receive(valueRig.now, topic, 42)
	assert.Equal(t, RefusedInvalid, ReasonOf(err))
}

// NextTick says when Tick next has something to do: here, resend an
// order no state confirmed; nothing once a state confirms it.
func TestNextTick(t *testing.T) {
	r := newRig(t, Config{ResendAfter: 5 * time.Second})
	r.joined()
	assert.True(t, r.m.NextTick().After(r.now), "a factsheet asked for and not come: asked again later")
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	require.Len(t, os, 1)
	sent := r.now
	assert.Equal(t, sent.Add(5*time.Second), r.m.NextTick(), "the resend")
	r.st.OrderID, r.st.OrderUpdateID = os[0].OrderID, 0
	r.st.Driving = true
	r.state()
	assert.True(t, r.m.NextTick().After(sent.Add(5*time.Second)), "confirmed: no resend due")
}
