package mqttbus

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokers returns the brokers to test against: the embedded one always,
// and the private Mosquitto that scripts/test.sh starts when it is there.
func brokers(t *testing.T) map[string]string {
	t.Helper()
	b, err := StartBroker("127.0.0.1:0", false, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	out := map[string]string{"embedded": b.URL()}
	if u := os.Getenv("BORDERFLEET_TEST_MQTT_URL"); u != "" {
		out["mosquitto"] = u
	} else {
		t.Log("BORDERFLEET_TEST_MQTT_URL unset: testing the embedded broker only (scripts/test.sh starts a Mosquitto)")
	}
	return out
}

func connect(t *testing.T, url, id string, will *Will) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, Config{URL: url, ClientID: id + "-" + t.Name(), KeepAlive: 2 * time.Second, MaxReconnectInterval: 200 * time.Millisecond}, will, nil)
	require.NoError(t, err)
	t.Cleanup(c.Disconnect)
	return c
}

func receive(t *testing.T, ch <-chan [2]string) [2]string {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message in 10 s")
		return [2]string{}
	}
}

func TestPublishSubscribeAndWill(t *testing.T) {
	for name, url := range brokers(t) {
		t.Run(name, func(t *testing.T) {
			topic := "test/" + name + "/" + t.Name()
			got := make(chan [2]string, 10)
			sub := connect(t, url, "sub", nil)
			require.NoError(t, sub.Subscribe(topic+"/#", 1, func(tp string, p []byte) { got <- [2]string{tp, string(p)} }))

			pub := connect(t, url, "pub", &Will{Topic: topic + "/will", Payload: []byte("broken"), QoS: 1})
			require.NoError(t, pub.Publish(topic+"/a", 1, false, []byte("hello")))
			assert.Equal(t, [2]string{topic + "/a", "hello"}, receive(t, got))

			// a cut link fires the will, and the client comes back by itself
			require.NoError(t, pub.Drop())
			assert.Equal(t, [2]string{topic + "/will", "broken"}, receive(t, got))
			// a publish fails while the link is down, then goes through
			require.Eventually(t, func() bool {
				return pub.Publish(topic+"/b", 1, false, []byte("again")) == nil
			}, 10*time.Second, 50*time.Millisecond)
			assert.Equal(t, [2]string{topic + "/b", "again"}, receive(t, got))
		})
	}
}

func TestResubscribeAfterReconnect(t *testing.T) {
	for name, url := range brokers(t) {
		t.Run(name, func(t *testing.T) {
			topic := "test/" + name + "/" + t.Name()
			got := make(chan [2]string, 10)
			sub := connect(t, url, "sub", nil)
			require.NoError(t, sub.Subscribe(topic, 1, func(tp string, p []byte) { got <- [2]string{tp, string(p)} }))
			require.NoError(t, sub.Drop())
			// the clean session lost the subscription; Connect's handler
			// must have made it again
			pub := connect(t, url, "pub", nil)
			require.Eventually(t, func() bool {
				if !sub.Connected() {
					return false
				}
				_ = pub.Publish(topic, 1, false, []byte("x"))
				select {
				case m := <-got:
					return m[1] == "x"
				case <-time.After(100 * time.Millisecond):
					return false
				}
			}, 10*time.Second, 50*time.Millisecond)
		})
	}
}

func TestBrokerFallsBackWhenPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	_, err = StartBroker(l.Addr().String(), false, nil)
	require.Error(t, err, "without fallback a taken port is an error")
	b, err := StartBroker(l.Addr().String(), true, nil)
	require.NoError(t, err)
	defer b.Close()
	assert.NotEqual(t, l.Addr().String(), b.Addr())
	connect(t, b.URL(), "c", nil)
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{ClientID: "a"}, "no broker URL"},
		{Config{URL: "http://x:1", ClientID: "a"}, `unknown scheme "http"`},
		{Config{URL: "tcp://", ClientID: "a"}, "has no host"},
		{Config{URL: "tcp://x:1"}, "no client id"},
		{Config{URL: "tcp://x:1", ClientID: "a", KeepAlive: -1}, "negative"},
	} {
		err := tc.cfg.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
	assert.NoError(t, Config{URL: "ssl://x:8883", ClientID: "a"}.Validate())
}
