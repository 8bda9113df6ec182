package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/vda5050"
)

// joinAt has a shuttle join at a parking spot, reporting the spot's
// position (so that it is in the spot's centre).
func joinAt(t *testing.T, f *daemontest.Fleet, s *Server, serial, spot string) {
	t.Helper()
	var st vda5050.State
	require.NoError(t, json.Unmarshal(daemontest.State(t, serial, spot), &st))
	for _, p := range s.cfg.Site.Parking {
		if p.ID == spot {
			st.AgvPosition = &vda5050.AgvPosition{X: p.Pos.XY[0], Y: p.Pos.XY[1], MapID: s.cfg.Graph.MapID, PositionInitialized: true}
		}
	}
	require.NotNil(t, st.AgvPosition, spot)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	f.Receive("uagv/v2/acme/"+serial+"/state", b)
}

// GET /v1/shuttles is paged in id order: following next gives every
// shuttle once, total counts them all, and the filters (state, activity,
// centre) keep what they say, paged the same way.
func TestShuttlesPagedAndFiltered(t *testing.T) {
	f, s, srv := newTestServer(t)
	for _, j := range [][2]string{{"s1", "kz-park-01"}, {"s2", "kz-park-02"}, {"s3", "kz-park-03"}, {"s4", "cn-park-01"}, {"s5", "cn-park-02"}} {
		joinAt(t, f, s, j[0], j[1])
	}
	m := createMove(t, srv, "k", moveBody) // from kz-bay-03: a KZ shuttle takes it

	// list follows the pages and returns the ids seen and the totals given
	list := func(query string) ([]string, []int, int) {
		t.Helper()
		var ids []string
		var totals []int
		path, pages := "/v1/shuttles?"+query, 0
		for path != "" {
			code, b := call(t, srv, "GET", path, tokViewer, "")
			require.Equal(t, http.StatusOK, code, "%s: %s", path, b)
			l := decode[ShuttleList](t, b)
			for _, sh := range l.Shuttles {
				ids = append(ids, sh.ID)
				assert.Empty(t, sh.Loads, "a viewer's shuttles have no loads")
			}
			totals = append(totals, l.Total)
			if l.Next != "" {
				assert.NotEmpty(t, l.NextCursor)
			}
			path = l.Next
			pages++
			require.Less(t, pages, 10, "the pages do not end")
		}
		return ids, totals, pages
	}
	ids, totals, pages := list("limit=2")
	assert.Equal(t, []string{"s1", "s2", "s3", "s4", "s5"}, ids)
	assert.Equal(t, []int{5, 5, 5}, totals)
	assert.Equal(t, 3, pages)
	ids, _, pages = list("")
	assert.Equal(t, []string{"s1", "s2", "s3", "s4", "s5"}, ids)
	assert.Equal(t, 1, pages)

	var taker string
	for _, id := range []string{"s1", "s2", "s3"} {
		code, b := call(t, srv, "GET", "/v1/shuttles/"+id, tokOperator, "")
		require.Equal(t, http.StatusOK, code)
		if decode[Shuttle](t, b).Move == m.ID {
			taker = id
		}
	}
	require.NotEmpty(t, taker, "a KZ shuttle took the move")
	ids, totals, _ = list("state=to_pickup")
	assert.Equal(t, []string{taker}, ids)
	assert.Equal(t, []int{1}, totals)
	ids, totals, pages = list("state=idle&limit=1")
	assert.Len(t, ids, 4)
	assert.NotContains(t, ids, taker)
	assert.Equal(t, []int{4, 4, 4, 4}, totals)
	assert.Equal(t, 4, pages)
	ids, _, _ = list("centre=cn-lc")
	assert.Equal(t, []string{"s4", "s5"}, ids)
	ids, _, _ = list("centre=kz-lc&activity=idle")
	assert.Len(t, ids, 2)
	assert.NotContains(t, ids, taker)
	ids, _, _ = list("activity=" + url.QueryEscape("waiting for a bay"))
	assert.Empty(t, ids)

	// a cursor past the last id: an empty page, no next
	cursor := shuttleCursorPrefix + "czk" // "s9" in base64url
	code, b := call(t, srv, "GET", "/v1/shuttles?cursor="+cursor, tokViewer, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	l := decode[ShuttleList](t, b)
	assert.Empty(t, l.Shuttles)
	assert.Empty(t, l.NextCursor)
	assert.Equal(t, 5, l.Total)
}

// Bad parameters of GET /v1/shuttles are 400s naming the parameter.
func TestShuttlesBadParameters(t *testing.T) {
	_, _, srv := newTestServer(t)
	for _, tc := range []struct{ query, field, msg string }{
		{"limit=0", "limit", "from 1 to 1000"},
		{"limit=1001", "limit", "from 1 to 1000"},
		{"limit=ten", "limit", `limit "ten"`},
		{"state=flying", "state", `unknown shuttle state "flying"`},
		{"activity=dancing", "activity", `unknown activity "dancing"`},
		{"centre=nowhere", "centre", `no logistics centre "nowhere" on the site (one of kz-lc, cn-lc)`},
		{"cursor=xyz", "cursor", `cursor "xyz" is not one this API gave`},
		{"cursor=s", "cursor", "is not one this API gave"},
		{"colour=red", "colour", `unknown parameter "colour"`},
	} {
		code, b := call(t, srv, "GET", "/v1/shuttles?"+tc.query, tokViewer, "")
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", tc.query, b)
		e := decode[struct{ Error, Field string }](t, b)
		assert.Equal(t, tc.field, e.Field, tc.query)
		assert.Contains(t, e.Error, tc.msg, tc.query)
	}
}

// sseEvent is one event of the stream, with its id.
type sseEvent struct{ id, name, data string }

// openStream reads GET /v1/events (with Last-Event-ID when lastID is
// not empty) until each says stop.
func openStream(t *testing.T, srv *httptest.Server, lastID string, each func(sseEvent) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokOperator)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if each(ev) {
				return
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		}
	}
	t.Fatal("the stream ended before what the test waited for")
}

