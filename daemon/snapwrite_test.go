package daemon_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// The active daemon writes a snapshot every EveryRecords records, keeps
// the newest Keep, compacts the journal before the oldest kept, and the
// next instance starts from the newest and replays only what follows it.
func TestSnapshotsWrittenKeptAndUsed(t *testing.T) {
	st, cfg := snapshotting(t, daemon.SnapshotConfig{EveryRecords: 40, Every: -1, Compact: true})
	ctx := context.Background()
	a, stopA, _ := runDaemon(t, cfg(), &daemontest.Bus{})
	require.Eventually(t, func() bool {
		es, err := st.Read(ctx, 0, 1)
		return a.Counters().SnapshotsWritten >= 3 && err == nil && len(es) == 1 && es[0].Index > 1
	}, 20*time.Second, 10*time.Millisecond, "a third snapshot, and the journal compacted")
	require.NoError(t, stopA())
	seqs, err := st.Snapshots(ctx)
	require.NoError(t, err)
	// the newest two are kept (three if it stopped between a write and
	// the deletion after it)
	require.Contains(t, []int{2, 3}, len(seqs))
	es, err := st.Read(ctx, 0, 1)
	require.NoError(t, err)
	require.NotEmpty(t, es)
	assert.Greater(t, es[0].Index, uint64(1), "the journal is compacted")
	assert.LessOrEqual(t, es[0].Index, seqs[len(seqs)-2], "the fallback snapshot still has its tail")
	newest := seqs[len(seqs)-1]
	last, err := st.Read(ctx, newest, 0)
	require.NoError(t, err)

	b, _, _ := runDaemon(t, cfg(), &daemontest.Bus{})
	require.Eventually(t, b.Active, 10*time.Second, 10*time.Millisecond)
	c := b.Counters()
	assert.Equal(t, newest, c.FromSnapshot)
	assert.Equal(t, int64(len(last)), c.Replayed, "only the records after the newest snapshot are replayed")
}

// A daemon that stops cleanly writes a snapshot of all it applied, so the
// next one (a restart, an upgrade) replays nothing: a newer version does
// not decide the older one's tail again under other rules.
func TestCleanStopWritesASnapshot(t *testing.T) {
	st, cfg := snapshotting(t, daemon.SnapshotConfig{EveryRecords: 1_000_000, Every: -1}) // none while it runs
	ctx := context.Background()
	a, stopA, _ := runDaemon(t, cfg(), &daemontest.Bus{})
	require.Eventually(t, func() bool {
		es, err := st.Read(ctx, 0, 0)
		return a.Active() && err == nil && len(es) >= 20
	}, 10*time.Second, 10*time.Millisecond, "records journaled")
	seqs, err := st.Snapshots(ctx)
	require.NoError(t, err)
	require.Empty(t, seqs, "no snapshot while it runs")
	require.NoError(t, stopA())
	seqs, err = st.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, seqs, 1, "one, at the stop")
	after, err := st.Read(ctx, seqs[0], 0)
	require.NoError(t, err)
	assert.Empty(t, after, "it holds every record journaled")

	b, _, _ := runDaemon(t, cfg(), &daemontest.Bus{})
	require.Eventually(t, b.Active, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, seqs[0], b.Counters().FromSnapshot)
	assert.Zero(t, b.Counters().Replayed)
}

// snapshotting opens a bolt store for a snapshot test and returns it with
// the config of a daemon on it (owner "a", ticks every 10 ms, so records
// come without vehicles), new for each daemon started.
func snapshotting(t *testing.T, snaps daemon.SnapshotConfig) (*boltstore.Store, func() daemon.Config) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, func() daemon.Config {
		roster, err := vehicles.NewRoster()
		require.NoError(t, err)
		return daemon.Config{Graph: defaultGraph(t), Journal: st, Owner: "a", LeaseTTL: 600 * time.Millisecond,
			TickEvery: 10 * time.Millisecond, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}, Snapshots: snaps}
	}
}
