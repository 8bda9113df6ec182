package vehicles

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// lostRig is a joined vehicle driving the first order fleetd sent it
// (steps 0 to 4, confirmed), then granted steps 4 to 6 by an update that
// was lost on the way (its link was cut), and back online standing at
// the end of the base it has (sequence id 4): the chaos run's link cut.
func lostRig(t *testing.T) (*rig, []string, vda5050.Order) {
	r := newRig(t, Config{ResendAfter: 5 * time.Second})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	require.GreaterOrEqual(t, len(steps), 10)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 4, Steps: steps[:4]}))
	require.Len(t, os, 1)
	first := os[0]
	r.st.OrderID, r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = first.OrderID, steps[1], 2, true
	_, _ = r.state()
	_, _ = r.connection(vda5050.ConnectionBroken)
	lost := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 4, To: 6, Steps: steps[4:6]}))
	require.Len(t, lost, 1, "sent, and lost")
	require.Equal(t, uint32(4), lost[0].Nodes[0].SequenceID)
	_, _ = r.connection(vda5050.ConnectionOnline)
	r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = steps[3], 4, false
	evs, _ := r.state()
	require.Contains(t, evs, fleet.Event(fleet.FaultCleared{Shuttle: "s1"}))
	return r, steps, first
}

// An update lost on the way (QoS 0, a link down, a broker restart, a
// fleetd killed between journaling and publishing) is not built upon:
// the next grant goes out stitched where the vehicle confirmed, with the
// lost one in it, never at the lost update's decision point (which the
// vehicle would reject).
func TestUpdateAfterALostOneIsStitchedWhereConfirmed(t *testing.T) {
	r, steps, first := lostRig(t)
	// the Controller, the vehicle back, grants more at once
	for _, o := range orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 6, To: 8, Steps: steps[6:8]})) {
		assert.Equal(t, uint32(4), o.Nodes[0].SequenceID, "an update starts at the vehicle's decision point, not at %d", o.Nodes[0].SequenceID)
	}
	// no state confirms the lost one: within ResendAfter every grant goes
	// as one update from where it confirmed
	_, out := r.m.Tick(r.now.Add(6 * time.Second))
	os := orders(t, out)
	require.Len(t, os, 1)
	o := os[0]
	assert.Equal(t, first.OrderID, o.OrderID)
	assert.Greater(t, o.OrderUpdateID, uint32(1), "a higher orderUpdateId than the lost update")
	require.Len(t, o.Nodes, 3)
	assert.Equal(t, []uint32{4, 6, 8}, []uint32{o.Nodes[0].SequenceID, o.Nodes[1].SequenceID, o.Nodes[2].SequenceID})
	assert.Equal(t, first.Nodes[2], o.Nodes[0], "the stitching node as first sent")
	assert.Equal(t, steps[7], o.Nodes[2].NodeID)
	assert.Empty(t, instants(t, out), "nothing to cancel")

	// it takes it: confirmed, and the next grant is stitched at sequence 8
	r.st.OrderUpdateID = o.OrderUpdateID
	_, _ = r.state()
	os = orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 8, To: 10, Steps: steps[8:10]}))
	require.Len(t, os, 1)
	assert.Equal(t, uint32(8), os[0].Nodes[0].SequenceID)
	assert.Equal(t, o.OrderUpdateID+1, os[0].OrderUpdateID)
}

// A vehicle that rejects an update of the order it drives (it holds an
// older one: one was lost) is sent the update again at once, stitched at
// its decision point; it is neither cancelled nor taken out of dispatch.
// Only when that goes on (fleetd's record and the vehicle's differ) is it
// stopped and given its lane as a new order.
func TestRejectedUpdateIsSentAgainFromWhereConfirmed(t *testing.T) {
	r, _, first := lostRig(t)
	// the vehicle rejects the lost update, which arrived late, had it
	// been stitched elsewhere: its warning names the last order message
	reject := func() ([]fleet.Event, []Outgoing) {
		r.st.Errors = []vda5050.Error{{ErrorType: "orderUpdateError", ErrorLevel: vda5050.LevelWarning,
			ErrorDescription: "update starts at node x (sequence 6), not at the decision point y (sequence 4)",
			ErrorReferences: []vda5050.ErrorReference{{ReferenceKey: "orderId", ReferenceValue: first.OrderID},
				{ReferenceKey: "headerId", ReferenceValue: strconv.FormatUint(uint64(r.m.byID["s1"].ord.header), 10)}}}}
		return r.state()
	}
	evs, out := reject()
	assert.Empty(t, evs, "no fault: nothing is wrong with the vehicle")
	assert.Empty(t, instants(t, out), "no cancelOrder")
	sent := orders(t, out)
	require.Len(t, sent, 1, "sent again at once")
	assert.Equal(t, uint32(4), sent[0].Nodes[0].SequenceID)
	assert.Equal(t, uint32(6), sent[0].Nodes[len(sent[0].Nodes)-1].SequenceID)

	// the same warning again, in a state before the resend arrived: not
	// a rejection of the resend
	r.st.Errors[0].ErrorReferences[1].ReferenceValue = strconv.FormatUint(uint64(sent[0].HeaderID-1), 10)
	_, out = r.state()
	assert.Empty(t, orders(t, out))

	// rejected again and again: stopped and given its lane anew
	var cancels int
	for range maxRestitch + 1 {
		_, out = reject()
		cancels += instantsOf(t, out, vda5050.ActionCancelOrder)
	}
	assert.Equal(t, 1, cancels, "after %d updates rejected, a cancel and a new order", maxRestitch)
}

// A vehicle that reports an orderUpdateId fleetd never sent (a lie, or
// a record of another fleetd) has at most the last one sent: the next
// update is stitched there, and nothing panics.
func TestUpdateIdNeverSentIsTakenAsTheLast(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}))
	require.Len(t, os, 1)
	r.st.OrderID, r.st.OrderUpdateID = os[0].OrderID, 7
	_, _ = r.state()
	os = orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 2, To: 4, Steps: steps[2:4]}))
	require.Len(t, os, 1)
	assert.Equal(t, uint32(2), os[0].Nodes[0].SequenceID)
}
