package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// harness drives a Controller on the default site with instant vehicles: a
// granted edge is driven at once, an action at the goal is done when the
// test says so. It is a fake for unit tests; sim has the real vehicle model.
type harness struct {
	t       *testing.T
	c       *Controller
	now     time.Time
	pending map[string][]Command // drive commands not driven yet, by shuttle
	actions map[string]Command   // the action each shuttle was given last
	cancels int
	soc     map[string]float64 // what each shuttle reports as its state of charge; 0.7 if not set
	seen    []Command          // every command taken, in order (transcript_test.go reads them)
	gone    []*Move            // every move Ready.Archived handed out, in order
}

func newHarness(t *testing.T, policy string, shuttles map[string]string) *harness {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	c, err := NewController(Config{Graph: g, Dispatch: policy, AmbientC: -17})
	require.NoError(t, err)
	h := &harness{t: t, c: c, now: time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC),
		pending: map[string][]Command{}, actions: map[string]Command{}, soc: map[string]float64{}}
	for id, node := range shuttles {
		h.send(ShuttleJoined{Shuttle: id, Node: node, SoC: 0.7})
	}
	return h
}

func (h *harness) send(ev Event) {
	h.t.Helper()
	rd, err := h.c.Handle(h.now, ev)
	cmds := rd.Commands
	h.gone = append(h.gone, rd.Archived...)
	require.NoError(h.t, err, "%T %+v", ev, ev)
	h.take(cmds)
}

func (h *harness) take(cmds []Command) {
	h.seen = append(h.seen, cmds...)
	for _, cmd := range cmds {
		switch cmd.Kind {
		case CmdDrive:
			h.pending[cmd.Shuttle] = append(h.pending[cmd.Shuttle], cmd)
			if cmd.Action != "" {
				h.actions[cmd.Shuttle] = cmd
			}
		case CmdCancel:
			h.cancels++
			delete(h.actions, cmd.Shuttle)
		}
	}
}

// drive reports every node the shuttle has been granted, in order, until
// it has no granted step left.
func (h *harness) drive(id string) {
	h.t.Helper()
	for len(h.pending[id]) > 0 {
		cmd := h.pending[id][0]
		h.pending[id] = h.pending[id][1:]
		for k := 1; k < len(cmd.Steps); k += 2 {
			h.now = h.now.Add(2 * time.Second)
			h.send(NodeReached{Shuttle: id, Step: cmd.From + k + 1, SoC: h.socOf(id)})
		}
	}
}

// finish reports the action the shuttle was given as done.
func (h *harness) finish(id string) {
	h.t.Helper()
	cmd, ok := h.actions[id]
	require.True(h.t, ok, "%s has no action", id)
	delete(h.actions, id)
	h.now = h.now.Add(5 * time.Minute)
	h.send(ActionDone{Shuttle: id, Action: cmd.Action, SoC: h.socOf(id)})
}

// socOf is the state of charge a shuttle reports: 0.7 unless set in h.soc.
func (h *harness) socOf(id string) float64 {
	if soc, ok := h.soc[id]; ok {
		return soc
	}
	return 0.7
}

// atFirstGate asks for move m1 of CSQU3054383 from kz-bay-03 to cn-bay-07
// (not cleared ahead) and drives s1 to pick it up and on to the KZ stop
// line, where it waits for customs.
func (h *harness) atFirstGate() *Move {
	h.t.Helper()
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m := h.move("m1")
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	require.Equal(h.t, MoveAtGate, m.State)
	return m
}

// wait lets time pass: gate release times run out.
func (h *harness) wait(d time.Duration) {
	h.now = h.now.Add(d)
	h.send(Tick{})
}

func (h *harness) move(id string) *Move { return h.c.moves[id] }

func (h *harness) states(m *Move) []MoveState {
	var out []MoveState
	for _, tr := range m.History {
		if tr.Changed() { // a change of state, not a decision or a note
			out = append(out, tr.To)
		}
	}
	return out
}

func request(id, container, from, to string, precleared bool) MoveRequested {
	return MoveRequested{ID: id, Container: container, Origin: from, Destination: to, PreCleared: precleared, IdempotencyKey: "key-" + id}
}

