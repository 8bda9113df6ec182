package redisstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/redisstore"
)

// TestTwoInstances plays two fleetd on one Redis, each with its own client:
// the standby waits while the active one renews, takes over when it stops
// renewing, and from then on the old active one writes nothing.
func TestTwoInstances(t *testing.T) {
	ca, cb := client(t), client(t)
	p := uniquePrefix(t, ca)
	a, b := redisstore.New(ca, p), redisstore.New(cb, p)
	ctx := t.Context()
	const ttl = 200 * time.Millisecond

	ta, err := a.Acquire(ctx, "fleetd-a", ttl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(ctx, "fleetd-b", ttl); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("standby Acquire = %v, want ErrHeld", err)
	}
	if _, err := a.Append(ctx, ta, []byte("a1")); err != nil {
		t.Fatal(err)
	}
	if err := a.Renew(ctx, "fleetd-a", ta, ttl); err != nil {
		t.Fatal(err)
	}

	// a stops renewing (a long pause); b polls until the lease expires.
	var tb uint64
	deadline := time.Now().Add(5 * time.Second)
	for {
		tb, err = b.Acquire(ctx, "fleetd-b", time.Minute)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrHeld) || time.Now().After(deadline) {
			t.Fatalf("standby Acquire: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// b replays what a wrote, then writes on.
	got, err := b.Read(ctx, 0, 0)
	if err != nil || len(got) != 1 || string(got[0].Data) != "a1" {
		t.Fatalf("b reads %v, %v", got, err)
	}
	if n, err := b.Append(ctx, tb, []byte("b2")); err != nil || n != 2 {
		t.Fatalf("b Append = %d, %v", n, err)
	}
	// a wakes up: every write and the renewal are fenced.
	if _, err := a.Append(ctx, ta, []byte("a-late")); !errors.Is(err, store.ErrFenced) {
		t.Errorf("a Append after takeover = %v, want ErrFenced", err)
	}
	if _, err := a.AppendAudit(ctx, ta, []byte("a-late")); !errors.Is(err, store.ErrFenced) {
		t.Errorf("a AppendAudit after takeover = %v, want ErrFenced", err)
	}
	if err := a.Renew(ctx, "fleetd-a", ta, ttl); !errors.Is(err, store.ErrFenced) {
		t.Errorf("a Renew after takeover = %v, want ErrFenced", err)
	}
	if err := a.Release(ctx, "fleetd-a", ta); err != nil {
		t.Errorf("a Release after takeover: %v", err)
	}
	if n, err := b.Append(ctx, tb, []byte("b3")); err != nil || n != 3 {
		t.Errorf("b Append after a's Release = %d, %v", n, err)
	}
}
