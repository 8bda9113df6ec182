package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A decision means what it says: only at a checkpoint of the move's way
// that the container has not passed, on a move neither over nor refused;
// every decision taken is in the history and the clearance record with
// the officer, the reason and the time.
func TestCustomsDecisionsMeanWhatTheySay(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m := h.move("m1")
	require.Len(t, m.Clearances, 2, "the checkpoints of its way")
	assert.Equal(t, []string{"kz-bakhty-out", "cn-pokitu-in"}, []string{m.Clearances[0].Checkpoint, m.Clearances[1].Checkpoint})
	assert.Equal(t, ClearanceExpected, m.Clearances[0].Status(m.PreCleared))

	decide := func(cp, country string, d Verdict, officer string) error {
		rd, err := h.c.Handle(h.now, CustomsDecision{Checkpoint: cp, Country: country, Move: "m1", Decision: d, Officer: officer, Reason: "r-" + officer})
		cmds := rd.Commands
		h.take(cmds)
		return err
	}
	// a gate this eastbound move never uses
	err := decide("cn-pokitu-out", "CN", DecisionRefuse, "cn-1")
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "checkpoint cn-pokitu-out is not on move m1's way (its checkpoints: kz-bakhty-out, cn-pokitu-in)")

	// pre-clearance at the CN gate before the container left its bay,
	// changed before arrival: both kept
	require.NoError(t, decide("cn-pokitu-in", "CN", DecisionInspect, "cn-2"))
	require.NoError(t, decide("cn-pokitu-in", "CN", DecisionRelease, "cn-3"))
	cn := m.clearance("cn-pokitu-in")
	require.Len(t, cn.Decisions, 2)
	assert.Equal(t, Decided{At: h.now, Decision: DecisionRelease, Officer: "cn-3", Reason: "r-cn-3"}, cn.Decisions[1])
	assert.Equal(t, ClearanceReleased, cn.Status(false))
	var noted []string
	for _, tr := range m.History {
		if tr.Decision != "" {
			noted = append(noted, tr.Cause)
			assert.Equal(t, tr.From, tr.To, "a decision noted is no change of state")
		}
	}
	assert.Equal(t, []string{"inspect by cn-2 (CN) at cn-pokitu-in: r-cn-2", "release by cn-3 (CN) at cn-pokitu-in: r-cn-3"}, noted)

	// the KZ gate: waiting, then released
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State)
	kz := m.clearance("kz-bakhty-out")
	assert.Equal(t, ClearanceWaiting, kz.Status(false))
	require.False(t, kz.Arrived.IsZero())
	assert.Equal(t, kz.Arrived, kz.Since(), "waiting since it arrived")
	require.NoError(t, decide("kz-bakhty-out", "KZ", DecisionRelease, "kz-1"))
	h.wait(time.Minute)
	h.drive("s1")
	passedAt := kz.Passed
	require.False(t, passedAt.IsZero())
	assert.Equal(t, ClearancePassed, kz.Status(false))

	// past the KZ gate: a refusal there cannot be expressed
	err = decide("kz-bakhty-out", "KZ", DecisionRefuse, "kz-2")
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "move m1 passed kz-bakhty-out at "+passedAt.UTC().Format("2006-01-02 15:04:05Z"))
	assert.Len(t, kz.Decisions, 1, "the refused decision is not recorded")

	// the CN gate was released ahead: it passes, and the history names who
	for i := 0; i < 20 && m.State != MoveToDropoff; i++ {
		h.drive("s1")
		h.wait(30 * time.Second)
	}
	require.Equal(t, MoveToDropoff, m.State, "%s; %s", recent(m, 6), h.c.Explain("s1"))
	var passCause string
	for _, tr := range m.History {
		if tr.To == MoveToDropoff {
			passCause = tr.Cause
		}
	}
	assert.Equal(t, "passed cn-pokitu-in, released by cn-3 (CN) at cn-pokitu-in: r-cn-3", passCause)
	h.drive("s1")
	h.finish("s1")
	require.Equal(t, MoveDelivered, m.State)
	err = decide("cn-pokitu-in", "CN", DecisionRefuse, "cn-4")
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "move m1 is delivered")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A refused container on its way back takes no more decisions; the
// clearance record shows where and when it was refused and inspected.
func TestRefusedContainerTakesNoMoreDecisions(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	m := h.atFirstGate()
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-7"})
	h.drive("s1")
	require.Equal(t, MoveInspection, m.State)
	kz := m.clearance("kz-bakhty-out")
	assert.Equal(t, ClearanceInspection, kz.Status(false))
	assert.False(t, kz.Inspected.IsZero())
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRefuse, Officer: "kz-7", Reason: "seal broken"})
	require.Equal(t, MoveReturning, m.State)
	assert.Equal(t, ClearanceRefused, kz.Status(false))
	assert.False(t, kz.Refused.IsZero())
	_, err := h.c.Handle(h.now, CustomsDecision{Checkpoint: "cn-pokitu-in", Country: "CN", Move: "m1", Decision: DecisionRelease, Officer: "cn-1"})
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "move m1 was refused at kz-bakhty-out at")
}

