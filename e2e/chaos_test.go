package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chaosFigures is the part of e2e/chaos's JSON line the test reads.
type chaosFigures struct {
	Faults         map[string]int `json:"faults"`
	MovesAcked     int            `json:"moves_acked"`
	MovesDelivered int            `json:"moves_delivered"`
	Lost           int            `json:"lost"`
	DeliveredTwice int            `json:"delivered_twice"`
	DoublePicks    int            `json:"double_picks"`
	Conflicts      int            `json:"conflicts"`
	DuplicateDrops int            `json:"duplicate_drops"`
	IllegalTrans   int            `json:"illegal_transitions"`
	Checks         int            `json:"checks"`
	DiskMethod     string         `json:"disk_method"`
	FullRefused    int            `json:"full_refused"`
	FullError      string         `json:"full_error"`
	LinkStoppedAt  string         `json:"link_stopped_at"`
	LinkBaseEnd    string         `json:"link_base_end"`
	PickCutLaden   bool           `json:"pick_cut_laden"`
	Violations     []string       `json:"violations"`
	OK             bool           `json:"ok"`
}

// TestChaos is the CI tier of the chaos command (e2e/chaos; the README's
// Chaos section): with the bolt store, fleetd SIGKILLed ten times, the
// broker restarted, two shuttles' links cut (one driving, one picking;
// 20 s here, 60 s in the long run), a shuttle stalled on the road and the store's disk filled; with
// Redis, the Redis server restarted under two more kills. The command
// checks after each fault and at the end; the test reads its JSON line.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos runs: about 2 minutes; not in -short")
	}
	bin := filepath.Join(t.TempDir(), "chaos")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/borderfleet/borderfleet/e2e/chaos").CombinedOutput()
	require.NoError(t, err, "%s", out)
	runs := map[string][]string{
		"bolt":  {"--store", "bolt", "--kills", "10", "--link-cut", "20s", "--duration", "60s"},
		"redis": {"--store", "redis", "--kills", "2", "--faults", "redis", "--duration", "25s"},
	}
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each run has its own broker, Redis, fleetd and shuttles
			ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
			defer cancel()
			start := time.Now()
			cmd := exec.CommandContext(ctx, bin, append([]string{"--json", "--seed", "1", "--drain", "2m",
				"--fleetd", fleetdBin, "--shuttle-sim", shuttleSim}, args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			t.Logf("chaos %s: %v wall\n%s", name, time.Since(start).Round(time.Second), lastLines(stderr.String(), 60))
			var f chaosFigures
			line := strings.TrimSpace(stdout.String())
			require.NoError(t, json.Unmarshal([]byte(line), &f), "one JSON line on stdout: %q (exit: %v)", line, runErr)
			assert.True(t, f.OK, "violations: %v", f.Violations)
			assert.NoError(t, runErr, "exit status 0 when every check held")
			assert.Empty(t, f.Violations)
			assert.Zero(t, f.Lost, "acknowledged moves lost")
			assert.Zero(t, f.DeliveredTwice)
			assert.Zero(t, f.DoublePicks)
			assert.Zero(t, f.Conflicts)
			assert.Zero(t, f.DuplicateDrops)
			assert.Zero(t, f.IllegalTrans)
			assert.Positive(t, f.MovesAcked)
			assert.Equal(t, f.MovesAcked, f.MovesDelivered, "every acknowledged move delivered")
			switch name {
			case "bolt":
				assert.Equal(t, map[string]int{"kill": 10, "broker": 1, "link": 1, "pick": 1, "stall": 1, "disk": 1}, f.Faults)
				assert.Equal(t, 16, f.Checks, "a check after each fault and at the end")
				assert.Positive(t, f.FullRefused, "moves refused on the full disk")
				assert.Contains(t, f.FullError, "not journaled", "the refusal names the failed journal write")
				assert.NotEmpty(t, f.LinkStoppedAt)
				assert.True(t, f.PickCutLaden, "the shuttle cut while it picked came back with the container aboard")
			case "redis":
				assert.Equal(t, map[string]int{"kill": 2, "redis": 1}, f.Faults)
			}
		})
	}
}
