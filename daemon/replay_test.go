package daemon_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// A journal written before LaneReopened existed replays its reopenings.
func TestOldJournalReplaysLaneReopening(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	a, _, stopA, _ := journaled(t, st, "a") // writes the journal's settings
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, stopA())

	// what an older fleetd journaled: two closures, one reopening
	var token uint64
	require.NoError(t, eventually(func() (err error) {
		token, err = st.Acquire(ctx, "old", time.Minute)
		return err
	}))
	_, err = st.Append(ctx, token, daemon.OldLaneRecord("kz-yard-cut", true), daemon.OldLaneRecord("cn-yard-cut", true), daemon.OldLaneRecord("kz-yard-cut", false))
	require.NoError(t, err)
	require.NoError(t, st.Release(ctx, "old", token))

	b, _, _, _ := journaled(t, st, "b")
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	var closed []string
	require.NoError(t, b.Do(ctx, func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) { closed = ctl.ClosedLanes() }))
	assert.Equal(t, []string{"cn-yard-cut"}, closed, "kz-yard-cut reopened")
}
