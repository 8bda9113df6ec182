package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `fleetd sim --json` prints one object with every field the fleet-core
// issue names, every input of the bound among them.
func TestSimJSON(t *testing.T) {
	code, out, errOut := runCmd("sim", "--shuttles", "4", "--hours", "1", "--seed", "7", "--json")
	require.Equal(t, 0, code, errOut)
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	for _, k := range []string{"shuttles", "sim_hours", "policy", "moves_created", "moves_delivered",
		"loaded_trips_per_hour", "bound_loaded_trips_per_hour", "bound_ratio", "mean_lead_time_s",
		"conflicts", "battery_depletions", "deadlocks", "lost_moves", "duplicate_deliveries",
		"illegal_transitions", "wall_seconds", "bound"} {
		assert.Contains(t, r, k)
	}
	assert.Equal(t, 4.0, r["shuttles"])
	assert.Equal(t, "lookahead", r["policy"])
	b := r["bound"].(map[string]any)
	for _, k := range []string{"route_length_m", "mean_speed_mps", "per_end_s", "gate_s", "customs_wait_s",
		"t_g_s", "loaded_legs_per_cycle", "cycle_s", "cycles_per_charge", "charge_s", "charging_availability",
		"breakdown_availability", "delivered_share", "bays_per_centre", "fleet", "handling", "gates", "lane"} {
		assert.Contains(t, b, k)
	}
}

// A scenario file sets the run; flags override it; a misspelt setting is an
// error that names it.
func TestSimScenario(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"shuttles": 3, "hours": 0.5, "policy": "greedy", "pre_cleared_share": 1, "no_breakdowns": true}`), 0o644))
	code, out, errOut := runCmd("sim", "--scenario", good, "--shuttles", "2", "--json")
	require.Equal(t, 0, code, errOut)
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 2.0, r["shuttles"], "the flag wins")
	assert.Equal(t, "greedy", r["policy"], "from the file")
	assert.Equal(t, 0.5, r["sim_hours"])

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"shutles": 3}`), 0o644))
	code, _, errOut = runCmd("sim", "--scenario", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `unknown field "shutles"`)

	code, _, errOut = runCmd("sim", "--scenario", filepath.Join(dir, "missing.json"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "missing.json")
}

func TestSimUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sim", "--shuttles", "x"}, 2, "invalid value"},
		{[]string{"sim", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"sim", "--policy", "fastest"}, 1, `policy "fastest"`},
		{[]string{"sim", "--shuttles", "0"}, 2, "--shuttles 0: want at least 1"},
		{[]string{"sim", "--hours", "-1"}, 2, "--hours -1: want more than 0"},
	} {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
