package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ActivitySince says since when a shuttle does what it does: the step
// its activity began in; steps that change nothing for it leave it, a
// new wait starts it over, and a restored Controller keeps it.
func TestActivitySince(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	joined := h.now
	a, since := h.c.ActivitySince("s1")
	assert.Equal(t, ActivityIdle, a.Kind)
	assert.Equal(t, joined, since, "idle since it joined")
	h.wait(3 * time.Minute)
	_, since = h.c.ActivitySince("s1")
	assert.Equal(t, joined, since, "a tick changes nothing for it")

	m := h.atFirstGate()
	arrived := atGateSince(m)
	require.False(t, arrived.IsZero())
	a, since = h.c.ActivitySince("s1")
	require.Equal(t, Activity{Kind: ActivityWaitGate, Detail: "kz-bakhty-out"}, a)
	assert.Equal(t, arrived, since, "at the gate since it reached the stop line")
	h.wait(7 * time.Minute)
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State)
	_, since = h.c.ActivitySince("s1")
	assert.Equal(t, arrived, since, "still the same wait 7 minutes on")

	r := restoredController(t, h.c)
	a, since = r.ActivitySince("s1")
	assert.Equal(t, ActivityWaitGate, a.Kind)
	assert.Equal(t, arrived, since, "a restored Controller keeps when the wait began")
	h.c = r
	h.wait(time.Minute)
	_, since = h.c.ActivitySince("s1")
	assert.Equal(t, arrived, since, "and goes on with it")

	h.send(CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: DecisionRelease, Officer: "kz-7"})
	released := h.now
	h.wait(time.Minute)
	a, since = h.c.ActivitySince("s1")
	assert.Equal(t, ActivityMoving, a.Kind, "%s", h.c.Explain("s1"))
	assert.Equal(t, released, since, "moving from the step it was released in")
	h.drive("s1")
	require.Equal(t, MoveAtGate, m.State, "at the CN gate")
	a, since = h.c.ActivitySince("s1")
	assert.Equal(t, Activity{Kind: ActivityWaitGate, Detail: "cn-pokitu-in"}, a)
	assert.True(t, since.After(released.Add(time.Minute)), "a wait at another gate is a new wait: since %v", since)

	_, since = h.c.ActivitySince("nobody")
	assert.True(t, since.IsZero())
}

// sameWait: a wait at another place is a new wait; a changed description
// of the same wait is not.
func TestActivitySameWait(t *testing.T) {
	for _, tc := range []struct {
		a, b Activity
		same bool
	}{
		{Activity{Kind: ActivityWaitBay, Detail: "kz-bay-01"}, Activity{Kind: ActivityWaitBay, Detail: "kz-bay-01"}, true},
		{Activity{Kind: ActivityWaitBay, Detail: "kz-bay-01"}, Activity{Kind: ActivityWaitBay, Detail: "kz-bay-02"}, false},
		{Activity{Kind: ActivityWaitGate, Detail: "a"}, Activity{Kind: ActivityWaitGate, Detail: "b"}, false},
		{Activity{Kind: ActivityWaitCharger, Detail: "a"}, Activity{Kind: ActivityWaitCharger, Detail: "b"}, false},
		{Activity{Kind: ActivityWaitRoute, Detail: "no route: x"}, Activity{Kind: ActivityWaitRoute, Detail: "no route: y"}, true},
		{Activity{Kind: ActivityWaitCustoms, Detail: "held by s1"}, Activity{Kind: ActivityWaitCustoms, Detail: "held by s2"}, true},
		{Activity{Kind: ActivityMoving}, Activity{Kind: ActivityWaitTraffic}, false},
	} {
		assert.Equal(t, tc.same, tc.a.sameWait(tc.b), "%v / %v", tc.a, tc.b)
	}
}

// atGateSince is when a move last came to a gate.
func atGateSince(m *Move) time.Time {
	var at time.Time
	for _, tr := range m.History {
		if tr.Changed() && tr.To == MoveAtGate {
			at = tr.At
		}
	}
	return at
}
