package daemon_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Declarations and seal readings are journaled: a fleetd that takes over
// replays them into the same state, and the audit log has the reading and
// the alert at the checkpoint, by whom, once.
func TestDeclarationsAndSealReadingsReplay(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()

	a, _, stopA, _ := journaled(t, st, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, a.Submit(ctx, fleet.DeclarationFiled{Container: "CSQU3054383", Country: "KZ", Reference: "KZ-1",
		Declarant: "Trans LLP", Goods: "machine parts", GrossMassKg: 18400, Seals: []string{"S1", "S2"}, By: "customs system kz-asyc (KZ)"}))
	require.NoError(t, a.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	require.NoError(t, a.Submit(ctx, fleet.SealRead{Checkpoint: "kz-bakhty-out", Container: "CSQU3054383",
		Seals: []fleet.SealState{{Number: "S1", State: fleet.SealSealed}, {Number: "S2", State: fleet.SealTampered}}, By: "reader-7 (KZ)"}))
	require.NoError(t, stopA())

	b, _, _, _ := journaled(t, st, "b")
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	var decl *fleet.Declaration
	var kz fleet.Clearance
	require.NoError(t, b.Do(ctx, func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) {
		m := ctl.Moves()[0]
		decl, kz = m.Declared("KZ"), m.Clearances[0]
	}))
	require.NotNil(t, decl, "the declaration filed before the move, replayed")
	assert.Equal(t, []string{"S1", "S2"}, decl.Seals)
	require.Len(t, kz.Readings, 1, "the seal reading, replayed")
	assert.Equal(t, "seal S2 tampered", kz.SealAlert)
	assert.Equal(t, fleet.ClearanceHeld, kz.Status(false))

	es := auditLog(t, st)
	byEvent := map[string][]audit.Entry{}
	for _, e := range es {
		byEvent[e.Event] = append(byEvent[e.Event], e)
	}
	require.Len(t, byEvent["declaration"], 1)
	assert.Equal(t, "customs system kz-asyc (KZ)", byEvent["declaration"][0].Actor)
	assert.Equal(t, "kz-bakhty-out", byEvent["declaration"][0].Checkpoint, "only KZ's customs see it")
	require.Len(t, byEvent["seal_read"], 1)
	assert.Equal(t, "reader-7 (KZ)", byEvent["seal_read"][0].Actor)
	assert.Equal(t, "kz-bakhty-out", byEvent["seal_read"][0].Checkpoint)
	require.Len(t, byEvent[audit.EventSealAlert], 1)
	alert := byEvent[audit.EventSealAlert][0]
	assert.Equal(t, "kz-bakhty-out", alert.Checkpoint)
	assert.Contains(t, alert.Detail, "seal S2 tampered")
	share := audit.Sharing{CheckpointCountry: func(cp string) string { return map[string]string{"kz-bakhty-out": "KZ", "cn-pokitu-in": "CN"}[cp] },
		MoveCountries: func(string) []string { return []string{"KZ", "CN"} }}
	assert.True(t, share.Visible(alert, "CN"), "the alert reaches both countries")
	assert.False(t, share.Visible(byEvent["seal_read"][0], "CN"), "the reading is KZ's")
}

// A customs decision's audit entry is at its checkpoint, by its officer,
// whatever the officer's name: "gate-robot(1)" once lost the checkpoint
// in the prose, and the entry went to the other country too.
func TestDecisionEntriesStayWithTheirCountry(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	d, _, stop, _ := journaled(t, st, "a")
	require.Eventually(t, d.Active, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, d.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	require.NoError(t, d.Submit(ctx, fleet.CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1",
		Decision: fleet.DecisionRelease, Officer: "gate-robot(1)", Reason: "pre-cleared"}))
	require.NoError(t, stop())

	var release *audit.Entry
	for _, e := range auditLog(t, st) {
		if e.Event == "customs_release" {
			release = &e
		}
	}
	require.NotNil(t, release)
	assert.Equal(t, "kz-bakhty-out", release.Checkpoint)
	assert.Equal(t, "officer gate-robot(1) (KZ)", release.Actor)
	share := audit.Sharing{CheckpointCountry: func(cp string) string { return map[string]string{"kz-bakhty-out": "KZ", "cn-pokitu-in": "CN"}[cp] },
		MoveCountries: func(string) []string { return []string{"KZ", "CN"} }}
	assert.True(t, share.Visible(*release, "KZ"))
	assert.False(t, share.Visible(*release, "CN"), "KZ's decision is KZ's alone")
}
