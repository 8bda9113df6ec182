package daemon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
)

func TestAuditEntriesNameTheActor(t *testing.T) {
	at := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	m := fleet.NewMove("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", at)
	tests := []struct {
		to, from         fleet.MoveState
		cause, by        string
		actor, event, cp string
	}{
		{fleet.MovePending, "", "requested", "", "operator", "created", ""},
		{fleet.MoveCancelled, fleet.MovePending, "cancelled by otto: booked twice; s1 no longer picks it up", "operator otto", "operator otto", "cancelled", ""},
		{fleet.MoveToDropoff, fleet.MoveAtGate, "release by officer-li (CN) at cn-pokitu-in: smart gate", "officer officer-li (CN)", "officer officer-li (CN)", "to_dropoff", "cn-pokitu-in"},
		// who and where are the transition's, whatever the prose says
		{fleet.MoveToDropoff, fleet.MoveAtGate, "passed cn-pokitu-in, released by robot(1) (CN) at kz-bakhty-out: ok", "officer robot(1) (CN)", "officer robot(1) (CN)", "to_dropoff", "cn-pokitu-in"},
		{fleet.MoveToDropoff, fleet.MoveAtGate, "passed cn-pokitu-in, released by mallory (KZ) at cn-pokitu-in", "", "fleetd", "to_dropoff", "cn-pokitu-in"},
		{fleet.MoveCancelled, fleet.MovePending, "cancelled by eve", "", "fleetd", "cancelled", ""},
		{fleet.MoveLoading, fleet.MoveToPickup, "shuttle s1 at the origin bay", "shuttle s1", "shuttle s1", "loading", ""},
		{fleet.MoveInspection, fleet.MoveAtGate, "at the inspection bay cn-insp-1", "", "fleetd", "in_inspection", "cn-pokitu-in"},
	}
	for _, tt := range tests {
		e := entryOf(7, m, fleet.MoveTransition{At: at, From: tt.from, To: tt.to, Cause: tt.cause, Checkpoint: tt.cp, Actor: tt.by})
		assert.Equal(t, tt.actor, e.Actor, tt.cause)
		assert.Equal(t, tt.event, e.Event, tt.cause)
		assert.Equal(t, tt.cp, e.Checkpoint, tt.cause)
		assert.Equal(t, uint64(7), e.Input)
	}
}

// Notes carry their event, actor and checkpoint; entries of other
// transitions are made as before.
func TestAuditEntriesOfNotes(t *testing.T) {
	at := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	m := fleet.NewMove("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", at)
	e := entryOf(3, m, fleet.MoveTransition{At: at, From: fleet.MoveAtGate, To: fleet.MoveAtGate, Cause: "seal alert at cn-pokitu-in: seal S2 opened",
		Event: fleet.NoteSealAlert, Actor: "fleetd", Checkpoint: "cn-pokitu-in"})
	assert.Equal(t, audit.EventSealAlert, e.Event)
	assert.Equal(t, "cn-pokitu-in", e.Checkpoint)
	assert.Equal(t, "fleetd", e.Actor)
	e = entryOf(3, m, fleet.MoveTransition{At: at, From: fleet.MovePending, To: fleet.MovePending, Cause: "seals of CSQU3054383 read at kz-bakhty-out by reader (KZ) at x: S1 sealed",
		Event: fleet.NoteSealRead, Actor: "reader (KZ)", Checkpoint: "kz-bakhty-out"})
	assert.Equal(t, "seal_read", e.Event)
	assert.Equal(t, "reader (KZ)", e.Actor, "not parsed from the prose")
	assert.Equal(t, "kz-bakhty-out", e.Checkpoint)
}
