package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two refused containers turn back through the KZ customs area one after
// the other: s1, refused at the export stop line after its inspection,
// turns back first; s2, refused in the import stop line's lay-by while s1
// is still in the area, waits in the lay-by (its route home holds there,
// nothing of it queued) and goes once s1 has left the area. Turning at
// once, one each way, they closed a chain round the area's loop (the
// harness, sim/soak/testdata/deadlock-two-turn-backs-at-once.json).
func TestRefusedShuttlesTurnBackOneAtATime(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01", "s2": "cn-park-01"})
	m1 := h.atFirstGate()
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionInspect, Officer: "kz-1"})
	h.drive("s1")
	require.Equal(t, MoveInspection, m1.State)

	h.send(request("m2", "MSCU1234566", "cn-bay-03", "kz-bay-05", false))
	m2 := h.move("m2")
	h.drive("s2")
	h.finish("s2")
	h.drive("s2")
	require.Equal(t, MoveAtGate, m2.State, "at CN's exit")
	h.send(CustomsDecision{Checkpoint: "cn-pokitu-out", Country: "CN", Move: "m2", Decision: DecisionRelease, Officer: "cn-1"})
	h.wait(time.Minute)
	h.drive("s2")
	require.Equal(t, MoveAtGate, m2.State, "at KZ's entry")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-in", Country: "KZ", Move: "m2", Decision: DecisionInspect, Officer: "kz-2"})
	h.drive("s2")
	require.Equal(t, MoveInspection, m2.State)

	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRefuse, Officer: "kz-1", Reason: "seal"})
	require.Equal(t, MoveReturning, m1.State)
	require.NotEmpty(t, h.pending["s1"], "nobody else turns back: s1 goes home at once")
	h.send(CustomsDecision{Checkpoint: "kz-bakhty-in", Country: "KZ", Move: "m2", Decision: DecisionRefuse, Officer: "kz-2", Reason: "permit"})
	require.Equal(t, MoveReturning, m2.State)
	assert.Empty(t, h.pending["s2"], "s1 turns back in the area: s2 waits in the lay-by")
	a := h.c.Activity("s2")
	assert.Equal(t, ActivityWaitCustoms, a.Kind)
	assert.Contains(t, a.Detail, "its turn to turn back")
	assert.Contains(t, a.Detail, "s1")
	p, _ := h.c.tr.Position("s2")
	assert.Equal(t, p.At, p.Hold, "its route home holds where it stands")

	for range 20 { // s1 drives home, through KZ's entry stop line, and leaves the area
		h.drive("s1")
		h.wait(time.Minute)
		if len(h.pending["s2"]) > 0 {
			break
		}
	}
	require.NotEmpty(t, h.pending["s2"], "s1 has left the area: s2 turns back")
	assert.NotEqual(t, ActivityWaitCustoms, h.c.Activity("s2").Kind)
	h.drive("s2")
	assert.Equal(t, MoveReturning, m2.State)
}
