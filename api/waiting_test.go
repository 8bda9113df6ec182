package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
)

// What a move waits for of itself, typed, and since when: a shuttle while
// pending (why shuttles were passed over, by kind), a decision at the gate
// it stands at (not one it passed), the end of a hold or an inspection;
// nothing once released or under way.
func TestMoveWaiting(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tp := func(m int) *time.Time { x := at(m); return &x }
	changed := []fleet.MoveTransition{{At: at(1), From: fleet.MovePending, To: fleet.MoveAssigned},
		{At: at(20), From: fleet.MoveLaden, To: fleet.MoveAtGate}, {At: at(25), From: fleet.MoveAtGate, To: fleet.MoveAtGate, Event: fleet.NoteHeld}}
	passed := fleet.Clearance{Checkpoint: "kz-out", Arrived: at(10), Passed: at(12)}
	for _, tc := range []struct {
		name string
		m    fleet.Move
		want *Waiting
	}{
		{"pending, none passed over", fleet.Move{State: fleet.MovePending, Created: t0}, &Waiting{Kind: WaitShuttle, Since: tp(0)}},
		{"pending, passed over", fleet.Move{State: fleet.MovePending, Created: t0, PassedOver: []fleet.Rejection{
			{Shuttle: "s1", Kind: fleet.RejectBattery}, {Shuttle: "s2", Kind: fleet.RejectOriginBooked}, {Shuttle: "s3", Kind: fleet.RejectBattery}}},
			&Waiting{Kind: WaitShuttle, Detail: "battery (2), origin bay booked (1)", Since: tp(0)}},
		{"at the second gate", fleet.Move{State: fleet.MoveAtGate, History: changed,
			Clearances: []fleet.Clearance{passed, {Checkpoint: "cn-in", Arrived: at(20)}}}, &Waiting{Kind: WaitRelease, Detail: "cn-in", Since: tp(20)}},
		{"held", fleet.Move{State: fleet.MoveAtGate, History: changed,
			Clearances: []fleet.Clearance{passed, {Checkpoint: "cn-in", Arrived: at(20), Held: "seal alert"}}}, &Waiting{Kind: WaitHeld, Detail: "cn-in: seal alert", Since: tp(20)}},
		{"inspected", fleet.Move{State: fleet.MoveInspection, History: changed,
			Clearances: []fleet.Clearance{{Checkpoint: "cn-in", Arrived: at(20), Inspected: at(30),
				Decisions: []fleet.Decided{{At: at(21), Decision: fleet.DecisionInspect}}}}}, &Waiting{Kind: WaitInspection, Detail: "cn-in", Since: tp(30)}},
		{"released, not passed yet", fleet.Move{State: fleet.MoveAtGate, History: changed,
			Clearances: []fleet.Clearance{{Checkpoint: "cn-in", Arrived: at(20), Decisions: []fleet.Decided{{At: at(21), Decision: fleet.DecisionRelease}}}}}, nil},
		{"under way", fleet.Move{State: fleet.MoveLaden, History: changed}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, moveWaiting(&tc.m))
		})
	}
	assert.Equal(t, at(20), stateSince(&fleet.Move{History: changed}), "a note is no change of state")
	assert.Equal(t, t0, stateSince(&fleet.Move{Created: t0}))
}

// A shuttle's waiting activities map to wait kinds; what it does
// otherwise is no wait.
func TestShuttleWaiting(t *testing.T) {
	since := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	assert.Equal(t, &Waiting{Kind: WaitBay, Detail: "kz-bay-01", Since: &since},
		shuttleWaiting(fleet.Activity{Kind: fleet.ActivityWaitBay, Detail: "kz-bay-01"}, &since))
	for k, want := range map[fleet.ActivityKind]WaitKind{fleet.ActivityWaitRoute: WaitRoute, fleet.ActivityWaitGate: WaitRelease,
		fleet.ActivityWaitCharger: WaitCharger, fleet.ActivityWaitCustoms: WaitCustomsBay, fleet.ActivityWaitTraffic: WaitTraffic} {
		assert.Equal(t, want, shuttleWaiting(fleet.Activity{Kind: k}, &since).Kind, k)
	}
	for _, k := range []fleet.ActivityKind{fleet.ActivityMoving, fleet.ActivityIdle, fleet.ActivityCharging, fleet.ActivityHandling, fleet.ActivityFault} {
		assert.Nil(t, shuttleWaiting(fleet.Activity{Kind: k}, &since), k)
	}
}

// A shuttle queued behind another bound for the same charging station
// waits for a charger, and the API says so as the dashboard reads it: in
// the event stream's snapshot and in GET /v1/shuttles/{id}, waiting.kind
// "charger" with the station, since the step it came to stand, while
// the core's clock runs on; the listing's activity filter finds it. An
// operator sends two shuttles of the KZ yard to charge: the first stops
// short on the station's lay-by lane (its vehicle stands, as for an
// obstacle, with no fault), the second drives up behind it.
func TestShuttleWaitsForACharger(t *testing.T) {
	f, _, srv := newTestServer(t)
	f.Join("s1", "kz-park-01")
	f.Join("s2", "kz-park-02")
	charge := func(id string) {
		t.Helper()
		code, b := call(t, srv, "POST", "/v1/shuttles/"+id+"/charge", tokOperator, "")
		require.Equal(t, http.StatusOK, code, "%s", b)
	}
	charge("s1")
	for at := ""; at != "kz-charging-lane@0"; {
		at = f.Step("s1")
		require.NotEmpty(t, at, "s1 granted nothing further before the charging lane")
	}
	charge("s2")
	for f.Step("s2") != "" {
	}
	began := f.Now() // the step it reached the end of what it was granted
	f.Wait(7 * time.Minute)

	var snap Snapshot
	streamEvents(t, srv, tokViewer, func(name, data string) bool {
		if name == "snapshot" {
			require.NoError(t, json.Unmarshal([]byte(data), &snap))
		}
		return name == "snapshot"
	})
	var status *ShuttleStatus
	for i := range snap.Shuttles {
		if snap.Shuttles[i].ID == "s2" {
			status = &snap.Shuttles[i]
		}
	}
	require.NotNil(t, status, "s2 in the snapshot")
	require.NotNil(t, status.Waiting, "s2 waits: %+v", *status)
	assert.Equal(t, WaitCharger, status.Waiting.Kind, "what s2 waits for (%s)", status.Activity)
	assert.Equal(t, "kz-charging", status.Waiting.Detail, "where")
	require.NotNil(t, status.Waiting.Since)
	assert.Equal(t, began, *status.Waiting.Since, "since it came to stand behind s1")
	assert.GreaterOrEqual(t, snap.At.Sub(*status.Waiting.Since), 7*time.Minute, "how long it has waited, on the core's clock")

	code, b := call(t, srv, "GET", "/v1/shuttles/s2", tokViewer, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	assert.Equal(t, status.Waiting, decode[Shuttle](t, b).Waiting, "GET /v1/shuttles/s2 says the same")
	code, b = call(t, srv, "GET", "/v1/shuttles?activity="+url.QueryEscape(string(fleet.ActivityWaitCharger)), tokViewer, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	var ids []string
	for _, sh := range decode[ShuttleList](t, b).Shuttles {
		ids = append(ids, sh.ID)
	}
	assert.Equal(t, []string{"s2"}, ids, "the shuttles waiting for a charger")
}
