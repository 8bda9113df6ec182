package daemontest

import (
	"sync"

	"github.com/borderfleet/borderfleet/daemon"
)

// Bus is a daemon.Bus without MQTT: it keeps what the daemon subscribes
// to and publishes, and the tests hand the daemon messages through the
// handler it subscribed with (Handler). The zero Bus is ready to use.
type Bus struct {
	mu   sync.Mutex
	subs map[string]byte // filter -> QoS
	h    daemon.Handler
	pub  []Message
}

// Message is one published message.
type Message struct {
	Topic   string
	Payload []byte
}

// Subscribe keeps the filter and the handler (the last one subscribed).
func (b *Bus) Subscribe(filter string, qos byte, h daemon.Handler) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[string]byte{}
	}
	b.subs[filter] = qos
	b.h = h
	return nil
}

// Publish keeps the message.
func (b *Bus) Publish(topic string, _ byte, _ bool, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pub = append(b.pub, Message{Topic: topic, Payload: payload})
	return nil
}

// Handler is the handler the daemon subscribed with, nil before it
// subscribed: calling it is a message arriving.
func (b *Bus) Handler() daemon.Handler {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.h
}

// Subscriptions are the filters subscribed to, with their QoS.
func (b *Bus) Subscriptions() map[string]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]byte, len(b.subs))
	for f, q := range b.subs {
		out[f] = q
	}
	return out
}

// Published are the payloads published on a topic, in order.
func (b *Bus) Published(topic string) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out [][]byte
	for _, m := range b.pub {
		if m.Topic == topic {
			out = append(out, m.Payload)
		}
	}
	return out
}

// Last is the last payload published on a topic (nil if none).
func (b *Bus) Last(topic string) []byte {
	p := b.Published(topic)
	if len(p) == 0 {
		return nil
	}
	return p[len(p)-1]
}
