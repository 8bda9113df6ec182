package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func declaration(country, ref string, seals ...string) DeclarationFiled {
	return DeclarationFiled{Container: "CSQU3054383", Country: country, Reference: ref, Declarant: "Trans LLP",
		Goods: "machine parts", GrossMassKg: 18400, Seals: seals, By: "customs system " + country}
}

func reading(cp string, seals ...SealState) SealRead {
	return SealRead{Checkpoint: cp, Container: "CSQU3054383", Seals: seals, By: "reader " + cp}
}

// notes are the causes of a move's notes of one kind.
func notes(m *Move, event string) []string {
	var out []string
	for _, tr := range m.History {
		if tr.Event == event {
			out = append(out, tr.Cause)
		}
	}
	return out
}

// A declaration filed before the container has a move is kept and taken
// up by its move; a new one for the same country replaces it, and the
// history keeps both.
func TestDeclarationBeforeTheMoveIsTakenUp(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{})
	h.send(declaration("KZ", "KZ-1", "S1", "S2"))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m := h.move("m1")
	d := m.Declared("KZ")
	require.NotNil(t, d)
	assert.Equal(t, "KZ-1", d.Reference)
	assert.Equal(t, []string{"S1", "S2"}, d.Seals)
	assert.Nil(t, m.Declared("CN"))
	assert.Empty(t, h.c.declared, "taken up by the move")

	h.send(declaration("KZ", "KZ-2", "S1", "S3"))
	h.send(declaration("CN", "CN-1", "S1"))
	assert.Equal(t, "KZ-2", m.Declared("KZ").Reference)
	assert.Len(t, m.Declarations, 2)
	got := notes(m, NoteDeclaration)
	require.Len(t, got, 3)
	assert.Contains(t, got[0], "declaration KZ-1 for KZ filed by customs system KZ")
	assert.Contains(t, got[1], "(replaces KZ-1)")
	for _, tr := range m.History {
		if tr.Event == NoteDeclaration {
			assert.Equal(t, tr.From, tr.To, "a note is no change of state")
			assert.NotEmpty(t, tr.Checkpoint, "at a checkpoint of its country, for the sharing rule")
		}
	}
	assert.Empty(t, h.states(m), "notes are no changes of state")

	// the next move of the container does not inherit them
	h.send(CancelRequested{Move: "m1", By: "otto"})
	h.send(request("m2", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	assert.Empty(t, h.move("m2").Declarations)

	_, err := h.c.Handle(h.now, declaration("MN", "MN-1"))
	assert.ErrorIs(t, err, ErrInvalid)
	assert.ErrorContains(t, err, "country: no checkpoint of MN on the site")
	bad := declaration("KZ", "KZ-3", "S1", "S1")
	var ie *InvalidError
	require.ErrorAs(t, bad.Validate(), &ie)
	assert.Equal(t, "seals[1]", ie.Field)
}

// With HoldWithoutDeclaration a released container waits at the gate of
// a country it has no declaration for; filing one lets the release apply.
func TestHoldWithoutDeclarationThenReleaseOnFiling(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.c.cfg.HoldWithoutDeclaration = true
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m := h.move("m1")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-1"})
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State)
	h.wait(5 * time.Minute)
	h.drive("s1")
	kz := m.clearance("kz-bakhty-out")
	assert.True(t, kz.Passed.IsZero(), "held whatever was decided")
	assert.Equal(t, "no declaration filed for KZ", kz.Held)
	assert.Equal(t, ClearanceHeld, kz.Status(false))
	assert.Contains(t, h.c.Explain("s1"), "held: no declaration filed for KZ")
	assert.Equal(t, []string{"held at kz-bakhty-out: no declaration filed for KZ"}, notes(m, NoteHeld))
	q := h.c.GateQueue()
	require.Len(t, q, 1)
	assert.Equal(t, "no declaration filed for KZ", q[0].Held)

	h.send(declaration("KZ", "KZ-1", "S1"))
	assert.Empty(t, kz.Held)
	for i := 0; i < 10 && kz.Passed.IsZero(); i++ {
		h.wait(30 * time.Second)
		h.drive("s1")
	}
	assert.False(t, kz.Passed.IsZero(), "the release applies once the declaration is filed: %s", h.c.Explain("s1"))
	// CN has no declaration: it stops there even though CN released ahead
	h.send(CustomsDecision{Checkpoint: "cn-pokitu-in", Country: "CN", Move: "m1", Decision: DecisionRelease, Officer: "cn-1"})
	for i := 0; i < 10 && m.State != MoveAtGate; i++ {
		h.wait(30 * time.Second)
		h.drive("s1")
	}
	require.Equal(t, MoveAtGate, m.State)
	h.wait(5 * time.Minute)
	assert.Equal(t, "no declaration filed for CN", m.clearance("cn-pokitu-in").Held)
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// Inspect and refuse apply as usual to a container held for want of a
// declaration.
func TestHoldWithoutDeclarationLetsRefusalApply(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.c.cfg.HoldWithoutDeclaration = true
	m := h.atFirstGate()
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRefuse, Officer: "kz-1"})
	assert.Equal(t, MoveReturning, m.State)
}

