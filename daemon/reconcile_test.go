package daemon_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// lossy is a journal whose next Append, when armed, is made but reported
// as failed (a reply lost on a broken connection, a write its replicas did
// not acknowledge), or reports an index two lower than the journal's (as
// after a failover to a replica that lacked the last two records).
type lossy struct {
	daemon.Journal
	loseReply, rewind, loseAuditReply atomic.Bool
}

func (l *lossy) AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error) {
	n, err := l.Journal.AppendAudit(ctx, token, entries...)
	if err == nil && l.loseAuditReply.CompareAndSwap(true, false) {
		return n, errLostReply
	}
	return n, err
}

var errLostReply = errors.New("lost reply")

func (l *lossy) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	n, err := l.Journal.Append(ctx, token, recs...)
	switch {
	case err != nil:
	case l.loseReply.CompareAndSwap(true, false):
		return n, errLostReply
	case l.rewind.CompareAndSwap(true, false):
		return n - 2, nil
	}
	return n, err
}

func moveIDs(t *testing.T, d *daemon.Daemon) []string {
	t.Helper()
	var ids []string
	require.NoError(t, d.Do(context.Background(), func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) {
		for _, m := range ctl.Moves() {
			ids = append(ids, m.ID)
		}
	}))
	return ids
}

// A move whose journal write was reported as failed but made is refused to
// the operator, and applied with the next write, in journal order: the
// live state stays the journal's, as a replay rebuilds it.
func TestWriteReportedFailedButMadeIsApplied(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	j := &lossy{Journal: st}
	a, stopA, _ := sentinelDaemon(t, j, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	moveIDs(t, a) // the daemon has journaled its takeover

	j.loseReply.Store(true)
	err = a.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: container(1), Origin: "kz-bay-03", Destination: "cn-bay-07"})
	require.ErrorIs(t, err, errLostReply, "the operator is told it failed")
	assert.Empty(t, moveIDs(t, a), "and it is not applied yet")
	require.NoError(t, a.Submit(ctx, fleet.MoveRequested{ID: "m2", Container: container(2), Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	assert.Equal(t, []string{"m1", "m2"}, moveIDs(t, a), "the next write applies what the journal has")
	require.NoError(t, stopA())

	b, _, _ := sentinelDaemon(t, st, "b")
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{"m1", "m2"}, moveIDs(t, b), "a replay has the same")
}

// A journal that lost records this instance applied makes it stop with
// ErrJournalLost rather than go on from a state the journal does not have.
func TestJournalThatLostRecordsStopsTheDaemon(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	j := &lossy{Journal: st}
	a, stopA, doneA := sentinelDaemon(t, j, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	moveIDs(t, a) // the daemon has journaled its takeover
	j.rewind.Store(true)
	err = a.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: container(1), Origin: "kz-bay-03", Destination: "cn-bay-07"})
	require.ErrorIs(t, err, daemon.ErrJournalLost)
	select {
	case <-doneA:
	case <-time.After(5 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	require.ErrorIs(t, stopA(), daemon.ErrJournalLost)
	assert.False(t, a.Active())
}

// Audit entries whose write was reported as failed but made are not
// written again: the chain stays whole, each event once.
func TestAuditWriteReportedFailedButMadeIsNotRepeated(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	j := &lossy{Journal: st}
	a, stopA, _ := sentinelDaemon(t, j, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	moveIDs(t, a) // the daemon has journaled its takeover
	j.loseAuditReply.Store(true)
	require.NoError(t, a.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: container(1), Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	require.NoError(t, a.Submit(ctx, fleet.MoveRequested{ID: "m2", Container: container(2), Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	require.NoError(t, stopA())
	var got []string
	for _, e := range auditLog(t, st) { // checks the chain
		got = append(got, e.Move+" "+e.Event)
	}
	assert.Equal(t, []string{"m1 created", "m2 created"}, got)
}
