package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// One token per role.
const (
	tokViewer   = "viewer-token-0000001"
	tokOperator = "operator-token-00001"
	tokKZ       = "customs-kz-token-001"
	tokCN       = "customs-cn-token-001"
	tokAdmin    = "admin-token-00000001"
)

var testTokens = []api.Token{
	{Token: tokViewer, Name: "vera", Role: api.RoleViewer},
	{Token: tokOperator, Name: "otto", Role: api.RoleOperator},
	{Token: tokKZ, Name: "officer-aigerim", Role: api.CustomsRole("KZ")},
	{Token: tokCN, Name: "officer-li", Role: api.CustomsRole("CN")},
	{Token: tokAdmin, Name: "ada", Role: api.RoleAdmin},
}

// fleetd serves the real API over a real daemon core on the default site
// (no MQTT, no journal) with shuttle s1 standing at kz-park-01, and
// returns its URL.
func fleetd(t *testing.T) string {
	t.Helper()
	return fleetdWith(t, nil, nil)
}

// fleetdWith is fleetd with a store for the journal and the audit log,
// and a key that signs audit exports (each may be nil).
func fleetdWith(t *testing.T, st *boltstore.Store, key ed25519.PrivateKey) string {
	t.Helper()
	site, err := geo.Default()
	if err != nil {
		t.Fatal(err)
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		t.Fatal(err)
	}
	roster, err := vehicles.NewRoster()
	if err != nil {
		t.Fatal(err)
	}
	dc := daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}}
	ac := api.Config{Site: site, Graph: g, Tokens: testTokens, AuditKey: key}
	if st != nil {
		dc.Journal, dc.Owner, ac.Audit = st, "test", st
	}
	d, err := daemon.New(dc)
	if err != nil {
		t.Fatal(err)
	}
	bus := &daemontest.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, bus) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	ac.Fleet = d
	s, err := api.New(ac)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	waitFor(t, func() bool { return bus.Handler() != nil })
	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	waitFor(t, func() bool {
		code, b := get(t, srv.URL+"/v1/shuttles/s1", tokViewer)
		var sh api.Shuttle
		return code == http.StatusOK && json.Unmarshal(b, &sh) == nil && sh.State == "idle"
	})
	return srv.URL
}

// waitFor polls cond until it holds, for at most 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling another goroutine's state, not waiting out time
	}
	t.Fatal("waited 5 s in vain")
}

// get is a plain GET of the API, for comparing with fleetctl's output.
func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// apiCall runs fleetctl against server with token (by flag) and checks
// that the token shows nowhere in what it prints.
func apiCall(t *testing.T, server, token string, args ...string) result {
	t.Helper()
	r := fleetctl(t, nil, append([]string{"--server", server, "--token", token}, args...)...)
	if token != "" && (strings.Contains(r.stdout, token) || strings.Contains(r.stderr, token)) {
		t.Errorf("fleetctl %v printed the token: %+v", args, r)
	}
	return r
}

// createMove asks for the test's move and returns it.
func createMove(t *testing.T, server string, args ...string) api.Move {
	t.Helper()
	args = append([]string{"moves", "create", "--json", "--container", "CSQU3054383", "--origin", "kz-bay-03", "--destination", "cn-bay-07"}, args...)
	r := apiCall(t, server, tokOperator, args...)
	if r.code != 0 {
		t.Fatalf("moves create = %+v", r)
	}
	var m api.Move
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("moves create --json printed %q: %v", r.stdout, err)
	}
	return m
}

