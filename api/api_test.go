package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
)

// One token per role.
const (
	tokViewer   = "viewer-token-0000001"
	tokOperator = "operator-token-00001"
	tokKZ       = "customs-kz-token-001"
	tokCN       = "customs-cn-token-001"
	tokAdmin    = "admin-token-00000001"
)

var testTokens = []Token{
	{Token: tokViewer, Name: "vera", Role: RoleViewer},
	{Token: tokOperator, Name: "otto", Role: RoleOperator},
	{Token: tokKZ, Name: "officer-aigerim", Role: CustomsRole("KZ")},
	{Token: tokCN, Name: "officer-li", Role: CustomsRole("CN")},
	{Token: tokAdmin, Name: "ada", Role: RoleAdmin},
}

func newTestServer(t *testing.T) (*daemontest.Fleet, *Server, *httptest.Server) {
	t.Helper()
	f, site, g := newFakeFleet(t)
	s, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: testTokens, SnapshotEvery: 20 * time.Millisecond})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return f, s, srv
}

// call makes one request; headers come in name, value pairs.
func call(t *testing.T, srv *httptest.Server, method, path, token, body string, headers ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	return v
}

const moveBody = `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "cn-bay-07", "priority": 2, "declaration": "D-1"}`

// createMove asks for a move as the operator and returns it.
func createMove(t *testing.T, srv *httptest.Server, key, body string) Move {
	t.Helper()
	code, b := call(t, srv, "POST", "/v1/moves", tokOperator, body, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	return decode[Move](t, b)
}

func TestHealthAndReady(t *testing.T) {
	f, _, srv := newTestServer(t)
	code, b := call(t, srv, "GET", "/v1/health", "", "")
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"status": "ok"}`, string(b))
	code, _ = call(t, srv, "GET", "/v1/ready", "", "")
	assert.Equal(t, http.StatusOK, code)
	f.SetStandby(true)
	code, b = call(t, srv, "GET", "/v1/ready", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"status": "standby"}`, string(b))
	code, b = call(t, srv, "POST", "/v1/moves", tokOperator, moveBody, "Idempotency-Key", "k")
	assert.Equal(t, http.StatusServiceUnavailable, code, "a standby takes no moves: %s", b)
	code, _ = call(t, srv, "GET", "/v1/nothing", "", "")
	assert.Equal(t, http.StatusNotFound, code)
}

// TestRoles calls every route with no token, a wrong one and each role's:
// 401 without a valid token (but on public routes), 403 for a role the
// route is not for, and neither for the roles it is for.
func TestRoles(t *testing.T) {
	f, s, srv := newTestServer(t)
	f.Join("s1", "kz-park-01")
	all := []Role{RoleViewer, RoleOperator, CustomsRole("KZ"), CustomsRole("CN"), RoleAdmin}
	read := []Role{RoleViewer, RoleOperator, RoleAdmin}
	op := []Role{RoleOperator, RoleAdmin}
	cust := []Role{CustomsRole("KZ"), CustomsRole("CN"), RoleAdmin}
	allowed := map[string][]Role{
		"GET /v1/health": nil, "GET /v1/ready": nil, "GET /v1/openapi.json": all,
		"POST /v1/moves": op, "GET /v1/moves": read, "GET /v1/moves/{id}": read,
		"GET /v1/shuttles": read, "GET /v1/shuttles/{id}": read,
		"POST /v1/moves/{id}/cancel": op, "POST /v1/moves/{id}/priority": op,
		"POST /v1/shuttles/{id}/pause": op, "POST /v1/shuttles/{id}/resume": op, "POST /v1/shuttles/{id}/clear-fault": op,
		"POST /v1/shuttles/{id}/charge": op, "POST /v1/shuttles/{id}/park": op,
		"POST /v1/shuttles/{id}/emergency-stop": op, "POST /v1/shuttles/{id}/emergency-release": op,
		"POST /v1/shuttles/{id}/out-of-service": op, "POST /v1/shuttles/{id}/in-service": op,
		"POST /v1/shuttles": {RoleAdmin},
		"GET /v1/lanes":     read, "POST /v1/lanes/{id}/close": op, "POST /v1/lanes/{id}/reopen": op,
		"GET /v1/customs/queue": cust, "POST /v1/customs/decisions": cust, "GET /v1/customs/clearances": cust,
		"POST /v1/customs/declarations": {RoleOperator, CustomsRole("KZ"), CustomsRole("CN"), RoleAdmin}, "POST /v1/customs/seals": cust,
		"GET /v1/customs/webhooks": {RoleAdmin}, "GET /v1/customs/webhooks/{country}/dead-letters": {RoleAdmin},
		"POST /v1/customs/webhooks/{country}/dead-letters/replay": {RoleAdmin},
		"GET /v1/chargers": read, "GET /v1/site": all, "GET /v1/events": read,
		"GET /v1/audit/export": cust, "GET /v1/audit/key": all,
	}
	require.Len(t, s.routes, len(allowed), "every route has its roles in this table")
	tokenOf := map[Role]string{RoleViewer: tokViewer, RoleOperator: tokOperator, CustomsRole("KZ"): tokKZ, CustomsRole("CN"): tokCN, RoleAdmin: tokAdmin}
	for _, rt := range s.routes {
		key := rt.method + " " + rt.pattern
		roles, ok := allowed[key]
		require.True(t, ok, key)
		path := strings.ReplaceAll(rt.pattern, "{id}", "s1")
		ctx, cancel := context.WithCancel(context.Background())
		do := func(token string) int {
			req, err := http.NewRequestWithContext(ctx, rt.method, srv.URL+path, nil)
			require.NoError(t, err)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close() // the event stream ends when its client goes
			return resp.StatusCode
		}
		if rt.perm == nil {
			assert.Equal(t, http.StatusOK, do(""), key)
			cancel()
			continue
		}
		assert.Equal(t, http.StatusUnauthorized, do(""), "%s without a token", key)
		assert.Equal(t, http.StatusUnauthorized, do("not-a-token-of-ours"), "%s with a wrong token", key)
		for _, role := range all {
			code := do(tokenOf[role])
			if contains(roles, role) {
				assert.NotContains(t, []int{401, 403}, code, "%s as %s", key, role)
			} else {
				assert.Equal(t, http.StatusForbidden, code, "%s as %s", key, role)
			}
		}
		cancel()
	}
}

