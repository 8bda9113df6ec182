package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/webhook"
)

// The tokens of the customs run: an operator asks for the moves; each
// country's customs system files declarations and reads seals, and its
// officer decides, with a customs:<country> token.
const (
	operatorToken = "operator-token-e2e-customs-01"
	kzCustomsTok  = "kz-customs-token-e2e-0000001"
	cnCustomsTok  = "cn-customs-token-e2e-0000001"
)

// customsEndBound is how long (real time) every move may take to end
// after fleetd's restart and the officers' last word: 90 s, some ten
// times what four moves need at the run's scale on a quiet machine.
const customsEndBound = 90 * time.Second

// events lists what a customs system accepted, one per Idempotency-Key.
func (c *customsSystem) events() []webhook.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]webhook.Event, 0, len(c.got))
	for _, e := range c.got {
		out = append(out, e)
	}
	return out
}

// customsRun is a fleetd with an API, as the customs run drives it.
type customsRun struct {
	t    *testing.T
	base string
}

// call calls the API and fails the test unless it answers want.
func (r *customsRun) call(token, method, path string, in, out any, want int, header ...string) {
	r.t.Helper()
	status, body := apiCall(r.t, r.base, token, method, path, in, out, header...)
	require.Equal(r.t, want, status, "%s %s: %s", method, path, body)
}

func (r *customsRun) move(id string) api.Move {
	r.t.Helper()
	var m api.Move
	r.call(e2eAdminToken, "GET", "/v1/moves/"+id, nil, &m, http.StatusOK)
	return m
}

// clearance is a move's record at one checkpoint (zero if it has none);
// it may run in Eventually's goroutine.
func (r *customsRun) clearance(id, checkpoint string) (api.Move, api.Clearance) {
	var m api.Move
	if adminCall(r.t, r.base, "GET", "/v1/moves/"+id, &m) != http.StatusOK {
		return m, api.Clearance{}
	}
	for _, c := range m.Clearances {
		if c.Checkpoint == checkpoint {
			return m, c
		}
	}
	return m, api.Clearance{}
}

func countryToken(country string) string {
	if country == "KZ" {
		return kzCustomsTok
	}
	return cnCustomsTok
}

