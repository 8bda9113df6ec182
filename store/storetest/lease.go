package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/store"
)

func testLeaseHeld(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := acquire(t, s, "a")
	if _, err := s.Acquire(ctx, "b", longTTL); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("Acquire by b while a holds the lease = %v, want ErrHeld", err)
	}
	// A refused Acquire hands out no token and fences nothing.
	appendOK(t, s, tok, 1, []byte("a1"))
	if err := s.Renew(ctx, "a", tok, longTTL); err != nil {
		t.Fatalf("Renew by the holder after a refused Acquire: %v", err)
	}
}

func testLeaseSameOwner(t *testing.T, s store.Store) {
	first := acquire(t, s, "a")
	second := acquire(t, s, "a")
	if second <= first {
		t.Fatalf("second Acquire by the same owner = %d, want > %d", second, first)
	}
	if err := s.Renew(t.Context(), "a", first, longTTL); !errors.Is(err, store.ErrFenced) {
		t.Errorf("Renew with the first token = %v, want ErrFenced", err)
	}
	if err := s.Renew(t.Context(), "a", second, longTTL); err != nil {
		t.Errorf("Renew with the second token: %v", err)
	}
}

// waitAcquire polls Acquire by owner until the lease is no longer held by
// someone else, and fails the test if that takes longer than expiryWait.
func waitAcquire(t *testing.T, s store.Store, owner string) uint64 {
	t.Helper()
	deadline := time.Now().Add(expiryWait)
	for {
		tok, err := s.Acquire(t.Context(), owner, longTTL)
		if err == nil {
			return tok
		}
		if !errors.Is(err, store.ErrHeld) {
			t.Fatalf("Acquire(%q): %v", owner, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("lease still held %v after it should have expired", expiryWait)
		}
		time.Sleep(shortTTL / 5)
	}
}

func testLeaseExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	old, err := s.Acquire(ctx, "a", shortTTL)
	if err != nil {
		t.Fatal(err)
	}
	tok := waitAcquire(t, s, "b")
	if tok <= old {
		t.Fatalf("token after takeover %d, want > %d", tok, old)
	}
	if _, err := s.Append(ctx, old, []byte("late")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Append by the expired holder = %v, want ErrFenced", err)
	}
	if _, err := s.Acquire(ctx, "a", longTTL); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("Acquire by a after b took over = %v, want ErrHeld", err)
	}
	appendOK(t, s, tok, 1, []byte("b1"))
}

func testRenew(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok, err := s.Acquire(ctx, "a", shortTTL)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Renew(ctx, "a", tok, longTTL); err != nil {
		t.Fatalf("Renew: %v", err)
	}
	// Renewed for long, the lease stays a's past its first expiry.
	time.Sleep(2 * shortTTL)
	if _, err := s.Acquire(ctx, "b", longTTL); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("Acquire by b after a renewed = %v, want ErrHeld", err)
	}
	if err := s.Renew(ctx, "b", tok, longTTL); !errors.Is(err, store.ErrFenced) {
		t.Errorf("Renew by another owner with the holder's token = %v, want ErrFenced", err)
	}
	// A lease that expired with nobody taking over can be renewed: its
	// token is still the newest, so nothing was written behind its back.
	if err := s.Renew(ctx, "a", tok, shortTTL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * shortTTL)
	if err := s.Renew(ctx, "a", tok, longTTL); err != nil {
		t.Errorf("Renew after expiry with nobody taking over: %v", err)
	}
	appendOK(t, s, tok, 1, []byte("a1"))
}

func testRenewAfterTakeover(t *testing.T, s store.Store) {
	ctx := t.Context()
	old, err := s.Acquire(ctx, "a", shortTTL)
	if err != nil {
		t.Fatal(err)
	}
	tok := waitAcquire(t, s, "b")
	if err := s.Renew(ctx, "a", old, longTTL); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Renew by a after b took over = %v, want ErrFenced", err)
	}
	// The refused Renew did not take the lease back.
	if _, err := s.Acquire(ctx, "a", longTTL); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("Acquire by a = %v, want ErrHeld", err)
	}
	if err := s.Renew(ctx, "b", tok, longTTL); err != nil {
		t.Fatalf("Renew by b: %v", err)
	}
}

func testRelease(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := acquire(t, s, "a")
	if err := s.Release(ctx, "a", tok); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if _, err := s.Append(ctx, tok, []byte("after release")); !errors.Is(err, store.ErrFenced) {
		t.Errorf("Append after Release = %v, want ErrFenced", err)
	}
	if err := s.Renew(ctx, "a", tok, longTTL); !errors.Is(err, store.ErrFenced) {
		t.Errorf("Renew after Release = %v, want ErrFenced", err)
	}
	next, err := s.Acquire(ctx, "b", longTTL)
	if err != nil {
		t.Fatalf("Acquire by b after a released: %v", err)
	}
	if next <= tok {
		t.Errorf("token after release %d, want > %d", next, tok)
	}
	// Releasing again, or with a stale token, changes nothing.
	if err := s.Release(ctx, "a", tok); err != nil {
		t.Errorf("second Release: %v", err)
	}
	appendOK(t, s, next, 1, []byte("b1"))
}

func testReleaseNotHeld(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Release(ctx, "nobody", 7); err != nil {
		t.Errorf("Release of a lease never taken: %v", err)
	}
	tok := acquire(t, s, "a")
	for _, c := range []struct {
		owner string
		token uint64
	}{{"b", tok}, {"a", tok - 1}, {"a", tok + 1}} {
		if err := s.Release(ctx, c.owner, c.token); err != nil {
			t.Errorf("Release(%q, %d) not held: %v", c.owner, c.token, err)
		}
	}
	// The holder is unaffected.
	appendOK(t, s, tok, 1, []byte("a1"))
	if _, err := s.Acquire(ctx, "b", longTTL); !errors.Is(err, store.ErrHeld) {
		t.Errorf("Acquire by b = %v, want ErrHeld", err)
	}
}

func testBadArguments(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Acquire(ctx, "a", 0); err == nil {
		t.Error("Acquire with ttl 0 succeeded")
	}
	tok := acquire(t, s, "a")
	if err := s.Renew(ctx, "a", tok, -time.Second); err == nil {
		t.Error("Renew with a negative ttl succeeded")
	}
	if _, err := s.Read(ctx, 0, -1); err == nil {
		t.Error("Read with a negative limit succeeded")
	}
}