// Every entry of a move's history at a checkpoint names it in a field of
// its own, and a decision its officer, whatever the officer is called: the
// audit trail (and so which country sees an entry) never reads them out of
// the prose, where "gate-robot(1)" used to lose the checkpoint and the
// inspection bay's arrival named "the inspection bay ..." as one.
func TestGateTransitionsNameTheirCheckpoint(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	m := h.atFirstGate()
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "gate-robot(1)"})
	h.drive("s1")
	require.Equal(t, MoveInspection, m.State)
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "gate-robot(1)", Reason: "ok"})
	require.Equal(t, MoveLaden, m.State, "back on the way from the inspection bay")
	h.send(CustomsDecision{Checkpoint: "cn-pokitu-in", Country: "CN", Move: "m1", Decision: DecisionRefuse, Officer: "wei :)", Reason: "no"})
	h.drive("s1")
	h.wait(time.Minute)
	require.Equal(t, MoveReturning, m.State)
	var got []string
	for _, tr := range m.History {
		if tr.Checkpoint != "" {
			got = append(got, fmt.Sprintf("%s%s %s %s", tr.To, tr.Decision, tr.Checkpoint, tr.Actor))
		}
	}
	assert.Equal(t, []string{
		"at_gate kz-bakhty-out ",
		"at_gateinspect kz-bakhty-out officer gate-robot(1) (KZ)",
		"in_inspection kz-bakhty-out ",
		"in_inspectionrelease kz-bakhty-out officer gate-robot(1) (KZ)",
		"laden_transit kz-bakhty-out officer gate-robot(1) (KZ)", // the release lets it go on
		"laden_transitrefuse cn-pokitu-in officer wei :) (CN)",
		"at_gate cn-pokitu-in ",
		"returning cn-pokitu-in officer wei :) (CN)", // the refusal sends it back
	}, got)

	// released at the stop line, it passes
	h = newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	m = h.atFirstGate()
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "gate-robot(2)"})
	h.wait(time.Minute)
	last := m.History[len(m.History)-1]
	require.Equal(t, MoveLaden, last.To, "passed")
	assert.Equal(t, "kz-bakhty-out", last.Checkpoint, last.Cause)
	assert.Equal(t, "officer gate-robot(2) (KZ)", last.Actor, "the officer whose release it passed on")
}

// One open move per container: a second is refused naming the first, and
// may be asked for once the first is over.
func TestOneOpenMovePerContainer(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	_, err := h.c.Handle(h.now, request("m2", "CSQU3054383", "cn-bay-01", "kz-bay-02", false))
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "container CSQU3054383 has an open move, m1 (pending)")
	h.send(CancelRequested{Move: "m1", By: "otto"})
	h.send(request("m2", "CSQU3054383", "cn-bay-01", "kz-bay-02", false))
	assert.Equal(t, MovePending, h.move("m2").State)
}
