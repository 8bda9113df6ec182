package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/redisstore"
	"github.com/borderfleet/borderfleet/store/redisstore/redistest"
	"github.com/borderfleet/borderfleet/vehicles"
)

// TestSentinelFailoverLosesNoAcknowledgedMove runs fleetd's daemon on real
// Redis processes on loopback (a primary, a replica, three sentinels),
// reached through Sentinel with wait=1, and SIGKILLs the primary while
// operators submit moves. After the sentinels promote the replica, a fresh
// daemon replays the journal: every move whose submission returned success
// is there, none twice; and the first daemon, deposed, can write nothing.
func TestSentinelFailoverLosesNoAcknowledgedMove(t *testing.T) {
	redistest.Binary(t)
	start := time.Now()
	// Two seconds' down-after: shorter ones make sentinels on a busy
	// machine fail over back and forth (which loses nothing acknowledged,
	// but takes a while to settle).
	cl := redistest.StartCluster(t, 1, 3, 2*time.Second)
	t.Logf("cluster up in %v: primary %s, replica %s", time.Since(start).Round(time.Millisecond), cl.Primary.Addr, cl.Replicas[0].Addr)
	url := cl.URL("prefix=bf:&wait=1&wait_timeout=300ms&dial_timeout=300ms&read_timeout=1s&write_timeout=1s")
	ctx := context.Background()

	stA, err := redisstore.Open(ctx, url)
	require.NoError(t, err)
	defer stA.Close()
	jA := &freezable{Journal: stA}
	a, stopA, doneA := sentinelDaemon(t, jA, "a")
	require.Eventually(t, a.Active, 10*time.Second, 10*time.Millisecond)
	tokA := tokenOf(t, a)

	// operators submit moves, one after the other, until told to stop
	var (
		mu      sync.Mutex
		acked   []string // moves whose submission returned success
		refused int
		lastErr error
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; !stop.Load(); i++ {
			id := fmt.Sprintf("m%04d", i)
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			err := a.Submit(sctx, fleet.MoveRequested{ID: id, Container: container(i), Origin: "kz-bay-03", Destination: "cn-bay-07", IdempotencyKey: id})
			cancel()
			mu.Lock()
			if err == nil {
				acked = append(acked, id)
			} else {
				refused, lastErr = refused+1, err
			}
			mu.Unlock()
			if err != nil {
				time.Sleep(20 * time.Millisecond) // an operator trying again a moment later
			}
		}
	}()
	ackedNow := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	require.Eventually(t, func() bool { return ackedNow() >= 30 }, 10*time.Second, 5*time.Millisecond)

	// the primary dies mid-run; the sentinels promote the replica
	killedAt := time.Now()
	ackedBefore := ackedNow()
	cl.Primary.Kill()
	var promoted string
	require.Eventually(t, func() bool {
		m, ok := agreedMaster(cl)
		promoted = m
		return ok && m != cl.Primary.Addr
	}, 20*time.Second, 20*time.Millisecond, "the sentinels promote the replica")
	t.Logf("replica promoted %v after the kill; %d moves acknowledged before it", time.Since(killedAt).Round(time.Millisecond), ackedBefore)

	// the old primary comes back as a replica of the new one, so that
	// writes with wait=1 can be acknowledged again
	cl.Primary.Restart("replicaof " + strings.Replace(promoted, ":", " ", 1))
	waitHealthy(t, cl)
	if !assert.Eventually(t, func() bool { return ackedNow() > ackedBefore+5 || !a.Active() }, 20*time.Second, 10*time.Millisecond) {
		mu.Lock()
		t.Logf("a neither takes moves again nor stops: %d acknowledged, %d refused, last error %v", len(acked), refused, lastErr)
		mu.Unlock()
		dump(t, cl)
	}
	stop.Store(true)
	wg.Wait()
	mu.Lock()
	t.Logf("%d moves acknowledged (%d after the kill), %d submissions refused; a active: %v", len(acked), len(acked)-ackedBefore, refused, a.Active())
	mu.Unlock()

	// a's live state is the journal's: one more acknowledged move applies
	// whatever writes reported as failed made it to the journal
	var live []string
	for deadline := time.Now().Add(15 * time.Second); a.Active(); {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		err := a.Submit(sctx, fleet.MoveRequested{ID: "last", Container: container(9998), Origin: "kz-bay-03", Destination: "cn-bay-07", IdempotencyKey: "last"})
		cancel()
		if err == nil {
			acked = append(acked, "last")
			live = moveIDs(t, a)
			break
		}
		require.False(t, time.Now().After(deadline), "a takes no move after the failover: %v", err)
		time.Sleep(20 * time.Millisecond) // an operator trying again a moment later
	}

	// a freezes (a long pause, a dead host): it can no longer renew
	jA.freeze()
	<-doneA
	assert.False(t, a.Active())
	assert.ErrorIs(t, stopA(), daemon.ErrDeposed)

	// a fresh daemon replays the journal through Sentinel and takes over
	stB, err := redisstore.Open(ctx, url)
	require.NoError(t, err)
	defer stB.Close()
	b, stopB, doneB := sentinelDaemon(t, stB, "b")
	waitHealthy(t, cl)
	if !assert.Eventually(t, func() bool {
		select {
		case <-doneB:
			return true // b's Run ended: its error below
		default:
		}
		return b.Active()
	}, 20*time.Second, 10*time.Millisecond) || !b.Active() {
		select {
		case <-doneB:
			t.Errorf("b's Run: %v", stopB())
		default:
		}
		dump(t, cl)
	}
	tokB := tokenOf(t, b)
	assert.Greater(t, tokB, tokA, "tokens grow across the failover")

	moves := map[string]int{}
	containers := map[fleet.Container]int{}
	require.NoError(t, b.Do(ctx, func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) {
		for _, m := range ctl.Moves() {
			moves[m.ID]++
			containers[m.Container]++
		}
	}))
	for _, id := range acked {
		assert.Equal(t, 1, moves[id], "acknowledged move %s after the failover", id)
	}
	if live != nil {
		assert.Equal(t, live, moveIDs(t, b), "the replay has what a had")
	}
	for id, n := range moves {
		assert.Equal(t, 1, n, "move %s", id)
	}
	for c, n := range containers {
		assert.Equal(t, 1, n, "container %s", c)
	}
	// the journal has each move's request once
	requested := map[string]int{}
	es, err := stB.Read(ctx, 0, 0)
	require.NoError(t, err)
	for _, e := range es {
		_, ev, err := daemon.DecodeRecord(e.Data)
		require.NoError(t, err, "record %d", e.Index)
		if mr, ok := ev.(fleet.MoveRequested); ok {
			requested[mr.ID]++
		}
	}
	for id, n := range requested {
		assert.Equal(t, 1, n, "requests of %s in the journal", id)
	}
	t.Logf("after the failover: %d moves in the journal, %d of them acknowledged", len(moves), len(acked))

	// fencing holds: the deposed a writes nothing, b writes on
	_, err = stA.Append(ctx, tokA, []byte("late"))
	assert.ErrorIs(t, err, store.ErrFenced)
	_, err = stA.AppendAudit(ctx, tokA, []byte("late"))
	assert.ErrorIs(t, err, store.ErrFenced)
	require.NoError(t, b.Submit(ctx, fleet.MoveRequested{ID: "after", Container: container(9999), Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	t.Logf("whole run %v", time.Since(start).Round(time.Millisecond))
}

// sentinelDaemon runs a daemon on j until the test ends; it returns the
// daemon, a function that stops it and returns Run's error, and a channel
// closed when Run returns.
func sentinelDaemon(t *testing.T, j daemon.Journal, owner string) (*daemon.Daemon, func() error, <-chan struct{}) {
	t.Helper()
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	// no ticks: every journal write is the test's
	return runDaemon(t, daemon.Config{Graph: defaultGraph(t), Journal: j, Owner: owner, LeaseTTL: 1500 * time.Millisecond, TickEvery: time.Hour,
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}, Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))},
		&daemontest.Bus{})
}

