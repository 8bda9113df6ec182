package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/store/redisstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// goldenJournal is a journal an earlier fleetd wrote (a 30-minute demo
// with 3 shuttles: moves delivered, refused, under way), record by record
// as the store held it, and the time of its last record.
func goldenJournal(t *testing.T) ([][]byte, time.Time) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "daemon", "testdata", "journal", "v2-demo-2026-12-06.jsonl.gz"))
	require.NoError(t, err)
	defer f.Close()
	z, err := gzip.NewReader(f)
	require.NoError(t, err)
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var recs [][]byte
	var last struct {
		At time.Time `json:"at"`
	}
	for sc.Scan() {
		recs = append(recs, bytes.Clone(sc.Bytes()))
	}
	require.NoError(t, sc.Err())
	require.NoError(t, json.Unmarshal(recs[len(recs)-1], &last))
	return recs, last.At
}

// containers are n valid container numbers.
func containers(t *testing.T, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		for d := range 10 {
			if c, err := fleet.ParseContainer(fmt.Sprintf("ARCU%06d%d", 100000+i, d)); err == nil {
				out = append(out, string(c))
				break
			}
		}
	}
	return out
}

// With a retention, a fleetd whose journal has run past it, and which
// then sees 40 more moves end, keeps in its core only the open moves and
// those ended within the retention; every other move is in the store's
// archive (bbolt, and Redis when BORDERFLEET_TEST_REDIS_ADDR
// names one): GET /v1/moves/{id} answers it from there, and paging
// GET /v1/moves gives every move exactly once while moves are made and
// others leave the core for the archive between pages.
func TestArchivedMovesFromTheStore(t *testing.T) {
	t.Run("bolt", func(t *testing.T) {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "fleetd.db"))
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		testArchivedMoves(t, st)
	})
	t.Run("redis", func(t *testing.T) {
		addr := os.Getenv("BORDERFLEET_TEST_REDIS_ADDR")
		if addr == "" {
			t.Skip("BORDERFLEET_TEST_REDIS_ADDR is not set: no private redis-server to test against (scripts/test.sh starts one)")
		}
		c := redis.NewClient(&redis.Options{Addr: addr})
		prefix := fmt.Sprintf("bftest:api:%d:%d:", os.Getpid(), time.Now().UnixNano())
		t.Cleanup(func() {
			keys, _ := c.Keys(context.Background(), prefix+"*").Result()
			if len(keys) > 0 {
				c.Del(context.Background(), keys...)
			}
			c.Close()
		})
		testArchivedMoves(t, redisstore.New(c, prefix))
	})
}