func TestMovesCreate(t *testing.T) {
	server := fleetd(t)
	r := apiCall(t, server, tokOperator, "moves", "create", "--container", "CSQU3054383", "--origin", "kz-bay-03",
		"--destination", "cn-bay-07", "--priority", "2", "--declaration", "D-1", "--pre-cleared")
	if r.code != 0 || !strings.Contains(r.stdout, " created\n") || !strings.Contains(r.stdout, "CSQU3054383") {
		t.Fatalf("moves create = %+v", r)
	}
	// The key made up is printed, and a retry with it gives the same move.
	_, key, ok := strings.Cut(r.stderr, "--idempotency-key ")
	key = strings.TrimSuffix(strings.TrimSpace(key), ")")
	if !ok || !strings.HasPrefix(key, "fleetctl-") {
		t.Fatalf("moves create printed no key: %q", r.stderr)
	}
	first := strings.Fields(r.stdout)[1]
	for _, line := range []string{"PRIORITY  2", "DECLARATION  D-1", "PRE-CLEARED  yes", "STATE  "} {
		if !containsSpaced(r.stdout, line) {
			t.Errorf("moves create output lacks %q:\n%s", line, r.stdout)
		}
	}
	again := apiCall(t, server, tokOperator, "moves", "create", "--container", "CSQU3054383", "--origin", "kz-bay-03",
		"--destination", "cn-bay-07", "--priority", "2", "--declaration", "D-1", "--pre-cleared", "--idempotency-key", key)
	if again.code != 0 || !strings.Contains(again.stdout, "move "+first+" already created") || again.stderr != "" {
		t.Errorf("retry with key %s = %+v", key, again)
	}
	// The same key with another move is a conflict.
	other := apiCall(t, server, tokOperator, "moves", "create", "--container", "MSCU1234566", "--origin", "kz-bay-03",
		"--destination", "cn-bay-07", "--idempotency-key", key)
	if other.code != 1 || !strings.Contains(other.stderr, "fleetctl: 409 Conflict: ") || !strings.Contains(other.stderr, "(field Idempotency-Key)") {
		t.Errorf("another move with key %s = %+v", key, other)
	}
	// A second open move for the same container is refused, naming the first.
	dup := apiCall(t, server, tokOperator, "moves", "create", "--container", "CSQU3054383", "--origin", "kz-bay-04", "--destination", "cn-bay-06")
	if dup.code != 1 || !strings.Contains(dup.stderr, "fleetctl: 409 Conflict: ") || !strings.Contains(dup.stderr, "has an open move, "+first) {
		t.Errorf("a second open move for CSQU3054383 = %+v", dup)
	}
	m := createMove(t, server, "--idempotency-key", "k-json", "--container", "MSCU1234566")
	if m.ID == "" || m.ID == first || m.Container != "MSCU1234566" || m.Origin != "kz-bay-03" {
		t.Errorf("moves create --json = %+v", m)
	}
}

// containsSpaced reports whether out has a line with want's words in
// order, however many spaces the table put between them.
func containsSpaced(out, want string) bool {
	w := strings.Fields(want)
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(w) && strings.Join(f[:len(w)], " ") == strings.Join(w, " ") {
			return true
		}
	}
	return false
}