// A tampered seal holds a container released ahead at the gate: it needs
// a release taken after the reading.
func TestTamperedSealHoldsPreReleasedContainer(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(declaration("KZ", "KZ-1", "S1", "S2"))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	m := h.move("m1")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-1"})
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State)
	// read while it stands at the stop line in the release time
	h.send(reading("kz-bakhty-out", SealState{"S1", SealSealed}, SealState{"S2", SealTampered}))
	kz := m.clearance("kz-bakhty-out")
	assert.Equal(t, "seal S2 tampered", kz.SealAlert)
	assert.Equal(t, ClearanceHeld, kz.Status(m.PreCleared))
	for i := 0; i < 5; i++ {
		h.wait(time.Minute)
		h.drive("s1")
	}
	assert.True(t, kz.Passed.IsZero(), "neither the release before the reading nor the pre-clearance lets it pass")
	assert.NotEqual(t, MoveLaden, m.State)
	require.Len(t, h.c.GateQueue(), 1, "it waits for an officer")

	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-2", Reason: "seal replaced"})
	assert.Empty(t, kz.SealAlert)
	for i := 0; i < 5 && kz.Passed.IsZero(); i++ {
		h.wait(30 * time.Second)
		h.drive("s1")
	}
	assert.False(t, kz.Passed.IsZero(), h.c.Explain("s1"))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A seal reading with a problem before arrival drops a release given
// before it; the history has the reading and the alert at the checkpoint.
func TestSealMismatchHoldsAndAlerts(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(declaration("KZ", "KZ-1", "S1", "S2"))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	m := h.move("m1")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-1"})
	h.send(reading("kz-bakhty-out", SealState{"S1", SealSealed}, SealState{"S9", SealSealed}))
	kz := m.clearance("kz-bakhty-out")
	require.Len(t, kz.Readings, 1)
	assert.Equal(t, []string{"seal S9 read but not declared in KZ-1", "declared seal S2 not read"}, kz.Readings[0].Problems)

	var alert, read *MoveTransition
	for i := range m.History {
		switch m.History[i].Event {
		case NoteSealAlert:
			alert = &m.History[i]
		case NoteSealRead:
			read = &m.History[i]
		}
	}
	require.NotNil(t, read)
	assert.Equal(t, "kz-bakhty-out", read.Checkpoint)
	assert.Equal(t, "reader kz-bakhty-out", read.Actor)
	assert.Equal(t, "seals of CSQU3054383 read at kz-bakhty-out by reader kz-bakhty-out: S1 sealed, S9 sealed", read.Cause)
	require.NotNil(t, alert)
	assert.Equal(t, "kz-bakhty-out", alert.Checkpoint)
	assert.Contains(t, alert.Cause, "seal S9 read but not declared in KZ-1; declared seal S2 not read")

	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	h.wait(5 * time.Minute)
	h.drive("s1")
	assert.True(t, kz.Passed.IsZero(), "the release before the reading no longer lets it pass")
	assert.Contains(t, h.c.Explain("s1"), "held: seal alert")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-2"})
	h.drive("s1")
	assert.Equal(t, MoveInspection, m.State, "a decision after the reading applies")

	// no declaration at all: every reading is a mismatch
	assert.Equal(t, []string{"no declared seals: no declaration filed for the container"}, sealProblems([]SealState{{"S1", SealSealed}}, nil)[:1])
}

// A clean reading changes nothing: a pre-cleared container passes.
func TestCleanSealReadingPasses(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(declaration("KZ", "KZ-1", "S1"))
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	m := h.move("m1")
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State)
	// the CN gate has no declaration of its own: KZ's is checked
	h.send(reading("kz-bakhty-out", SealState{"S1", SealSealed}))
	h.send(reading("cn-pokitu-in", SealState{"S1", SealSealed}))
	h.wait(time.Minute)
	h.drive("s1")
	kz := m.clearance("kz-bakhty-out")
	assert.False(t, kz.Passed.IsZero(), h.c.Explain("s1"))
	assert.Empty(t, kz.Readings[0].Problems)
	assert.Empty(t, m.clearance("cn-pokitu-in").Readings[0].Problems)
	assert.Empty(t, notes(m, NoteSealAlert))

	// at a checkpoint it passed: a conflict, with the reason
	_, err := h.c.Handle(h.now, reading("kz-bakhty-out", SealState{"S1", SealSealed}))
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "move m1 passed kz-bakhty-out at")
	_, err = h.c.Handle(h.now, reading("cn-pokitu-out", SealState{"S1", SealSealed}))
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "not on move m1's way")
	_, err = h.c.Handle(h.now, SealRead{Checkpoint: "kz-bakhty-out", Container: "MSCU1234566", By: "r"})
	require.ErrorIs(t, err, ErrConflict)
	assert.ErrorContains(t, err, "container MSCU1234566 has no open move")
	assert.Len(t, kz.Readings, 1, "a refused reading is not recorded")
}

// A pre-cleared container held for want of a declaration goes on once
// one is filed.
func TestHoldWithoutDeclarationPreCleared(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.c.cfg.HoldWithoutDeclaration = true
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	m := h.move("m1")
	h.drive("s1")
	h.finish("s1")
	h.drive("s1")
	h.wait(5 * time.Minute)
	h.drive("s1")
	kz := m.clearance("kz-bakhty-out")
	require.True(t, kz.Passed.IsZero(), "pre-cleared, but no declaration")
	assert.Equal(t, ClearanceHeld, kz.Status(true))
	h.send(declaration("KZ", "KZ-1"))
	for i := 0; i < 10 && kz.Passed.IsZero(); i++ {
		h.wait(30 * time.Second)
		h.drive("s1")
	}
	assert.False(t, kz.Passed.IsZero(), h.c.Explain("s1"))
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}
