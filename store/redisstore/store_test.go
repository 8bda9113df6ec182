package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/redisstore"
	"github.com/borderfleet/borderfleet/store/storetest"
)

// addrEnv names the private redis-server the tests use.
const addrEnv = "BORDERFLEET_TEST_REDIS_ADDR"

// redisAddr returns the test server's host:port or skips the test.
func redisAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv(addrEnv)
	if addr == "" {
		t.Skipf("%s is not set: no private redis-server to test against (scripts/test.sh starts one; or: redis-server --port 16999 --save '' --daemonize yes and %s=127.0.0.1:16999)", addrEnv, addrEnv)
	}
	return addr
}

// prefixes counts the prefixes handed out in this test binary.
var prefixes atomic.Int64

// uniquePrefix returns a key prefix no other test (nor an earlier run) uses,
// and deletes its keys when the test ends.
func uniquePrefix(t *testing.T, c redis.UniversalClient) string {
	p := fmt.Sprintf("bftest:%d:%d:%d:", os.Getpid(), time.Now().UnixNano(), prefixes.Add(1))
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, p+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return p
}

func client(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: redisAddr(t)})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConformance(t *testing.T) {
	redisAddr(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		c := client(t)
		// The store does not own c here: the cleanup deletes keys with it.
		return redisstore.New(c, uniquePrefix(t, c))
	})
}

func TestKeys(t *testing.T) {
	c := client(t)
	p := uniquePrefix(t, c)
	s := redisstore.New(c, p)
	ctx := t.Context()
	tok, err := s.Acquire(ctx, "fleetd-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tok, []byte("x"), []byte("y")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAudit(ctx, tok, []byte("z")); err != nil {
		t.Fatal(err)
	}
	ids := func(key string) []string {
		msgs, err := c.XRange(ctx, key, "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			out = append(out, m.ID)
		}
		return out
	}
	if got := strings.Join(ids(p+"journal"), ","); got != "1-0,2-0" {
		t.Errorf("journal ids %s, want 1-0,2-0", got)
	}
	if got := strings.Join(ids(p+"audit"), ","); got != "1-0" {
		t.Errorf("audit ids %s, want 1-0", got)
	}
	if got := c.Get(ctx, p+"fence").Val(); got != fmt.Sprint(tok) {
		t.Errorf("fence %q, want %d", got, tok)
	}
	if got := c.Get(ctx, p+"lease").Val(); got != fmt.Sprintf("%d fleetd-a", tok) {
		t.Errorf("lease %q", got)
	}
	if ttl := c.PTTL(ctx, p+"lease").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("lease PTTL %v, want within a minute", ttl)
	}
}

func TestOpen(t *testing.T) {
	addr := redisAddr(t)
	c := client(t)
	p := uniquePrefix(t, c)
	ctx := t.Context()
	s, err := redisstore.Open(ctx, "redis://"+addr+"/0?prefix="+p+"&dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, err := s.Acquire(ctx, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tok, []byte("via url")); err != nil {
		t.Fatal(err)
	}
	if n := c.XLen(ctx, p+"journal").Val(); n != 1 {
		t.Errorf("%sjournal has %d entries, want 1", p, n)
	}
}

func TestOpenFails(t *testing.T) {
	ctx := t.Context()
	tests := []struct{ url, want string }{
		{"http://localhost:6379", "scheme"},
		{"redis://localhost:6379?bogus=1", "bogus"},
		{"redis://localhost:6379?wait=x", "wait"},
		{"redis://localhost:6379?wait=-1", "negative"},
		{"redis://localhost:6379?wait_timeout=soon", "wait_timeout"},
		{"redis://:secret@127.0.0.1:1?max_retries=-1&dial_timeout=100ms", "ping"},
		{"redis://:secret@127.0.0.1:1?master_name=mymaster&dial_timeout=100ms&prefix=x:", "ping"},
		{"redis://127.0.0.1:1?master_name=mymaster&bogus=2", "bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := redisstore.Open(ctx, tt.url)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "redisstore: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want the prefix redisstore: and %q", msg, tt.want)
			}
			if strings.Contains(msg, "secret") {
				t.Errorf("error %q shows the password", msg)
			}
		})
	}
}

func TestWait(t *testing.T) {
	c := client(t)
	p := uniquePrefix(t, c)
	ctx := t.Context()
	// The test server has no replicas: WAIT 1 times out with 0 acknowledgements.
	s, err := redisstore.NewWithOptions(c, p, redisstore.Options{WaitReplicas: 1, WaitTimeout: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Acquire(ctx, "a", time.Minute)
	if !errors.Is(err, redisstore.ErrUnreplicated) || tok == 0 {
		t.Fatalf("Acquire without replicas = %d, %v; want a token and ErrUnreplicated", tok, err)
	}
	n, err := s.Append(ctx, tok, []byte("x"), []byte("y"))
	if !errors.Is(err, redisstore.ErrUnreplicated) || n != 2 {
		t.Fatalf("Append without replicas = %d, %v; want 2, ErrUnreplicated", n, err)
	}
	if _, err := s.Append(ctx, tok+1, []byte("z")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("fenced Append with WAIT = %v, want ErrFenced", err)
	}
	got, err := s.Read(ctx, 0, 0)
	if err != nil || len(got) != 2 {
		t.Fatalf("Read = %v, %v; want the two unreplicated records", got, err)
	}
	// WAIT 0 replicas is the default and returns at once.
	if _, err := redisstore.NewWithOptions(c, p, redisstore.Options{WaitReplicas: -1}); err == nil {
		t.Error("NewWithOptions accepted WaitReplicas -1")
	}
}
