package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/vda5050"
)

// container is the ISO 6346 number of the move in moveBody: what a
// viewer must never read.
const container = "CSQU3054383"

// viewerFleet is a fleet where the container is named everywhere it can
// be: a move at the gate with a declaration and an officer's decision
// with a reason, and a shuttle (s2) that reports the container among its
// loads, so it is out of dispatch for loads fleetd did not put there.
func viewerFleet(t *testing.T) (*daemontest.Fleet, *Server, *httptest.Server, Move) {
	f, s, srv := newTestServer(t)
	m := createMove(t, srv, "a", moveBody)
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	code, b := call(t, srv, "POST", "/v1/customs/declarations", tokKZ, `{"container": "`+container+`", "country": "KZ", "reference": "KZ-DECL-9", `+
		`"declarant": "Khorgos Trading", "goods": "tyres", "gross_mass_kg": 21000, "seals": ["KZ1234567"]}`)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	code, b = call(t, srv, "POST", "/v1/customs/decisions", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "`+m.ID+`", "decision": "inspect", "reason": "x-ray"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)

	f.Join("s2", "kz-park-02")
	var h vda5050.Headers
	stateWithLoads(t, &h, "s2", "kz-park-02") // header 0, as Join's
	for range 4 {
		f.Receive("uagv/v2/acme/s2/state", stateWithLoads(t, &h, "s2", "kz-park-02", container))
	}
	code, b = call(t, srv, "GET", "/v1/shuttles/s2", tokOperator, "")
	require.Equal(t, http.StatusOK, code)
	sh := decode[Shuttle](t, b)
	require.Equal(t, []string{container}, sh.Loads, "the operator sees the vehicle's loads")
	require.NotEmpty(t, sh.Reasons, "out of dispatch for a load fleetd did not put there")
	return f, s, srv, m
}

// stateWithLoads is a VDA 5050 state of a vehicle standing at a node
// with loads, stamped by h.
func stateWithLoads(t *testing.T, h *vda5050.Headers, serial, node string, loads ...string) []byte {
	var st vda5050.State
	h.Stamp(&st.Header, "acme", serial, vda5050.TopicState, time.Now())
	st.LastNodeID, st.OperatingMode = node, vda5050.ModeAutomatic
	st.NodeStates, st.EdgeStates, st.ActionStates, st.Errors = []vda5050.NodeState{}, []vda5050.EdgeState{}, []vda5050.ActionState{}, []vda5050.Error{}
	st.BatteryState = vda5050.BatteryState{BatteryCharge: 70}
	st.SafetyState = vda5050.SafetyState{EStop: vda5050.EStopNone}
	st.Loads = []vda5050.Load{}
	for _, l := range loads {
		st.Loads = append(st.Loads, vda5050.Load{LoadID: l})
	}
	b, err := json.Marshal(st)
	require.NoError(t, err)
	return b
}

// streamEvents reads GET /v1/events as token and gives each data line,
// with the name of its event, to each until each returns true; it fails
// the test if the stream ends (or 5 s pass) first.
func streamEvents(t *testing.T, srv *httptest.Server, token string, each func(name, data string) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			name = v
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok && each(name, data) {
			return
		}
	}
	t.Fatal("the stream ended before what the test waited for")
}

// readStream reads GET /v1/events as token: the first snapshot, then
// after change has run until a move event comes. It returns every event
// read and the move events' data.
func readStream(t *testing.T, srv *httptest.Server, token string, change func()) (string, []string) {
	t.Helper()
	var raw strings.Builder
	var moves []string
	changed := false
	streamEvents(t, srv, token, func(name, data string) bool {
		raw.WriteString("event: " + name + "\ndata: " + data + "\n")
		switch {
		case name == "snapshot" && !changed:
			change()
			changed = true
		case name == "move" && changed: // not the open moves a new stream starts with
			moves = append(moves, data)
			return true
		}
		return false
	})
	return raw.String(), moves
}

// Every endpoint a viewer may read, and the event stream, answers a
// viewer without the container number; an operator's answer names it
// where the endpoint is about moves or vehicles. The endpoints come from
// the routes, so one added later must be put in this table.
func TestViewerReadsNoContainerNumber(t *testing.T) {
	_, s, srv, m := viewerFleet(t)
	paths := map[string]struct {
		path     string
		operator bool // the operator's answer names the container
	}{
		"/v1/openapi.json":  {"/v1/openapi.json", false},
		"/v1/moves":         {"/v1/moves", true},
		"/v1/moves/{id}":    {"/v1/moves/" + m.ID, true},
		"/v1/shuttles":      {"/v1/shuttles", true},
		"/v1/shuttles/{id}": {"/v1/shuttles/s2", true},
		"/v1/lanes":         {"/v1/lanes", false},
		"/v1/chargers":      {"/v1/chargers", false},
		"/v1/site":          {"/v1/site", false},
		"/v1/events":        {"/v1/events", true},
		"/v1/audit/key":     {"/v1/audit/key", false},
	}
	prio := 10
	for _, rt := range s.routes {
		if rt.method != http.MethodGet || rt.perm == nil || !rt.perm(RoleViewer) {
			continue
		}
		p, ok := paths[rt.pattern]
		require.True(t, ok, "GET %s: a viewer may read it; put it in this test", rt.pattern)
		delete(paths, rt.pattern)
		for _, tok := range []string{tokViewer, tokOperator} {
			var body string
			if rt.pattern == "/v1/events" {
				// a change of priority is a move event for everyone
				var moves []string
				body, moves = readStream(t, srv, tok, func() {
					prio++
					code, b := call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, `{"priority": `+itoa(prio)+`}`)
					require.Equal(t, http.StatusOK, code, "%s", b)
				})
				require.NotEmpty(t, moves)
			} else {
				code, b := call(t, srv, "GET", p.path, tok, "")
				require.NotContains(t, []int{401, 403, 404}, code, "GET %s: %s", p.path, b)
				body = string(b)
			}
			if tok == tokViewer {
				assert.NotContains(t, body, container, "a viewer's GET %s", p.path)
			} else if p.operator {
				assert.Contains(t, body, container, "an operator's GET %s", p.path)
			}
		}
	}
	assert.Empty(t, paths, "endpoints a viewer can no longer read: take them out of this test")
}

