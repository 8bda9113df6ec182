package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small load run (fleetd bench): 200 vehicles, each its own MQTT
// connection, driving moves at 1 Hz for 20 s against a fleetd with the
// bolt store, over a private Mosquitto (the embedded broker without one).
// fleetd drops no message, refuses none and journals every input; the
// vehicles get orders and drive. Speed (the ingest ratio, latency, CPU) is
// measured by the command, not judged here (BENCHMARKS.md).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a 30 s load run; not with -short")
	}
	broker := "mosquitto"
	if _, err := exec.LookPath("mosquitto"); err != nil {
		t.Log("no mosquitto on PATH: the embedded broker")
		broker = "embedded"
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(fleetdBin, "bench", "--vehicles", "200", "--duration", "20s", "--warmup", "3s", "--store", "bolt", "--broker", broker, "-q")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "fleetd bench: %s", stderr.String())
	t.Logf("%s", stdout.Bytes())
	var res struct {
		Vehicles    int     `json:"vehicles"`
		StatesPerS  float64 `json:"states_per_s"`
		RawPerS     float64 `json:"raw_per_s"`
		IngestRatio float64 `json:"ingest_ratio"`
		Dropped     int64   `json:"dropped"`
		Rejected    int64   `json:"rejected"`
		JournalErrs int64   `json:"journal_errors"`
		PublishErrs int64   `json:"publish_errors"`
		Orders      int64   `json:"orders"`
		Driven      int     `json:"vehicles_driven"`
		MoveErrors  int     `json:"move_errors"`
		CPU         float64 `json:"fleetd_cpu_pct"`
		RSS         float64 `json:"fleetd_rss_mb"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
	assert.Equal(t, 200, res.Vehicles)
	assert.Zero(t, res.Dropped, "messages fleetd dropped")
	assert.Zero(t, res.Rejected, "messages fleetd refused")
	assert.Zero(t, res.JournalErrs, "inputs not journaled")
	assert.Zero(t, res.PublishErrs, "messages fleetd could not publish")
	assert.Zero(t, res.MoveErrors, "moves refused")
	// 1 Hz each, and a state on every event (a node passed, an action's
	// status) besides
	assert.GreaterOrEqual(t, res.StatesPerS, 190.0, "states a second from 200 vehicles at 1 Hz")
	assert.Less(t, res.StatesPerS, 400.0, "states a second from 200 vehicles at 1 Hz")
	assert.InDelta(t, res.StatesPerS, res.RawPerS, 0.05*res.StatesPerS, "the broker delivered what the vehicles sent")
	assert.Positive(t, res.IngestRatio) // how close to 1 is a speed figure: the command's, not the test's
	assert.Positive(t, res.Orders, "orders received by the vehicles")
	assert.Greater(t, res.Driven, 100, "vehicles given an order")
	assert.Positive(t, res.CPU)
	assert.Positive(t, res.RSS)
}
