package load

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

func TestValidate(t *testing.T) {
	ok := Config{Fleetd: "/bin/fleetd"}
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{ok, ""},
		{Config{}, "no fleetd"},
		{Config{Fleetd: "f", Vehicles: MaxVehicles + 1}, "vehicles"},
		{Config{Fleetd: "f", Vehicles: -1}, "vehicles"},
		{Config{Fleetd: "f", Idle: true, Moves: 3}, "choose one"},
		{Config{Fleetd: "f", Broker: "tcp://10.0.0.1:1883"}, "loopback"},
		{Config{Fleetd: "f", Store: "redis://db.example:6379/0"}, "store"},
		{Config{Fleetd: "f", Duration: time.Second, Profile: 2 * time.Second}, "profile"},
		{Config{Fleetd: "f", Broker: "tcp://127.0.0.1:1884", Store: "redis://127.0.0.1:16379/2"}, ""},
	} {
		err := tc.c.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.c, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one with %q", tc.c, err, tc.want)
		}
	}
}

func state(order string, update uint32, node string, x float64, driving bool) *vda5050.State {
	return &vda5050.State{OrderID: order, OrderUpdateID: update, LastNodeID: node, Driving: driving,
		AgvPosition: &vda5050.AgvPosition{X: x}}
}

// An order is timed from the last state with news before it; states that
// only move the vehicle on are no news; an order with no news since the
// last is unattributed; one after a repeat counts only among all.
func TestProbe(t *testing.T) {
	p := newProbe([]string{"a"})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	p.open(at(0))
	p.Sent("a", vda5050.TopicState, state("", 0, "p1", 0, false), at(0))
	p.Received("a", vda5050.TopicOrder, at(20)) // 20 ms after the first state
	p.Sent("a", vda5050.TopicState, state("o1", 0, "p1", 0, true), at(1000))
	p.Sent("a", vda5050.TopicState, state("o1", 0, "p1", 5, true), at(2000)) // moved: no news
	p.Received("a", vda5050.TopicOrder, at(2500))                            // 1500 ms, after a repeat
	p.Received("a", vda5050.TopicOrder, at(2600))                            // nothing new since: unattributed
	p.Received("a", vda5050.TopicInstantActions, at(2700))
	p.Received("b", vda5050.TopicOrder, at(2800)) // not ours: ignored
	p.close(at(3000))
	p.Received("a", vda5050.TopicOrder, at(3500)) // after the window
	fresh, all := p.latency()
	if fresh.N != 1 || fresh.P50 != 20 || fresh.Max != 20 {
		t.Errorf("fresh latency %+v, want one of 20 ms", fresh)
	}
	if all.N != 2 || all.Max != 1500 || all.P50 != 20 {
		t.Errorf("all latency %+v, want 20 and 1500 ms", all)
	}
	if n := p.orders.Load(); n != 3 {
		t.Errorf("%d orders in the window, want 3", n)
	}
	if n := p.unattributed.Load(); n != 1 {
		t.Errorf("%d unattributed, want 1", n)
	}
	if n := p.instant.Load(); n != 1 {
		t.Errorf("%d instant actions, want 1", n)
	}
	if n := p.statesSent.Load(); n != 3 {
		t.Errorf("%d states sent in the window, want 3", n)
	}
	if n := p.driven(); n != 1 {
		t.Errorf("%d vehicles driven, want 1", n)
	}
}

func TestLatencyOf(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 200; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	got := latencyOf(s)
	if got.N != 200 || got.P50 != 100 || got.P99 != 198 || got.Max != 200 {
		t.Errorf("latencyOf(1..200 ms) = %+v, want p50 100, p99 198, max 200", got)
	}
	if z := latencyOf(nil); z != (Latency{}) {
		t.Errorf("latencyOf(nil) = %+v", z)
	}
}

func TestUsageOf(t *testing.T) {
	u, err := usageOf(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if u.rss <= 0 || u.peak < u.rss {
		t.Errorf("rss %d, peak %d", u.rss, u.peak)
	}
	if _, err := usageOf(-1); err == nil {
		t.Error("usage of pid -1: no error")
	}
}

// The site generated for each fleet size the bench takes is valid.
func TestGeneratedSites(t *testing.T) {
	if testing.Short() {
		t.Skip("generates sites of up to 10,000 parking spots")
	}
	for _, k := range []int{1, 200, 1000, 2001, MaxVehicles} {
		r := &run{cfg: Config{Vehicles: k, Seed: 1}.withDefaults(), dir: t.TempDir()}
		if err := r.makeSite(); err != nil {
			t.Errorf("%d vehicles: %v", k, err)
			continue
		}
		if r.res.Parking < k || r.res.Bays < min(k, 2*maxBays(k)) {
			t.Errorf("%d vehicles: %d parking spots, %d bays", k, r.res.Parking, r.res.Bays)
		}
	}
}

func TestFirstLines(t *testing.T) {
	if got := firstLines("a\nb\nc", 2); got != "a\nb\n  ... and 1 more lines" {
		t.Errorf("firstLines = %q", got)
	}
	if got := firstLines("a", 2); got != "a" {
		t.Errorf("firstLines = %q", got)
	}
}

// A directory that holds an earlier run's bolt store is refused: fleetd
// would replay that run into this one.
func TestDirWithAStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/fleetd.db", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &run{cfg: Config{Fleetd: "f", Dir: dir, Store: "bolt"}.withDefaults()}
	if err := r.makeDir(); err == nil || !strings.Contains(err.Error(), "earlier run") {
		t.Errorf("makeDir: %v, want an error about the earlier run's store", err)
	}
	r = &run{cfg: Config{Fleetd: "f", Dir: dir, Store: "redis"}.withDefaults()}
	if err := r.makeDir(); err != nil {
		t.Errorf("makeDir with another store: %v", err)
	}
}
