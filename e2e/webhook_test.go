package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/webhook"
)

// customsSystem is one country's receiving end of the webhooks: a real
// HTTP server on 127.0.0.1 that verifies every request's signature, can
// be told to fail, and keeps what it accepted.
type customsSystem struct {
	country string
	secret  []byte
	srv     *httptest.Server

	mu       sync.Mutex
	failNext int  // answer 500 to this many more requests
	down     bool // answer 503 to every request
	requests int
	failed   int
	got      map[string]webhook.Event // by Idempotency-Key
	times    map[string]int           // accepted, by Idempotency-Key
	bad      []string
}

func newCustomsSystem(t *testing.T, country, secret string) *customsSystem {
	c := &customsSystem{country: country, secret: []byte(secret), got: map[string]webhook.Event{}, times: map[string]int{}}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *customsSystem) serve(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.VerifyRequest(r, c.secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if err != nil {
		c.bad = append(c.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if c.down {
		c.failed++
		http.Error(w, "customs system down", http.StatusServiceUnavailable)
		return
	}
	if c.failNext > 0 {
		c.failNext--
		c.failed++
		http.Error(w, "try later", http.StatusInternalServerError)
		return
	}
	var ev webhook.Event
	key := r.Header.Get(webhook.HeaderIdempotencyKey)
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != key || ev.Country != c.country || audit.HashOf(ev.Entry) != ev.Hash {
		c.bad = append(c.bad, fmt.Sprintf("%s: %v", body, err))
	}
	c.got[key] = ev
	c.times[key]++
	w.WriteHeader(http.StatusOK)
}

func (c *customsSystem) set(f func(*customsSystem)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

// delivered counts the distinct moves whose delivery this system heard of.
func (c *customsSystem) delivered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.got {
		if e.Event == "delivered" {
			n++
		}
	}
	return n
}

func (c *customsSystem) accepted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

// webhookFleetd is fleetd demo with the webhooks configured and its API on
// a free port; traffic are the demo's flags for moves and officers.
func webhookFleetd(t *testing.T, url, iface, storeURL, config, tokens, owner string, traffic ...string) (*fleetdProc, string) {
	t.Helper()
	p := &fleetdProc{done: make(chan struct{})}
	args := []string{"demo", "--shuttles", "0", "--broker", url, "--store", storeURL, "--config", config,
		"--tokens", tokens, "--listen", "127.0.0.1:0", "--time-scale", fmt.Sprint(hookScale),
		"--status-every", "-1s", "--interface", iface, "--owner", owner}
	p.cmd = exec.Command(fleetdBin, append(args, traffic...)...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	re := regexp.MustCompile(`HTTP API on (http://\S+)/v1`)
	var base string
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(p.output())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 20*time.Second, 20*time.Millisecond, "fleetd's API:\n%s", p.output())
	return p, base
}

// apiCall calls fleetd's API with a token, in (if not nil) as the JSON
// body and header as pairs of name and value, and decodes a 2xx answer
// into out; it returns the status (0 if fleetd did not answer) and the
// answer's body. It never stops the test, so that it may run in
// Eventually's goroutine.
func apiCall(t *testing.T, base, token, method, path string, in, out any, header ...string) (int, string) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "" // fleetd starting or gone: the caller polls
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Errorf("%s %s: %v: %s", method, path, err, b) // no FailNow: this runs in Eventually's goroutine
			return 0, string(b)
		}
	}
	return resp.StatusCode, string(b)
}

// adminCall is apiCall as admin, without a body.
func adminCall(t *testing.T, base, method, path string, out any) int {
	t.Helper()
	status, _ := apiCall(t, base, e2eAdminToken, method, path, nil, out)
	return status
}

const e2eAdminToken = "admin-token-e2e-webhooks-0001"

// hookScale is the webhook run's time scale, fleetd and shuttles alike:
// twice the other runs', to keep it under a minute.
const hookScale = 2 * scale

func hookStatus(t *testing.T, base string) map[string]webhook.Status {
	var l api.WebhookList
	if adminCall(t, base, "GET", "/v1/customs/webhooks", &l) != http.StatusOK {
		return nil
	}
	out := map[string]webhook.Status{}
	for _, s := range l.Webhooks {
		out[s.Country] = s
	}
	return out
}