// A pre-cleared container goes from a KZ bay to a CN bay through both
// gates, each passed in its release time, and is delivered once.
func TestControllerDeliversThroughBothGates(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	m := h.move("m1")
	assert.Equal(t, MoveToPickup, m.State)
	h.drive("s1")
	assert.Equal(t, MoveLoading, m.State)
	h.finish("s1")
	assert.Equal(t, MoveLaden, m.State)
	for _, gate := range []string{"kz-bakhty-out", "cn-pokitu-in"} {
		h.drive("s1")
		assert.Equal(t, MoveAtGate, m.State, "held at %s", gate)
		assert.Equal(t, "waiting at a gate", h.c.Activity("s1").String())
		assert.Equal(t, Activity{Kind: ActivityWaitGate, Detail: gate}, h.c.Activity("s1"))
		h.wait(29 * time.Second)
		h.drive("s1")
		assert.Equal(t, MoveAtGate, m.State, "not before the release time")
		h.wait(time.Second)
	}
	h.drive("s1")
	assert.Equal(t, MoveUnloading, m.State)
	h.finish("s1")
	assert.Equal(t, MoveDelivered, m.State)
	assert.Equal(t, []MoveState{MoveAssigned, MoveToPickup, MoveLoading, MoveLaden, MoveAtGate, MoveLaden,
		MoveAtGate, MoveToDropoff, MoveUnloading, MoveDelivered}, h.states(m))
	st := h.c.Stats()
	assert.Equal(t, 1, st.Deliveries)
	assert.Zero(t, st.IllegalTransitions, st.Illegal)
	s, _, _ := h.c.ShuttleState("s1")
	assert.Equal(t, ShuttleToParking, s, "it leaves the bay free")
}

// A container not cleared before waits for the officer of the gate's own
// country: an officer of the other country is refused, inspect sends it to
// the inspection bay, release there sends it on; a refusal at the next gate
// sends it back to a bay of its origin centre.
func TestControllerCustomsDecisions(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	m := h.atFirstGate()
	h.wait(10 * time.Minute)
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State, "no decision, no passing")

	_, err := h.c.Handle(h.now, CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "CN", Move: "m1", Decision: DecisionRelease})
	assert.ErrorContains(t, err, "an officer of CN cannot decide at kz-bakhty-out, a checkpoint of KZ")
	_, err = h.c.Handle(h.now, CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: "wave through"})
	assert.ErrorContains(t, err, `customs decision "wave through"`)

	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-7", Reason: "seal"})
	h.drive("s1")
	assert.Equal(t, MoveInspection, m.State)
	p, _ := h.c.Traffic().Position("s1")
	assert.Equal(t, "kz-bakhty-out-inspection", p.At)
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-7", Reason: "seal ok"})
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State, "on to the CN gate")
	h.send(CustomsDecision{Checkpoint: "cn-pokitu-in", Country: "CN", Move: "m1", Decision: DecisionRefuse, Officer: "cn-3", Reason: "permit"})
	assert.Equal(t, MoveReturning, m.State)
	for i := 0; i < 6 && m.State != MoveUnloading; i++ {
		h.drive("s1")
		h.wait(30 * time.Second)
	}
	require.Equal(t, MoveUnloading, m.State)
	p, _ = h.c.Traffic().Position("s1")
	b, _ := h.c.site.Bay(p.At)
	assert.Equal(t, "kz-lc", b.Centre, "back in its origin centre")
	h.finish("s1")
	assert.Equal(t, MoveReturned, m.State)
	var cause string
	for _, tr := range m.History {
		if tr.To == MoveReturning {
			cause = tr.Cause
		}
	}
	assert.Equal(t, "refuse by cn-3 (CN) at cn-pokitu-in: permit", cause)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

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

// Bad requests are refused with an error that names what is wrong, and
// change nothing; an idempotency key accepts the same move once.
func TestControllerMoveRequests(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	for _, tc := range []struct {
		req  MoveRequested
		want string
	}{
		{request("m1", "CSQU3054384", "kz-bay-03", "cn-bay-07", true), "check digit"},
		{request("m1", "CSQU3054383", "kz-bay-99", "cn-bay-07", true), `"kz-bay-99" is not a yard bay`},
		{request("m1", "CSQU3054383", "kz-bakhty-out-inspection", "cn-bay-07", true), "is not a yard bay"},
		{request("m1", "CSQU3054383", "kz-bay-03", "kz-bay-03", true), "from bay \"kz-bay-03\" to itself"},
	} {
		_, err := h.c.Handle(h.now, tc.req)
		assert.ErrorContains(t, err, tc.want)
	}
	assert.Empty(t, h.c.Moves())
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true)) // a retry: accepted, nothing new
	assert.Len(t, h.c.Moves(), 1)
	again := request("m2", "CSQU3054383", "kz-bay-04", "cn-bay-07", true)
	again.IdempotencyKey = "key-m1"
	_, err := h.c.Handle(h.now, again)
	assert.ErrorContains(t, err, `idempotency key "key-m1" was used for another move (m1)`)
	assert.ErrorIs(t, err, ErrKeyConflict)
	assert.Len(t, h.c.Moves(), 1)
	assert.Equal(t, MovePending, h.move("m1").State, "no shuttle yet")
}

