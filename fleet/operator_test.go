package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refuse sends an event the Controller must refuse, and returns its error.
func (h *harness) refuse(ev Event) error {
	h.t.Helper()
	rd, err := h.c.Handle(h.now, ev)
	cmds := rd.Commands
	require.Error(h.t, err, "%T %+v was taken", ev, ev)
	h.take(cmds)
	return err
}

func (h *harness) state(id string) ShuttleState {
	st, _, ok := h.c.ShuttleState(id)
	require.True(h.t, ok)
	return st
}

func (h *harness) kinds(cmds []Command) []CommandKind {
	var out []CommandKind
	for _, c := range cmds {
		out = append(out, c.Kind)
	}
	return out
}

// handle sends an event that must be taken and returns its commands.
func (h *harness) handle(ev Event) []Command {
	h.t.Helper()
	rd, err := h.c.Handle(h.now, ev)
	cmds := rd.Commands
	require.NoError(h.t, err, "%T %+v", ev, ev)
	h.take(cmds)
	return cmds
}

func TestCancelPendingAndAssignedMoves(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.send(CancelRequested{Move: "m1", By: "op-anna", Reason: "booked twice"})
	m1 := h.move("m1")
	assert.Equal(t, MoveCancelled, m1.State)
	assert.Contains(t, m1.History[len(m1.History)-1].Cause, "op-anna: booked twice")
	assert.ErrorContains(t, h.refuse(CancelRequested{Move: "m1"}), "cancelled already")
	assert.ErrorContains(t, h.refuse(CancelRequested{Move: "nope"}), `unknown move "nope"`)

	// assigned: the shuttle on its way to pick it up is stopped and parks
	h.send(ShuttleJoined{Shuttle: "s1", Node: "kz-park-01", SoC: 0.8})
	h.send(request("m2", "MSKU1234565", "kz-bay-03", "cn-bay-07", true))
	m2 := h.move("m2")
	require.Equal(t, MoveToPickup, m2.State)
	cmds := h.handle(CancelRequested{Move: "m2", By: "op-anna"})
	assert.Contains(t, h.kinds(cmds), CmdCancel)
	assert.Equal(t, MoveCancelled, m2.State)
	assert.Empty(t, m2.Shuttle)
	h.drive("s1")
	h.wait(time.Minute)
	h.drive("s1")
	_, hasAction := h.actions["s1"]
	assert.False(t, hasAction, "no pick is left for the cancelled move")
	assert.NotEqual(t, ShuttleToPickup, h.state("s1"))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)

	// aboard: refused, nothing changes
	h.send(request("m3", "TGHU8765436", "kz-bay-05", "cn-bay-02", true))
	m3 := h.move("m3")
	require.Equal(t, "s1", m3.Shuttle)
	h.drive("s1")
	h.finish("s1")
	require.True(t, m3.Laden())
	before := m3.State
	assert.ErrorContains(t, h.refuse(CancelRequested{Move: "m3"}), "aboard s1")
	assert.Equal(t, before, m3.State)
}

