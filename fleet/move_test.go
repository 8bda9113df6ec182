package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)

func TestMoveLifecycle(t *testing.T) {
	tests := []struct {
		name  string
		path  []MoveState
		final MoveState
	}{
		{"delivered through two gates", []MoveState{MoveAssigned, MoveToPickup, MoveLoading, MoveLaden, MoveAtGate, MoveLaden, MoveAtGate, MoveToDropoff, MoveUnloading, MoveDelivered}, MoveDelivered},
		{"inspected, then released", []MoveState{MoveAssigned, MoveToPickup, MoveLoading, MoveLaden, MoveAtGate, MoveInspection, MoveToDropoff, MoveUnloading, MoveDelivered}, MoveDelivered},
		{"refused and returned", []MoveState{MoveAssigned, MoveToPickup, MoveLoading, MoveLaden, MoveAtGate, MoveReturning, MoveUnloading, MoveReturned}, MoveReturned},
		{"re-assigned after a fault", []MoveState{MoveAssigned, MoveToPickup, MovePending, MoveAssigned}, MoveAssigned},
		{"cancelled before pickup", []MoveState{MoveAssigned, MoveCancelled}, MoveCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMove("m1", "CSQU3054383", "kz-bay-01", "cn-bay-01", t0)
			for i, s := range tc.path {
				require.NoError(t, m.To(s, t0.Add(time.Duration(i)*time.Minute), "test"))
			}
			assert.Equal(t, tc.final, m.State)
			assert.Len(t, m.History, len(tc.path))
			assert.Equal(t, MovePending, m.History[0].From)
		})
	}
}

func TestMoveIllegalTransitions(t *testing.T) {
	m := NewMove("m1", "CSQU3054383", "kz-bay-01", "cn-bay-01", t0)
	err := m.To(MoveDelivered, t0, "shortcut")
	assert.ErrorIs(t, err, ErrIllegalTransition)
	assert.ErrorContains(t, err, "move m1 (CSQU3054383) cannot go from pending to delivered (shortcut)")
	assert.Equal(t, MovePending, m.State, "nothing changes")
	assert.Empty(t, m.History)

	require.NoError(t, m.To(MoveAssigned, t0, "dispatch"))
	require.NoError(t, m.To(MoveToPickup, t0, "order"))
	require.NoError(t, m.To(MoveLoading, t0, "at bay"))
	assert.ErrorIs(t, m.To(MoveCancelled, t0, "operator"), ErrIllegalTransition, "a loaded container is not cancelled")
	for _, s := range []MoveState{MoveDelivered, MoveReturned, MoveCancelled, MoveFailed} {
		assert.True(t, s.Final(), s)
	}
	assert.False(t, MoveAtGate.Final())
}
