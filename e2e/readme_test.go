package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/internal/mdshell"
	"github.com/borderfleet/borderfleet/internal/proc"
)

// The README's tokens (HTTP API) and the admin one its examples call $ADMIN.
const readmeTokens = `[{"token": "a-long-random-secret-1", "name": "otto", "role": "operator"},
 {"token": "a-long-random-secret-2", "name": "officer-aigerim", "role": "customs:KZ"},
 {"token": "a-long-random-secret-3", "name": "admin", "role": "admin"}]`

// Every ```sh runnable block of the README runs as written, each as one
// sh -e script, against a real fleetd process (run on the embedded
// broker with the README's tokens), with only this changed: `go run
// ./cmd/NAME` is the NAME built for the tests, http://127.0.0.1:8080 is
// that fleetd's address, and the environment has the tokens the examples
// name (TOKEN and FLEETCTL_TOKEN the operator's, KZ_CUSTOMS_SYSTEM_TOKEN
// the KZ officer's, ADMIN an admin's) and FLEETCTL_SERVER. It runs in a
// fresh directory that links the repository's top-level files and
// folders, so that what an example writes stays out of the checkout.
func TestREADMERunnableExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	var blocks []mdshell.Block
	for _, b := range mdshell.Blocks(string(readme)) {
		if b.Runnable() {
			blocks = append(blocks, b)
		}
	}
	require.GreaterOrEqual(t, len(blocks), 3, "the README's runnable blocks")

	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens.json")
	require.NoError(t, os.WriteFile(tokens, []byte(readmeTokens), 0o600))
	httpPort, err := proc.FreePort()
	require.NoError(t, err)
	mqttPort, err := proc.FreePort()
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	p, err := proc.Start(proc.Spec{Name: "fleetd", Bin: fleetdBin, Args: []string{"run", "--listen", addr, "--tokens", tokens,
		"--embedded-broker", fmt.Sprintf("127.0.0.1:%d", mqttPort), "--status-every", "-1s"},
		Log: filepath.Join(dir, "fleetd.log")})
	require.NoError(t, err)
	t.Cleanup(func() { p.Stop(5 * time.Second) })
	require.NoError(t, proc.WaitPort(addr, 20*time.Second, p))
	url := "http://" + addr
	require.Eventually(t, func() bool {
		r, err := http.Get(url + "/v1/ready")
		if err != nil {
			return false
		}
		_ = r.Body.Close()
		return r.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "fleetd ready")

	// the work directory: the repository's top level, linked
	work := filepath.Join(dir, "work")
	require.NoError(t, os.Mkdir(work, 0o755))
	top, err := os.ReadDir("..")
	require.NoError(t, err)
	for _, e := range top {
		abs, err := filepath.Abs(filepath.Join("..", e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.Symlink(abs, filepath.Join(work, e.Name())))
	}
	bins := map[string]string{"fleetd": fleetdBin, "fleetctl": fleetctlBin, "shuttle-sim": shuttleSim}
	goRun := regexp.MustCompile(`go run \./cmd/(fleetd|fleetctl|shuttle-sim)\b`)
	binDir := filepath.Join(dir, "bin")
	require.NoError(t, os.Mkdir(binDir, 0o755))
	for name, bin := range bins {
		require.NoError(t, os.Symlink(bin, filepath.Join(binDir, name)))
	}
	env := append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TOKEN=a-long-random-secret-1", "FLEETCTL_TOKEN=a-long-random-secret-1", "KZ_CUSTOMS_SYSTEM_TOKEN=a-long-random-secret-2",
		"ADMIN=a-long-random-secret-3", "FLEETCTL_SERVER="+url)
	for _, b := range blocks {
		script := goRun.ReplaceAllString(b.Text, "$1")
		script = strings.ReplaceAll(script, "http://127.0.0.1:8080", url)
		ctx, cancel := context60(t)
		c := exec.CommandContext(ctx, "sh", "-e", "-c", script)
		c.Dir, c.Env = work, env
		out, err := c.CombinedOutput()
		cancel()
		assert.NoError(t, err, "README.md:%d:\n%s\n%s", b.Line, b.Text, out)
		t.Logf("README.md:%d ran: %d bytes of output", b.Line, len(out))
	}
}

// context60 bounds one README block: a minute.
func context60(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), time.Minute)
}