func testArchivedMoves(t *testing.T, st store.Store) {
	const retention = 10 * time.Minute
	ctx := t.Context()
	recs, lastAt := goldenJournal(t)
	tok, err := st.Acquire(ctx, "golden", time.Minute)
	require.NoError(t, err)
	for i := 0; i < len(recs); i += 500 {
		_, err := st.Append(ctx, tok, recs[i:min(i+500, len(recs))]...)
		require.NoError(t, err)
	}
	require.NoError(t, st.Release(ctx, "golden", tok))

	var clock atomic.Int64 // the core's time, moved by the test
	clock.Store(lastAt.Add(time.Second).UnixNano())
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g, Journal: st, Owner: "test",
		Fleet:    fleet.Config{Charging: charging.Opportunity{}, Retention: retention},
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Minute},
		Clock:    func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(runCtx, &daemontest.Bus{}) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	require.Eventually(t, d.Active, 20*time.Second, 10*time.Millisecond, "the journal replayed")
	s, err := New(Config{Fleet: d, Archive: d, Site: site, Graph: g, Tokens: testTokens})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	// what the core keeps: open moves, and those ended within the retention
	type core struct {
		now                       time.Time
		kept, ended, pending, all int
		open                      []string
		ids                       map[string]bool
	}
	read := func() core {
		var c core
		c.ids = map[string]bool{}
		require.NoError(t, d.Read(ctx, func(now time.Time, v daemon.View) {
			c.now, c.kept, c.pending = now, len(v.Moves()), len(v.Archiving())
			for _, n := range v.MoveCounts() {
				c.all += n
			}
			for _, m := range v.Moves() {
				c.ids[m.ID] = true
				at, ended := m.EndedAt()
				// the core lets a move go at its first input after the
				// retention: the clock may have gone a minute since
				assert.True(t, !ended || now.Sub(at) <= retention+time.Minute, "%s ended %s before %s and is kept", m.ID, now.Sub(at), now)
				if ended {
					c.ended++
				}
				if m.State == fleet.MovePending {
					c.open = append(c.open, m.ID)
				}
			}
		}))
		return c
	}
	start := read()
	require.Equal(t, 22, start.all, "the golden journal's moves")
	require.Less(t, start.kept, start.all, "moves ended before the retention left the core")

	// many more moves end, one a minute: the ended moves the core keeps
	// are those of the last retention, however many ended
	conts := containers(t, 80)
	const churn = 40
	for i := range churn {
		m := createMove(t, srv, fmt.Sprintf("churn-%d", i), fmt.Sprintf(`{"container": %q, "origin": "kz-bay-01", "destination": "cn-bay-02"}`, conts[i]))
		code, body := call(t, srv, "POST", "/v1/moves/"+m.ID+"/cancel", tokOperator, `{"reason": "churn"}`)
		require.Equal(t, http.StatusOK, code, "%s", body)
		clock.Add(int64(time.Minute))
		c := read()
		assert.LessOrEqual(t, c.ended, int(retention/time.Minute)+1, "ended moves kept after %d more", i+1)
	}
	mid := read()
	require.Equal(t, 22+churn, mid.all)
	assert.GreaterOrEqual(t, mid.all-mid.kept, churn-int(retention/time.Minute)-1, "the moves ended before the retention are not in the core")

	// every move, by one page: each once, newest first; those not in the
	// core come from the store
	code, body := call(t, srv, "GET", "/v1/moves?limit=1000", tokOperator, "")
	require.Equal(t, http.StatusOK, code, "%s", body)
	all := decode[MoveList](t, body)
	require.Len(t, all.Moves, mid.all)
	assert.Empty(t, all.NextCursor)
	assert.Equal(t, mid.all, totalOf(all.Total))
	var archivedDelivered string
	for i, m := range all.Moves {
		if i > 0 {
			assert.False(t, m.Created.After(all.Moves[i-1].Created), "newest first")
		}
		if !mid.ids[m.ID] && m.State == string(fleet.MoveDelivered) {
			archivedDelivered = m.ID
		}
	}
	require.NotEmpty(t, archivedDelivered, "a delivered move left the core")
	require.Eventually(t, func() bool { return read().pending == 0 }, 5*time.Second, 10*time.Millisecond, "the archive written")
	code, body = call(t, srv, "GET", "/v1/moves/"+archivedDelivered, tokOperator, "")
	require.Equal(t, http.StatusOK, code, "%s", body)
	got := decode[Move](t, body)
	assert.Equal(t, "delivered", got.State)
	require.NotEmpty(t, got.History)
	assert.Equal(t, "delivered", got.History[len(got.History)-1].To)
	direct, err := d.ArchivedMove(ctx, archivedDelivered)
	require.NoError(t, err, "read from the store itself")
	assert.Equal(t, archivedDelivered, direct.ID)
	code, body = call(t, srv, "GET", "/v1/moves/"+archivedDelivered, tokViewer, "")
	require.Equal(t, http.StatusOK, code, "%s", body)
	assert.True(t, decode[ViewerMove](t, body).Redacted)

	// paging while moves are made and others leave the core: before each
	// page, an open move not listed yet is cancelled, the clock passes
	// the retention and a new move is made (which lets the cancelled one
	// go)
	seen := map[string]int{}
	var made []string
	left := 0
	next := "/v1/moves?limit=3"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 30, "paging ends")
		code, body := call(t, srv, "GET", next, tokOperator, "")
		require.Equal(t, http.StatusOK, code, "%s", body)
		l := decode[MoveList](t, body)
		for _, m := range l.Moves {
			seen[m.ID]++
		}
		next = l.Next
		c := read()
		for _, id := range c.open {
			if seen[id] == 0 {
				code, body := call(t, srv, "POST", "/v1/moves/"+id+"/cancel", tokOperator, "")
				require.Equal(t, http.StatusOK, code, "%s", body)
				clock.Add(int64(retention + time.Minute))
				m := createMove(t, srv, fmt.Sprintf("page-%d", pages), fmt.Sprintf(`{"container": %q, "origin": "kz-bay-01", "destination": "cn-bay-02"}`, conts[churn+pages]))
				made = append(made, m.ID)
				if !read().ids[id] {
					left++
				}
				break
			}
		}
	}
	for _, m := range all.Moves {
		assert.Equal(t, 1, seen[m.ID], "move %s seen once across the pages", m.ID)
	}
	for _, id := range made {
		assert.Zero(t, seen[id], "a move made after the first page is on a new first page")
	}
	assert.Positive(t, left, "moves left the core for the archive while paging")
	end := read()
	assert.Less(t, end.kept, mid.kept+len(made), "the core keeps fewer moves than were made")
}
