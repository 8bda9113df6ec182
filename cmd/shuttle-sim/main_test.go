package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/vda5050"
)

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"--no-such-flag"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"--shuttles", "0"}, 1},
		{[]string{"--soc", "1.5"}, 1},
		{[]string{"--broker", "http://x"}, 1},
		{[]string{"--site", "/nonexistent.geojson"}, 1},
		{[]string{"--start", "no-such-node"}, 1},
		{[]string{"--help"}, 0},
	}
	for _, c := range cases {
		var b strings.Builder
		if got := run(t.Context(), c.args, &b); got != c.want {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, got, c.want, b.String())
		}
	}
}

// Two shuttles come ONLINE, each on its own client, and go OFFLINE on a
// signal (here: the context).
func TestRunAgainstBroker(t *testing.T) {
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		t.Skip("BORDERFLEET_TEST_MQTT_URL is not set: scripts/test.sh starts a private Mosquitto and sets it")
	}
	prefix := fmt.Sprintf("cmd%d-", time.Now().UnixNano()%1e9)
	var mu sync.Mutex
	seen := map[string][]string{}
	ob, err := mqttbus.Connect(t.Context(), mqttbus.Config{URL: url, ClientID: prefix + "observer"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Disconnect()
	err = ob.Subscribe(vda5050.Subscription("", vda5050.TopicConnection), 1, func(topic string, p []byte) {
		_, _, serial, _, _ := vda5050.ParseTopic(topic)
		if c, err := vda5050.DecodeConnection(p); err == nil && strings.HasPrefix(serial, prefix) {
			mu.Lock()
			seen[serial] = append(seen[serial], c.ConnectionState)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor := func(state string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			n := 0
			for _, s := range seen {
				if s[len(s)-1] == state {
					n++
				}
			}
			mu.Unlock()
			if n == 2 {
				return
			}
		}
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("want both shuttles %s, saw %v", state, seen)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--broker", url, "--shuttles", "2", "--serial-prefix", prefix, "--time-scale", "60", "--log-json"}, io.Discard)
	}()
	waitFor(vda5050.ConnectionOnline)
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	waitFor(vda5050.ConnectionOffline)
}

type fakeBreaker struct {
	serial string
	mu     *sync.Mutex
	broke  map[string]int
}

func (f fakeBreaker) Breakdown(time.Duration) {
	f.mu.Lock()
	f.broke[f.serial]++
	f.mu.Unlock()
}

func (f fakeBreaker) Serial() string { return f.serial }

// Each signal breaks every vehicle of the process down once; none after
// the context ends.
func TestBreakdownsOnSignal(t *testing.T) {
	var mu sync.Mutex
	broke := map[string]int{}
	vs := []breaker{fakeBreaker{"a", &mu, broke}, fakeBreaker{"b", &mu, broke}}
	sig := make(chan os.Signal)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		breakdowns(ctx, sig, vs, slog.New(slog.DiscardHandler))
	}()
	sig <- syscall.SIGUSR1
	sig <- syscall.SIGUSR1
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if broke["a"] != 2 || broke["b"] != 2 {
		t.Fatalf("breakdowns %v, want 2 each", broke)
	}
}
