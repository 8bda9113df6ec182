package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
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

// --report writes the folder and changes no figure of the run: the same
// seed gives the same JSON (but for the wall time) with and without it.
func TestSimReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "day")
	args := []string{"sim", "--shuttles", "5", "--hours", "2", "--seed", "4", "--json"}
	code, plain, errOut := runCmd(args...)
	require.Equal(t, 0, code, errOut)
	code, withReport, errOut := runCmd(append(args, "--report", dir)...)
	require.Equal(t, 0, code, errOut)
	strip := func(s string) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		delete(m, "wall_seconds")
		return m
	}
	assert.Equal(t, strip(plain), strip(withReport))
	for _, f := range []string{"summary.json", "events.csv", "timeseries.csv", "index.html", "delivered.png", "soc.svg"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	assert.Empty(t, errOut, "no progress bar when stderr is not a terminal")

	// and two runs compare, from a folder and from a JSON file
	js := filepath.Join(t.TempDir(), "plain.json")
	require.NoError(t, os.WriteFile(js, []byte(plain), 0o644))
	cmp := filepath.Join(t.TempDir(), "cmp")
	code, out, errOut := runCmd("sim", "compare", "--report", cmp, dir, js)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "plain / day")
	assert.Regexp(t, `bound ratio\s+[0-9.]+\s+[0-9.]+\s+1\.000`, out, "the same run: ratio 1")
	assert.FileExists(t, filepath.Join(cmp, "index.html"))
	assert.FileExists(t, filepath.Join(cmp, "cmp_delivered.png"), "the folder's time series is plotted")
}

// Compare names what it cannot read.
func TestSimCompareErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "notes.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("hello"), 0o644))
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte("{}"), 0o644))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sim", "compare", notJSON}, 2, "1 given: want two runs or more"},
		{[]string{"sim", "compare", notJSON, filepath.Join(dir, "missing.json")}, 1, "notes.json: not a run's summary"},
		{[]string{"sim", "compare", empty, empty}, 1, "empty.json: not a run's summary"},
		{[]string{"sim", "compare", dir, empty}, 1, filepath.Join(dir, "summary.json")},
	} {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}

// A sweep runs once for each value and plots the figures against it; a
// sweep of an unknown parameter or of no values is an error naming the
// file.
func TestSimSweep(t *testing.T) {
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep.json")
	require.NoError(t, os.WriteFile(sweep, []byte(`{"hours": 1, "no_breakdowns": true, "sweep": {"parameter": "shuttles", "values": [2, 6]}}`), 0o644))
	out := filepath.Join(dir, "out")
	code, text, errOut := runCmd("sim", "--scenario", sweep, "--report", out)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^2\s+[0-9.]+`, text)
	assert.Regexp(t, `(?m)^6\s+[0-9.]+`, text)
	for _, f := range []string{"sweep.json", "sweep.csv", "sweep.svg", "sweep.png", "index.html"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	csvText, err := os.ReadFile(filepath.Join(out, "sweep.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(csvText)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and a row a value")
	assert.Equal(t, "moves_asked_per_hour", rows[0][8])
	asked, err := strconv.ParseFloat(rows[1][8], 64)
	require.NoError(t, err)
	assert.Greater(t, asked, 50.0, "the default demand, 100 moves an hour, drawn at random")
	code, js, errOut := runCmd("sim", "--scenario", sweep, "--json")
	require.Equal(t, 0, code, errOut)
	var pts []struct {
		Value  float64        `json:"value"`
		Report map[string]any `json:"report"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &pts))
	require.Len(t, pts, 2)
	assert.Equal(t, 6.0, pts[1].Report["shuttles"])

	for body, want := range map[string]string{
		`{"sweep": {"parameter": "fleet_size", "values": [5]}}`: `sweep parameter "fleet_size": want one of shuttles`,
		`{"sweep": {"parameter": "shuttles", "values": []}}`:    "sweep of shuttles: no values",
	} {
		bad := filepath.Join(dir, "bad.json")
		require.NoError(t, os.WriteFile(bad, []byte(body), 0o644))
		code, _, errOut := runCmd("sim", "--scenario", bad)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "bad.json")
		assert.Contains(t, errOut, want)
	}
}

// A scenario's site file is found beside the scenario; a scenario with a
// floor says whether the run met it.
func TestSimScenarioSiteBeside(t *testing.T) {
	code, out, errOut := runCmd("sim", "--scenario", filepath.Join("..", "..", "scenarios", "generated-site.json"), "--hours", "0.5", "--shuttles", "3")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "3 shuttles, 0.5 h")
	assert.Contains(t, out, "floor:       bound ratio")
}

// The end-to-end flags come with --e2e, and a scenario an end-to-end
// run cannot do is refused, naming what, before anything starts.
func TestSimEndToEndUsage(t *testing.T) {
	code, _, errOut := runCmd("sim", "--store", "bolt")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "add --e2e")
	code, _, errOut = runCmd("sim", "--e2e", "--vda5050")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--e2e and --vda5050")
	code, _, errOut = runCmd("sim", "--e2e", "--time-scale", "0.2")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--time-scale 0.2")
	code, _, errOut = runCmd("sim", "--e2e", "--shuttle-sim", "/nonexistent/shuttle-sim")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--shuttle-sim")
	self, err := os.Executable()
	require.NoError(t, err)
	code, _, errOut = runCmd("sim", "--e2e", "--shuttle-sim", self, "--scenario", "../../scenarios/lane-closure-noon.json")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "lane closures")
	code, _, errOut = runCmd("sim", "--e2e", "--shuttle-sim", self, "--scenario", "../../scenarios/sweep-fleet-size.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "not a sweep")
}

// fleetd demo --scenario: the scenario sets the demand and the officers;
// flags that would set them otherwise are refused, a bad file named.
func TestDemoScenarioUsage(t *testing.T) {
	code, _, errOut := runCmd("demo", "--scenario", "../../scenarios/default-day.json", "--overload")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--scenario sets the demand")
	code, _, errOut = runCmd("demo", "--scenario", "../../scenarios/nope.json", "--listen", "")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "nope.json")
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"refused_share": 2}`), 0o600))
	code, _, errOut = runCmd("demo", "--scenario", bad, "--listen", "")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "bad.json")
}
