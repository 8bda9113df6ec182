package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deliver asks for a pre-cleared move of CSQU3054383 from kz-bay-03 to
// cn-bay-07 and drives s1 (through the gates both ways) until it is
// delivered.
func (h *harness) deliver(id string) {
	h.t.Helper()
	h.send(request(id, "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	for range 50 {
		h.drive("s1")
		if _, ok := h.actions["s1"]; ok {
			h.finish("s1")
		} else {
			h.wait(30 * time.Second) // at a gate
		}
		if h.move(id).State == MoveDelivered {
			return
		}
	}
	h.t.Fatalf("%s not delivered: %s", id, h.move(id).State)
}

// With a retention, moves delivered longer ago than it leave the
// Controller, each once and in Ready.Archived, at the first event after
// their time: the moves it keeps are the open ones and those ended within
// the retention, however many were made. Their counts by state stay, and
// their idempotency keys go with them. A Controller restored from a
// snapshot at any point lets the same moves go at the same events.
func TestEndedMovesLeaveAfterTheRetention(t *testing.T) {
	const retention = 30 * time.Minute
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.c.cfg.Retention = retention
	const n = 12
	maxResident := 0
	for i := range n {
		id := fmt.Sprintf("m%02d", i)
		h.deliver(id)
		maxResident = max(maxResident, len(h.c.Moves()))
		for _, m := range h.c.Moves() {
			at, ended := m.EndedAt()
			assert.True(t, !ended || h.now.Sub(at) < retention, "%s ended at %s, kept at %s", m.ID, at, h.now)
		}
		if i == n/2 {
			h.c = restoredController(t, h.c)
		}
	}
	h.wait(retention)
	require.Len(t, h.gone, n, "every delivered move left once")
	for i, m := range h.gone {
		assert.Equal(t, fmt.Sprintf("m%02d", i), m.ID)
		assert.Equal(t, uint64(i+1), m.Num)
		assert.Equal(t, MoveDelivered, m.State)
		_, kept := h.c.Move(m.ID)
		assert.False(t, kept)
	}
	assert.Empty(t, h.c.Moves())
	assert.Less(t, maxResident, n/2, "the moves kept do not grow with those made")
	assert.Equal(t, map[MoveState]int{MoveDelivered: n}, h.c.MoveCounts(), "counted still")
	assert.Empty(t, h.c.dropped)
	assert.Empty(t, h.c.bays.win)
	assert.Zero(t, h.c.byChange.Len())

	// the key of a move that left makes a new move
	h.send(request("again", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	again, ok := h.c.Move("again")
	require.True(t, ok)
	assert.Equal(t, "key-again", again.IdempotencyKey)
	assert.Equal(t, uint64(n+1), again.Num)
	snap := h.c.Snapshot()
	require.Len(t, snap.Moves, 1)
	assert.Equal(t, uint64(n+1), snap.Moves[0].Num)
}

// A move a bay booking still points to stays past its retention; a negative
// retention is refused.
func TestRetentionConfig(t *testing.T) {
	h := newHarness(t, "lookahead", map[string]string{})
	cfg := h.c.cfg
	cfg.Retention = -time.Second
	_, err := NewController(cfg)
	require.ErrorContains(t, err, "retention")

	h.c.cfg.Retention = time.Minute
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", false))
	h.send(CancelRequested{Move: "m1", By: "otto"})
	m := h.move("m1")
	h.c.bays.pick["ghost-bay"] = m
	h.wait(2 * time.Minute)
	_, kept := h.c.Move("m1")
	assert.True(t, kept, "a booking points to it")
	delete(h.c.bays.pick, "ghost-bay")
	h.wait(time.Second)
	_, kept = h.c.Move("m1")
	assert.False(t, kept)
	require.Len(t, h.gone, 1)
	assert.Equal(t, "m1", h.gone[0].ID)
}
