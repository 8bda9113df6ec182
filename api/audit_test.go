package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// auditKey is a fixed deployment key for tests.
var auditKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// auditServer serves the API over a real daemon core whose journal and
// audit log are a bolt store (no MQTT), signing exports with key (none if
// nil), with shuttle s1 idle at kz-park-01.
func auditServer(t *testing.T, key ed25519.PrivateKey) *httptest.Server {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "fleet.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	d, err := daemon.New(daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}, Journal: st, Owner: "test"})
	require.NoError(t, err)
	bus := &daemontest.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, bus) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	s, err := New(Config{Fleet: d, Site: site, Graph: g, Tokens: testTokens, Audit: st, AuditKey: key})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	require.Eventually(t, func() bool { return bus.Handler() != nil }, 5*time.Second, 10*time.Millisecond)
	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	require.Eventually(t, func() bool {
		code, b := call(t, srv, "GET", "/v1/shuttles/s1", tokViewer, "")
		return code == 200 && decode[Shuttle](t, b).State == "idle"
	}, 5*time.Second, 10*time.Millisecond)
	return srv
}

// decide takes a customs decision as an officer.
func decide(t *testing.T, srv *httptest.Server, token, checkpoint, move string) {
	t.Helper()
	code, b := call(t, srv, "POST", "/v1/customs/decisions", token,
		`{"checkpoint": "`+checkpoint+`", "move": "`+move+`", "decision": "release", "reason": "pre-cleared by `+checkpoint+`"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)
}

// exportOf asks for an export and verifies it.
func exportOf(t *testing.T, srv *httptest.Server, token, query string) *audit.Export {
	t.Helper()
	code, b := call(t, srv, "GET", "/v1/audit/export"+query, token, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	x, err := audit.VerifyExport(b, auditKey.Public().(ed25519.PublicKey))
	require.NoError(t, err, "%s", b)
	return x
}

func TestAuditExport(t *testing.T) {
	srv := auditServer(t, auditKey)
	m := createMove(t, srv, "k1", moveBody)
	decide(t, srv, tokKZ, "kz-bakhty-out", m.ID)
	decide(t, srv, tokCN, "cn-pokitu-in", m.ID)

	// KZ's officer, by default for KZ: the move's entries and KZ's
	// decision in full, CN's decision a stub.
	var kz *audit.Export
	require.Eventually(t, func() bool {
		kz = exportOf(t, srv, tokKZ, "")
		return kz.Header.HeadSeq >= 4
	}, 5*time.Second, 20*time.Millisecond, "the decisions reach the audit log")
	assert.Equal(t, "KZ", kz.Header.Country)
	assert.Equal(t, audit.KeyID(auditKey.Public().(ed25519.PublicKey)), kz.Header.KeyID)
	assert.NotEmpty(t, kz.Withheld, "CN's decision is withheld from KZ")
	sawOwn := false
	for _, e := range kz.Shown {
		assert.False(t, strings.HasPrefix(e.Checkpoint, "cn-"), "KZ sees an entry at CN's checkpoint: %+v", e)
		assert.NotContains(t, e.Actor, "(CN)", "KZ sees a CN officer's entry: %+v", e)
		sawOwn = sawOwn || e.Checkpoint == "kz-bakhty-out" && strings.HasPrefix(e.Event, "customs_")
	}
	assert.True(t, sawOwn, "KZ sees its own decision: %+v", kz.Shown)
	assert.Equal(t, m.ID, kz.Shown[0].Move)

	// The admin, for CN: the mirror image.
	cn := exportOf(t, srv, tokAdmin, "?country=cn")
	assert.Equal(t, "CN", cn.Header.Country)
	for _, e := range cn.Shown {
		assert.False(t, strings.HasPrefix(e.Checkpoint, "kz-"), "CN sees an entry at KZ's checkpoint: %+v", e)
	}
	assert.Equal(t, len(kz.Shown)+len(kz.Withheld), len(cn.Shown)+len(cn.Withheld), "one chain, two views")

	for _, tc := range []struct {
		token, query string
		code         int
		want         string
	}{
		{tokKZ, "?country=CN", http.StatusForbidden, "may not export"},
		{tokCN, "?country=KZ", http.StatusForbidden, "may not export"},
		{tokViewer, "?country=KZ", http.StatusForbidden, "role viewer"},
		{tokOperator, "", http.StatusForbidden, "role operator"},
		{tokAdmin, "", http.StatusBadRequest, "country is required"},
		{tokAdmin, "?country=MN", http.StatusBadRequest, "no checkpoint"},
		{tokKZ, "?country=MN", http.StatusBadRequest, "no checkpoint"},
		{"", "?country=KZ", http.StatusUnauthorized, "bearer token"},
	} {
		code, b := call(t, srv, "GET", "/v1/audit/export"+tc.query, tc.token, "")
		assert.Equal(t, tc.code, code, "%s %s: %s", tc.token, tc.query, b)
		assert.Contains(t, string(b), tc.want, "%s %s", tc.token, tc.query)
	}

	// The public key, for any role.
	code, b := call(t, srv, "GET", "/v1/audit/key", tokViewer, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	k := decode[AuditKey](t, b)
	assert.Equal(t, kz.Header.KeyID, k.KeyID)
	for _, text := range []string{k.PublicKey, k.PEM} {
		pub, err := audit.ParsePublicKey([]byte(text))
		require.NoError(t, err)
		assert.True(t, pub.Equal(auditKey.Public()))
	}
}

func TestAuditExportWithoutKey(t *testing.T) {
	srv := auditServer(t, nil)
	for _, path := range []string{"/v1/audit/export?country=KZ", "/v1/audit/key"} {
		code, b := call(t, srv, "GET", path, tokAdmin, "")
		assert.Equal(t, http.StatusServiceUnavailable, code, "%s: %s", path, b)
		assert.Contains(t, string(b), "audit_key", path)
	}
	// Who may not ask learns that first.
	code, _ := call(t, srv, "GET", "/v1/audit/export?country=CN", tokKZ, "")
	assert.Equal(t, http.StatusForbidden, code)
}

func TestAuditExportWithoutStore(t *testing.T) {
	f, site, g := newFakeFleet(t)
	s, err := New(Config{Fleet: f, Site: site, Graph: g, Tokens: testTokens, AuditKey: auditKey})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	code, b := call(t, srv, "GET", "/v1/audit/export", tokKZ, "")
	assert.Equal(t, http.StatusServiceUnavailable, code, "%s", b)
	assert.Contains(t, string(b), "no audit log")
	_, err = New(Config{Fleet: f, Site: site, Graph: g, AuditKey: auditKey[:10]})
	assert.ErrorContains(t, err, "AuditKey")
}
