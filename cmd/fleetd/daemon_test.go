package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoRunsShuttlesOverTheEmbeddedBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for 12 s")
	}
	code, out, errOut := runCmd("demo", "--duration", "12s", "--shuttles", "3", "--status-every", "2s",
		"--embedded-broker", "127.0.0.1:0", "--moves-per-hour", "60")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "embedded MQTT broker on tcp://127.0.0.1:")
	assert.Contains(t, out, "3 simulated shuttles")
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "moves: ") {
			lines++
		}
	}
	assert.GreaterOrEqual(t, lines, 4, "a status line every 2 s:\n%s", out)
	assert.Regexp(t, `shuttles: .*(to_pickup|loading|laden_transit)`, out, "the shuttles took moves")
	assert.Contains(t, out, "60.0 moves an hour both ways (--moves-per-hour; the fleet's capacity is ")
	assert.Regexp(t, `(?m)moves: .*\| asked 60\.0/h of a capacity of \d+\.\d/h \(3 shuttles\)$`, out, "the status line says the capacity")
	assert.NotContains(t, errOut, "level=ERROR")
}

func TestRunAndDemoUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"brokr": {"url": "tcp://x:1"}}`), 0o644))
	badRoster := filepath.Join(dir, "roster.json")
	require.NoError(t, os.WriteFile(badRoster, []byte(`{"roster": [{"manufacturer": "a/b", "serialNumber": "x"}]}`), 0o644))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"run", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"run", "--config", bad}, 1, `unknown field "brokr"`},
		{[]string{"run", "--config", badRoster}, 1, "roster entry 0"},
		{[]string{"run", "--config", filepath.Join(dir, "missing.json")}, 1, "no such file"},
		{[]string{"run", "--broker", "http://x:1"}, 1, `unknown scheme "http"`},
		{[]string{"run", "--site", filepath.Join(dir, "missing.geojson")}, 1, "no such file"},
		{[]string{"demo", "--shuttles", "-1"}, 2, "must not be negative"},
		{[]string{"demo", "--time-scale", "-3"}, 1, "--time-scale"},
		{[]string{"demo", "--overload", "--moves-per-hour", "5"}, 2, "give one or the other"},
	} {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
}

// A mistake anywhere in the configuration is reported before anything
// starts: no store file is created, no broker started, nothing printed.
func TestConfigErrorsBeforeAnySideEffect(t *testing.T) {
	dir := t.TempDir()
	write := func(name, json string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(json), 0o600))
		return p
	}
	for _, tc := range []struct {
		name, json, want string
		site             bool // checked against the site, once it is loaded
	}{
		{"dispatch", `{"dispatch": "lookahed"}`, `unknown dispatch policy "lookahed"`, false},
		{"charging", `{"charging": "sometimes"}`, `charging: charging: unknown policy "sometimes"`, false},
		{"snapshots", `{"snapshots": {"keep": 1}}`, "snapshots: keep 1", false},
		{"retention", `{"move_retention_h": -1}`, "move_retention_h -1", false},
		{"tuning", `{"tuning": {"replan_s": -1}}`, "tuning: replan_s", false},
		{"webhooks", `{"webhooks": {"subscribers": [{"country": "KZ", "url": "http://x", "secret": "s", "secret_file": "f"}]}}`, "keep one", false},
		{"webhook country", `{"webhooks": {"subscribers": [{"country": "MN", "url": "http://x", "secret": "s"}]}}`, "no checkpoint of MN", true},
		{"accounts", `{"broker": {"accounts": "` + filepath.Join(dir, "none.json") + `"}}`, "broker: accounts:", false},
		{"tls", `{"broker": {"ca_file": "` + filepath.Join(dir, "none.pem") + `"}}`, "broker:", false},
	} {
		for _, cmd := range []string{"run", "demo"} {
			db := filepath.Join(dir, tc.name+"-"+cmd+".db")
			cfg := write(tc.name+".json", tc.json)
			code, out, errOut := runCmd(cmd, "--config", cfg, "--store", "bolt:"+db, "--embedded-broker", "127.0.0.1:0", "--listen", "")
			assert.Equal(t, 1, code, "%s %s: %s", cmd, tc.name, errOut)
			if !tc.site {
				assert.Contains(t, errOut, "configuration ("+cfg+" and the flags): ", "%s %s", cmd, tc.name)
			}
			assert.Contains(t, errOut, tc.want, "%s %s", cmd, tc.name)
			assert.Empty(t, out, "%s %s: nothing started", cmd, tc.name)
			assert.NoFileExists(t, db, "%s %s: the store was not opened", cmd, tc.name)
		}
	}
	code, _, errOut := runCmd("run", "--store", "mysql://x/y", "--listen", "")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "fleetd run: configuration: store: storeurl: unknown store")
}

// The demo's demand: by default 3/4 of what its fleet can carry (sim's
// bound), twice that with --overload, or what --moves-per-hour says.
func TestDemoDemand(t *testing.T) {
	def, err := demoDemand("", 8, 0.7, 0, false, false, false)
	require.NoError(t, err)
	assert.InDelta(t, 19.5, def.capacity, 2, "8 shuttles on the default site")
	assert.InDelta(t, 0.75*def.capacity, def.rate, 1e-9)
	assert.Contains(t, def.String(), "moves an hour both ways (3/4 the fleet's capacity of ")
	assert.Contains(t, def.note(), "of a capacity of ")

	over, err := demoDemand("", 8, 0.7, 0, false, true, false)
	require.NoError(t, err)
	assert.InDelta(t, 2*def.capacity, over.rate, 1e-9)
	assert.Contains(t, over.String(), "--overload: twice the fleet's capacity")

	given, err := demoDemand("", 8, 0.7, 12, true, false, false)
	require.NoError(t, err)
	assert.Equal(t, 12.0, given.rate)
	none, err := demoDemand("", 8, 0.7, 0, true, false, false)
	require.NoError(t, err)
	assert.Zero(t, none.rate)
	assert.Contains(t, none.String(), "no demo moves")

	elsewhere, err := demoDemand("", 0, 0.7, 0, false, false, false)
	require.NoError(t, err)
	assert.Equal(t, def.rate, elsewhere.rate, "--shuttles 0: the default fleet's")

	fewer, err := demoDemand("", 3, 0.7, 0, false, false, false)
	require.NoError(t, err)
	assert.Less(t, fewer.rate, def.rate)

	_, err = demoDemand(filepath.Join(t.TempDir(), "none.geojson"), 8, 0.7, 0, false, false, false)
	assert.ErrorContains(t, err, "no such file")
}