// TestVerbs runs each API verb against one fleetd, as a table for people
// and with --json.
func TestVerbs(t *testing.T) {
	server := fleetd(t)
	m := createMove(t, server, "--idempotency-key", "k1")
	tests := []struct {
		name  string
		token string
		args  []string
		want  []string // lines of the table, words in order
	}{
		{"moves list", tokOperator, []string{"moves", "list"}, []string{
			"ID CONTAINER STATE ORIGIN DESTINATION PRIORITY SHUTTLE CREATED", m.ID + " CSQU3054383 to_pickup kz-bay-03 cn-bay-07 0 s1"}},
		{"moves list as a viewer", tokViewer, []string{"moves", "list"}, []string{
			"ID CONTAINER STATE ORIGIN DESTINATION PRIORITY SHUTTLE CREATED", m.ID + " - to_pickup kz-bay-03 cn-bay-07 0 s1"}},
		{"moves list by state", tokViewer, []string{"moves", "list", "--state", "to_pickup", "--limit", "5"}, []string{m.ID}},
		{"moves list none", tokViewer, []string{"moves", "list", "--state", "delivered"}, []string{"no moves"}},
		{"moves list by container", tokOperator, []string{"moves", "list", "--container", "CSQU3054383"}, []string{m.ID}},
		{"moves get", tokOperator, []string{"moves", "get", m.ID}, []string{"ID " + m.ID, "CONTAINER CSQU3054383", "STATE to_pickup", "SHUTTLE s1",
			"AT FROM TO CAUSE"}},
		{"moves get as a viewer", tokViewer, []string{"moves", "get", m.ID}, []string{"ID " + m.ID, "STATE to_pickup", "SHUTTLE s1",
			"NOTE a viewer's view: no container number, declaration or customs records", "AT FROM TO CAUSE"}},
		{"shuttles list", tokViewer, []string{"shuttles", "list"}, []string{
			"ID STATE ACTIVITY SOC LAST NODE MOVE", "s1 to_pickup"}},
		{"shuttles get", tokViewer, []string{"shuttles", "get", "s1"}, []string{"ID s1", "SOC 70%", "MOVE " + m.ID, "JOINED yes"}},
		{"shuttles pause", tokOperator, []string{"shuttles", "pause", "s1"}, []string{"shuttle s1 paused; state now paused", "STATE paused"}},
		{"shuttles resume", tokOperator, []string{"shuttles", "resume", "s1"}, []string{"shuttle s1 resumed; state now"}},
		{"moves priority", tokOperator, []string{"moves", "priority", m.ID, "3"}, []string{"move " + m.ID + " now has priority 3; state now to_pickup", "PRIORITY 3"}},
		{"shuttles emergency-stop", tokOperator, []string{"shuttles", "emergency-stop", "s1"}, []string{"shuttle s1 stopped (emergency stop); state now emergency_stop"}},
		{"shuttles emergency-release", tokOperator, []string{"shuttles", "emergency-release", "s1"}, []string{"shuttle s1 released; state now to_pickup"}},
		{"shuttles add", tokAdmin, []string{"shuttles", "add", "--manufacturer", "kazauto", "--serial", "KA-1", "--type", "KA-40"},
			[]string{"shuttle KA-1 (kazauto) is on the roster;", "JOINED no"}},
		{"lanes list", tokViewer, []string{"lanes", "list"}, []string{"every lane is open (128 lanes;"}},
		{"lanes close", tokOperator, []string{"lanes", "close", "kz-park-36-lane#1"}, []string{"lane kz-park-36-lane#1 is closed", "closed now: kz-park-36-lane#1"}},
		{"lanes list closed", tokViewer, []string{"lanes", "list"}, []string{"LANE NAME CLOSED CLOSED LINKS", "kz-park-36-lane - no kz-park-36-lane#1"}},
		{"lanes reopen", tokOperator, []string{"lanes", "reopen", "kz-park-36-lane#1"}, []string{"lane kz-park-36-lane#1 is open", "closed now: none"}},
		{"customs queue", tokKZ, []string{"customs", "queue"}, []string{"no containers waiting"}},
		{"customs clearances", tokKZ, []string{"customs", "clearances"}, []string{"MOVE CONTAINER CHECKPOINT STATUS SINCE LAST DECISION", m.ID + " CSQU3054383 kz-bakhty-out expected"}},
		{"customs queue at a checkpoint", tokKZ, []string{"customs", "queue", "--checkpoint", "kz-bakhty-out"}, []string{"no containers waiting"}},
		{"customs release", tokKZ, []string{"customs", "release", "--checkpoint", "kz-bakhty-out", "--move", m.ID, "--reason", "smart gate"},
			[]string{"move " + m.ID + ": release at kz-bakhty-out (KZ) by officer-aigerim; the move is now"}},
		{"customs inspect", tokKZ, []string{"customs", "inspect", "--checkpoint", "kz-bakhty-out", "--move", m.ID},
			[]string{"move " + m.ID + ": inspect at kz-bakhty-out (KZ)"}},
		{"customs declare", tokKZ, []string{"customs", "declare", "--container", "CSQU3054383", "--country", "KZ", "--ref", "KZ-1", "--declarant", "Trans LLP",
			"--goods", "machine parts", "--mass-kg", "18400", "--seals", "S1,S2"},
			[]string{"declaration KZ-1 for CSQU3054383 in KZ filed by officer officer-aigerim (KZ) (seals S1, S2); in force on move " + m.ID}},
		{"customs seal", tokKZ, []string{"customs", "seal", "--checkpoint", "kz-bakhty-out", "--container", "CSQU3054383", "--seal", "S1=sealed", "--seal", "S2=sealed"},
			[]string{"seals of CSQU3054383 at kz-bakhty-out match the declaration (move " + m.ID + ", to_pickup)"}},
		{"customs seal tampered", tokKZ, []string{"customs", "seal", "--checkpoint", "kz-bakhty-out", "--container", "CSQU3054383", "--seal", "S1=sealed", "--seal", "S2=tampered"},
			[]string{"SEAL ALERT for CSQU3054383 at kz-bakhty-out (move " + m.ID + "): seal S2 tampered; held for an officer"}},
		{"customs clearances held", tokKZ, []string{"customs", "clearances"}, []string{m.ID + " CSQU3054383 kz-bakhty-out held: seal alert"}},
		{"chargers", tokViewer, []string{"chargers"}, []string{"STATION CENTRE CHARGERS FREE KW EACH GRID CAP KW CHARGING"}},
		{"health", "", []string{"health"}, []string{"ok"}},
		{"ready", "", []string{"ready"}, []string{"active"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apiCall(t, server, tt.token, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("fleetctl %v = %+v", tt.args, r)
			}
			for _, w := range tt.want {
				if !containsSpaced(r.stdout, w) {
					t.Errorf("fleetctl %v lacks %q:\n%s", tt.args, w, r.stdout)
				}
			}
			if tt.name == "customs inspect" || tt.name == "shuttles add" {
				return // deciding (or adding) twice is not the same answer
			}
			if tt.name == "shuttles resume" {
				// resumed already: not paused, so a second resume is refused
				again := apiCall(t, server, tt.token, tt.args...)
				if again.code != 1 || !strings.Contains(again.stderr, "409 Conflict") || !strings.Contains(again.stderr, "not paused") {
					t.Errorf("fleetctl %v again = %+v; want a 409 with the reason", tt.args, again)
				}
				return
			}
			j := apiCall(t, server, tt.token, append(tt.args, "--json")...)
			if j.code != 0 || !json.Valid([]byte(j.stdout)) || !strings.HasPrefix(j.stdout, "{") {
				t.Errorf("fleetctl %v --json = %+v", tt.args, j)
			}
		})
	}
}