func TestPriorityChangeOrdersDispatch(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	h.send(request("low", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.send(request("high", "MSKU1234565", "kz-bay-04", "cn-bay-06", true))
	h.send(PriorityChanged{Move: "high", Priority: 5, By: "op-anna"})
	assert.Equal(t, 5, h.move("high").Priority)
	h.send(ShuttleJoined{Shuttle: "s1", Node: "kz-park-01", SoC: 0.8})
	assert.Equal(t, "s1", h.move("high").Shuttle, "the raised move goes first")
	assert.Equal(t, MovePending, h.move("low").State)

	h.send(CancelRequested{Move: "low"})
	assert.ErrorContains(t, h.refuse(PriorityChanged{Move: "low", Priority: 9}), "cancelled")
	assert.ErrorContains(t, h.refuse(PriorityChanged{Move: "x", Priority: 9}), "unknown move")
}

func TestChargeAndParkOnRequest(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(ChargeRequested{Shuttle: "s1"})
	assert.Equal(t, ShuttleToCharger, h.state("s1"))
	assert.ErrorContains(t, h.refuse(ChargeRequested{Shuttle: "s1"}), "cannot go to charge while to_charger")
	assert.ErrorContains(t, h.refuse(ChargeRequested{Shuttle: "s9"}), `unknown shuttle "s9"`)
	h.drive("s1")
	h.wait(time.Minute)
	h.drive("s1")
	require.Equal(t, ShuttleCharging, h.state("s1"))
	assert.Equal(t, ActionCharge, h.actions["s1"].Action)
	assert.Equal(t, h.c.cfg.Vehicle.MaxSoC, h.actions["s1"].TargetSoC, "charged to the vehicle's MaxSoC")
	assert.ErrorContains(t, h.refuse(ParkRequested{Shuttle: "s1"}), "while charging")
	h.finish("s1")

	// on its way to charge, sent to park instead
	h.send(ShuttleJoined{Shuttle: "s2", Node: "kz-park-30", SoC: 0.5})
	if h.state("s2") != ShuttleToCharger { // the charging policy may have sent it
		h.send(ChargeRequested{Shuttle: "s2"})
	}
	require.Equal(t, ShuttleToCharger, h.state("s2"))
	h.send(ParkRequested{Shuttle: "s2"})
	assert.Equal(t, ShuttleToParking, h.state("s2"))
	assert.Empty(t, h.c.sched.Slots(h.c.shuttles["s2"].goal), "the charger slot is given up")
	for range 3 {
		h.drive("s2")
		h.wait(time.Minute)
	}
	assert.Equal(t, ShuttleIdle, h.state("s2"))
	assert.ErrorContains(t, h.refuse(ParkRequested{Shuttle: "s2"}), "parked at")

	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	busy := h.move("m1").Shuttle
	require.NotEmpty(t, busy)
	assert.ErrorContains(t, h.refuse(ParkRequested{Shuttle: busy}), "on move m1")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// An emergency stop during a pick holds the shuttle; the pick that
// finishes meanwhile is kept, and on release it goes on laden.
func TestEmergencyStopHoldsAndReleases(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.drive("s1")
	require.Equal(t, ShuttleLoading, h.state("s1"))

	cmds := h.handle(EmergencyStopRequested{Shuttle: "s1"})
	assert.Equal(t, []CommandKind{CmdPause}, h.kinds(cmds))
	assert.Equal(t, ShuttleEStop, h.state("s1"))
	assert.Empty(t, h.handle(EmergencyStopRequested{Shuttle: "s1"}), "stopping twice changes nothing")
	assert.ErrorContains(t, h.refuse(ResumeRequested{Shuttle: "s1"}), "release it first")

	h.finish("s1") // the pick that was under way ends
	assert.Equal(t, ShuttleEStop, h.state("s1"))
	assert.Equal(t, MoveLaden, h.move("m1").State)
	assert.Empty(t, h.pending["s1"], "nothing is granted while stopped")

	cmds = h.handle(EmergencyReleaseRequested{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume)
	assert.Equal(t, ShuttleLadenTransit, h.state("s1"))
	assert.NotEmpty(t, h.pending["s1"], "released, it drives on")
	h.drive("s1")
	h.wait(time.Minute)
	h.drive("s1")
	h.wait(time.Minute)
	h.drive("s1")
	h.finish("s1")
	assert.Equal(t, MoveDelivered, h.move("m1").State)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle out of service takes no work, parks, stays out through a
// fault and its repair, and works again once put back.
func TestOutOfService(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-bay-02"})
	h.send(OutOfServiceRequested{Shuttle: "s1"})
	assert.Equal(t, ShuttleOutOfService, h.state("s1"))
	h.drive("s1") // to a parking spot, off the bay
	assert.True(t, h.c.isParking(h.c.shuttles["s1"].node), "parked at %s", h.c.shuttles["s1"].node)

	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.wait(time.Minute)
	assert.Equal(t, MovePending, h.move("m1").State, "no work out of service")

	h.send(FaultReported{Shuttle: "s1", Reason: "tyre"})
	h.send(FaultCleared{Shuttle: "s1"})
	assert.Equal(t, ShuttleOutOfService, h.state("s1"), "repaired, it stays out")

	h.send(InServiceRequested{Shuttle: "s1"})
	h.wait(time.Minute)
	assert.Equal(t, "s1", h.move("m1").Shuttle, "%s %+v", h.state("s1"), h.move("m1").PassedOver)

	// with a move it was on its way to pick up: the move waits for another
	h.send(OutOfServiceRequested{Shuttle: "s1"})
	assert.Equal(t, MovePending, h.move("m1").State)
	assert.Empty(t, h.move("m1").Shuttle)
	assert.Equal(t, ShuttleOutOfService, h.state("s1"))
	h.send(InServiceRequested{Shuttle: "s1"})
	h.wait(time.Minute)
	require.Equal(t, "s1", h.move("m1").Shuttle)
	h.drive("s1")
	h.finish("s1")
	assert.ErrorContains(t, h.refuse(OutOfServiceRequested{Shuttle: "s1"}), "once it has unloaded")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// Closing a lane a shuttle is routed over re-routes it when there is
// another way; routes made later avoid the lane until it reopens.
func TestCloseLaneReroutes(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	assert.ErrorContains(t, h.refuse(LaneClosed{Lane: "no-such-lane"}), "no-such-lane")
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.drive("s1")
	h.finish("s1")
	// some lane of its way to the far bay has a detour
	var closed string
	for _, lane := range []string{"kz-yard-cut", "kz-yard-ring", "crossover-e340", "crossover-e460", "cn-yard-cut", "cn-yard-ring"} {
		if len(h.c.StillRoutedOver(lane)) == 0 {
			continue
		}
		h.send(LaneClosed{Lane: lane})
		if len(h.c.StillRoutedOver(lane)) == 0 {
			closed = lane
			break
		}
		h.send(LaneReopened{Lane: lane})
	}
	require.NotEmpty(t, closed, "no lane on the route with a detour")
	assert.Equal(t, []string{closed}, h.c.ClosedLanes())
	for range 4 {
		h.drive("s1")
		h.wait(time.Minute)
	}
	h.finish("s1")
	assert.Equal(t, MoveDelivered, h.move("m1").State)
	h.send(LaneReopened{Lane: closed})
	assert.Empty(t, h.c.ClosedLanes())
}

// Regression tests from a review of the operator verbs: each failed
// before its fix.

// Put back into service while stopped: released, it works again.
func TestPutBackWhileStopped(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(OutOfServiceRequested{Shuttle: "s1"})
	h.send(EmergencyStopRequested{Shuttle: "s1"})
	h.send(InServiceRequested{Shuttle: "s1"})
	h.send(EmergencyReleaseRequested{Shuttle: "s1"})
	assert.Equal(t, ShuttleIdle, h.state("s1"))
	assert.False(t, h.c.OutOfService("s1"))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.wait(time.Minute)
	assert.Equal(t, "s1", h.move("m1").Shuttle)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle at a stop line whose inspection waits for the inspection bay
// is left to its task when a lane of its old route closes: it still goes
// to inspection once the bay is free.
func TestLaneClosureLeavesAWaitingInspectionAlone(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01", "s2": "kz-park-02"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m1 := h.move("m1")
	a := m1.Shuttle
	h.drive(a)
	h.finish(a)
	h.drive(a)
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-1"})
	h.drive(a)
	require.Equal(t, MoveInspection, m1.State)

	h.send(request("m2", "MSKU1234565", "kz-bay-05", "cn-bay-02", false))
	m2 := h.move("m2")
	b := m2.Shuttle
	h.drive(b)
	h.finish(b)
	h.drive(b)
	require.Equal(t, MoveAtGate, m2.State)
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m2", Decision: DecisionInspect, Officer: "kz-1"})
	require.True(t, h.c.shuttles[b].replan, "the inspection bay is taken: b waits for a route to it")
	// a lane of b's old route with a way around it (a route to the old
	// goal can be made, and must not be)
	const closed = "cn-yard-cut"
	require.Contains(t, h.c.StillRoutedOver(closed), b)
	h.send(LaneClosed{Lane: closed})
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-1"})
	for range 10 {
		h.drive(a)
		h.drive(b)
		h.wait(time.Minute)
	}
	assert.Equal(t, MoveInspection, m2.State, "b went to the inspection bay once it was free (%s closed)", closed)
}

// A fault while paused keeps the pause: the vehicle was told to pause,
// and only a resume (with stopPause) lets it go on.
func TestFaultWhilePausedKeepsThePause(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.send(PauseRequested{Shuttle: "s1"})
	h.send(FaultReported{Shuttle: "s1", Reason: "bumper"})
	assert.Equal(t, ShuttlePaused, h.state("s1"))
	assert.Equal(t, MovePending, h.move("m1").State, "its move goes back to the pending moves")
	h.send(FaultCleared{Shuttle: "s1"})
	h.wait(time.Minute)
	assert.Equal(t, ShuttlePaused, h.state("s1"), "repaired, still paused")
	assert.Equal(t, MovePending, h.move("m1").State, "no work while paused")
	cmds := h.handle(ResumeRequested{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume)
	for range 3 { // to the parking spot it was given when it broke down, then to work
		h.drive("s1")
		h.wait(time.Minute)
	}
	assert.Equal(t, "s1", h.move("m1").Shuttle)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle paused and then faulted, resumed before its repair, is in
// fault: the resume was an illegal transition (the table had no
// "resume_fault"), and the shuttle stayed paused for good where only an
// operator may clear its fault (a failed pick or drop), for clear-fault
// wants a shuttle in fault and a stop is released into the pause.
func TestResumeBeforeTheRepairIsInFault(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.send(PauseRequested{Shuttle: "s1"})
	h.send(FaultReported{Shuttle: "s1", Reason: "pick failed: spreader"})
	require.Equal(t, ShuttlePaused, h.state("s1"))
	cmds := h.handle(ResumeRequested{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume)
	assert.Equal(t, ShuttleFault, h.state("s1"), "resumed: in fault until repaired")
	assert.Equal(t, MovePending, h.move("m1").State, "no work in fault")
	h.send(FaultCleared{Shuttle: "s1"})
	for range 3 {
		h.drive("s1")
		h.wait(time.Minute)
	}
	assert.Equal(t, "s1", h.move("m1").Shuttle, "repaired, it works again")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle stopped on its way to charge gives its charger slot up; once
// released it books again if it still needs to charge.
func TestStopOnTheWayToChargeGivesTheSlotUp(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(ChargeRequested{Shuttle: "s1"})
	r := h.c.shuttles["s1"]
	station := r.goal
	require.NotEmpty(t, h.c.ChargerSlots(station))
	h.send(EmergencyStopRequested{Shuttle: "s1"})
	assert.Empty(t, h.c.ChargerSlots(station), "no slot held while stopped")
	assert.Zero(t, r.slot)
	h.wait(30 * time.Minute)
	h.send(EmergencyReleaseRequested{Shuttle: "s1"})
	for range 3 {
		h.drive("s1")
		h.wait(time.Minute)
	}
	if h.state("s1") == ShuttleCharging || h.state("s1") == ShuttleToCharger {
		assert.NotZero(t, r.slot, "charging only with a slot")
	}

	// a pause does the same
	h.send(ShuttleJoined{Shuttle: "s2", Node: "kz-park-30", SoC: 0.5})
	if h.state("s2") != ShuttleToCharger {
		h.send(ChargeRequested{Shuttle: "s2"})
	}
	require.NotZero(t, h.c.shuttles["s2"].slot)
	h.send(PauseRequested{Shuttle: "s2"})
	assert.Zero(t, h.c.shuttles["s2"].slot)
	h.send(ResumeRequested{Shuttle: "s2"})
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle whose move is cancelled while it waits at a stop line on its
// way stops at the next stop line too, and its gate record ends.
func TestCancelAtAStopLineKeepsTheNextStop(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "cn-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	r := h.c.shuttles["s1"]
	for i := 0; i < 20 && r.gate == nil; i++ {
		if len(h.pending["s1"]) == 0 {
			h.wait(10 * time.Second)
			continue
		}
		h.drive("s1")
	}
	require.NotNil(t, r.gate, "held at a stop line on the way")
	first := r.gate.checkpoint.ID
	h.send(CancelRequested{Move: "m1"})
	stopped := map[string]bool{}
	for range 40 {
		h.drive("s1")
		if r.gate != nil {
			stopped[r.gate.checkpoint.ID] = true
		}
		h.wait(5 * time.Second)
	}
	delete(stopped, first)
	assert.NotEmpty(t, stopped, "it stopped at the next stop line (after %s)", first)
	assert.Nil(t, r.gate)
	assert.NotEqual(t, "waiting at a gate", h.c.Activity("s1").String())
	assert.True(t, h.c.nextWake().IsZero() || h.c.nextWake().After(h.now), "no wake-up in the past: %v", h.c.nextWake())
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A shuttle out of service stopped on its way to park reaches the spot
// without an illegal transition.
func TestStoppedOutOfServiceReachesItsSpot(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-bay-02"})
	h.send(OutOfServiceRequested{Shuttle: "s1"})
	goal := h.c.shuttles["s1"].goalStep
	require.Positive(t, goal)
	// drive up to the node before the spot
	for range 100 {
		if p, _ := h.c.tr.Position("s1"); p.AtStep == goal-2 {
			break
		}
		for len(h.pending["s1"]) > 0 {
			cmd := h.pending["s1"][0]
			h.pending["s1"] = h.pending["s1"][1:]
			for k := 1; k < len(cmd.Steps) && cmd.From+k+1 < goal; k += 2 {
				h.send(NodeReached{Shuttle: "s1", Step: cmd.From + k + 1, SoC: 0.7})
			}
		}
		h.wait(time.Second)
	}
	require.Equal(t, goal, func() int { p, _ := h.c.tr.Position("s1"); return p.Granted }(), "granted to the spot")
	h.send(EmergencyStopRequested{Shuttle: "s1"})
	h.send(NodeReached{Shuttle: "s1", Step: goal, SoC: 0.7}) // it reaches the spot while stopped
	h.send(EmergencyReleaseRequested{Shuttle: "s1"})
	assert.Equal(t, ShuttleOutOfService, h.state("s1"))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A resume of a shuttle that is not paused is refused with ErrConflict
// and the reason, and changes nothing; a second pause is as asked.
func TestResumeOfAShuttleNotPausedIsAConflict(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	err := h.refuse(ResumeRequested{Shuttle: "s1"})
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "shuttle s1 is idle, not paused")
	assert.Equal(t, ShuttleIdle, h.state("s1"))
	h.send(PauseRequested{Shuttle: "s1"})
	h.send(PauseRequested{Shuttle: "s1"})
	h.send(ResumeRequested{Shuttle: "s1"})
	assert.ErrorIs(t, h.refuse(ResumeRequested{Shuttle: "s1"}), ErrConflict, "resumed already")
	h.send(EmergencyStopRequested{Shuttle: "s1"})
	assert.ErrorIs(t, h.refuse(ResumeRequested{Shuttle: "s1"}), ErrConflict, "stopped: release it first")
}
