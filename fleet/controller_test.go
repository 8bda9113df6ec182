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