// TestJSONAsItCame: --json prints the API's body byte for byte.
func TestJSONAsItCame(t *testing.T) {
	server := fleetd(t)
	m := createMove(t, server, "--idempotency-key", "k1")
	tests := []struct {
		path string
		args []string
	}{
		{"/v1/moves/" + m.ID, []string{"moves", "get", m.ID, "--json"}},
		{"/v1/moves", []string{"moves", "list"}},
		{"/v1/shuttles/s1", []string{"shuttles", "get", "--json", "s1"}},
		{"/v1/chargers", []string{"chargers", "--json"}},
	}
	for _, tt := range tests {
		args := tt.args
		if tt.path == "/v1/moves" {
			args = append(args, "--json")
		}
		_, want := get(t, server+tt.path, tokViewer)
		r := apiCall(t, server, tokViewer, args...)
		if r.code != 0 || r.stdout != string(want) {
			t.Errorf("fleetctl %v = %d %q, want the API's %q", args, r.code, r.stdout, want)
		}
	}
}

// TestAPIErrors: the API's errors as "fleetctl: STATUS: ERROR (field F)",
// exit 1; a token that is missing, wrong or of a role that may not is
// said so.
func TestAPIErrors(t *testing.T) {
	server := fleetd(t)
	m := createMove(t, server, "--idempotency-key", "k1")
	tests := []struct {
		name  string
		token string
		args  []string
		want  []string
	}{
		{"no token", "", []string{"moves", "list"}, []string{"fleetctl: 401 Unauthorized: a valid bearer token is required", "no token given: use --token or set " + tokenEnv}},
		{"unknown token", "not-a-token-of-fleetd", []string{"shuttles", "list"}, []string{"fleetctl: 401 Unauthorized: ", "not one fleetd knows"}},
		{"viewer creates", tokViewer, []string{"moves", "create", "--container", "CSQU3054383", "--origin", "kz-bay-03", "--destination", "cn-bay-07"},
			[]string{"fleetctl: 403 Forbidden: role viewer may not POST /v1/moves\n"}},
		{"other country's checkpoint", tokCN, []string{"customs", "release", "--checkpoint", "kz-bakhty-out", "--move", m.ID},
			[]string{"fleetctl: 403 Forbidden: an officer of CN may not act at kz-bakhty-out, a checkpoint of KZ (field checkpoint)"}},
		{"bad container", tokOperator, []string{"moves", "create", "--container", "CSQU3054384", "--origin", "kz-bay-03", "--destination", "cn-bay-07"},
			[]string{"fleetctl: 400 Bad Request: ", "(field container)"}},
		{"viewer asks by container", tokViewer, []string{"moves", "list", "--container", "CSQU3054383"},
			[]string{"fleetctl: 403 Forbidden: role viewer may not look moves up by container: a viewer sees no container numbers (field container)"}},
		{"unknown move", tokViewer, []string{"moves", "get", "mv-nothing"}, []string{`fleetctl: 404 Not Found: no move "mv-nothing" (field id)`}},
		{"bad state", tokViewer, []string{"moves", "list", "--state", "flying"}, []string{`fleetctl: 400 Bad Request: unknown move state "flying" (field state)`}},
		{"clear-fault not in fault", tokOperator, []string{"shuttles", "clear-fault", "s1"}, []string{"fleetctl: 409 Conflict: shuttle s1 is ", "not in fault (field id)"}},
		{"unknown shuttle", tokOperator, []string{"shuttles", "pause", "s9", "--json"}, []string{`fleetctl: 404 Not Found: no shuttle "s9" (field id)`}},
		{"unknown checkpoint", tokKZ, []string{"customs", "queue", "--checkpoint", "nowhere"}, []string{`fleetctl: 400 Bad Request: no checkpoint "nowhere" on the site (field checkpoint)`}},
		{"declare for another country", tokKZ, []string{"customs", "declare", "--container", "CSQU3054383", "--country", "CN", "--ref", "r", "--declarant", "d", "--goods", "g", "--mass-kg", "1"},
			[]string{"fleetctl: 403 Forbidden: an officer of KZ may not file a declaration for CN (field country)"}},
		{"seals at another country's gate", tokKZ, []string{"customs", "seal", "--checkpoint", "cn-pokitu-in", "--container", "CSQU3054383", "--seal", "S1=sealed"},
			[]string{"fleetctl: 403 Forbidden: an officer of KZ may not read seals at cn-pokitu-in, a checkpoint of CN (field checkpoint)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apiCall(t, server, tt.token, tt.args...)
			if r.code != 1 || r.stdout != "" {
				t.Errorf("fleetctl %v = %+v, want exit 1 and nothing on stdout", tt.args, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("fleetctl %v said %q, want %q", tt.args, r.stderr, w)
				}
			}
		})
	}
}

