package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/webhook"
)

// fakeHooks is a Webhooks with one subscriber, KZ, and two dead letters.
type fakeHooks struct {
	replayed []uint64
	standby  bool
}

func (f *fakeHooks) Status(context.Context) ([]webhook.Status, error) {
	return []webhook.Status{{Country: "KZ", URL: "https://customs.example.kz/h", Cursor: 41, Backlog: 3, Head: 42, Attempts: 2,
		LastError: "HTTP 500: down", DeadLetters: 2, Counts: map[string]int64{"delivered": 39}}}, nil
}

func (f *fakeHooks) DeadLetters(_ context.Context, c string) ([]daemon.DeadLetter, error) {
	if c != "KZ" {
		return nil, fmt.Errorf("%w: %q", webhook.ErrNoSubscriber, c)
	}
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	return []daemon.DeadLetter{{Seq: 7, Attempts: 10, Reason: "timeout", At: at}, {Seq: 9, Attempts: 10, Reason: "HTTP 503", At: at}}, nil
}

func (f *fakeHooks) Replay(_ context.Context, c string, seq uint64) (int, error) {
	switch {
	case c != "KZ":
		return 0, fmt.Errorf("%w: %q", webhook.ErrNoSubscriber, c)
	case f.standby:
		return 0, daemon.ErrStandby
	case seq == 0:
		f.replayed = append(f.replayed, 7, 9)
		return 2, nil
	case seq == 7 || seq == 9:
		f.replayed = append(f.replayed, seq)
		return 1, nil
	}
	return 0, fmt.Errorf("%w: KZ has no dead letter %d", daemon.ErrNoDeadLetter, seq)
}

func TestWebhooksAdmin(t *testing.T) {
	f, site, g := newFakeFleet(t)
	hooks := &fakeHooks{}
	s, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: testTokens, Webhooks: hooks})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	code, b := call(t, srv, "GET", "/v1/customs/webhooks", tokAdmin, "")
	require.Equal(t, http.StatusOK, code, string(b))
	l := decode[WebhookList](t, b)
	require.Len(t, l.Webhooks, 1)
	assert.Equal(t, uint64(41), l.Webhooks[0].Cursor)
	assert.Equal(t, "HTTP 500: down", l.Webhooks[0].LastError)
	code, _ = call(t, srv, "GET", "/v1/customs/webhooks", tokKZ, "")
	assert.Equal(t, http.StatusForbidden, code, "an officer does not administer webhooks")

	code, b = call(t, srv, "GET", "/v1/customs/webhooks/kz/dead-letters", tokAdmin, "")
	require.Equal(t, http.StatusOK, code, string(b))
	dl := decode[DeadLetterList](t, b)
	assert.Equal(t, "KZ", dl.Country)
	assert.Len(t, dl.DeadLetters, 2)
	code, _ = call(t, srv, "GET", "/v1/customs/webhooks/MN/dead-letters", tokAdmin, "")
	assert.Equal(t, http.StatusNotFound, code)

	code, b = call(t, srv, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, `{"seq": 9}`)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, Replayed{Country: "KZ", Replayed: 1}, decode[Replayed](t, b))
	code, b = call(t, srv, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, "")
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, 2, decode[Replayed](t, b).Replayed)
	assert.Equal(t, []uint64{9, 7, 9}, hooks.replayed)
	code, _ = call(t, srv, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, `{"seq": 8}`)
	assert.Equal(t, http.StatusNotFound, code, "not a dead letter")
	code, _ = call(t, srv, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, `{"seq": "x"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	hooks.standby = true
	code, _ = call(t, srv, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, "")
	assert.Equal(t, http.StatusServiceUnavailable, code)

	// a fleetd without subscribers
	_, _, plain := newTestServer(t)
	code, b = call(t, plain, "GET", "/v1/customs/webhooks", tokAdmin, "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"webhooks": []}`, string(b))
	code, _ = call(t, plain, "POST", "/v1/customs/webhooks/KZ/dead-letters/replay", tokAdmin, "")
	assert.Equal(t, http.StatusNotFound, code)
}
