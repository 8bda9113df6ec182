package fleet

// Faults and failed actions: a shuttle that faults before its pick, laden,
// at its bay or on its way; actions done or failed where they do not
// apply; repairs of shuttles not in fault. They drive the harness of
// controller_test.go.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A shuttle that faults before its pick gives its move back to dispatch,
// and another shuttle takes it; one that faults laden keeps its container
// and carries on once repaired; one whose drop failed at its drop bay
// makes it once repaired, told again.
func TestControllerFaults(t *testing.T) {
	h, m := twoShuttlesOneMove(t)
	first := m.Shuttle
	other := map[string]string{"s1": "s2", "s2": "s1"}[first]
	h.send(FaultReported{Shuttle: first, Reason: "motor"})
	assert.Equal(t, 1, h.cancels, "its pick is cancelled")
	assert.Contains(t, h.states(m), MovePending)
	h.wait(time.Minute)
	assert.Equal(t, other, m.Shuttle, "re-assigned")
	assert.Equal(t, MoveToPickup, m.State)

	// the broken shuttle keeps what it was granted (it might still move)
	// until it is repaired; its route now ends at a parking spot, not at
	// the bay the move starts at
	pos, _ := h.c.Traffic().Position(first)
	assert.Contains(t, pos.Goal, "park")
	h.send(FaultCleared{Shuttle: first})
	for i := 0; i < 3; i++ {
		h.drive(first)
		h.drive(other)
		h.wait(10 * time.Second)
	}
	p, _ := h.c.Traffic().Position(other)
	require.Equal(t, "kz-bay-03", p.At, "%s waits for %s", other, h.c.Traffic().WaitsFor(other))
	h.finish(other)
	h.drive(other) // to the first stop line
	h.send(FaultReported{Shuttle: other, Reason: "sensor"})
	s, _, _ := h.c.ShuttleState(other)
	assert.Equal(t, ShuttleFault, s)
	assert.Equal(t, other, m.Shuttle, "a laden move stays on its shuttle")
	h.wait(time.Minute)
	assert.Equal(t, MoveAtGate, m.State, "a broken shuttle does not pass the gate")
	h.send(FaultCleared{Shuttle: other})
	s, _, _ = h.c.ShuttleState(other)
	assert.Equal(t, ShuttleLadenTransit, s, "repaired, it passes the gate: the release time ran out while it was broken")
	assert.Equal(t, MoveLaden, m.State)
	for i := 0; i < 4 && m.State != MoveUnloading; i++ {
		h.wait(30 * time.Second)
		h.drive(other)
	}
	require.Equal(t, MoveUnloading, m.State)
	// a fault at the drop bay before the drop: the drop is the vehicle's
	// to make or fail, nothing is called off; once it says the drop
	// failed, what is left of it is called off and it is given again
	// after the repair
	cancels := h.cancels
	h.send(FaultReported{Shuttle: other, Reason: "hydraulics"})
	assert.Equal(t, cancels, h.cancels, "nothing is called off")
	assert.Equal(t, MoveUnloading, m.State)
	h.send(ActionFailed{Shuttle: other, Action: ActionDrop, Reason: "twistlock stuck"})
	assert.Equal(t, cancels+1, h.cancels, "the drop is called off on the vehicle")
	assert.Equal(t, MoveToDropoff, m.State)
	h.send(FaultCleared{Shuttle: other})
	for i := 0; i < 4 && m.State != MoveUnloading; i++ {
		h.drive(other)
		h.wait(10 * time.Second)
	}
	require.Equal(t, MoveUnloading, m.State, "the drop again")
	h.finish(other)
	assert.Equal(t, MoveDelivered, m.State)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// Out of dispatch is not out of motion: a vehicle whose link went silent
// drives on the authority it has. What it reaches and finishes while in
// fault is followed by its move, not refused as illegal, and the repair
// puts the shuttle where its work is (the chaos run's link cut: a laden
// shuttle reached its stop line while silent, and the machine, in fault,
// refused "reach gate").
func TestWorkWhileInFaultIsFollowed(t *testing.T) {
	t.Run("stop line", func(t *testing.T) {
		h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
		h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
		m := h.move("m1")
		h.drive("s1")
		h.finish("s1")
		h.grantedTo("s1", "kz-bakhty-out")
		h.send(FaultReported{Shuttle: "s1", Reason: "no state for 20s"})
		h.driveOut("s1") // to the KZ stop line, silent
		require.Equal(t, MoveAtGate, m.State)
		s, _, _ := h.c.ShuttleState("s1")
		assert.Equal(t, ShuttleFault, s)
		h.send(FaultCleared{Shuttle: "s1"})
		s, _, _ = h.c.ShuttleState("s1")
		assert.Equal(t, ShuttleAtGate, s, "repaired at the stop line, it waits for customs there")
		h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-7"})
		require.Equal(t, MoveLaden, m.State)
		for i := 0; i < 6 && m.State != MoveAtGate; i++ {
			h.wait(30 * time.Second)
			h.drive("s1")
		}
		assert.Equal(t, MoveAtGate, m.State, "on to the CN gate")
		s, _, _ = h.c.ShuttleState("s1")
		assert.Equal(t, ShuttleAtGate, s)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	toDropBay := func(t *testing.T) (*harness, *Move) {
		h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
		h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
		m := h.move("m1")
		h.drive("s1")
		h.finish("s1")
		for i := 0; i < 6 && m.State != MoveToDropoff; i++ {
			h.drive("s1")
			h.wait(30 * time.Second)
		}
		require.Equal(t, MoveToDropoff, m.State)
		h.grantedTo("s1", "cn-bay-07")
		h.send(FaultReported{Shuttle: "s1", Reason: "no state for 20s"})
		h.driveOut("s1") // to the drop bay, silent
		require.Equal(t, MoveUnloading, m.State)
		return h, m
	}
	t.Run("drop bay, repaired before the drop", func(t *testing.T) {
		h, m := toDropBay(t)
		h.send(FaultCleared{Shuttle: "s1"})
		s, _, _ := h.c.ShuttleState("s1")
		assert.Equal(t, ShuttleUnloading, s)
		h.finish("s1")
		assert.Equal(t, MoveDelivered, m.State)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("drop bay, dropped while silent", func(t *testing.T) {
		h, m := toDropBay(t)
		h.finish("s1")
		assert.Equal(t, MoveDelivered, m.State)
		h.send(FaultCleared{Shuttle: "s1"})
		s, _, _ := h.c.ShuttleState("s1")
		assert.Contains(t, []ShuttleState{ShuttleIdle, ShuttleToParking}, s)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
}

// A shuttle that faults at the origin bay with its pick given keeps the
// move: the pick is the vehicle's to finish or fail. Giving the move away
// there put the container aboard one shuttle (a silent vehicle finishes
// its pick) while dispatch sent another to pick it at the bay. Only a pick
// the vehicle says failed gives the move back.
func TestFaultAtTheOriginBay(t *testing.T) {
	atBay := func(t *testing.T) (*harness, *Move) {
		h, m := twoShuttlesOneMove(t)
		h.drive(m.Shuttle)
		require.Equal(t, MoveLoading, m.State)
		h.send(FaultReported{Shuttle: m.Shuttle, Reason: "no state for 20s"})
		assert.Zero(t, h.cancels, "nothing is called off")
		h.wait(time.Minute)
		require.Equal(t, MoveLoading, m.State, "the move stays with the shuttle at the bay")
		return h, m
	}
	t.Run("picked while silent", func(t *testing.T) {
		h, m := atBay(t)
		id := m.Shuttle
		h.finish(id)
		assert.Equal(t, MoveLaden, m.State)
		h.send(FaultCleared{Shuttle: id})
		s, _, _ := h.c.ShuttleState(id)
		assert.Equal(t, ShuttleLadenTransit, s)
		for i := 0; i < 8 && m.State != MoveUnloading; i++ {
			h.drive(id)
			h.wait(30 * time.Second)
		}
		require.Equal(t, MoveUnloading, m.State)
		h.finish(id)
		assert.Equal(t, MoveDelivered, m.State)
		assert.NotContains(t, h.states(m), MovePending)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("repaired, then picked", func(t *testing.T) {
		h, m := atBay(t)
		id := m.Shuttle
		h.send(FaultCleared{Shuttle: id})
		s, _, _ := h.c.ShuttleState(id)
		assert.Equal(t, ShuttleLoading, s, "the pick goes on")
		h.finish(id)
		assert.Equal(t, MoveLaden, m.State)
		s, _, _ = h.c.ShuttleState(id)
		assert.Equal(t, ShuttleLadenTransit, s)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("the pick failed", func(t *testing.T) {
		h, m := atBay(t)
		first := m.Shuttle
		h.send(ActionFailed{Shuttle: first, Action: ActionPick, Reason: "spreader fault"})
		assert.Equal(t, 1, h.cancels, "what is left of the pick is called off")
		assert.Equal(t, "", m.Shuttle)
		assert.Contains(t, h.states(m), MovePending)
		assert.Contains(t, m.History[len(m.History)-1].Cause+m.History[len(m.History)-2].Cause, "the pick by shuttle "+first+" failed: spreader fault")
		h.send(FaultCleared{Shuttle: first})
		h.wait(time.Minute)
		assert.NotEmpty(t, m.Shuttle, "dispatched again (the repaired shuttle at the bay is nearest)")
		assert.Equal(t, MoveLoading, m.State)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("a failure out of the blue is a fault", func(t *testing.T) {
		h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
		h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
		m := h.move("m1")
		h.drive("s1")
		h.send(ActionFailed{Shuttle: "s1", Action: ActionPick, Reason: "spreader fault"})
		s, _, _ := h.c.ShuttleState("s1")
		assert.Equal(t, ShuttleFault, s)
		assert.Equal(t, MovePending, m.State)
		_, err := h.c.Handle(h.now, ActionFailed{Shuttle: "s1", Action: ActionDrop})
		assert.ErrorContains(t, err, "reported a failed drop it was not making")
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
}

// A failure report that does not apply (an action the shuttle was not
// making, one that is not a pick or a drop, an unknown shuttle) is refused
// and changes nothing: it did not fault the shuttle it named, nor call off
// its work. (It did: the fault came first, the refusal after it.)
func TestActionFailedThatDoesNotApplyChangesNothing(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	m := h.move("m1")
	require.Equal(t, MoveToPickup, m.State)
	for _, ev := range []ActionFailed{
		{Shuttle: "s1", Action: ActionCharge, Reason: "no charger"},
		{Shuttle: "s1", Action: ActionDrop, Reason: "stale"},
		{Shuttle: "s1", Action: ActionPick, Reason: "not there yet"},
		{Shuttle: "s1", Action: "weld"},
		{Shuttle: "s9", Action: ActionPick},
	} {
		cancels := h.cancels
		assert.Error(t, h.refuse(ev), "%+v", ev)
		assert.Equal(t, ShuttleToPickup, h.state("s1"), "%+v", ev)
		assert.Equal(t, MoveToPickup, m.State, "%+v", ev)
		assert.Equal(t, "s1", m.Shuttle, "%+v", ev)
		assert.Equal(t, cancels, h.cancels, "%+v: nothing called off", ev)
	}
	h.drive("s1")
	require.Equal(t, MoveLoading, m.State)
	h.finish("s1")
	assert.Error(t, h.refuse(ActionFailed{Shuttle: "s1", Action: ActionPick, Reason: "stale: it is aboard"}))
	assert.Equal(t, ShuttleLadenTransit, h.state("s1"))
	assert.Equal(t, MoveLaden, m.State)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A pick or drop reported done where the move is not at the bay for it
// is refused and changes nothing. A drop reported done after the vehicle
// said it failed (the move on its way to the bay again, the drop to be
// given again) delivered the move from to_dropoff: an illegal transition,
// and the move, left in to_dropoff with no shuttle carrying it, was lost.
func TestActionDoneWhereTheMoveIsNotAtItsBay(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "kz-bay-07", true))
	m := h.move("m1")
	h.grantedTo("s1", "kz-bay-03")
	require.Equal(t, MoveToPickup, m.State)
	err := h.refuse(ActionDone{Shuttle: "s1", Action: ActionPick, SoC: 0.7})
	assert.ErrorContains(t, err, "move m1 is to_pickup")
	assert.Equal(t, MoveToPickup, m.State)
	assert.Equal(t, ShuttleToPickup, h.state("s1"))
	h.driveOut("s1")
	require.Equal(t, MoveLoading, m.State)
	h.finish("s1")
	for i := 0; i < 6 && m.State != MoveUnloading; i++ {
		h.drive("s1")
		h.wait(30 * time.Second)
	}
	require.Equal(t, MoveUnloading, m.State)
	h.send(ActionFailed{Shuttle: "s1", Action: ActionDrop, Reason: "twistlock stuck"})
	require.Equal(t, MoveToDropoff, m.State)
	err = h.refuse(ActionDone{Shuttle: "s1", Action: ActionDrop, SoC: 0.7})
	assert.ErrorContains(t, err, "move m1 is to_dropoff")
	assert.Equal(t, MoveToDropoff, m.State)
	assert.Zero(t, h.c.Stats().Deliveries)
	h.send(FaultCleared{Shuttle: "s1"})
	for i := 0; i < 4 && m.State != MoveUnloading; i++ {
		h.drive("s1")
		h.wait(10 * time.Second)
	}
	require.Equal(t, MoveUnloading, m.State, "the drop given again")
	h.finish("s1")
	assert.Equal(t, MoveDelivered, m.State)
	assert.Equal(t, 1, h.c.Stats().Deliveries)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A repair of a shuttle that is not in fault (the API checks the state it
// last published, and the shuttle may have been repaired since) is refused
// as a conflict: it was an illegal transition (recover_pick from loading,
// recover from idle) counted as a defect of the core.
func TestRepairOfAShuttleNotInFaultIsRefused(t *testing.T) {
	h, m := twoShuttlesOneMove(t)
	id := m.Shuttle
	idle := map[string]string{"s1": "s2", "s2": "s1"}[id]
	h.drive(id)
	require.Equal(t, MoveLoading, m.State)
	for _, who := range []string{id, idle} {
		was := h.state(who)
		err := h.refuse(FaultCleared{Shuttle: who})
		assert.ErrorIs(t, err, ErrConflict)
		assert.ErrorContains(t, err, "not in fault")
		assert.Equal(t, was, h.state(who))
	}
	// held in fault by a stop: the repair is taken
	h.send(FaultReported{Shuttle: id, Reason: "no state for 20s"})
	h.send(EmergencyStopRequested{Shuttle: id})
	h.send(FaultCleared{Shuttle: id})
	h.send(EmergencyReleaseRequested{Shuttle: id})
	assert.Equal(t, ShuttleLoading, h.state(id))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle that falls silent on its way to the origin bay, the pick in
// the order it has, keeps its move: no cancel reaches it, and it may drive
// there and pick unheard (a VDA 5050 vehicle carries out the order it
// has). One that faults where fleetd can still reach it (a FATAL error)
// has its pick called off and its move given to another, as before. And an
// operator who takes a shuttle in fault out of service gives its kept
// move back: no dead end for a vehicle that never comes back.
func TestFaultOnTheWayToThePick(t *testing.T) {
	onTheWay := func(t *testing.T) (*harness, *Move, string) {
		h, m := twoShuttlesOneMove(t)
		id := m.Shuttle
		h.grantedTo(id, "kz-bay-03")
		require.Equal(t, MoveToPickup, m.State)
		_, given := h.actions[id]
		require.True(t, given, "the pick is in its order")
		return h, m, id
	}
	t.Run("silent, it picks unheard", func(t *testing.T) {
		h, m, id := onTheWay(t)
		h.send(FaultReported{Shuttle: id, Reason: "no state for 20s", Unreachable: true})
		assert.Zero(t, h.cancels)
		h.wait(time.Minute)
		assert.Equal(t, id, m.Shuttle, "the move stays with it")
		h.driveOut(id)
		assert.Equal(t, MoveLoading, m.State)
		h.finish(id)
		assert.Equal(t, MoveLaden, m.State)
		h.send(FaultCleared{Shuttle: id})
		assert.Equal(t, ShuttleLadenTransit, h.state(id))
		assert.NotContains(t, h.states(m), MovePending)
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("silent, heard again on the way", func(t *testing.T) {
		h, m, id := onTheWay(t)
		h.send(FaultReported{Shuttle: id, Reason: "no state for 20s", Unreachable: true})
		h.send(FaultCleared{Shuttle: id})
		assert.Equal(t, ShuttleToPickup, h.state(id))
		h.driveOut(id)
		assert.Equal(t, MoveLoading, m.State)
		assert.Equal(t, ShuttleLoading, h.state(id))
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("reachable, the pick is called off", func(t *testing.T) {
		h, m, id := onTheWay(t)
		h.send(FaultReported{Shuttle: id, Reason: "FATAL motor"})
		assert.Equal(t, 1, h.cancels)
		assert.Contains(t, h.states(m), MovePending)
		h.wait(time.Minute)
		assert.NotEqual(t, id, m.Shuttle, "another shuttle takes it")
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
	t.Run("never heard again: out of service gives it back", func(t *testing.T) {
		h, m, id := onTheWay(t)
		h.send(FaultReported{Shuttle: id, Reason: "connection CONNECTIONBROKEN", Unreachable: true})
		h.driveOut(id) // it reached the bay before its link died
		require.Equal(t, MoveLoading, m.State)
		h.wait(time.Hour)
		_, err := h.c.Handle(h.now, CancelRequested{Move: "m1", By: "op"})
		require.Error(t, err, "a move being loaded is not cancelled")
		h.send(OutOfServiceRequested{Shuttle: id})
		assert.Equal(t, 1, h.cancels, "what is left of its pick is called off")
		assert.Contains(t, h.states(m), MovePending)
		assert.Contains(t, m.History[len(m.History)-1].Cause+m.History[len(m.History)-2].Cause+m.History[len(m.History)-3].Cause, "taken out of service in fault: its pick is given up")
		h.send(FaultCleared{Shuttle: id})
		assert.Equal(t, ShuttleOutOfService, h.state(id), "repaired, it stays out of service")
		assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
	})
}

// twoShuttlesOneMove is where the fault tests start: s1 and s2 at either
// end of the KZ parking, and move m1 of CSQU3054383 from kz-bay-03 to
// cn-bay-07 (pre-cleared), dispatched to one of them (m.Shuttle).
func twoShuttlesOneMove(t *testing.T) (*harness, *Move) {
	t.Helper()
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01", "s2": "kz-park-20"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	return h, h.move("m1")
}

// grantedTo drives a shuttle one node at a time until its authority ends
// at node.
func (h *harness) grantedTo(id, node string) {
	h.t.Helper()
	p, _ := h.c.Traffic().Position(id)
	for i := 0; i < 100 && p.Authority != node; i++ {
		require.Greater(h.t, p.Granted, p.AtStep, "%s granted no further than it stands, at %s", id, p.At)
		h.now = h.now.Add(2 * time.Second)
		h.send(NodeReached{Shuttle: id, Step: p.AtStep + 2, SoC: h.socOf(id)})
		p, _ = h.c.Traffic().Position(id)
	}
	require.Equal(h.t, node, p.Authority)
	h.pending[id] = nil // driven here, not by drive
}

// driveOut reports every node up to the end of the shuttle's authority, as
// its vehicle drives it whatever fleetd says or does not say meanwhile.
func (h *harness) driveOut(id string) {
	h.t.Helper()
	p, _ := h.c.Traffic().Position(id)
	for p.AtStep < p.Granted {
		h.now = h.now.Add(2 * time.Second)
		h.send(NodeReached{Shuttle: id, Step: p.AtStep + 2, SoC: h.socOf(id)})
		p, _ = h.c.Traffic().Position(id)
	}
	h.pending[id] = nil
}
