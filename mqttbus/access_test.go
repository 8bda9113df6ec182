package mqttbus

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded broker with Access lets in only its users, each to its own
// topics; a topic no rule names is refused to all.
func TestBrokerAccess(t *testing.T) {
	b, err := StartBrokerWith("127.0.0.1:0", false, &Access{Users: map[string]UserAccess{
		"hub": {Password: "h", Read: []string{"i/+/state"}, Write: []string{"i/+/order"}},
		"a":   {Password: "pa", Read: []string{"i/a/order"}, Write: []string{"i/a/state"}},
		"b":   {Password: "pb", Read: []string{"i/b/order"}, Write: []string{"i/b/state"}},
	}}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	dial := func(id, user, pass string) (*Client, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c, err := Connect(ctx, Config{URL: b.URL(), ClientID: id, Username: user, Password: pass, MaxReconnectInterval: 200 * time.Millisecond}, nil, nil)
		if err == nil {
			t.Cleanup(c.Disconnect)
		}
		return c, err
	}
	_, err = dial("anon", "", "")
	assert.Error(t, err, "anonymous let in")
	_, err = dial("guess", "a", "wrong")
	assert.Error(t, err, "a wrong password let in")

	hub, err := dial("hub", "hub", "h")
	require.NoError(t, err)
	a, err := dial("a", "a", "pa")
	require.NoError(t, err)
	var mu sync.Mutex
	got := map[string][]string{}
	rec := func(who string) Handler {
		return func(topic string, payload []byte) {
			mu.Lock()
			got[who] = append(got[who], topic+" "+string(payload))
			mu.Unlock()
		}
	}
	require.NoError(t, hub.Subscribe("i/+/state", 1, rec("hub")))
	require.NoError(t, a.Subscribe("i/a/order", 1, rec("a")))
	_ = a.Subscribe("i/b/order", 1, rec("a-steals")) // refused, or nothing arrives
	_ = a.Subscribe("i/+/state", 1, rec("a-spies"))

	require.NoError(t, a.Publish("i/a/state", 1, false, []byte("own")))
	require.NoError(t, hub.Publish("i/a/order", 1, false, []byte("for a")))
	require.NoError(t, hub.Publish("i/b/order", 1, false, []byte("for b")))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got["hub"]) > 0 && len(got["a"]) > 0
	}, 5*time.Second, 10*time.Millisecond, "%v", got)
	// what a may not publish (the broker may also drop a's link for it)
	_ = a.Publish("i/b/state", 1, false, []byte("forged"))
	_ = a.Publish("elsewhere", 1, false, []byte("x"))
	time.Sleep(300 * time.Millisecond) // anything let through would have come by now
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"i/a/state own"}, got["hub"], "only a's own state reaches the hub")
	assert.Equal(t, []string{"i/a/order for a"}, got["a"])
	assert.Empty(t, got["a-steals"], "a read b's orders")
	assert.Empty(t, got["a-spies"], "a read the states of all")
}
