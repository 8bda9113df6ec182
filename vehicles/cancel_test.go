package vehicles

import (
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelRig drives s1 towards a bay with a pick and calls the pick off: it
// returns the rig, the cancelOrder's action id and the pick's.
func cancelRig(t *testing.T) (*rig, string, []string) {
	r := newRig(t, Config{})
	r.joined()
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	os := orders(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: len(steps), Steps: steps, Action: "pick", Container: "CSQU3054383"}))
	require.Len(t, os, 1)
	o := os[0]
	pickID := o.Nodes[len(o.Nodes)-1].Actions[0].ActionID
	r.st.OrderID, r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = o.OrderID, steps[1], 2, true
	r.st.NodeStates = []vda5050.NodeState{{NodeID: steps[3], SequenceID: 4, Released: true}}
	r.st.ActionStates = []vda5050.ActionState{{ActionID: pickID, ActionType: "pick", ActionStatus: vda5050.StatusWaiting}}
	_, _ = r.state()
	as := instants(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdCancel}))
	require.Len(t, as, 1)
	require.Equal(t, vda5050.ActionCancelOrder, as[0].ActionType)
	return r, as[0].ActionID, steps
}

func cancelsIn(t *testing.T, out []Outgoing) int {
	n := 0
	for _, o := range out {
		if o.Topic == vda5050.TopicName("", "acme", "s1", vda5050.TopicInstantActions) {
			for _, a := range instants(t, []Outgoing{o}) {
				if a.ActionType == vda5050.ActionCancelOrder {
					n++
				}
			}
		}
	}
	return n
}

// Answered with only a noOrderToCancel error (no action state), as a
// vehicle may: the conversation ends, the lane goes out again, and the
// cancel is not sent again.
func TestCancelAnsweredByNoOrderToCancel(t *testing.T) {
	r, cancelID, _ := cancelRig(t)
	r.st.Driving, r.st.NodeStates = true, []vda5050.NodeState{{NodeID: "x", SequenceID: 4, Released: true}} // still reports a lane
	r.st.ActionStates = nil
	r.st.Errors = []vda5050.Error{{ErrorType: "noOrderToCancel", ErrorLevel: vda5050.LevelWarning,
		ErrorReferences: []vda5050.ErrorReference{{ReferenceKey: "actionId", ReferenceValue: cancelID}}}}
	_, _ = r.state()
	r.now = r.now.Add(time.Minute)
	_, out := r.m.Tick(r.now)
	assert.Zero(t, cancelsIn(t, out), "a cancel answered with noOrderToCancel is over")
}

// Answered by silence: sent again a bounded number of times, then the
// vehicle is handed to the operator with the reason, and nothing more is
// sent until the operator clears it.
func TestUnansweredCancelIsHandedToTheOperator(t *testing.T) {
	r, _, _ := cancelRig(t)
	sent := 1
	var evs []fleet.Event
	for range 20 {
		r.now = r.now.Add(6 * time.Second)
		e, out := r.m.Tick(r.now)
		evs = append(evs, e...)
		sent += cancelsIn(t, out)
	}
	assert.Equal(t, maxCancels, sent, "a cancel is sent a bounded number of times")
	require.Len(t, evs, 1)
	f, ok := evs[0].(fleet.FaultReported)
	require.True(t, ok, "%#v", evs[0])
	assert.Contains(t, f.Reason, "cancelOrder")
	assert.Contains(t, f.Reason, "unanswered")
	evs, err := r.m.ClearFault(r.now, "s1")
	require.NoError(t, err)
	assert.Equal(t, []fleet.Event{fleet.FaultCleared{Shuttle: "s1"}}, evs)
}

// Answered by stopping: a vehicle that stands with no lane left and no
// action under way, without a word about the cancel, has done it.
func TestCancelAnsweredByStopping(t *testing.T) {
	r, _, steps := cancelRig(t)
	r.st.LastNodeID, r.st.LastNodeSequenceID, r.st.Driving = steps[3], 4, false
	r.st.NodeStates, r.st.ActionStates = []vda5050.NodeState{}, []vda5050.ActionState{}
	_, out := r.state()
	os := orders(t, out)
	require.Len(t, os, 1, "the rest of the lane as a new order once it stands")
	assert.Equal(t, steps[3], os[0].Nodes[0].NodeID)
	r.now = r.now.Add(time.Minute)
	_, out = r.m.Tick(r.now)
	assert.Zero(t, cancelsIn(t, out))
}

func instantsOf(t *testing.T, out []Outgoing, kind string) int {
	n := 0
	for _, o := range out {
		if o.Topic == vda5050.TopicName("", "acme", "s1", vda5050.TopicInstantActions) {
			for _, a := range instants(t, []Outgoing{o}) {
				if a.ActionType == kind {
					n++
				}
			}
		}
	}
	return n
}

// A pause the vehicle may have missed (sent before it subscribed) is sent
// again until a state shows it paused, a bounded number of times, then
// the vehicle is for the operator.
func TestPauseIsAskedAgainBoundedly(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	require.Equal(t, 1, instantsOf(t, r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause}), vda5050.ActionStartPause))
	sent, evs := 1, []fleet.Event(nil)
	for range 20 {
		r.now = r.now.Add(6 * time.Second)
		e, out := r.m.Tick(r.now)
		evs = append(evs, e...)
		sent += instantsOf(t, out, vda5050.ActionStartPause)
	}
	assert.Equal(t, maxInstantTries, sent)
	require.Len(t, evs, 1)
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "startPause")

	// answered: not sent again
	r2 := newRig(t, Config{})
	r2.joined()
	r2.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause})
	paused := true
	r2.st.Paused = &paused
	_, _ = r2.state()
	r2.now = r2.now.Add(time.Minute)
	_, out := r2.m.Tick(r2.now)
	assert.Zero(t, instantsOf(t, out, vda5050.ActionStartPause), "a pause the state shows is over")
}