// A client that reconnects with Last-Event-ID gets what it missed: the
// moves changed since, and a delta of the shuttles that changed, from
// that event; an id no longer kept, or another fleetd process's, gets
// a fresh snapshot. Snapshots and deltas have ids; move events none.
func TestEventStreamResumesFromLastEventID(t *testing.T) {
	f, s, srv := newTestServer(t)
	for _, j := range [][2]string{{"s1", "kz-park-01"}, {"s2", "kz-park-02"}, {"s3", "cn-park-01"}} {
		joinAt(t, f, s, j[0], j[1])
	}
	var first sseEvent
	openStream(t, srv, "", func(ev sseEvent) bool {
		first = ev
		return ev.name == "snapshot"
	})
	require.Equal(t, "snapshot", first.name)
	require.NotEmpty(t, first.id)
	assert.Len(t, decode[Snapshot](t, []byte(first.data)).Shuttles, 3)

	// missed while away: a move made, a shuttle sent to it
	m := createMove(t, srv, "k", moveBody)
	var got []sseEvent
	openStream(t, srv, first.id, func(ev sseEvent) bool {
		got = append(got, ev)
		return ev.name != "move"
	})
	require.Len(t, got, 2, "the move missed, then a delta")
	assert.Equal(t, "move", got[0].name)
	assert.Empty(t, got[0].id, "move events have no id")
	assert.Equal(t, m.ID, decode[Move](t, []byte(got[0].data)).ID)
	assert.Equal(t, "delta", got[1].name)
	assert.NotEqual(t, first.id, got[1].id)
	d := decode[Delta](t, []byte(got[1].data))
	assert.Equal(t, first.id, s.eventID(d.Since))
	require.Len(t, d.Shuttles, 1, "only the shuttle that took the move changed")
	assert.Equal(t, m.ID, d.Shuttles[0].Move)
	assert.Equal(t, map[string]int{"to_pickup": 1}, d.Moves)

	// an id not kept, of another fleetd process (the same number), or none
	_, v, _ := strings.Cut(first.id, "-")
	for _, id := range []string{s.epoch + "-999999999", "other0epoch-" + v, v, "not-a-number"} {
		openStream(t, srv, id, func(ev sseEvent) bool {
			if ev.name == "move" {
				return false // the open moves, before a fresh snapshot
			}
			assert.Equal(t, "snapshot", ev.name, "Last-Event-ID %s", id)
			assert.Len(t, decode[Snapshot](t, []byte(ev.data)).Shuttles, 3)
			return true
		})
	}
}

// The history of publications sent is bounded: the oldest go first.
func TestEventHistoryIsBounded(t *testing.T) {
	f, _, _ := newTestServer(t)
	var h history
	var ps []uint64
	for range sseHistory + 5 {
		p := f.Published()
		h.put(p)
		ps = append(ps, p.Version)
	}
	for i, v := range ps {
		if i < 5 {
			assert.Nil(t, h.get(v), "publication %d should be gone", v)
		} else {
			assert.NotNil(t, h.get(v), "publication %d should be kept", v)
		}
	}
	assert.Len(t, h.order, sseHistory)
}
