package daemon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/borderfleet/borderfleet/fleet"
)

func TestAuditEntriesNameTheActor(t *testing.T) {
	at := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	m := fleet.NewMove("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", at)
	tests := []struct {
		to, from         fleet.MoveState
		cause            string
		actor, event, cp string
	}{
		{fleet.MovePending, "", "requested", "operator", "created", ""},
		{fleet.MoveCancelled, fleet.MovePending, "cancelled by otto: booked twice; s1 no longer picks it up", "operator otto", "cancelled", ""},
		{fleet.MoveCancelled, fleet.MovePending, "cancelled by an operator", "operator an operator", "cancelled", ""},
		{fleet.MoveToDropoff, fleet.MoveAtGate, "release by officer-li (CN) at cn-pokitu-in: smart gate", "officer officer-li (CN)", "to_dropoff", "cn-pokitu-in"},
	}
	for _, tt := range tests {
		e := entryOf(7, m, fleet.MoveTransition{At: at, From: tt.from, To: tt.to, Cause: tt.cause})
		assert.Equal(t, tt.actor, e.Actor, tt.cause)
		assert.Equal(t, tt.event, e.Event, tt.cause)
		assert.Equal(t, tt.cp, e.Checkpoint, tt.cause)
		assert.Equal(t, uint64(7), e.Input)
	}
}