// With no shuttle able to take a move, dispatch records why each was
// passed over.
func TestDispatchRecordsWhyShuttlesWerePassedOver(t *testing.T) {
	for _, policy := range []string{"greedy", "lookahead"} {
		h := newHarness(t, policy, map[string]string{"low": "kz-park-01"})
		h.c.shuttles["low"].soc = 0.21
		h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
		m := h.move("m1")
		assert.Equal(t, MovePending, m.State, policy)
		require.Len(t, m.PassedOver, 1, policy)
		assert.Equal(t, RejectBattery, m.PassedOver[0].Kind, policy)
		assert.Contains(t, m.PassedOver[0].String(), "low: battery: not feasible", policy)
		assert.Equal(t, 1, h.c.Stats().DispatchRejections[RejectBattery], policy)
	}
}

// An inspection that cannot start (the inspection bay is taken) and is
// then overruled by a release: the shuttle passes from the stop line in
// the release time, and only then.
func TestControllerReleaseAfterBlockedInspection(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01", "s2": "kz-park-02"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m1 := h.move("m1")
	a := m1.Shuttle
	h.drive(a)
	h.finish(a)
	h.drive(a) // pulled aside to the inspection bay to wait
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-1"})
	h.drive(a)
	require.Equal(t, MoveInspection, m1.State)

	h.send(request("m2", "MSKU1234565", "kz-bay-05", "cn-bay-02", false))
	m2 := h.move("m2")
	b := m2.Shuttle
	require.NotEqual(t, a, b)
	h.drive(b)
	h.finish(b)
	h.drive(b)
	require.Equal(t, MoveAtGate, m2.State)
	p, _ := h.c.Traffic().Position(b)
	require.Equal(t, "kz-bakhty-out", p.At, "the inspection bay is taken: it waits at the stop line")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m2", Decision: DecisionInspect, Officer: "kz-1"})
	h.drive(b)
	p, _ = h.c.Traffic().Position(b)
	assert.Equal(t, "kz-bakhty-out", p.At, "still held: the inspection bay is taken")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m2", Decision: DecisionRelease, Officer: "kz-2"})
	h.drive(b)
	p, _ = h.c.Traffic().Position(b)
	assert.Equal(t, "kz-bakhty-out", p.At, "not before the release time")
	h.wait(30 * time.Second)
	h.drive(b)
	p, _ = h.c.Traffic().Position(b)
	assert.NotEqual(t, "kz-bakhty-out", p.At, "released, it drives on")
	assert.Equal(t, MoveAtGate, m2.State, "at the CN gate")
	assert.Equal(t, []MoveState{MoveAssigned, MoveToPickup, MoveLoading, MoveLaden, MoveAtGate, MoveLaden, MoveAtGate}, h.states(m2))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A paused shuttle is granted no more lane and takes no work until it is
// resumed; it cannot be paused while it handles a container. The gate
// queue lists a container waiting for customs.
func TestControllerPauseAndGateQueue(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	rd, err := h.c.Handle(h.now, PauseRequested{Shuttle: "s1"})
	cmds := rd.Commands
	require.NoError(t, err)
	assert.Equal(t, []Command{{Shuttle: "s1", Kind: CmdPause}}, cmds)
	s, _, _ := h.c.ShuttleState("s1")
	assert.Equal(t, ShuttlePaused, s)
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	assert.Equal(t, MovePending, h.move("m1").State, "a paused shuttle takes no move")
	assert.Empty(t, h.pending["s1"])

	rd, err = h.c.Handle(h.now, ResumeRequested{Shuttle: "s1"})
	cmds = rd.Commands
	require.NoError(t, err)
	assert.Equal(t, Command{Shuttle: "s1", Kind: CmdResume}, cmds[0])
	h.take(cmds[1:])
	assert.Equal(t, MoveToPickup, h.move("m1").State, "resumed, it takes the move")
	h.drive("s1")
	_, err = h.c.Handle(h.now, PauseRequested{Shuttle: "s1"})
	assert.ErrorContains(t, err, "cannot be paused while loading")
	_, err = h.c.Handle(h.now, PauseRequested{Shuttle: "nobody"})
	assert.ErrorContains(t, err, "unknown shuttle")

	h.finish("s1")
	h.drive("s1")
	q := h.c.GateQueue()
	require.Len(t, q, 1)
	assert.Equal(t, GateWait{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Container: "CSQU3054383", Shuttle: "s1"}, q[0])
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "o"})
	assert.Empty(t, h.c.GateQueue(), "released: it passes in the release time")
}

