package redisstore_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/redisstore"
	"github.com/borderfleet/borderfleet/store/redisstore/redistest"
)

// TestWaitWithReplica runs a real primary and replica: with WaitReplicas 1
// every Append, AppendAudit and Acquire succeeds while the replica is up,
// and fails with ErrUnreplicated (not silently) once it is gone.
func TestWaitWithReplica(t *testing.T) {
	primary := redistest.Start(t)
	replica := redistest.Start(t, "replicaof 127.0.0.1 "+itoa(primary.Port))
	c := redis.NewClient(&redis.Options{Addr: primary.Addr})
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.NewWithOptions(c, "bf:", redisstore.Options{WaitReplicas: 1, WaitTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var tok uint64
	deadline := time.Now().Add(10 * time.Second)
	for { // the replica's first sync
		if tok, err = s.Acquire(ctx, "a", time.Minute); err == nil {
			break
		}
		if !errors.Is(err, redisstore.ErrUnreplicated) || time.Now().After(deadline) {
			t.Fatalf("Acquire with a replica: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // polling the replica's sync
	}
	if n, err := s.Append(ctx, tok, []byte("x"), []byte("y")); err != nil || n != 2 {
		t.Fatalf("Append with a replica = %d, %v", n, err)
	}
	if n, err := s.AppendAudit(ctx, tok, []byte("z")); err != nil || n != 1 {
		t.Fatalf("AppendAudit with a replica = %d, %v", n, err)
	}
	r := redis.NewClient(&redis.Options{Addr: replica.Addr})
	t.Cleanup(func() { r.Close() })
	if n := r.XLen(ctx, "bf:journal").Val(); n != 2 {
		t.Errorf("the replica has %d journal records right after WAIT, want 2", n)
	}

	replica.Kill()
	if _, err := s.Append(ctx, tok, []byte("w")); !errors.Is(err, redisstore.ErrUnreplicated) {
		t.Errorf("Append without the replica = %v, want ErrUnreplicated", err)
	}
	if _, err := s.AppendAudit(ctx, tok, []byte("w")); !errors.Is(err, redisstore.ErrUnreplicated) {
		t.Errorf("AppendAudit without the replica = %v, want ErrUnreplicated", err)
	}
	if _, err := s.Acquire(ctx, "a", time.Minute); !errors.Is(err, redisstore.ErrUnreplicated) {
		t.Errorf("Acquire without the replica = %v, want ErrUnreplicated", err)
	}
	if _, err := s.Append(ctx, tok, []byte("w")); !errors.Is(err, store.ErrFenced) {
		t.Errorf("Append with the token before the unreplicated Acquire = %v, want ErrFenced", err)
	}
}

// TestRetriedAppendIsNotDuplicated plays a client that lost the reply to an
// append and sends the same call again: the batch is in the journal once,
// and the retry returns its index.
func TestRetriedAppendIsNotDuplicated(t *testing.T) {
	c := client(t)
	p := uniquePrefix(t, c)
	s := redisstore.New(c, p)
	ctx := t.Context()
	tok, err := s.Acquire(ctx, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint64{2, 2, 3} {
		nonce := "n1"
		recs := [][]byte{[]byte("a"), []byte("b")}
		if i == 2 {
			nonce, recs = "n2", [][]byte{[]byte("c")}
		}
		if n, err := redisstore.AppendNonce(ctx, s, tok, nonce, recs...); err != nil || n != want {
			t.Fatalf("call %d = %d, %v; want %d", i, n, err, want)
		}
	}
	got, err := s.Read(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, e := range got {
		data = append(data, string(e.Data))
	}
	if len(data) != 3 || data[0] != "a" || data[1] != "b" || data[2] != "c" {
		t.Errorf("journal %q, want a b c", data)
	}
	if _, err := redisstore.AppendNonce(ctx, s, tok+1, "n2", []byte("c")); !errors.Is(err, store.ErrFenced) {
		t.Errorf("a retry with a stale token = %v, want ErrFenced", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
