package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unit is a systemd unit file: each section's settings in order, a key
// given twice kept twice (as systemd does for lists).
type unit map[string][][2]string

// get is the last value of a key in a section, and whether it is set.
func (u unit) get(section, key string) (string, bool) {
	v, ok := "", false
	for _, kv := range u[section] {
		if kv[0] == key {
			v, ok = kv[1], true
		}
	}
	return v, ok
}

// parseUnit reads the format of systemd.syntax(7): [Section] headers,
// Key=Value lines, comments with # or ;, lines continued with \.
func parseUnit(t *testing.T, file string) unit {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	u, section, cont := unit{}, "", ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cont != "" {
			line, cont = cont+" "+line, ""
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case strings.HasSuffix(line, "\\"):
			cont = strings.TrimSuffix(line, "\\")
			continue
		case line[0] == '[':
			require.True(t, strings.HasSuffix(line, "]"), "%s:%d: %q", file, n, line)
			section = line[1 : len(line)-1]
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s:%d: not Key=Value: %q", file, n, line)
		require.NotEmpty(t, section, "%s:%d: a setting before any section", file, n)
		u[section] = append(u[section], [2]string{strings.TrimSpace(key), strings.TrimSpace(value)})
	}
	require.NoError(t, sc.Err())
	return u
}

// The unit starts fleetd as an unprivileged user with systemd's
// hardening, and systemd itself finds nothing to say about it.
func TestSystemdUnit(t *testing.T) {
	const file = "systemd/fleetd.service"
	u := parseUnit(t, file)
	for _, s := range []string{"Unit", "Service", "Install"} {
		assert.Contains(t, u, s, "section [%s]", s)
	}
	exec0, _ := u.get("Service", "ExecStart")
	assert.Regexp(t, `^/usr/local/bin/fleetd run `, exec0)
	user, _ := u.get("Service", "User")
	assert.NotContains(t, []string{"", "root", "0"}, user, "User: not root")
	for key, want := range map[string]string{
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "MemoryDenyWriteExecute": "yes",
		"SystemCallArchitectures": "native", "StateDirectory": "borderfleet", "KillSignal": "SIGTERM",
		"Restart": "on-failure",
	} {
		v, ok := u.get("Service", key)
		if assert.True(t, ok, "%s is set", key) {
			assert.Equal(t, want, v, key)
		}
	}
	wanted, _ := u.get("Install", "WantedBy")
	assert.Equal(t, "multi-user.target", wanted)

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze: the unit was parsed, not verified")
	}
	// verify wants ExecStart's binary to exist: any executable will do
	self, err := os.Executable()
	require.NoError(t, err)
	body, err := os.ReadFile(file)
	require.NoError(t, err)
	copyOf := filepath.Join(t.TempDir(), "fleetd.service")
	require.NoError(t, os.WriteFile(copyOf, []byte(strings.ReplaceAll(string(body), "/usr/local/bin/fleetd", self)), 0o644))
	out, err := exec.CommandContext(t.Context(), analyze, "verify", copyOf).CombinedOutput()
	assert.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify has something to say")

	// systemd's own measure of the hardening: 0 (locked down) to 10
	out, err = exec.CommandContext(t.Context(), analyze, "security", "--offline=true", "--no-pager", copyOf).CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := regexp.MustCompile(`Overall exposure level for fleetd\.service: ([0-9.]+)`).FindSubmatch(out)
	require.NotNil(t, m, "%s", out)
	level, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	assert.LessOrEqual(t, level, 1.5, "systemd-analyze security: exposure %v (want 1.5 or less)", level)
	t.Logf("systemd-analyze security: exposure %v", level)
}