// freezable is a journal that stops answering when frozen: its instance is
// cut off, as by a long pause or a dead host.
type freezable struct {
	daemon.Journal
	frozen atomic.Bool
}

var errFrozen = errors.New("frozen")

func (f *freezable) freeze() { f.frozen.Store(true) }

func (f *freezable) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	if f.frozen.Load() {
		return 0, errFrozen
	}
	return f.Journal.Append(ctx, token, recs...)
}

func (f *freezable) AppendAudit(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	if f.frozen.Load() {
		return 0, errFrozen
	}
	return f.Journal.AppendAudit(ctx, token, recs...)
}

func (f *freezable) Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error {
	if f.frozen.Load() {
		return errFrozen
	}
	return f.Journal.Renew(ctx, owner, token, ttl)
}

func (f *freezable) Release(ctx context.Context, owner string, token uint64) error {
	if f.frozen.Load() {
		return errFrozen
	}
	return f.Journal.Release(ctx, owner, token)
}

// container is the i-th of a series of valid ISO 6346 container numbers.
func container(i int) string {
	s := fmt.Sprintf("BFTU%06d", i)
	return fmt.Sprintf("%s%d", s, fleet.CheckDigit(s))
}

// agreedMaster is the primary's address if every sentinel names the same.
func agreedMaster(cl *redistest.Cluster) (string, bool) {
	var m string
	for i, s := range cl.Sentinels {
		addr, err := cl.MasterAddr(s)
		if err != nil || i > 0 && addr != m {
			return "", false
		}
		m = addr
	}
	return m, true
}

// waitHealthy waits until the sentinels agree on a primary that has an
// online replica: writes with wait=1 can be acknowledged.
func waitHealthy(t *testing.T, cl *redistest.Cluster) {
	t.Helper()
	servers := []*redistest.Server{cl.Primary, cl.Replicas[0]}
	if !assert.Eventually(t, func() bool {
		m, ok := agreedMaster(cl)
		for _, s := range servers {
			if ok && s.Addr == m {
				info, err := s.Do("INFO", "replication")
				return err == nil && strings.Contains(info, "role:master") && strings.Contains(info, "state=online")
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "a primary with an online replica") {
		dump(t, cl)
	}
}

// dump logs what each server says of replication and its last log lines,
// and ends the test.
func dump(t *testing.T, cl *redistest.Cluster) {
	t.Helper()
	for _, s := range append([]*redistest.Server{cl.Primary, cl.Replicas[0]}, cl.Sentinels...) {
		info, err := s.Do("INFO", "replication")
		t.Logf("%s: %s %v\n%s", s.Addr, info, err, lastLines(s.Log(), 15))
	}
	t.FailNow()
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(len(l)-n, 0):], "\n")
}
