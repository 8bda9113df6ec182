package history

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/demo"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// daemonConfig is a daemon's configuration as fleetd run builds it with
// auto-admit, on a new lane graph.
func daemonConfig(t *testing.T, site *geo.Site, snaps daemon.SnapshotConfig) daemon.Config {
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	return daemon.Config{Graph: g, Fleet: fleet.Config{Charging: charging.Opportunity{}, Retention: 24 * time.Hour},
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Second}, Snapshots: snaps}
}

// A history is a store that a daemon with the same configuration
// recovers: from a snapshot, with the journal compacted before the
// oldest snapshot kept, to the state the history left (its moves).
func TestHistoryRecovers(t *testing.T) {
	ctx := context.Background()
	site, err := geo.Default()
	require.NoError(t, err)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "h.db"))
	require.NoError(t, err)
	defer st.Close()
	dur := time.Hour
	if testing.Short() {
		dur = 40 * time.Minute
	}
	snaps := daemon.SnapshotConfig{Every: 5 * time.Minute, EveryRecords: -1, Compact: true}
	res, err := Run(ctx, Config{Daemon: daemonConfig(t, site, snaps), Store: st, Site: site, Duration: dur,
		Shuttles: 3, Batch: 100, Demo: demo.Config{MovesPerHour: 12}})
	require.NoError(t, err)
	require.Greater(t, res.Delivered, 0, "the shuttles delivered nothing in %s", dur)
	require.Zero(t, res.Counters.JournalErrors)
	require.Zero(t, res.Counters.SnapshotErrors)
	require.GreaterOrEqual(t, res.Counters.SnapshotsWritten, int64(dur/(5*time.Minute))-1, "a snapshot every 5 minutes of fleet time")

	// every record is in the store, numbered as the daemon had it
	es, err := st.Read(ctx, res.Records-1, 0)
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, res.Records, es[0].Index)
	seqs, err := st.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, seqs, 2, "the newest two kept")
	first, err := st.Read(ctx, 0, 1)
	require.NoError(t, err)
	require.Equal(t, seqs[0], first[0].Index, "compacted up to the oldest snapshot kept")

	// a new daemon with the same configuration recovers it
	dc := daemonConfig(t, site, snaps)
	dc.Journal = st
	d, err := daemon.New(dc)
	require.NoError(t, err)
	s, err := d.Stepped(ctx)
	require.NoError(t, err)
	defer s.Close(ctx)
	require.Equal(t, seqs[1], s.Counters().FromSnapshot)
	require.Equal(t, res.Records+1, s.Applied(), "the history's records and its own resume")
	require.Equal(t, res.Delivered, s.Controller().MoveCounts()[fleet.MoveDelivered])
}

// The same configuration and seed write the same history.
func TestHistoryIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("two histories: not with -short")
	}
	ctx := context.Background()
	site, err := geo.Default()
	require.NoError(t, err)
	start := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	var got []Result
	for range 2 {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "h.db"))
		require.NoError(t, err)
		res, err := Run(ctx, Config{Daemon: daemonConfig(t, site, daemon.SnapshotConfig{}), Store: st, Site: site,
			Start: start, Duration: 20 * time.Minute, Shuttles: 2, Demo: demo.Config{MovesPerHour: 12}})
		require.NoError(t, st.Close())
		require.NoError(t, err)
		got = append(got, res)
	}
	require.Equal(t, got[0].Records, got[1].Records)
	require.Equal(t, got[0].Moves, got[1].Moves)
	require.Equal(t, got[0].Delivered, got[1].Delivered)
}

// Copy makes a store with the same journal, audit log, snapshots and
// archive; a compacted journal is refused.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	site, err := geo.Default()
	require.NoError(t, err)
	open := func() *boltstore.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "h.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	from := open()
	_, err = Run(ctx, Config{Daemon: daemonConfig(t, site, daemon.SnapshotConfig{Every: 5 * time.Minute}), Store: from, Site: site,
		Duration: 20 * time.Minute, Shuttles: 2, Demo: demo.Config{MovesPerHour: 12}})
	require.NoError(t, err)
	to := open()
	c, err := Copy(ctx, from, to)
	require.NoError(t, err)
	want, err := from.Read(ctx, 0, 0)
	require.NoError(t, err)
	got, err := to.Read(ctx, 0, 0)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, len(want), c.Records)
	wantAudit, err := from.ReadAudit(ctx, 0, 0)
	require.NoError(t, err)
	gotAudit, err := to.ReadAudit(ctx, 0, 0)
	require.NoError(t, err)
	require.Equal(t, wantAudit, gotAudit)
	seqs, err := from.Snapshots(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, seqs)
	gotSeqs, err := to.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, seqs, gotSeqs)
	b, err := to.ReadSnapshot(ctx, seqs[len(seqs)-1])
	require.NoError(t, err)
	wantB, err := from.ReadSnapshot(ctx, seqs[len(seqs)-1])
	require.NoError(t, err)
	require.Equal(t, wantB, b)

	_, err = Copy(ctx, from, to)
	require.ErrorContains(t, err, "not empty")
	tok, err := from.Acquire(ctx, "test", time.Second)
	require.NoError(t, err)
	require.NoError(t, from.TrimJournal(ctx, tok, seqs[0]))
	require.NoError(t, from.Release(ctx, "test", tok))
	_, err = Copy(ctx, from, open())
	require.ErrorContains(t, err, "compacted")
}
