package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/vda5050"
)

// cutProxy is a TCP proxy to a broker whose links can be cut: every
// connection closed, and new ones refused for a while (the chaos
// command's link cut, e2e/chaos/proxy.go).
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	until  time.Time // refusing until
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.cut(0) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := time.Now().Before(p.until)
		p.mu.Unlock()
		if refuse {
			_ = c.Close()
			continue
		}
		b, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(b, c); _ = b.Close() }()
		go func() { _, _ = io.Copy(c, b); _ = c.Close() }()
	}
}

// cut closes every link and refuses new ones for d.
func (p *cutProxy) cut(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.until = time.Now().Add(d)
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// A shuttle whose link is cut and comes back (its MQTT client reconnects
// by itself) says so at once: ONLINE again after the will the broker
// published, and a state, rather than nothing until its next heartbeat
// (30 s), which would leave it out of dispatch (connection
// CONNECTIONBROKEN) at its master control.
func TestOnlineAndStateAgainWhenTheLinkComesBack(t *testing.T) {
	if raceDetector {
		// paho's memory store hands a stored publish to the reconnect
		// (which sets its DUP flag) while the old connection may still
		// write it: eclipse-paho/paho.mqtt.golang#703, open, harmless;
		// -race flags it about one run in five. scripts/test.sh runs this
		// test without -race.
		t.Skip("paho.mqtt.golang#703 races under -race on reconnect; run without -race (scripts/test.sh does)")
	}
	raw := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if raw == "" {
		t.Skip("BORDERFLEET_TEST_MQTT_URL is not set: scripts/test.sh starts a private Mosquitto and sets it")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	prefix := fmt.Sprintf("rc%d-", time.Now().UnixNano()%1e9)
	type msg struct {
		topic vda5050.Topic
		conn  string
		at    time.Time
	}
	var mu sync.Mutex
	var seen []msg
	ob, err := mqttbus.Connect(t.Context(), mqttbus.Config{URL: raw, ClientID: prefix + "observer"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Disconnect()
	for _, tp := range []vda5050.Topic{vda5050.TopicConnection, vda5050.TopicState} {
		err := ob.Subscribe(vda5050.Subscription("", tp), 1, func(topic string, p []byte) {
			_, _, serial, tp, _ := vda5050.ParseTopic(topic)
			if !strings.HasPrefix(serial, prefix) {
				return
			}
			m := msg{topic: tp, at: time.Now()}
			if c, err := vda5050.DecodeConnection(p); err == nil && tp == vda5050.TopicConnection {
				m.conn = c.ConnectionState
			}
			mu.Lock()
			seen = append(seen, m)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	since := func(at time.Time, match func(msg) bool) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range seen {
			if !m.at.Before(at) && match(m) {
				return true
			}
		}
		return false
	}
	wait := func(what string, within time.Duration, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				var saw []string
				for _, m := range seen {
					saw = append(saw, string(m.topic)+" "+m.conn)
				}
				t.Fatalf("%s: not within %v; saw %q", what, within, saw)
			}
		}
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--broker", "tcp://" + proxy.ln.Addr().String(), "--shuttles", "1", "--serial-prefix", prefix,
			"--time-scale", "60", "--log-json"}, io.Discard)
	}()
	defer func() {
		stop()
		<-done
	}()
	start := time.Now()
	wait("ONLINE", 20*time.Second, func() bool {
		return since(start, func(m msg) bool { return m.conn == vda5050.ConnectionOnline })
	})
	wait("a first state", 5*time.Second, func() bool {
		return since(start, func(m msg) bool { return m.topic == vda5050.TopicState })
	})

	cutAt := time.Now()
	proxy.cut(time.Second)
	wait("the will", 30*time.Second, func() bool {
		return since(cutAt, func(m msg) bool { return m.conn == vda5050.ConnectionBroken })
	})
	back := time.Now()
	// the client retries within MaxReconnectInterval (5 s); then at once
	wait("ONLINE again", 10*time.Second, func() bool {
		return since(back, func(m msg) bool { return m.conn == vda5050.ConnectionOnline })
	})
	var online time.Time
	mu.Lock()
	for _, m := range seen {
		if !m.at.Before(back) && m.conn == vda5050.ConnectionOnline {
			online = m.at
			break
		}
	}
	mu.Unlock()
	wait("a state with it", 2*time.Second, func() bool {
		return since(online, func(m msg) bool { return m.topic == vda5050.TopicState })
	})
}
