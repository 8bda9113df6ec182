package api

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	for _, cmd := range shellExamples(string(readme)) {
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

// shellExamples returns the commands of the text's ```sh blocks, each
// with its continuation lines (and the lines of a quoted string) joined
// and its comments left out.
func shellExamples(text string) []string {
	var out []string
	in := false
	cur, quote := "", rune(0)
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in, cur, quote = false, "", 0
			continue
		case !in:
			continue
		}
		line, quote = uncomment(line, quote)
		cur += line
		switch {
		case quote != 0:
			cur += "\n" // inside a quoted string
		case strings.HasSuffix(cur, "\\"):
			cur = strings.TrimSuffix(cur, "\\")
		default:
			if c := strings.TrimSpace(cur); c != "" {
				out = append(out, c)
			}
			cur = ""
		}
	}
	return out
}

// uncomment cuts a shell comment off a line that starts inside quote (0:
// outside any), and says which quote the line ends in.
func uncomment(line string, quote rune) (string, rune) {
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return strings.TrimRight(line[:i], " \t"), 0
		}
		prev = r
	}
	return line, quote
}
