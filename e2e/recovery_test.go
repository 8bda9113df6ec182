package e2e

import (
	"bytes"
	"context"
	"fmt"
	"github.com/borderfleet/borderfleet/e2e/wire"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/storeurl"
)

// moves is how many moves the recovery runs ask for.
const recoveryMoves = 8

// fleetdProc is a fleetd demo process without shuttles of its own: the
// demo plays operators and officers, a shuttle-sim process drives.
type fleetdProc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *fleetdProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *fleetdProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startFleetdProc(t *testing.T, url, iface, storeURL, owner string) *fleetdProc {
	t.Helper()
	p := &fleetdProc{done: make(chan struct{})}
	p.cmd = exec.Command(fleetdBin, "demo", "--shuttles", "0", "--broker", url, "--store", storeURL,
		"--time-scale", fmt.Sprint(scale), "--max-moves", fmt.Sprint(recoveryMoves), "--moves-per-hour", "300",
		"--seed", "7", "--no-refusals", "--status-every", "-1s", "--interface", iface, "--owner", owner,
		"--listen", "") // no HTTP API: the crash runs of both stores run at once
	p.cmd.Stdout, p.cmd.Stderr = p, p
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *fleetdProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// custody reads the audit log: it must verify, and every container must
// be delivered exactly once.
func custody(t *testing.T, storeURL string) map[string]int {
	t.Helper()
	ctx := context.Background()
	st, err := storeurl.Open(ctx, storeURL)
	require.NoError(t, err)
	defer st.Close()
	raw, err := st.ReadAudit(ctx, 0, 0)
	require.NoError(t, err)
	var es []audit.Entry
	for _, r := range raw {
		e, err := audit.Decode(r.Data)
		require.NoError(t, err)
		es = append(es, e)
	}
	require.NoError(t, audit.Verify(es), "the audit chain is intact")
	delivered := map[string]int{}
	for _, e := range es {
		if e.Event == "delivered" {
			delivered[e.Container]++
		}
	}
	return delivered
}

// newWireCheck follows every vehicle's messages on the wire
// (e2e/wire): no pick or drop of a container may finish twice, and no two
// vehicles may stand at one node that holds one.
func newWireCheck(t *testing.T) *wire.Watch {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	return wire.New(g)
}

// checkWire asserts what the wire shows at the end of a run of moves:
// every pick and drop once, no conflict.
func checkWire(t *testing.T, w *wire.Watch, moves int) {
	t.Helper()
	tally := w.Tally()
	assert.Empty(t, tally.Conflicts, "two vehicles at one node")
	assert.Empty(t, tally.DoublePicks)
	assert.Empty(t, tally.DoubleDrops)
	assert.Len(t, tally.Picks, moves)
	assert.Len(t, tally.Drops, moves)
}

// recoveryRun is one crash run: fleetd killed with SIGKILL at random
// moments and started again, until every move is delivered.
func recoveryRun(t *testing.T, url, storeURL, name string, kills int) {
	iface := fmt.Sprintf("crash%s%d", name, time.Now().UnixNano()%100000)
	spy := connect(t, url, iface+"-spy")
	w := newWireCheck(t)
	require.NoError(t, spy.Subscribe(iface+"/#", 1, w.Add))
	shuttles(t, url, iface, "--shuttles", "4", "--serial-prefix", name+"-") // client ids differ between the parallel runs

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	p := startFleetdProc(t, url, iface, storeURL, "crash")
	for i := 0; i < kills; i++ {
		time.Sleep(time.Duration(1500+rng.Intn(3500)) * time.Millisecond)
		p.kill()
		t.Logf("kill %d", i+1)
		p = startFleetdProc(t, url, iface, storeURL, "crash")
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		time.Sleep(time.Second)
		if len(w.Tally().Drops) == recoveryMoves {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every move delivered in 5 minutes after the kills; fleetd said:\n%s", lastLines(p.output(), 40))
		}
	}
	p.kill()
	checkWire(t, w, recoveryMoves)
	delivered := custody(t, storeURL)
	assert.Len(t, delivered, recoveryMoves, "every move delivered, by the audit log")
	for c, n := range delivered {
		assert.Equal(t, 1, n, "%s delivered once", c)
	}
}

// TestCrashRecovery kills fleetd ten times at random moments during a run
// over a real broker, once with Redis and once with the embedded store:
// every move is delivered exactly once, no pick or drop happens twice, no
// two vehicles meet, and the audit chain holds.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash runs: minutes; not in -short")
	}
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		url = brokers(t)["embedded"]
	}
	stores := map[string]string{"bolt": "bolt:" + filepath.Join(t.TempDir(), "fleetd.db")}
	if addr := os.Getenv("BORDERFLEET_TEST_REDIS_ADDR"); addr != "" {
		stores["redis"] = fmt.Sprintf("redis://%s/0?prefix=crash%d:", addr, time.Now().UnixNano())
	} else {
		t.Log("BORDERFLEET_TEST_REDIS_ADDR unset: the embedded store only (scripts/test.sh starts a redis-server)")
	}
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // light: four shuttles and one fleetd per store
			recoveryRun(t, url, s, name, 10)
		})
	}
}

// TestFailover runs two fleetd against one Redis: the active one is
// killed, the standby takes over within 5 s, and the run completes with
// nothing lost or doubled.
func TestFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("failover run: not in -short")
	}
	addr := os.Getenv("BORDERFLEET_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("BORDERFLEET_TEST_REDIS_ADDR unset: failover needs a shared Redis (scripts/test.sh starts one)")
	}
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		url = brokers(t)["embedded"]
	}
	storeURL := fmt.Sprintf("redis://%s/0?prefix=failover%d:", addr, time.Now().UnixNano())
	iface := fmt.Sprintf("fo%d", time.Now().UnixNano()%100000)
	spy := connect(t, url, iface+"-spy")
	w := newWireCheck(t)
	require.NoError(t, spy.Subscribe(iface+"/#", 1, w.Add))
	shuttles(t, url, iface, "--shuttles", "4", "--serial-prefix", "f-")

	a := startFleetdProc(t, url, iface, storeURL, "a")
	require.Eventually(t, func() bool { return strings.Contains(a.output(), "active") }, 20*time.Second, 50*time.Millisecond, "a takes the lease:\n%s", a.output())
	b := startFleetdProc(t, url, iface, storeURL, "b")
	require.Eventually(t, func() bool { return strings.Contains(b.output(), "standing by") }, 20*time.Second, 50*time.Millisecond, "b stands by:\n%s", b.output())
	time.Sleep(12 * time.Second) // moves under way
	a.kill()
	killed := time.Now()
	require.Eventually(t, func() bool { return strings.Contains(b.output(), "active: journal replayed") }, 10*time.Second, 20*time.Millisecond)
	took := time.Since(killed)
	t.Logf("b took over %v after a was killed: %s", took.Round(time.Millisecond), grepLine(b.output(), "active: journal replayed"))
	assert.Less(t, took, 5*time.Second, "the standby takes over within 5 s")

	require.Eventually(t, func() bool {
		return len(w.Tally().Drops) == recoveryMoves
	}, 5*time.Minute, time.Second, "every move delivered after the failover:\n%s", lastLines(b.output(), 30))
	b.kill()
	checkWire(t, w, recoveryMoves)
	delivered := custody(t, storeURL)
	assert.Len(t, delivered, recoveryMoves)
}

// grepLine is the first line of out that holds s, or "".
func grepLine(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
