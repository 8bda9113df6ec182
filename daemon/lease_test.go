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
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// flakyRenew is a journal whose next renewals fail: failNext of them, or
// every one while failAll is set.
type flakyRenew struct {
	daemon.Journal
	failNext atomic.Int32
	failAll  atomic.Bool
	renewals atomic.Int32
}

var errSlowStore = errors.New("store too slow to answer")

func (f *flakyRenew) Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error {
	f.renewals.Add(1)
	if f.failAll.Load() || f.failNext.Add(-1) >= 0 {
		return errSlowStore
	}
	return f.Journal.Renew(ctx, owner, token, ttl)
}

func leaseDaemon(t *testing.T, j daemon.Journal, owner string, ttl time.Duration) (*daemon.Daemon, func() error, <-chan struct{}) {
	t.Helper()
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	return runDaemon(t, daemon.Config{Graph: defaultGraph(t), Journal: j, Owner: owner, LeaseTTL: ttl,
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}}, &daemontest.Bus{})
}

// A core busy for three lease times (a backlog, a long request) keeps
// its lease: it is renewed beside the core's work, so the standby does
// not take over and the busy instance goes on writing.
func TestBusyCoreKeepsItsLease(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	const ttl = 300 * time.Millisecond
	a, _, _ := leaseDaemon(t, st, "a", ttl)
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	b, _, _ := leaseDaemon(t, st, "b", ttl)

	ctx := context.Background()
	require.NoError(t, a.Do(ctx, func(time.Time, *fleet.Controller, *vehicles.Master) {
		time.Sleep(3 * ttl) // the core at work, not waiting for anything
	}))
	assert.True(t, a.Active(), "the busy instance lost its lease")
	assert.False(t, b.Active(), "the standby took over from a busy, live instance")
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second) // a deposed core answers nothing
	defer cancel()
	assert.NoError(t, a.Submit(sctx, fleet.MoveRequested{ID: "m1", Container: container(1), Origin: "kz-bay-03", Destination: "cn-bay-07"}),
		"the busy instance can no longer write")
}

// A renewal that fails once (a slow store) is tried again while the lease
// has time left; renewals that fail for a whole lease time depose the
// instance, with the store's error.
func TestLeaseRenewalRetriesThenGivesUp(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	const ttl = 600 * time.Millisecond
	j := &flakyRenew{Journal: st}
	a, stop, done := leaseDaemon(t, j, "a", ttl)
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)

	j.failNext.Store(1)
	require.Eventually(t, func() bool { return j.renewals.Load() >= 4 }, 5*time.Second, 10*time.Millisecond)
	assert.True(t, a.Active(), "one failed renewal deposed the instance")

	j.failAll.Store(true)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("renewals failing for 5 s did not depose the instance")
	}
	err = stop()
	require.ErrorIs(t, err, daemon.ErrDeposed)
	assert.ErrorContains(t, err, errSlowStore.Error())
	assert.ErrorContains(t, err, "not renewed")
	assert.False(t, a.Active())
}