func contains(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestAuthorizationHeader(t *testing.T) {
	_, _, srv := newTestServer(t)
	for _, tc := range []struct {
		header string
		code   int
	}{
		{"Bearer " + tokViewer, 200},
		{"bearer " + tokViewer, 200},
		{"Basic " + tokViewer, 401},
		{tokViewer, 401},
		{"Bearer " + tokViewer[:len(tokViewer)-1], 401},
		{"Bearer " + tokViewer + "x", 401},
		{"Bearer ", 401},
	} {
		code, _ := call(t, srv, "GET", "/v1/moves", "", "", "Authorization", tc.header)
		assert.Equal(t, tc.code, code, "%q", tc.header)
	}
}

func TestCreateMoveIsIdempotent(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "key-1", moveBody)
	assert.Equal(t, "CSQU3054383", m.Container)
	assert.Equal(t, "pending", m.State)
	assert.Equal(t, 2, m.Priority)

	code, b := call(t, srv, "POST", "/v1/moves", tokOperator, moveBody, "Idempotency-Key", "key-1")
	assert.Equal(t, http.StatusOK, code, "the same key again: %s", b)
	assert.Equal(t, m.ID, decode[Move](t, b).ID)

	other := strings.Replace(moveBody, "cn-bay-07", "cn-bay-06", 1)
	code, b = call(t, srv, "POST", "/v1/moves", tokOperator, other, "Idempotency-Key", "key-1")
	assert.Equal(t, http.StatusConflict, code, "the key of another move: %s", b)
	assert.Equal(t, "Idempotency-Key", decode[Error](t, b).Field)

	code, b = call(t, srv, "POST", "/v1/moves", tokOperator, other, "Idempotency-Key", "key-2")
	assert.Equal(t, http.StatusConflict, code, "a second open move for the container: %s", b)
	assert.Contains(t, decode[Error](t, b).Msg, "container CSQU3054383 has an open move, "+m.ID)
	m2 := createMove(t, srv, "key-3", strings.Replace(other, "CSQU3054383", "MSCU1234566", 1))
	assert.NotEqual(t, m.ID, m2.ID)
	var created int
	for _, ev := range f.Events() {
		if _, ok := ev.(fleet.MoveRequested); ok {
			created++
		}
	}
	assert.Equal(t, 5, created, "every request reached the core; the core made two moves")
	code, b = call(t, srv, "GET", "/v1/moves", tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 2, totalOf(decode[MoveList](t, b).Total))
}

// totalOf is a listing's total, -1 when it has none.
func totalOf(n *int) int {
	if n == nil {
		return -1
	}
	return *n
}

