package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// TestAgainstTheDaemon serves the API over a real daemon core (no MQTT,
// no journal): a vehicle reports, a move asked for over HTTP is assigned
// to it, and the same key again gives the same move.
func TestAgainstTheDaemon(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	require.NoError(t, err)
	bus := &daemontest.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, bus) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	s, err := New(Config{Fleet: d, Site: site, Graph: g, Tokens: testTokens})
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	require.Eventually(t, func() bool { return bus.Handler() != nil }, 5*time.Second, 10*time.Millisecond)
	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	require.Eventually(t, func() bool {
		code, b := call(t, srv, "GET", "/v1/shuttles/s1", tokViewer, "")
		return code == 200 && decode[Shuttle](t, b).State == "idle"
	}, 5*time.Second, 10*time.Millisecond)

	code, _ := call(t, srv, "GET", "/v1/ready", "", "")
	assert.Equal(t, http.StatusOK, code)
	m := createMove(t, srv, "k1", moveBody)
	code, b := call(t, srv, "POST", "/v1/moves", tokOperator, moveBody, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusOK, code, "%s", b)
	assert.Equal(t, m.ID, decode[Move](t, b).ID)
	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokViewer, "")
	require.Equal(t, http.StatusOK, code)
	got := decode[Move](t, b)
	assert.Equal(t, "to_pickup", got.State)
	assert.Equal(t, "s1", got.Shuttle)
	code, b = call(t, srv, "POST", "/v1/shuttles/s1/pause", tokOperator, "")
	require.Equal(t, http.StatusOK, code, "%s", b)
	assert.Equal(t, "paused", decode[Shuttle](t, b).State)
	code, b = call(t, srv, "POST", "/v1/customs/decisions", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "`+m.ID+`", "decision": "release"}`)
	require.Equal(t, http.StatusOK, code, "%s", b)
}