// TestCustomsOverMosquittoThroughACrash is the customs story end to end:
// fleetd (a bbolt store, hold_without_declaration on, no demo officers or
// moves) drives four shuttle-sim vehicles over the private Mosquitto of
// scripts/test.sh, and the KZ and CN customs systems are real HTTP
// receivers of its webhooks. An operator asks for four moves, two each
// way; each country's officer releases its gates ahead of arrival; each
// country's customs system files its declarations (with seal numbers)
// and its seal readers report clean seals, except that
//   - container T (eastbound) reads tampered at kz-bakhty-out: it is held
//     at that stop line although released, and both countries get the
//     seal alert;
//   - container X (westbound) has no CN declaration: it is held at
//     cn-pokitu-out although released.
//
// With both standing held, fleetd is SIGKILLed and started again on the
// same store: both are still held. Then CN files X's declaration (X goes
// on) and the KZ officer releases T after the reading (T goes on). Every
// move is delivered within customsEndBound; each receiver has exactly the
// audit entries its country may see (audit.Sharing over the audit log),
// each at least once and once after dedup by Idempotency-Key, every
// request's signature verified; the seal alert reached both, each
// declaration only its own country.
func TestCustomsOverMosquittoThroughACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("fleetd and shuttle-sim processes over Mosquitto for about a minute; not in -short")
	}
	t.Parallel() // light: four shuttles and one fleetd, its own serial prefix, topics and ports
	start := time.Now()
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		url = brokers(t)["embedded"] // and says so: scripts/test.sh starts a Mosquitto
	}
	site, err := geo.Default()
	require.NoError(t, err)
	dir := t.TempDir()
	storePath := filepath.Join(dir, "fleetd.db")
	kz := newCustomsSystem(t, "KZ", "kz-customs-secret")
	cn := newCustomsSystem(t, "CN", "cn-customs-secret")
	config := filepath.Join(dir, "fleetd.json")
	cfg := fmt.Sprintf(`{"hold_without_declaration": true, "webhooks": {"subscribers": [
		{"country": "KZ", "url": %q, "secret": "kz-customs-secret"},
		{"country": "CN", "url": %q, "secret": "cn-customs-secret"}],
		"backoff_base_s": 0.05, "backoff_cap_s": 0.2, "max_attempts": 20, "ack_every_s": 2, "timeout_s": 2}}`,
		kz.srv.URL+"/kz", cn.srv.URL+"/cn")
	require.NoError(t, os.WriteFile(config, []byte(cfg), 0o644))
	tokens := filepath.Join(dir, "tokens.json")
	require.NoError(t, os.WriteFile(tokens, []byte(`[
		{"token": "`+e2eAdminToken+`", "name": "ada", "role": "admin"},
		{"token": "`+operatorToken+`", "name": "otto", "role": "operator"},
		{"token": "`+kzCustomsTok+`", "name": "aigerim(kz-7)", "role": "customs:KZ"},
		{"token": "`+cnCustomsTok+`", "name": "wei", "role": "customs:CN"}]`), 0o600))

	// a topic prefix and serial numbers of its own: no other run's
	// vehicles, retained messages or client ids on the shared broker
	iface := fmt.Sprintf("customs%d", time.Now().UnixNano()%100000)
	shuttles(t, url, iface, "--shuttles", "4", "--serial-prefix", "cus-", "--time-scale", fmt.Sprint(hookScale))
	traffic := []string{"--moves-per-hour", "0", "--no-officers"} // moves and decisions by the API only
	p, base := webhookFleetd(t, url, iface, "bolt:"+storePath, config, tokens, "customs", traffic...)
	r := &customsRun{t: t, base: base}

	// the operator's moves: two each way, ready for pickup in four
	// minutes of fleetd's clock (two seconds here), so that every
	// declaration and reading below is in before any container can reach
	// a gate, however slow the machine
	var now api.ClearanceList
	r.call(e2eAdminToken, "GET", "/v1/customs/clearances", nil, &now, http.StatusOK)
	ready := now.At.Add(4 * time.Minute).Format(time.RFC3339)
	west, east := site.BaysOf(site.Centres[0].ID), site.BaysOf(site.Centres[1].ID)
	type plan struct {
		name, container, from, to string
		id                        string
	}
	plans := []*plan{
		{name: "E", container: container(41), from: west[0].ID, to: east[2].ID},
		{name: "T", container: container(42), from: west[3].ID, to: east[5].ID}, // tampered seal at kz-bakhty-out
		{name: "W", container: container(43), from: east[1].ID, to: west[4].ID},
		{name: "X", container: container(44), from: east[6].ID, to: west[1].ID}, // no CN declaration at first
	}
	byName := map[string]*plan{}
	for _, pl := range plans {
		var m api.Move
		r.call(operatorToken, "POST", "/v1/moves", api.MoveRequest{Container: pl.container, Origin: pl.from, Destination: pl.to, EarliestPickup: ready},
			&m, http.StatusCreated, "Idempotency-Key", "customs-e2e-"+pl.name)
		pl.id, byName[pl.name] = m.ID, pl
	}
	tMove, xMove := byName["T"], byName["X"]

	// each country's officer releases its gates ahead of arrival
	gates := map[string][]api.Clearance{}
	for _, pl := range plans {
		gates[pl.id] = r.move(pl.id).Clearances
		require.Len(t, gates[pl.id], 2, "move %s crosses both countries' gates", pl.name)
		for _, g := range gates[pl.id] {
			var d api.Decision
			r.call(countryToken(g.Country), "POST", "/v1/customs/decisions",
				api.DecisionRequest{Checkpoint: g.Checkpoint, Move: pl.id, Decision: "release", Reason: "pre-cleared"}, &d, http.StatusOK)
			require.NotNil(t, d.Clearance)
			assert.Equal(t, "released", d.Clearance.Status, "%s at %s released ahead", pl.name, g.Checkpoint)
		}
	}
	gateOf := func(pl *plan, country string) string {
		for _, g := range gates[pl.id] {
			if g.Country == country {
				return g.Checkpoint
			}
		}
		return ""
	}

	// each country's customs system files its declarations, except CN's
	// for X
	seals := func(pl *plan) []string { return []string{"KZ-" + pl.container, "CN-" + pl.container} }
	for _, pl := range plans {
		for _, country := range []string{"KZ", "CN"} {
			if pl == xMove && country == "CN" {
				continue
			}
			var d api.DeclarationAnswer
			r.call(countryToken(country), "POST", "/v1/customs/declarations", api.DeclarationRequest{Container: pl.container, Country: country,
				Reference: country + "-2026-" + pl.name, Declarant: "Trans LLP", Goods: "machine parts", GrossMassKg: 18400, Seals: seals(pl)},
				&d, http.StatusCreated)
			assert.Equal(t, pl.id, d.Move, "the declaration goes to the open move")
		}
	}

	// the seal readers report what they read at each gate, ahead of the
	// shuttle's arrival: all clean but T's at kz-bakhty-out
	for _, pl := range plans {
		for _, g := range gates[pl.id] {
			read := []api.Seal{{Number: seals(pl)[0], State: "sealed"}, {Number: seals(pl)[1], State: "sealed"}}
			if pl == tMove && g.Country == "KZ" {
				read[1].State = "tampered"
			}
			var a api.SealReadingAnswer
			r.call(countryToken(g.Country), "POST", "/v1/customs/seals", api.SealReadingRequest{Checkpoint: g.Checkpoint, Container: pl.container, Seals: read},
				&a, http.StatusOK)
			require.NotNil(t, a.Clearance)
			if pl == tMove && g.Country == "KZ" {
				assert.True(t, a.Held, "a tampered seal holds T")
				assert.Equal(t, "held", a.Clearance.Status, "T held at %s although released", g.Checkpoint)
				assert.Contains(t, a.Clearance.SealAlert, "tampered")
				continue
			}
			assert.False(t, a.Held, "%s at %s: %v", pl.name, g.Checkpoint, a.Problems)
			assert.Empty(t, a.Problems, "%s at %s reads clean", pl.name, g.Checkpoint)
		}
	}
	t.Logf("moves asked for, released ahead, declared and read at %v", time.Since(start).Round(time.Millisecond))

	// T and X reach their first gates and stand held there
	tGate, xGate := gateOf(tMove, "KZ"), gateOf(xMove, "CN")
	heldAt := func(pl *plan, gate, why string) func() bool {
		return func() bool {
			m, c := r.clearance(pl.id, gate)
			return m.State == string(fleet.MoveAtGate) && c.Arrived != nil && c.Status == "held" && strings.Contains(c.Held, why)
		}
	}
	require.Eventually(t, heldAt(tMove, tGate, "seal alert"), 60*time.Second, 50*time.Millisecond,
		"T stands held at %s:\n%s", tGate, lastLines(p.output(), 20))
	require.Eventually(t, heldAt(xMove, xGate, "no declaration filed for CN"), 60*time.Second, 50*time.Millisecond,
		"X stands held at %s:\n%s", xGate, lastLines(p.output(), 20))
	t.Logf("T held at %s, X held at %s at %v", tGate, xGate, time.Since(start).Round(time.Millisecond))
	var q api.ClearanceList
	r.call(cnCustomsTok, "GET", "/v1/customs/clearances", nil, &q, http.StatusOK)
	cnSees := false
	for _, c := range q.Clearances {
		assert.Equal(t, "CN", c.Country, "CN's list has CN's checkpoints only")
		if c.Move == tMove.id && len(c.SealAlerts) == 1 && c.SealAlerts[0].Checkpoint == tGate {
			cnSees = true
		}
	}
	assert.True(t, cnSees, "CN's officers see the seal alert KZ's reader raised on T")

	// SIGKILL while both are held, and again on the same store
	var states []string
	for _, pl := range plans {
		m, _ := r.clearance(pl.id, "")
		states = append(states, pl.name+" "+m.State)
	}
	p.kill()
	t.Logf("fleetd killed at %v (moves %s) with KZ at %d entries, CN at %d", time.Since(start).Round(time.Millisecond),
		strings.Join(states, ", "), kz.accepted(), cn.accepted())
	p, base = webhookFleetd(t, url, iface, "bolt:"+storePath, config, tokens, "customs", traffic...)
	r.base = base
	_, c := r.clearance(tMove.id, tGate)
	assert.Equal(t, "held", c.Status, "T still held after the restart")
	assert.NotEmpty(t, c.SealAlert)
	_, c = r.clearance(xMove.id, xGate)
	assert.Equal(t, "held", c.Status, "X still held after the restart")
	assert.Equal(t, "no declaration filed for CN", c.Held)

	// CN files X's declaration: X goes on, released as it was
	var d api.DeclarationAnswer
	r.call(cnCustomsTok, "POST", "/v1/customs/declarations", api.DeclarationRequest{Container: xMove.container, Country: "CN",
		Reference: "CN-2026-X", Declarant: "Trans LLP", Goods: "machine parts", GrossMassKg: 18400, Seals: seals(xMove)}, &d, http.StatusCreated)
	assert.Equal(t, xMove.id, d.Move)
	// the KZ officer releases T after the reading: T goes on
	var dec api.Decision
	r.call(kzCustomsTok, "POST", "/v1/customs/decisions",
		api.DecisionRequest{Checkpoint: tGate, Move: tMove.id, Decision: "release", Reason: "seal checked by hand; resealed"}, &dec, http.StatusOK)
	decided := time.Now()

	ended := func() bool {
		for _, pl := range plans {
			m, _ := r.clearance(pl.id, "")
			if m.State != string(fleet.MoveDelivered) {
				return false
			}
		}
		return true
	}
	require.Eventually(t, ended, customsEndBound, 100*time.Millisecond, "every move delivered within %v:\n%s", customsEndBound, lastLines(p.output(), 30))
	t.Logf("every move delivered %v after the officers' last word, at %v", time.Since(decided).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	for _, pl := range plans {
		m := r.move(pl.id)
		for _, g := range m.Clearances {
			assert.Equal(t, "passed", g.Status, "%s passed %s", pl.name, g.Checkpoint)
		}
		if pl == tMove {
			require.Len(t, m.SealAlerts, 1)
			assert.Equal(t, tGate, m.SealAlerts[0].Checkpoint)
		} else {
			assert.Empty(t, m.SealAlerts, "%s had no seal alert", pl.name)
		}
	}
	tHist := r.move(tMove.id).History
	alert := slices.IndexFunc(tHist, func(h api.Transition) bool { return h.Event == fleet.NoteSealAlert })
	release := slices.IndexFunc(tHist, func(h api.Transition) bool {
		return h.Decision == string(fleet.DecisionRelease) && h.Checkpoint == tGate && h.Actor == "officer aigerim(kz-7) (KZ)" &&
			strings.HasSuffix(h.Cause, "seal checked by hand; resealed")
	})
	require.NotEqual(t, -1, alert, "T's history has the seal alert")
	require.Greater(t, release, alert, "T's history has the officer's release after the seal alert: %+v", tHist)

	// every audit entry delivered; then the checks against the audit log
	require.Eventually(t, func() bool {
		s := hookStatus(t, base)
		return s != nil && s["KZ"].Backlog == 0 && s["CN"].Backlog == 0 && kz.delivered() == 4 && cn.delivered() == 4
	}, 20*time.Second, 50*time.Millisecond, "caught up: %+v", hookStatus(t, base))
	st := hookStatus(t, base)
	assert.Zero(t, st["KZ"].DeadLetters+st["CN"].DeadLetters, "no dead letters")
	sharing := sharingOf(t, base)
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	<-p.done
	entries := auditLog(t, storePath)
	dups := 0
	for _, c := range []*customsSystem{kz, cn} {
		dups += c.checkReceived(t, entries, sharing)
	}
	t.Logf("%d entries sent again after the crash, each once after dedup", dups)

	// the seal alert reached both; each declaration only its own country;
	// and, independently of the sharing rule, everything of a checkpoint
	// that is not a seal alert is of the receiver's own country's
	checkpointCountry := sharing.CheckpointCountry
	declared := map[string]map[string]bool{} // country -> containers declared there, as the webhooks told it
	for _, c := range []*customsSystem{kz, cn} {
		alerts := 0
		declared[c.country] = map[string]bool{}
		for _, e := range c.events() {
			atGate := strings.HasPrefix(e.Event, "customs_") || slices.Contains([]string{string(fleet.MoveAtGate), fleet.NoteSealRead,
				fleet.NoteHeld, fleet.NoteDeclaration}, e.Event)
			if atGate {
				assert.Equal(t, c.country, checkpointCountry(e.Checkpoint), "%s got %s %s at %q by %s", c.country, e.Event, e.Move, e.Checkpoint, e.Actor)
			}
			switch e.Event {
			case audit.EventSealAlert:
				assert.Equal(t, tMove.id, e.Move)
				assert.Equal(t, tGate, e.Checkpoint)
				alerts++
			case fleet.NoteDeclaration:
				assert.Equal(t, c.country, checkpointCountry(e.Checkpoint), "%s got a declaration entry of %s", c.country, e.Checkpoint)
				declared[c.country][e.Container] = true
			}
		}
		assert.Equal(t, 1, alerts, "%s got T's seal alert", c.country)
	}
	for _, pl := range plans {
		assert.True(t, declared["KZ"][pl.container], "KZ told of its declaration of %s", pl.name)
		assert.True(t, declared["CN"][pl.container], "CN told of its declaration of %s", pl.name)
	}
	inLog := 0
	for _, e := range entries {
		if e.Event == fleet.NoteDeclaration {
			inLog++
		}
	}
	assert.Equal(t, 2*len(plans), inLog, "one declaration entry per container and country in the audit log")
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}