func TestBadInputIsRefusedNamingTheProblem(t *testing.T) {
	_, _, srv := newTestServer(t)
	json := "Content-Type"
	for _, tc := range []struct {
		name, body string
		headers    []string
		code       int
		field      string
		msg        string
	}{
		{"no key", moveBody, []string{json, "application/json"}, 400, "Idempotency-Key", "required"},
		{"bad JSON", `{"container": `, nil, 400, "", "bad JSON"},
		{"not JSON", `container=x`, nil, 400, "", "bad JSON"},
		{"empty", ``, nil, 400, "", "empty body"},
		{"two objects", moveBody + moveBody, nil, 400, "", "trailing data"},
		{"unknown field", `{"container": "CSQU3054383", "colour": "red"}`, nil, 400, "colour", "unknown field"},
		{"wrong type", `{"container": "CSQU3054383", "priority": "high"}`, nil, 400, "priority", "must be a JSON int"},
		{"too large", `{"declaration": "` + strings.Repeat("x", DefaultMaxBody) + `"}`, nil, 413, "", "larger than 65536 bytes"},
		{"content type", moveBody, []string{json, "text/plain"}, 415, "", "want application/json"},
		{"no container", `{"origin": "kz-bay-03", "destination": "cn-bay-07"}`, nil, 400, "container", "required"},
		{"bad check digit", `{"container": "CSQU3054384", "origin": "kz-bay-03", "destination": "cn-bay-07"}`, nil, 400, "container", "check digit"},
		{"bad category", `{"container": "CSQX3054383", "origin": "kz-bay-03", "destination": "cn-bay-07"}`, nil, 400, "container", "category"},
		{"no origin", `{"container": "CSQU3054383", "destination": "cn-bay-07"}`, nil, 400, "origin", "required"},
		{"unknown bay", `{"container": "CSQU3054383", "origin": "kz-bay-99", "destination": "cn-bay-07"}`, nil, 400, "origin", "not a yard bay"},
		{"inspection bay", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "kz-bakhty-out-inspection"}`, nil, 400, "destination", "not a yard bay"},
		{"same bay", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "kz-bay-03"}`, nil, 400, "destination", "origin"},
		{"priority too high", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "cn-bay-07", "priority": 5000}`, nil, 400, "priority", "want -1000 to 1000"},
		{"priority far too low", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "cn-bay-07", "priority": -9223372036854775808}`, nil, 400, "priority", "want -1000 to 1000"},
		{"bad time", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "cn-bay-07", "deadline": "tomorrow"}`, nil, 400, "deadline", "RFC 3339"},
		{"deadline first", `{"container": "CSQU3054383", "origin": "kz-bay-03", "destination": "cn-bay-07", "earliest_pickup": "2026-01-02T10:00:00Z", "deadline": "2026-01-02T09:00:00Z"}`, nil, 400, "deadline", "before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := tc.headers
			if tc.name != "no key" {
				headers = append(headers, "Idempotency-Key", "k-"+tc.name)
			}
			code, b := call(t, srv, "POST", "/v1/moves", tokOperator, tc.body, headers...)
			assert.Equal(t, tc.code, code, "%s", b)
			e := decode[Error](t, b)
			assert.Equal(t, tc.field, e.Field)
			assert.Contains(t, e.Msg, tc.msg)
		})
	}
}

func TestListAndGetMoves(t *testing.T) {
	f, _, srv := newTestServer(t)
	a := createMove(t, srv, "a", moveBody)
	b := createMove(t, srv, "b", `{"container": "MSCU1234566", "origin": "cn-bay-01", "destination": "kz-bay-02", "pre_cleared": true, "earliest_pickup": "2026-01-15T09:00:00Z"}`)
	require.NotNil(t, b.EarliestPickup)
	assert.True(t, b.PreCleared)
	f.Join("s1", "kz-park-01") // takes move a
	for _, tc := range []struct {
		query string
		want  []string
		total int
	}{
		{"", []string{b.ID, a.ID}, 2},
		{"?limit=1", []string{b.ID}, 2},
		{"?state=pending", []string{b.ID}, 1},
		{"?state=to_pickup", []string{a.ID}, 1},
		{"?state=delivered", []string{}, 0},
		{"?container=mscu%201234566", []string{b.ID}, 1},
	} {
		for _, tok := range []string{tokOperator, tokViewer} {
			code, body := call(t, srv, "GET", "/v1/moves"+tc.query, tok, "")
			if tok == tokViewer && strings.Contains(tc.query, "container") {
				assert.Equal(t, http.StatusForbidden, code, "a viewer may not ask whether a container is moved: %s", body)
				assert.Equal(t, "container", decode[Error](t, body).Field)
				continue
			}
			require.Equal(t, http.StatusOK, code, "%s", body)
			l := decode[MoveList](t, body)
			ids := []string{}
			for _, m := range l.Moves {
				ids = append(ids, m.ID)
				assert.Empty(t, m.History, "lists leave history out")
			}
			assert.Equal(t, tc.want, ids, tc.query)
			assert.Equal(t, tc.total, totalOf(l.Total), tc.query)
			if len(tc.want) < tc.total {
				require.NotEmpty(t, l.Next, "%s: a page with more after it has a next", tc.query)
				code, body := call(t, srv, "GET", l.Next, tok, "")
				require.Equal(t, http.StatusOK, code, "%s", body)
				l2 := decode[MoveList](t, body)
				require.Len(t, l2.Moves, 1, tc.query)
				assert.Equal(t, a.ID, l2.Moves[0].ID, "the next page goes on where the first ended")
				assert.Empty(t, l2.NextCursor, "the last page has no next")
				assert.Empty(t, l2.Next)
			} else {
				assert.Empty(t, l.NextCursor, tc.query)
			}
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"?state=lost", "state"}, {"?container=XYZ", "container"}, {"?limit=0", "limit"}, {"?limit=many", "limit"},
		{"?limit=1001", "limit"}, {"?cursor=zzz", "cursor"}, {"?cursor=n", "cursor"}, {"?cursor=n0", "cursor"}, {"?cursor=n-5", "cursor"},
	} {
		code, body := call(t, srv, "GET", "/v1/moves"+tc.query, tokOperator, "")
		assert.Equal(t, http.StatusBadRequest, code, tc.query)
		assert.Equal(t, tc.field, decode[Error](t, body).Field, tc.query)
	}
	code, body := call(t, srv, "GET", "/v1/moves/"+a.ID, tokOperator, "")
	require.Equal(t, http.StatusOK, code)
	m := decode[Move](t, body)
	assert.Equal(t, "to_pickup", m.State)
	assert.Equal(t, "s1", m.Shuttle)
	require.Len(t, m.History, 2)
	assert.Equal(t, Transition{At: m.History[0].At, From: "pending", To: "assigned", Cause: m.History[0].Cause}, m.History[0])
	code, body = call(t, srv, "GET", "/v1/moves/"+a.ID, tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	vm := decode[ViewerMove](t, body)
	assert.Equal(t, m.History[1].At, m.StateSince, "to_pickup since its last change of state")
	assert.Nil(t, m.Waiting, "a move under way waits for what its shuttle waits for")
	assert.Equal(t, ViewerMove{ID: a.ID, Origin: "kz-bay-03", Destination: "cn-bay-07", Priority: 2, State: "to_pickup", Shuttle: "s1",
		Created: m.Created, StateSince: m.StateSince, History: []ViewerTransition{{At: m.History[0].At, From: "pending", To: "assigned"}, {At: m.History[1].At, From: "assigned", To: "to_pickup"}},
		Redacted: true}, vm)
	code, body = call(t, srv, "GET", "/v1/moves/nope", tokViewer, "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "id", decode[Error](t, body).Field)
}

func TestShuttleVerbs(t *testing.T) {
	f, _, srv := newTestServer(t)
	f.Join("s1", "kz-park-01")
	f.Join("s2", "kz-park-02")
	code, body := call(t, srv, "GET", "/v1/shuttles", tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	list := decode[ShuttleList](t, body).Shuttles
	require.Len(t, list, 2)
	assert.Equal(t, "s1", list[0].ID)
	assert.Equal(t, "acme", list[0].Manufacturer)
	assert.Equal(t, "idle", list[0].State)
	assert.InDelta(t, 0.7, list[0].SoC, 1e-9)
	assert.Equal(t, "kz-park-01", list[0].LastNode)

	verb := func(id, v string, body string) (int, Shuttle, Error) {
		code, b := call(t, srv, "POST", "/v1/shuttles/"+id+"/"+v, tokOperator, body)
		if code == 200 {
			return code, decode[Shuttle](t, b), Error{}
		}
		return code, Shuttle{}, decode[Error](t, b)
	}
	code, sh, _ := verb("s1", "pause", "")
	require.Equal(t, 200, code)
	assert.Equal(t, "paused", sh.State)
	code, sh, _ = verb("s1", "pause", "{}")
	assert.Equal(t, 200, code, "pausing a paused shuttle is as asked already")
	code, sh, _ = verb("s1", "resume", "")
	require.Equal(t, 200, code)
	assert.Equal(t, "idle", sh.State)
	code, _, e := verb("s1", "resume", "")
	assert.Equal(t, http.StatusConflict, code, "a shuttle that is not paused cannot be resumed")
	assert.Contains(t, e.Msg, "shuttle s1 is idle, not paused")
	code, _, e = verb("s1", "clear-fault", "")
	assert.Equal(t, http.StatusConflict, code, "not in fault")
	assert.Contains(t, e.Msg, "not in fault")

	f.Send(fleet.FaultReported{Shuttle: "s2", Reason: "bumper"})
	code, body = call(t, srv, "GET", "/v1/shuttles/s2", tokViewer, "")
	require.Equal(t, 200, code)
	assert.Equal(t, "fault", decode[Shuttle](t, body).State)
	code, _, e = verb("s2", "pause", "")
	assert.Equal(t, http.StatusUnprocessableEntity, code, "the Controller's verdict")
	assert.Contains(t, e.Msg, "cannot be paused while fault")
	code, sh, _ = verb("s2", "clear-fault", "")
	require.Equal(t, 200, code)
	assert.Equal(t, "idle", sh.State)

	code, _, e = verb("s9", "pause", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "id", e.Field)
	code, _, e = verb("s1", "pause", `{"now": true}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "now", e.Field)
	code, _ = call(t, srv, "GET", "/v1/shuttles/s9", tokViewer, "")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestCustomsQueueAndDecisions(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "a", moveBody) // eastbound: KZ's export gate first
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })

	queue := func(token, query string) (int, []GateWait) {
		code, b := call(t, srv, "GET", "/v1/customs/queue"+query, token, "")
		if code != 200 {
			return code, nil
		}
		return code, decode[Queue](t, b).Queue
	}
	code, q := queue(tokKZ, "")
	require.Equal(t, 200, code)
	require.Len(t, q, 1)
	require.NotNil(t, q[0].Since, "when it reached the stop line")
	assert.Equal(t, GateWait{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: m.ID, Container: "CSQU3054383", Shuttle: "s1",
		Since: q[0].Since, CanDecide: true}, q[0])
	code, b := call(t, srv, "GET", "/v1/moves/"+m.ID, tokAdmin, "")
	require.Equal(t, 200, code)
	assert.Equal(t, decode[Move](t, b).Clearances[0].Arrived, q[0].Since, "since is the clearance's arrival")
	_, q = queue(tokCN, "")
	assert.Empty(t, q, "China's officers see only their own checkpoints")
	_, q = queue(tokAdmin, "")
	assert.Len(t, q, 1)
	_, q = queue(tokKZ, "?checkpoint=kz-bakhty-in")
	assert.Empty(t, q)
	code, _ = queue(tokCN, "?checkpoint=kz-bakhty-out")
	assert.Equal(t, http.StatusForbidden, code)
	code, _ = queue(tokKZ, "?checkpoint=nowhere")
	assert.Equal(t, http.StatusBadRequest, code)

	decide := func(token, body string) (int, []byte) {
		return call(t, srv, "POST", "/v1/customs/decisions", token, body)
	}
	for _, tc := range []struct {
		name, token, body string
		code              int
		field             string
	}{
		{"other country", tokCN, `{"checkpoint": "kz-bakhty-out", "move": "` + m.ID + `", "decision": "release"}`, 403, "checkpoint"},
		{"no checkpoint", tokKZ, `{"move": "` + m.ID + `", "decision": "release"}`, 400, "checkpoint"},
		{"unknown checkpoint", tokKZ, `{"checkpoint": "x", "move": "` + m.ID + `", "decision": "release"}`, 400, "checkpoint"},
		{"no move", tokKZ, `{"checkpoint": "kz-bakhty-out", "decision": "release"}`, 400, "move"},
		{"unknown move", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "x", "decision": "release"}`, 404, "move"},
		{"bad decision", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "` + m.ID + `", "decision": "wave through"}`, 400, "decision"},
		{"unknown field", tokKZ, `{"checkpoint": "kz-bakhty-out", "officer": "someone else"}`, 400, "officer"},
	} {
		code, b := decide(tc.token, tc.body)
		assert.Equal(t, tc.code, code, "%s: %s", tc.name, b)
		assert.Equal(t, tc.field, decode[Error](t, b).Field, tc.name)
	}
	code, b = decide(tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "`+m.ID+`", "decision": "release", "reason": "documents in order"}`)
	require.Equal(t, 200, code, "%s", b)
	d := decode[Decision](t, b)
	require.NotNil(t, d.Clearance)
	assert.Equal(t, Decision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: m.ID, Decision: "release", Officer: "officer-aigerim",
		Reason: "documents in order", MoveState: d.MoveState, Clearance: d.Clearance}, d)
	assert.Equal(t, []DecisionTaken{{At: d.Clearance.Decisions[0].At, Decision: "release", Officer: "officer-aigerim", Reason: "documents in order"}}, d.Clearance.Decisions)
	var got fleet.CustomsDecision
	for _, ev := range f.Events() {
		if cd, ok := ev.(fleet.CustomsDecision); ok {
			got = cd
		}
	}
	assert.Equal(t, fleet.CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: m.ID, Decision: "release",
		Officer: "officer-aigerim", Reason: "documents in order"}, got, "the officer is the token's name, the country the role's")

	// China's officer decides at China's gate ahead of the container; the
	// admin decides for the checkpoint's country
	code, b = decide(tokCN, `{"checkpoint": "cn-pokitu-in", "move": "`+m.ID+`", "decision": "inspect"}`)
	assert.Equal(t, 200, code, "%s", b)
	code, b = decide(tokAdmin, `{"checkpoint": "cn-pokitu-in", "move": "`+m.ID+`", "decision": "release"}`)
	require.Equal(t, 200, code, "%s", b)
	assert.Equal(t, "CN", decode[Decision](t, b).Country)
}

func TestChargers(t *testing.T) {
	f, _, srv := newTestServer(t)
	code, b := call(t, srv, "GET", "/v1/chargers", tokViewer, "")
	require.Equal(t, 200, code)
	st := decode[map[string][]Station](t, b)["stations"]
	require.Len(t, st, 2)
	assert.Equal(t, "kz-charging", st[0].ID)
	assert.Equal(t, 6, st[0].Chargers)
	assert.Equal(t, 6, st[0].Free)
	assert.Equal(t, []string{}, st[0].Charging)
	assert.Equal(t, "baqty-pokitu-v1", st[0].Position.MapID)
	assert.InDelta(t, -2030, st[0].Position.X, 1)
	assert.Equal(t, []Reservation{}, st[0].Reservations)

	// a shuttle sent to charge has a reservation until it plugs in and after
	f.Join("s1", "kz-park-01")
	code, b = call(t, srv, "POST", "/v1/shuttles/s1/charge", tokOperator, "")
	require.Equal(t, 200, code, "%s", b)
	code, b = call(t, srv, "GET", "/v1/chargers", tokViewer, "")
	require.Equal(t, 200, code)
	st = decode[map[string][]Station](t, b)["stations"]
	require.Len(t, st[0].Reservations, 1, "%s", b)
	r := st[0].Reservations[0]
	assert.Equal(t, "s1", r.Shuttle)
	assert.False(t, r.CheckedIn)
	assert.True(t, r.End.After(r.Start))
	assert.Greater(t, r.ToSoC, r.FromSoC)
	assert.Empty(t, st[1].Reservations)
}

func TestSiteAsGeoJSON(t *testing.T) {
	_, s, srv := newTestServer(t)
	code, b := call(t, srv, "GET", "/v1/site", tokViewer, "")
	require.Equal(t, 200, code)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	require.NoError(t, json.Unmarshal(b, &fc))
	assert.Equal(t, "FeatureCollection", fc.Type)
	nodes := map[string]map[string]any{}
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Properties["kind"].(string)]++
		if f.Properties["kind"] == "graph_node" {
			nodes[f.Properties["id"].(string)] = f.Properties
		}
	}
	assert.NotZero(t, kinds["checkpoint"])
	assert.NotZero(t, kinds["graph_link"])
	require.Len(t, nodes, len(s.cfg.Graph.Nodes), "every node of the lane graph, block nodes too")
	for _, n := range s.cfg.Graph.Nodes {
		p := nodes[n.ID]
		require.NotNil(t, p, n.ID)
		assert.Equal(t, "baqty-pokitu-v1", p["map_id"])
		assert.InDelta(t, n.XY[0], p["x"], 0.001)
		assert.InDelta(t, n.XY[1], p["y"], 0.001)
	}
}

func TestEventStream(t *testing.T) {
	f, _, srv := newTestServer(t)
	f.Join("s1", "kz-park-01")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokViewer)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	events := make(chan [2]string)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var name string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				select {
				case events <- [2]string{name, v}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	next := func(want string) string {
		t.Helper()
		for ev := range events {
			if ev[0] == want {
				return ev[1]
			}
		}
		t.Fatalf("the stream ended before a %s event", want)
		return ""
	}
	snap := decode[Snapshot](t, []byte(next("snapshot")))
	assert.True(t, snap.Active)
	require.Len(t, snap.Shuttles, 1)
	since := snap.Shuttles[0].ActivitySince
	require.NotNil(t, since, "when its activity began")
	assert.False(t, since.After(snap.At), "began %v, after the snapshot's %v", since, snap.At)
	assert.Equal(t, ShuttleStatus{ID: "s1", State: "idle", Activity: "idle", ActivitySince: since, SoC: 0.7, LastNode: "kz-park-01"}, snap.Shuttles[0])

	m := createMove(t, srv, "a", moveBody)
	mv := decode[Move](t, []byte(next("move")))
	assert.Equal(t, m.ID, mv.ID)
	assert.NotEmpty(t, mv.History, "the move was assigned at once")
	// then deltas: only the shuttles that changed, the rest whole
	d := decode[Delta](t, []byte(next("delta")))
	assert.Equal(t, map[string]int{"to_pickup": 1}, d.Moves)
	require.Len(t, d.Chargers, 2)
	assert.Equal(t, 6, d.Chargers[0].Free)
	assert.Equal(t, []string{}, d.ClosedLanes)
	require.Len(t, d.Shuttles, 1, "s1 took the move")
	assert.Equal(t, "to_pickup", d.Shuttles[0].State)
	assert.Equal(t, m.ID, d.Shuttles[0].Move)
	d = decode[Delta](t, []byte(next("delta")))
	assert.Empty(t, d.Shuttles, "no shuttle changed since")
	assert.Equal(t, map[string]int{"to_pickup": 1}, d.Moves)

	// a priority change is a move event too; a closed lane shows in the next snapshot
	// (closed first: the snapshot sent with the move event is read after both)
	code, b := call(t, srv, "POST", "/v1/lanes/kz-yard-cut/close", tokOperator, "")
	require.Equal(t, 200, code, "%s", b)
	code, b = call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, `{"priority": 9}`)
	require.Equal(t, 200, code, "%s", b)
	mv = decode[Move](t, []byte(next("move")))
	assert.Equal(t, 9, mv.Priority)
	d = decode[Delta](t, []byte(next("delta")))
	assert.Equal(t, []string{"kz-yard-cut"}, d.ClosedLanes)
	cancel() // the client goes; the handler returns (httptest's Close waits for it)
}

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	_, s, srv := newTestServer(t)
	code, b := call(t, srv, "GET", "/v1/openapi.json", tokCN, "")
	require.Equal(t, 200, code)
	doc := decode[map[string]any](t, b)
	assert.Equal(t, "3.0.3", doc["openapi"])
	paths := doc["paths"].(map[string]any)
	routes := map[string]bool{}
	for _, rt := range s.routes {
		key := strings.ToLower(rt.method) + " " + rt.pattern
		routes[key] = true
		ops, ok := paths[rt.pattern].(map[string]any)
		require.True(t, ok, "route %s is not in the document", key)
		o, ok := ops[strings.ToLower(rt.method)].(map[string]any)
		require.True(t, ok, "route %s is not in the document", key)
		assert.NotEmpty(t, o["responses"], key)
		_, public := o["security"]
		assert.Equal(t, rt.perm == nil, public, "%s: the document says whether a token is needed", key)
	}
	for p, ops := range paths {
		for method := range ops.(map[string]any) {
			assert.True(t, routes[method+" "+p], "the document has %s %s, the server does not", method, p)
		}
	}
	// every $ref resolves
	comps := doc["components"].(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(r, "#/components/"), "/")
				require.Len(t, parts, 2, r)
				_, ok := comps[parts[0]].(map[string]any)[parts[1]]
				assert.True(t, ok, "dangling %s", r)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
}

func TestParseTokens(t *testing.T) {
	for _, tc := range []struct {
		name, in, err string
	}{
		{"ok", `[{"token": "0123456789abcdef", "name": "ada", "role": "admin"}, {"token": "0123456789abcdeg", "name": "li", "role": "customs-cn"}]`, ""},
		{"empty list", `[]`, ""},
		{"short", `[{"token": "short", "name": "ada", "role": "admin"}]`, "shorter than 16"},
		{"no name", `[{"token": "0123456789abcdef", "role": "admin"}]`, "no name"},
		{"bad role", `[{"token": "0123456789abcdef", "name": "ada", "role": "root"}]`, `role "root"`},
		{"twice", `[{"token": "0123456789abcdef", "name": "a", "role": "admin"}, {"token": "0123456789abcdef", "name": "b", "role": "viewer"}]`, "same token"},
		{"unknown field", `[{"token": "0123456789abcdef", "name": "ada", "role": "admin", "expires": 1}]`, "unknown field"},
		{"not a list", `{}`, "api: tokens"},
	} {
		ts, err := ParseTokens([]byte(tc.in))
		if tc.err == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		assert.ErrorContains(t, err, tc.err, tc.name)
		assert.NotContains(t, err.Error(), "0123456789abcdef", "%s: errors never quote a token", tc.name)
		assert.Nil(t, ts)
	}
}

func TestNewValidates(t *testing.T) {
	f, site, g := newFakeFleet(t)
	for _, tc := range []struct {
		cfg Config
		err string
	}{
		{Config{Site: site, Graph: g}, "no fleet"},
		{Config{Fleet: f, Graph: g}, "no site"},
		{Config{Fleet: f, Site: site}, "no lane graph"},
		{Config{Fleet: f, Site: site, Graph: g, MaxBody: -1}, "negative"},
		{Config{Fleet: f, Site: site, Graph: g, Tokens: []Token{{Token: "x", Name: "a", Role: RoleAdmin}}}, "shorter"},
	} {
		_, err := New(tc.cfg)
		assert.ErrorContains(t, err, tc.err)
	}
}

func TestBodyLimitIsConfigurable(t *testing.T) {
	f, site, g := newFakeFleet(t)
	s, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: testTokens, MaxBody: 64})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	code, b := call(t, srv, "POST", "/v1/moves", tokOperator, moveBody, "Idempotency-Key", "k")
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Contains(t, decode[Error](t, b).Msg, "larger than 64 bytes")
}

// Decisions mean what they say: 409 with the reason at a checkpoint the
// move passed or does not pass, or on a move that is over; an officer
// learns nothing of a move that does not pass the officer's country (404,
// as for no move); every accepted decision is in the clearance record.
func TestCustomsDecisionConflictsAndClearances(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "a", moveBody) // eastbound: kz-bakhty-out, then cn-pokitu-in
	west := createMove(t, srv, "b", `{"container": "MSCU1234566", "origin": "cn-bay-02", "destination": "kz-bay-04"}`)
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	decide := func(token, cp, move, d string) (int, Error) {
		code, b := call(t, srv, "POST", "/v1/customs/decisions", token, `{"checkpoint": "`+cp+`", "move": "`+move+`", "decision": "`+d+`", "reason": "r"}`)
		return code, decode[Error](t, b)
	}

	code, e := decide(tokCN, "cn-pokitu-out", m.ID, "refuse")
	assert.Equal(t, http.StatusConflict, code, "a gate the eastbound move never uses")
	assert.Contains(t, e.Msg, "is not on move "+m.ID+"'s way (its checkpoints: kz-bakhty-out, cn-pokitu-in)")

	// pre-clearance ahead of arrival is a decision like any other
	code, _ = decide(tokCN, "cn-pokitu-in", m.ID, "release")
	require.Equal(t, 200, code)
	code, _ = decide(tokKZ, "kz-bakhty-out", m.ID, "release")
	require.Equal(t, 200, code)
	f.Drive(func(core daemon.View) bool {
		for _, mv := range core.Moves() {
			if mv.ID == m.ID {
				return mv.State == fleet.MoveToDropoff
			}
		}
		return false
	})
	code, e = decide(tokKZ, "kz-bakhty-out", m.ID, "refuse")
	assert.Equal(t, http.StatusConflict, code, "a refusal after the container passed")
	assert.Contains(t, e.Msg, "passed kz-bakhty-out at ")

	// a move that does not pass the officer's country is not the
	// officer's to know of: 404, as for a move that does not exist
	local := createMove(t, srv, "l", `{"container": "TGHU1234567", "origin": "kz-bay-01", "destination": "kz-bay-05"}`)
	code, e = decide(tokCN, "cn-pokitu-in", local.ID, "refuse")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, `no move "`+local.ID+`" at a checkpoint of CN`, e.Msg, "nothing of its state")
	code, _ = decide(tokKZ, "kz-bakhty-in", "mv-nope", "release")
	assert.Equal(t, http.StatusNotFound, code)

	// the clearance record: KZ sees only KZ's checkpoints
	code, b := call(t, srv, "GET", "/v1/customs/clearances", tokKZ, "")
	require.Equal(t, 200, code, "%s", b)
	items := decode[ClearanceList](t, b).Clearances
	byKey := map[string]ClearanceItem{}
	for _, it := range items {
		assert.Equal(t, "KZ", it.Country, "only the officer's country")
		byKey[it.Move+" "+it.Checkpoint] = it
	}
	require.Contains(t, byKey, m.ID+" kz-bakhty-out")
	passed := byKey[m.ID+" kz-bakhty-out"]
	assert.Equal(t, "passed", passed.Status)
	require.Len(t, passed.Decisions, 1)
	assert.Equal(t, "officer-aigerim", passed.Decisions[0].Officer)
	assert.NotNil(t, passed.Passed)
	assert.Equal(t, "expected", byKey[west.ID+" kz-bakhty-in"].Status)
	code, b = call(t, srv, "GET", "/v1/customs/clearances?status=passed", tokKZ, "")
	require.Equal(t, 200, code)
	assert.Len(t, decode[ClearanceList](t, b).Clearances, 1)
	code, _ = call(t, srv, "GET", "/v1/customs/clearances?checkpoint=cn-pokitu-in", tokKZ, "")
	assert.Equal(t, http.StatusForbidden, code)

	// the move in full shows both countries' records to an operator
	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokOperator, "")
	require.Equal(t, 200, code)
	full := decode[Move](t, b)
	require.Len(t, full.Clearances, 2)
	assert.Equal(t, "cn-pokitu-in", full.Clearances[1].Checkpoint)
	assert.Equal(t, "passed", full.Clearances[1].Status)
	require.Len(t, full.Clearances[1].Decisions, 1)
	assert.Equal(t, "officer-li", full.Clearances[1].Decisions[0].Officer, "released ahead of arrival, by China's officer")
	var noted int
	for _, h := range full.History {
		if h.Decision != "" {
			noted++
		}
	}
	assert.Equal(t, 2, noted, "both decisions in the history")
	// and to a viewer neither the records nor the decisions, nor who took
	// them and why
	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokViewer, "")
	require.Equal(t, 200, code)
	for _, leak := range []string{"CSQU3054383", "officer-li", "officer-aigerim", `"clearances"`, `"decision"`, `"cause"`} {
		assert.NotContains(t, string(b), leak, "a viewer's move")
	}
	vm := decode[ViewerMove](t, b)
	assert.True(t, vm.Redacted)
	assert.Equal(t, full.State, vm.State)
	for _, h := range vm.History {
		assert.NotEqual(t, h.From, h.To, "a viewer sees changes of state only")
	}

	// a second open move for the container: 409 naming the first
	code, b = call(t, srv, "POST", "/v1/moves", tokOperator, moveBody, "Idempotency-Key", "c")
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, decode[Error](t, b).Msg, "has an open move, "+m.ID)
}

// Customs roles follow the site: on a generated crossing whose countries
// are neither KZ nor CN, that country's officers see and decide at its
// checkpoints only, and a role of a country without a checkpoint there is
// refused when the server starts.
func TestCustomsRolesFollowTheSite(t *testing.T) {
	var site *geo.Site
	for seed := int64(1); site == nil; seed++ {
		s, _, err := sitegen.Generate(seed, sitegen.Options{})
		require.NoError(t, err)
		if cs := Countries(s); !slices.Contains(cs, "KZ") && !slices.Contains(cs, "CN") {
			site = s
		}
	}
	cs := Countries(site)
	require.Len(t, cs, 2)
	x, y := cs[0], cs[1]
	f, _, g := newFakeFleetOn(t, site)
	_, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: []Token{{Token: "customs-kz-token-01", Name: "k", Role: CustomsRole("KZ")}}})
	assert.ErrorContains(t, err, `role "customs:KZ": the site has no checkpoint of KZ (its countries: `+x+", "+y+")")
	officer := Token{Token: "customs-x-token-001", Name: "officer-x", Role: CustomsRole(x)}
	s, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: append(slices.Clone(testTokens[:2]), officer)})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	a, b := site.BaysOf(site.Centres[0].ID), site.BaysOf(site.Centres[1].ID)
	m := createMove(t, srv, "a", `{"container": "CSQU3054383", "origin": "`+a[0].ID+`", "destination": "`+b[0].ID+`"}`)
	code, body := call(t, srv, "GET", "/v1/customs/clearances", officer.Token, "")
	require.Equal(t, 200, code, "%s", body)
	items := decode[ClearanceList](t, body).Clearances
	require.NotEmpty(t, items, "%s's checkpoints on the move's way", x)
	for _, it := range items {
		assert.Equal(t, x, it.Country)
	}
	code, body = call(t, srv, "POST", "/v1/customs/decisions", officer.Token, `{"checkpoint": "`+items[0].Checkpoint+`", "move": "`+m.ID+`", "decision": "release"}`)
	require.Equal(t, 200, code, "an officer of %s decides at its checkpoint: %s", x, body)
	assert.Equal(t, x, decode[Decision](t, body).Country)
	for _, cp := range site.Checkpoints {
		if cp.Country == y {
			code, _ = call(t, srv, "POST", "/v1/customs/decisions", officer.Token, `{"checkpoint": "`+cp.ID+`", "move": "`+m.ID+`", "decision": "refuse"}`)
			assert.Equal(t, http.StatusForbidden, code, "not at %s's checkpoints", y)
			break
		}
	}
}

// A viewer's event stream carries how many containers wait at each gate,
// not which.
func TestViewerEventsCarryGateCountsOnly(t *testing.T) {
	f, _, srv := newTestServer(t)
	createMove(t, srv, "a", moveBody)
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	first := func(token string) Snapshot {
		var s Snapshot
		streamEvents(t, srv, token, func(name, data string) bool {
			if name != "snapshot" {
				return false
			}
			require.NoError(t, json.Unmarshal([]byte(data), &s))
			return true
		})
		return s
	}
	v := first(tokViewer)
	assert.Empty(t, v.Gates)
	assert.Equal(t, map[string]int{"kz-bakhty-out": 1}, v.GateCounts)
	o := first(tokOperator)
	require.Len(t, o.Gates, 1)
	assert.Equal(t, "CSQU3054383", o.Gates[0].Container)
}