// A viewer's moves, in the list, alone and in the stream, carry what a
// wallboard needs (id, state, bays, shuttle, times, priority, changes of
// state) and nothing of customs: no declaration, clearance records, seal
// readings, officers or reasons.
func TestViewerMovesAreRedacted(t *testing.T) {
	_, _, srv, m := viewerFleet(t)
	leaks := []string{container, "D-1", "KZ-DECL-9", "Khorgos", "KZ1234567", "officer-aigerim", "x-ray",
		`"clearances"`, `"declaration`, `"pre_cleared"`, `"seal`, `"cause"`, `"decision"`, `"passed_over"`}
	noLeak := func(what, body string) {
		t.Helper()
		for _, l := range leaks {
			assert.NotContains(t, body, l, what)
		}
	}
	code, b := call(t, srv, "GET", "/v1/moves", tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	noLeak("list", string(b))
	l := decode[ViewerMoveList](t, b)
	require.Len(t, l.Moves, 1)
	assert.Equal(t, 1, totalOf(l.Total))
	_, ob := call(t, srv, "GET", "/v1/moves/"+m.ID, tokOperator, "")
	om := decode[Move](t, ob)
	var atGate time.Time
	for _, h := range om.History {
		if h.To == "at_gate" && h.From != "at_gate" {
			atGate = h.At
		}
	}
	require.False(t, atGate.IsZero(), "the move came to a gate")
	assert.Equal(t, ViewerMove{ID: m.ID, Origin: "kz-bay-03", Destination: "cn-bay-07", Priority: 2, State: "at_gate", Shuttle: "s1",
		Created: m.Created, StateSince: atGate, Waiting: &Waiting{Kind: WaitRelease, Detail: "kz-bakhty-out", Since: &atGate}, Redacted: true}, l.Moves[0],
		"at the gate since it came there, waiting for a release")

	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	noLeak("move", string(b))
	vm := decode[ViewerMove](t, b)
	assert.Equal(t, "at_gate", vm.State)
	require.NotEmpty(t, vm.History)
	assert.Equal(t, "at_gate", vm.History[len(vm.History)-1].To)
	for _, h := range vm.History {
		assert.NotEqual(t, h.From, h.To, "changes of state only, not decisions or notes")
	}

	for _, q := range []string{"?container=" + container, "?container=XYZ", "?clearances=true", "?clearances=false"} {
		code, b = call(t, srv, "GET", "/v1/moves"+q, tokViewer, "")
		assert.Equal(t, http.StatusForbidden, code, "%s: %s", q, b)
		assert.NotContains(t, string(b), container, q)
	}

	raw, moves := readStream(t, srv, tokViewer, func() {
		code, b := call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, `{"priority": 7}`)
		require.Equal(t, http.StatusOK, code, "%s", b)
	})
	noLeak("stream", raw)
	var ev ViewerMove
	require.NoError(t, json.Unmarshal([]byte(moves[0]), &ev))
	assert.Equal(t, 7, ev.Priority)
	assert.True(t, ev.Redacted)
	assert.Equal(t, vm.History, ev.History)

	// the operator's are whole
	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokOperator, "")
	require.Equal(t, http.StatusOK, code)
	full := decode[Move](t, b)
	assert.Equal(t, container, full.Container)
	assert.NotEmpty(t, full.Clearances)
	assert.NotEmpty(t, full.Declarations)
	assert.Contains(t, string(b), "x-ray")
}

// A viewer's shuttles say where each is, what it does and which move it
// carries out; not its loads, nor why it is out of dispatch (the reasons
// quote what the vehicle reports: its loads among them).
func TestViewerShuttlesAreRedacted(t *testing.T) {
	_, _, srv, m := viewerFleet(t)
	code, b := call(t, srv, "GET", "/v1/shuttles", tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	byID := map[string]Shuttle{}
	for _, sh := range decode[ShuttleList](t, b).Shuttles {
		byID[sh.ID] = sh
	}
	require.Contains(t, byID, "s1")
	assert.Equal(t, m.ID, byID["s1"].Move, "the move id is a wallboard's")
	s2 := byID["s2"]
	assert.Empty(t, s2.Loads)
	assert.Equal(t, []string{viewerOutOfDispatch}, s2.Reasons)
	assert.Equal(t, "kz-park-02", s2.LastNode)
	code, b = call(t, srv, "GET", "/v1/shuttles/s2", tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, s2, decode[Shuttle](t, b))
}
