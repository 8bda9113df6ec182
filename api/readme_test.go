package api

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/internal/mdshell"
)

// The README's curl examples that send a body run as written, with curl,
// against the API: none is refused (a missing Content-Type was).
func TestREADMECurlExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, _, srv := newTestServer(t)
	env := append(os.Environ(), "TOKEN="+tokOperator, "KZ_CUSTOMS_SYSTEM_TOKEN="+tokKZ)
	n := 0
	for _, cmd := range mdshell.Commands(string(readme)) {
		if !strings.HasPrefix(cmd, "curl ") || !strings.Contains(cmd, " -d ") {
			continue // the event stream runs until stopped
		}
		n++
		cmd = strings.ReplaceAll(cmd, "http://127.0.0.1:8080", srv.URL)
		c := exec.CommandContext(t.Context(), "sh", "-c", cmd+" --fail-with-body")
		c.Env = env
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		require.NoError(t, err, "%s\n%s%s", cmd, out, stderr.String())
		var v map[string]any
		require.NoError(t, json.Unmarshal(out, &v), "%s\n%s", cmd, out)
		assert.NotContains(t, v, "error", "%s", cmd)
	}
	assert.GreaterOrEqual(t, n, 2, "the README's curl examples with a body")
}
