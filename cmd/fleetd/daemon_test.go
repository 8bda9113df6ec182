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
	} {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
}