// TestServerAndToken: flags before the environment, the environment
// before the default, a URL with /v1 as fleetd demo prints it.
func TestServerAndToken(t *testing.T) {
	server := fleetd(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"environment", map[string]string{serverEnv: server, tokenEnv: tokViewer}, []string{"shuttles", "list"}},
		{"flags after the verb", nil, []string{"shuttles", "list", "--server", server, "--token", tokViewer}},
		{"flags before", map[string]string{serverEnv: "http://127.0.0.1:1", tokenEnv: "wrong-token-000000000"},
			[]string{"--server", server, "--token", tokViewer, "shuttles", "list"}},
		{"URL with /v1", map[string]string{tokenEnv: tokViewer}, []string{"--server", server + "/v1/", "shuttles", "list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fleetctl(t, tt.env, tt.args...)
			if r.code != 0 || !containsSpaced(r.stdout, "s1 idle") {
				t.Errorf("fleetctl %v = %+v", tt.args, r)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	for _, args := range [][]string{{"--server", url, "health"}, {"--server", url, "--token", tokViewer, "moves", "list", "--json"}} {
		r := fleetctl(t, nil, args...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "cannot reach fleetd at "+url+"/v1/") {
			t.Errorf("fleetctl %v against a closed server = %+v", args, r)
		}
	}
}

// TestNotTheAPI: an answer that is not the API's JSON (a proxy's, say)
// is shown by its status and first line; a standby is exit 1.
func TestNotTheAPI(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/moves", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "<html>bad gateway</html>\nmore", http.StatusBadGateway)
	})
	mux.HandleFunc("/v1/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status": "standby"}`)
	})
	mux.HandleFunc("/v1/health", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error": "going down"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"moves", "list"}, "", "fleetctl: 502 Bad Gateway: <html>bad gateway</html>\n"},
		{[]string{"ready"}, "standby\n", "fleetctl: fleetd is on standby"},
		{[]string{"ready", "--json"}, `{"status": "standby"}` + "\n", "standby"},
		{[]string{"health"}, "", "fleetctl: 503 Service Unavailable: going down\n"},
	}
	for _, tt := range tests {
		r := fleetctl(t, nil, append([]string{"--server", srv.URL}, tt.args...)...)
		if r.code != 1 || r.stdout != tt.stdout || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("fleetctl %v = %+v, want 1, %q, %q", tt.args, r, tt.stdout, tt.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"group alone", []string{"moves"}, []string{"moves: want a command", "fleetctl moves list", "fleetctl moves create --container C"}},
		{"unknown verb", []string{"shuttles", "fly"}, []string{`shuttles: unknown command "fly"`, "fleetctl shuttles pause ID"}},
		{"get without id", []string{"moves", "get"}, []string{"moves get: want 1 argument(s), got 0", "Usage:\n  fleetctl moves get ID [--json]"}},
		{"get with two ids", []string{"shuttles", "get", "s1", "s2"}, []string{"want 1 argument(s), got 2"}},
		{"list with an argument", []string{"moves", "list", "x"}, []string{`unexpected argument "x"`}},
		{"create without container", []string{"moves", "create", "--origin", "a", "--destination", "b"}, []string{"--container is required", "Usage:\n  fleetctl moves create"}},
		{"create without destination", []string{"moves", "create", "--container", "c", "--origin", "a"}, []string{"--destination is required"}},
		{"decision without move", []string{"customs", "refuse", "--checkpoint", "kz-bakhty-out"}, []string{"--move is required", "fleetctl customs refuse --checkpoint CP --move ID"}},
		{"decision without checkpoint", []string{"customs", "release", "--move", "m"}, []string{"--checkpoint is required"}},
		{"declare without mass", []string{"customs", "declare", "--container", "c", "--country", "KZ", "--ref", "r", "--declarant", "d", "--goods", "g"}, []string{"--mass-kg is required", "fleetctl customs declare --container C --country XX"}},
		{"declare without goods", []string{"customs", "declare", "--container", "c", "--country", "KZ", "--ref", "r", "--declarant", "d"}, []string{"--goods is required"}},
		{"seal without container", []string{"customs", "seal", "--checkpoint", "kz-bakhty-out"}, []string{"--container is required", "fleetctl customs seal --checkpoint CP"}},
		{"seal with a bad state", []string{"customs", "seal", "--checkpoint", "kz-bakhty-out", "--seal", "S1=broken"}, []string{`seal S1: state "broken": want sealed, opened or tampered`}},
		{"seal without a state", []string{"customs", "seal", "--checkpoint", "kz-bakhty-out", "--seal", "S1"}, []string{`want NUMBER=STATE`}},
		{"bad flag", []string{"chargers", "--nope"}, []string{"chargers: flag provided but not defined: -nope", "fleetctl chargers [--json]"}},
		{"bad limit", []string{"moves", "list", "--limit", "many"}, []string{"invalid value"}},
		{"negative limit", []string{"moves", "list", "--limit", "-3"}, []string{"--limit -3"}},
		{"bad server", []string{"--server", "127.0.0.1:8080", "health"}, []string{`server "127.0.0.1:8080": want a URL such as`}},
		{"two tokens", []string{"--token", "abc\ndef", "health"}, []string{"the token (from --token or FLEETCTL_TOKEN) has a space or control character at byte 3"}},
		{"add without serial", []string{"shuttles", "add", "--manufacturer", "acme"}, []string{"--manufacturer and --serial are required"}},
		{"priority without number", []string{"moves", "priority", "m1"}, []string{"want 2 argument(s), got 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fleetctl(t, nil, tt.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("fleetctl %v = %+v, want exit 2", tt.args, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("fleetctl %v said %q, want %q", tt.args, r.stderr, w)
				}
			}
		})
	}
}

func TestVerbHelp(t *testing.T) {
	r := fleetctl(t, nil, "customs", "queue", "--help")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage:\n  fleetctl customs queue [--checkpoint CP] [--json]\n\nThe containers waiting") || !strings.Contains(r.stdout, "\n\nFlags:\n  --checkpoint ") {
		t.Errorf("customs queue --help = %+v", r)
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		json bool
	}{
		{nil, nil, false},
		{[]string{"a"}, []string{"a"}, false},
		{[]string{"--json", "a"}, []string{"a"}, true},
		{[]string{"a", "--json"}, []string{"a"}, true},
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true},
		{[]string{"--", "--json"}, []string{"--json"}, false},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, false},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		asJSON := fs.Bool("json", false, "")
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil || strings.Join(pos, "|") != strings.Join(tt.pos, "|") || *asJSON != tt.json {
			t.Errorf("parseInterspersed(%q) = %q, json %v, %v; want %q, %v", tt.args, pos, *asJSON, err, tt.pos, tt.json)
		}
	}
}

func TestMovesCancel(t *testing.T) {
	server := fleetd(t)
	createMove(t, server, "--idempotency-key", "k1") // s1 takes it
	m := createMove(t, server, "--idempotency-key", "k2", "--origin", "kz-bay-04", "--container", "MSCU1234566")
	r := apiCall(t, server, tokOperator, "moves", "cancel", m.ID, "--reason", "booked twice")
	if r.code != 0 || !containsSpaced(r.stdout, "move "+m.ID+" cancelled; state now cancelled") || !strings.Contains(r.stdout, "cancelled by otto: booked twice") {
		t.Fatalf("moves cancel = %+v", r)
	}
	r = apiCall(t, server, tokOperator, "moves", "cancel", m.ID)
	if r.code != 1 || !strings.Contains(r.stderr, "422") || !strings.Contains(r.stderr, "cancelled already") {
		t.Errorf("cancelling twice = %+v", r)
	}
	r = apiCall(t, server, tokViewer, "moves", "cancel", m.ID)
	if r.code != 1 || !strings.Contains(r.stderr, "403") {
		t.Errorf("a viewer cancelling = %+v", r)
	}
	r = apiCall(t, server, tokOperator, "moves", "priority", m.ID, "high")
	if r.code != 2 || !strings.Contains(r.stderr, `priority "high" is not a whole number`) {
		t.Errorf("moves priority with a word = %+v", r)
	}
}

// moves list follows fleetd's pages: --limit over several pages, --all
// to the end, each move once and newest first; with --json, the moves
// of every page in one list.
func TestMovesListFollowsPages(t *testing.T) {
	server := fleetd(t)
	var ids []string // newest first
	for i, c := range []string{"CSQU3054383", "MSCU1234566", "TGHU9990004", "MSKU6011672", "TCLU1234568"} {
		if _, err := fleet.ParseContainer(c); err != nil {
			t.Fatalf("container %s: %v", c, err)
		}
		m := createMove(t, server, "--idempotency-key", fmt.Sprintf("p%d", i), "--container", c)
		ids = append([]string{m.ID}, ids...)
	}
	lines := func(out string) []string {
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "mv-") {
				got = append(got, f[0])
			}
		}
		return got
	}
	r := apiCall(t, server, tokOperator, "moves", "list", "--limit", "3", "--page", "2")
	if r.code != 0 || strings.Join(lines(r.stdout), " ") != strings.Join(ids[:3], " ") || !strings.Contains(r.stdout, "3 of 5 moves") {
		t.Fatalf("moves list --limit 3 --page 2 = %+v, want %v and 3 of 5", r, ids[:3])
	}
	r = apiCall(t, server, tokOperator, "moves", "list", "--all", "--page", "2")
	if r.code != 0 || strings.Join(lines(r.stdout), " ") != strings.Join(ids, " ") || strings.Contains(r.stdout, "of 5") {
		t.Fatalf("moves list --all --page 2 = %+v, want %v", r, ids)
	}
	r = apiCall(t, server, tokViewer, "moves", "list", "--all", "--page", "2", "--json")
	var l struct {
		Moves []struct {
			ID       string `json:"id"`
			Redacted bool   `json:"redacted"`
		} `json:"moves"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || len(l.Moves) != 5 || l.NextCursor != "" || !l.Moves[0].Redacted || l.Moves[4].ID != ids[4] {
		t.Fatalf("moves list --all --json as a viewer = %+v (%v), want 5 redacted moves in one list", r, err)
	}
	for _, bad := range [][]string{{"--page", "0"}, {"--page", "1001"}, {"--all", "--limit", "3"}} {
		if r := apiCall(t, server, tokOperator, append([]string{"moves", "list"}, bad...)...); r.code != 2 {
			t.Errorf("moves list %v = %+v, want a usage error", bad, r)
		}
	}
}
