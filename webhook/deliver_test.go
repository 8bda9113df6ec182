package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// receiver is a customs system: it verifies each request, answers fail
// while told to, and keeps what it accepted.
type receiver struct {
	secret []byte
	mu     sync.Mutex
	fail   bool
	tries  int
	got    []Event
	keys   map[string]int // Idempotency-Key -> times accepted
	bad    []string
}

func newReceiver(t *testing.T, secret string) (*receiver, *httptest.Server) {
	r := &receiver{secret: []byte(secret), keys: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := VerifyRequest(req, r.secret)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tries++
		if err != nil {
			r.bad = append(r.bad, err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.fail {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get(HeaderIdempotencyKey) ||
			audit.HashOf(ev.Entry) != ev.Hash || req.Header.Get(HeaderEvent) != ev.Event {
			r.bad = append(r.bad, fmt.Sprintf("body %s: %v", body, err))
		}
		r.keys[ev.ID]++
		r.got = append(r.got, ev)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) seqs() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []uint64
	for _, e := range r.got {
		out = append(out, e.Seq)
	}
	return out
}

func (r *receiver) setFail(f bool) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

// running is a daemon on a bolt store with a deliverer beside it.
type running struct {
	d    *daemon.Daemon
	hook *Deliverer
	stop func()
}

func start(t *testing.T, st *boltstore.Store, site *geo.Site, subs []Subscriber) running {
	t.Helper()
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g, Journal: st, Owner: "test", LeaseTTL: 600 * time.Millisecond,
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	require.NoError(t, err)
	h, err := New(Config{Subscribers: subs, Site: site, Fleet: d, Audit: st, MaxAttempts: 2,
		BackoffBase: 5 * time.Millisecond, BackoffCap: 20 * time.Millisecond, AckEvery: time.Hour, Poll: 10 * time.Millisecond})
	require.NoError(t, err)
	// as fleetd does: the deliverer stops first and acknowledges what it
	// delivered, then the daemon
	dctx, dcancel := context.WithCancel(context.Background())
	hctx, hcancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		assert.NoError(t, d.Run(dctx, &daemontest.Bus{}))
	}()
	go func() {
		defer wg.Done()
		h.Run(hctx)
		dcancel()
	}()
	require.Eventually(t, d.Active, 5*time.Second, 10*time.Millisecond)
	var once sync.Once
	stop := func() { once.Do(func() { hcancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return running{d: d, hook: h, stop: stop}
}

func move(t *testing.T, d *daemon.Daemon, n int) {
	t.Helper()
	first := fmt.Sprintf("BFDU%06d", n)
	c := fmt.Sprintf("%s%d", first, fleet.CheckDigit(first))
	require.NoError(t, d.Submit(context.Background(), fleet.MoveRequested{ID: fmt.Sprintf("m%d", n), Container: c,
		Origin: fmt.Sprintf("kz-bay-%02d", n), Destination: "cn-bay-01"}))
}

func TestDeliveryRetriesDeadLettersReplaysAndResumes(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	defer st.Close()
	kz, kzSrv := newReceiver(t, "kz-secret")
	cn, cnSrv := newReceiver(t, "cn-secret")
	subs := []Subscriber{{Country: "KZ", URL: kzSrv.URL, Secret: []byte("kz-secret")}, {Country: "CN", URL: cnSrv.URL, Secret: []byte("cn-secret")}}
	ctx := context.Background()

	cn.setFail(true) // CN is down: its entries are tried twice, then dead letters
	a := start(t, st, site, subs)
	for n := 1; n <= 3; n++ {
		move(t, a.d, n)
	}
	require.Eventually(t, func() bool { return len(kz.seqs()) == 3 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []uint64{1, 2, 3}, kz.seqs(), "in order")
	require.Eventually(t, func() bool {
		dl, err := a.hook.DeadLetters(ctx, "CN")
		return err == nil && len(dl) == 3
	}, 5*time.Second, 10*time.Millisecond)
	dl, err := a.hook.DeadLetters(ctx, "CN")
	require.NoError(t, err)
	assert.Equal(t, 2, dl[0].Attempts)
	assert.Contains(t, dl[0].Reason, "HTTP 500: down for maintenance")
	cn.mu.Lock()
	assert.Equal(t, 6, cn.tries, "two attempts at each")
	cn.mu.Unlock()

	cn.setFail(false) // CN is back: delivery has moved on
	move(t, a.d, 4)
	require.Eventually(t, func() bool { return len(cn.seqs()) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []uint64{4}, cn.seqs())
	_, err = a.hook.Replay(ctx, "CN", 9)
	assert.ErrorIs(t, err, daemon.ErrNoDeadLetter)
	_, err = a.hook.Replay(ctx, "MN", 0)
	assert.ErrorIs(t, err, ErrNoSubscriber)
	n, err := a.hook.Replay(ctx, "CN", 0)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	require.Eventually(t, func() bool { return len(cn.seqs()) == 4 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []uint64{4, 1, 2, 3}, cn.seqs(), "replays are delivered when asked for")
	require.Eventually(t, func() bool {
		s, err := a.hook.Status(ctx)
		return err == nil && s[0].Delivered == 4 && s[1].Delivered == 4 && s[1].DeadLetters == 0 && s[1].Replaying == 0
	}, 5*time.Second, 10*time.Millisecond)
	s, err := a.hook.Status(ctx)
	require.NoError(t, err)
	assert.False(t, s[1].LastTry.IsZero())
	s[1].LastTry = time.Time{}
	assert.Equal(t, uint64(0), s[0].Cursor, "KZ's deliveries are not acknowledged yet (AckEvery is an hour)")
	assert.Equal(t, 0, s[0].Backlog)
	assert.Equal(t, Status{Country: "CN", URL: cnSrv.URL, Cursor: 4, Delivered: 4, Counts: map[string]int64{ResultFailed: 6, ResultDeadLetter: 3, ResultDelivered: 4}}, s[1])

	// a restart on the same store carries on from the journaled cursor:
	// stopping acknowledged what was delivered
	a.stop()
	b := start(t, st, site, subs)
	move(t, b.d, 5)
	require.Eventually(t, func() bool { return len(kz.seqs()) == 5 && len(cn.seqs()) == 5 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, kz.seqs())
	for _, r := range []*receiver{kz, cn} {
		r.mu.Lock()
		assert.Empty(t, r.bad)
		for k, n := range r.keys {
			assert.Equal(t, 1, n, "%s accepted once", k)
		}
		r.mu.Unlock()
	}
	b.stop()
}