// Tuning: zero fields take the defaults, a value out of range is refused
// with its JSON name, and a value set is the one used.
func TestTuning(t *testing.T) {
	d := Tuning{}.withDefaults()
	assert.Equal(t, DefaultTuning(), d)
	assert.Equal(t, 2, d.InboundPerBay)
	assert.Equal(t, 30*time.Minute, d.Standing.D())

	for _, bad := range []struct {
		tu   Tuning
		want string
	}{
		{Tuning{BayWaitWeight: -1}, "bay_wait_weight"},
		{Tuning{Replan: -5}, "replan_s"},
		{Tuning{ChargeWindow: 600, ChargeMaxWait: 900}, "charge_max_wait_s"},
	} {
		site, err := geo.Default()
		require.NoError(t, err)
		g, err := routing.NewGraph(site, routing.GraphConfig{})
		require.NoError(t, err)
		_, err = NewController(Config{Graph: g, Tuning: bad.tu})
		require.Error(t, err)
		assert.Contains(t, err.Error(), bad.want)
	}

	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	assert.Equal(t, 20, h.c.maxInbound("cn-lc"), "two moves per bay by default")
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	c, err := NewController(Config{Graph: g, Tuning: Tuning{InboundPerBay: 1}})
	require.NoError(t, err)
	assert.Equal(t, 10, c.maxInbound("cn-lc"))
}

// Ready carries all an event leads to: the moves it changed, once each and
// in order, and when the Controller wants a Tick (a pre-cleared
// container's release time at the stop line).
func TestReadyCarriesChangesAndWake(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	rd, err := h.c.Handle(h.now, request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	require.NoError(t, err)
	require.Len(t, rd.Changed, 1, "created and dispatched: one move, once")
	assert.Equal(t, "m1", rd.Changed[0].ID)
	assert.NotEmpty(t, rd.Commands)
	h.take(rd.Commands)
	rd, err = h.c.Handle(h.now, Tick{})
	require.NoError(t, err)
	assert.Empty(t, rd.Changed, "nothing changed since")
	assert.True(t, rd.Wake.IsZero(), "nobody at a stop line")

	h.drive("s1")
	h.finish("s1")
	for range 5 {
		h.drive("s1")
		if h.move("m1").State == MoveAtGate {
			break
		}
	}
	require.Equal(t, MoveAtGate, h.move("m1").State)
	rd, err = h.c.Handle(h.now, Tick{})
	require.NoError(t, err)
	assert.False(t, rd.Wake.IsZero(), "the release time at the stop line")
	assert.True(t, rd.Wake.After(h.now))
}

// ChangedSince answers with the moves changed after a change number, least
// recently changed first, once each; MoveCounts counts the moves by state.
func TestChangedSinceAndMoveCounts(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{})
	all, seq := h.c.ChangedSince(0)
	assert.Empty(t, all)
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	h.send(request("m2", "MSCU1234566", "kz-bay-04", "cn-bay-06", false))
	ms, seq2 := h.c.ChangedSince(seq)
	require.Len(t, ms, 2)
	assert.Equal(t, []string{"m1", "m2"}, []string{ms[0].ID, ms[1].ID})
	ms, _ = h.c.ChangedSince(seq2)
	assert.Empty(t, ms, "nothing since")

	h.send(PriorityChanged{Move: "m1", Priority: 5, By: "otto"})
	ms, seq3 := h.c.ChangedSince(seq2)
	require.Len(t, ms, 1)
	assert.Equal(t, "m1", ms[0].ID)
	h.send(CancelRequested{Move: "m2", By: "otto"})
	h.send(PriorityChanged{Move: "m1", Priority: 6, By: "otto"})
	ms, _ = h.c.ChangedSince(seq3)
	assert.Equal(t, []string{"m2", "m1"}, []string{ms[0].ID, ms[1].ID}, "by last change, once each")
	ms, _ = h.c.ChangedSince(0)
	assert.Len(t, ms, 2, "zero: every move")

	assert.Equal(t, map[MoveState]int{MovePending: 1, MoveCancelled: 1}, h.c.MoveCounts())
}

// A fleet may have as many shuttles as the site has parking spots: one
// more is refused with ErrSiteFull, naming the count, and nothing changes.
func TestJoinBeyondTheSiteParkingIsRefused(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	spots := h.c.site.Parking
	for i, p := range spots {
		h.send(ShuttleJoined{Shuttle: fmt.Sprintf("s%03d", i), Node: p.ID, SoC: 0.7})
	}
	_, err := h.c.Handle(h.now, ShuttleJoined{Shuttle: "one-more", Node: "kz-bay-01", SoC: 0.7})
	require.ErrorIs(t, err, ErrSiteFull)
	assert.Contains(t, err.Error(), fmt.Sprintf("the site has %d parking spots", len(spots)))
	assert.Contains(t, err.Error(), `"one-more"`)
	_, _, known := h.c.ShuttleState("one-more")
	assert.False(t, known, "not in the fleet")
	assert.True(t, h.c.tr.Free("kz-bay-01"), "not placed")
}