// TestWebhooksThroughACrash: the KZ and CN customs systems subscribe to
// fleetd's webhooks while containers cross both countries' checkpoints.
// KZ answers 500 for a while (retried, then delivered); CN is down at
// first (its entries become dead letters, delivered after a replay);
// fleetd is SIGKILLed mid-stream and started again on the same store. In
// the end each system has received every audit entry its country may
// see, by audit.Sharing over the audit log, exactly once after dedup by
// Idempotency-Key, and nothing else.
func TestWebhooksThroughACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs fleetd and shuttle-sim processes; not in -short")
	}
	t.Parallel() // light: four shuttles and one fleetd, its own serial prefix, topics and ports
	start := time.Now()
	url := brokers(t)["embedded"]
	dir := t.TempDir()
	storePath := filepath.Join(dir, "fleetd.db")
	kz := newCustomsSystem(t, "KZ", "kz-shared-secret")
	cn := newCustomsSystem(t, "CN", "cn-shared-secret")
	kz.set(func(c *customsSystem) { c.failNext = 2 }) // retried, and delivered at the third attempt
	cn.set(func(c *customsSystem) { c.down = true })  // every entry a dead letter until it is back

	secretFile := filepath.Join(dir, "cn.secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("cn-shared-secret\n"), 0o600))
	config := filepath.Join(dir, "fleetd.json")
	cfg := fmt.Sprintf(`{"webhooks": {"subscribers": [
		{"country": "KZ", "url": %q, "secret": "kz-shared-secret"},
		{"country": "CN", "url": %q, "secret_file": %q}],
		"backoff_base_s": 0.05, "backoff_cap_s": 0.2, "max_attempts": 3, "ack_every_s": 2, "timeout_s": 2}}`,
		kz.srv.URL+"/hooks", cn.srv.URL+"/borderfleet", secretFile)
	require.NoError(t, os.WriteFile(config, []byte(cfg), 0o644))
	tokens := filepath.Join(dir, "tokens.json")
	require.NoError(t, os.WriteFile(tokens, []byte(`[{"token": "`+e2eAdminToken+`", "name": "ada", "role": "admin"}]`), 0o600))

	iface := fmt.Sprintf("hooks%d", time.Now().UnixNano()%100000)
	shuttles(t, url, iface, "--shuttles", "4", "--serial-prefix", "wh-", "--time-scale", fmt.Sprint(hookScale))
	traffic := []string{"--max-moves", "4", "--moves-per-hour", "2000", "--seed", "11", "--no-refusals"}
	p, base := webhookFleetd(t, url, iface, "bolt:"+storePath, config, tokens, "hooks", traffic...)

	// CN is down: its first entries are dead letters; then it is back
	var dead []uint64
	require.Eventually(t, func() bool {
		var l api.DeadLetterList
		if adminCall(t, base, "GET", "/v1/customs/webhooks/CN/dead-letters", &l) != http.StatusOK {
			return false
		}
		dead = dead[:0]
		for _, d := range l.DeadLetters {
			dead = append(dead, d.Seq)
		}
		return len(dead) >= 2
	}, 30*time.Second, 50*time.Millisecond, "CN's entries dead-lettered:\n%s", lastLines(p.output(), 20))
	cn.set(func(c *customsSystem) { c.down = false })

	// mid-stream, fleetd is killed and started again on the same store
	require.Eventually(t, func() bool { return kz.accepted() >= 20 }, 30*time.Second, 20*time.Millisecond)
	p.kill()
	t.Logf("fleetd killed at %v with KZ at %d entries, CN at %d", time.Since(start).Round(time.Millisecond), kz.accepted(), cn.accepted())
	p, base = webhookFleetd(t, url, iface, "bolt:"+storePath, config, tokens, "hooks", traffic...)
	var before map[string]webhook.Status
	require.Eventually(t, func() bool { before = hookStatus(t, base); return before != nil }, 10*time.Second, 50*time.Millisecond)
	assert.GreaterOrEqual(t, before["CN"].DeadLetters+before["CN"].Replaying, len(dead), "the dead letters survive the crash")

	// the moves are delivered; then the admin replays CN's dead letters
	require.Eventually(t, func() bool { return kz.delivered() == 4 && cn.delivered() == 4 }, 60*time.Second, 50*time.Millisecond,
		"every move delivered, and both told:\n%s", lastLines(p.output(), 20))
	t.Logf("every move delivered at %v", time.Since(start).Round(time.Millisecond))
	var replayed api.Replayed
	require.Equal(t, http.StatusOK, adminCall(t, base, "POST", "/v1/customs/webhooks/CN/dead-letters/replay", &replayed))
	assert.GreaterOrEqual(t, replayed.Replayed, len(dead))
	require.Eventually(t, func() bool {
		s := hookStatus(t, base)
		return s != nil && s["KZ"].Backlog == 0 && s["CN"].Backlog == 0 && s["CN"].DeadLetters == 0 && s["KZ"].DeadLetters == 0
	}, 20*time.Second, 50*time.Millisecond, "caught up: %+v", hookStatus(t, base))

	t.Logf("caught up after the replay at %v", time.Since(start).Round(time.Millisecond))

	sharing := sharingOf(t, base)
	var metrics string
	if r, err := http.Get(base + "/metrics"); err == nil {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		metrics = string(b)
	}
	assert.Regexp(t, `borderfleet_webhook_deliveries_total\{country="CN",result="delivered"\} [1-9]`, metrics)
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	<-p.done

	entries := auditLog(t, storePath)
	for _, c := range []*customsSystem{kz, cn} {
		c.checkReceived(t, entries, sharing)
	}
	cn.mu.Lock()
	for _, seq := range dead {
		assert.Contains(t, cn.times, entries[seq-1].Hash, "dead letter %d delivered after the replay", seq)
	}
	cn.mu.Unlock()
	kz.mu.Lock()
	assert.GreaterOrEqual(t, kz.failed, 2, "KZ's 500s were retried")
	kz.mu.Unlock()
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

// sharingOf is the sharing rule of a fleetd's site and moves: each move's
// countries from its clearances in the API, each checkpoint's country
// from the default site.
func sharingOf(t *testing.T, base string) audit.Sharing {
	t.Helper()
	moveCountries := map[string][]string{}
	var ml api.MoveList
	require.Equal(t, http.StatusOK, adminCall(t, base, "GET", "/v1/moves?limit=1000", &ml))
	for _, m := range ml.Moves {
		var full api.Move
		require.Equal(t, http.StatusOK, adminCall(t, base, "GET", "/v1/moves/"+m.ID, &full))
		for _, c := range full.Clearances {
			if !containsStr(moveCountries[m.ID], c.Country) {
				moveCountries[m.ID] = append(moveCountries[m.ID], c.Country)
			}
		}
	}
	site, err := geo.Default()
	require.NoError(t, err)
	return audit.Sharing{
		CheckpointCountry: func(id string) string {
			for _, cp := range site.Checkpoints {
				if cp.ID == id {
					return cp.Country
				}
			}
			return ""
		},
		MoveCountries: func(m string) []string { return moveCountries[m] },
	}
}

// auditLog reads a stopped fleetd's audit log from its bolt store; the
// chain must verify.
func auditLog(t *testing.T, storePath string) []audit.Entry {
	t.Helper()
	st, err := boltstore.Open(storePath)
	require.NoError(t, err)
	defer st.Close()
	raw, err := st.ReadAudit(context.Background(), 0, 0)
	require.NoError(t, err)
	var entries []audit.Entry
	for _, r := range raw {
		e, err := audit.Decode(r.Data)
		require.NoError(t, err)
		entries = append(entries, e)
	}
	require.NoError(t, audit.Verify(entries))
	return entries
}

// checkReceived: the system received every entry of the log its country
// may see, at least once, each as the log has it, and nothing else; after
// dedup by Idempotency-Key each is there once. Every request's signature
// verified. It returns how many were sent more than once.
func (c *customsSystem) checkReceived(t *testing.T, entries []audit.Entry, sharing audit.Sharing) (dups int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	want := map[string]audit.Entry{}
	for _, e := range entries {
		if sharing.Visible(e, c.country) {
			want[e.Hash] = e
		}
	}
	for key, n := range c.times {
		dups += n - 1
		e, ok := want[key]
		if assert.True(t, ok, "%s received %s, which it may not see (or which is not in the audit log)", c.country, key) {
			assert.Equal(t, e, c.got[key].Entry, "%s got entry %d as the audit log has it", c.country, e.Seq)
		}
	}
	for key, e := range want {
		assert.Contains(t, c.times, key, "%s never received entry %d (%s %s)", c.country, e.Seq, e.Event, e.Checkpoint)
	}
	assert.Empty(t, c.bad, "%s: every request verified", c.country)
	t.Logf("%s: %d entries of %d in the log, %d requests, %d answered with an error, %d duplicates (sent again after the crash)",
		c.country, len(c.times), len(entries), c.requests, c.failed, dups)
	return dups
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
