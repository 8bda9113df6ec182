package mqttbus

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Config says how to reach a broker. Zero fields take the defaults noted.
type Config struct {
	// URL of the broker: tcp://host:port (or mqtt://), ssl://, tls://,
	// mqtts://, ws:// or wss://. Required.
	URL string
	// ClientID must be unique on the broker. Required.
	ClientID string
	// Username and Password, when the broker wants them.
	Username, Password string
	// TLS for ssl://, tls://, mqtts:// and wss:// URLs; nil uses the
	// system's roots (see TLSFiles).
	TLS *tls.Config
	// KeepAlive is the MQTT keepalive; default 15 s (VDA 5050's advice).
	KeepAlive time.Duration
	// ConnectTimeout bounds one connection attempt; default 10 s.
	ConnectTimeout time.Duration
	// MaxReconnectInterval caps the wait between reconnect attempts;
	// default 5 s.
	MaxReconnectInterval time.Duration
}

// Validate says what is wrong with a config, naming the field.
func (c Config) Validate() error {
	if c.URL == "" {
		return errors.New("mqttbus: no broker URL")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("mqttbus: broker URL %q: %w", c.URL, err)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss":
	default:
		return fmt.Errorf("mqttbus: broker URL %q: unknown scheme %q (want tcp, mqtt, ssl, tls, mqtts, ws or wss)", c.URL, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("mqttbus: broker URL %q has no host", c.URL)
	}
	if c.ClientID == "" {
		return errors.New("mqttbus: no client id")
	}
	if c.KeepAlive < 0 || c.ConnectTimeout < 0 || c.MaxReconnectInterval < 0 {
		return errors.New("mqttbus: negative keepalive, connect timeout or reconnect interval")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.KeepAlive == 0 {
		c.KeepAlive = 15 * time.Second
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.MaxReconnectInterval == 0 {
		c.MaxReconnectInterval = 5 * time.Second
	}
	return c
}

// TLSFiles builds a TLS config from PEM files: a CA bundle to trust
// (empty: the system's roots) and a client certificate and key (both or
// neither).
func TLSFiles(caFile, certFile, keyFile string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // only when asked for
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("mqttbus: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqttbus: CA file %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("mqttbus: a client certificate needs both a certificate and a key file")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("mqttbus: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ErrNotConnected: the link is down (it is being repaired).
var ErrNotConnected = errors.New("mqttbus: not connected")

// Will is the message the broker publishes for a client whose link breaks
// without a proper disconnect.
type Will struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retained bool
}

// Handler gets a message; it runs on the client's goroutine and must not
// block.
type Handler func(topic string, payload []byte)

// Client is a connection to a broker that reconnects by itself and
// subscribes again to what it was subscribed to.
type Client struct {
	c   paho.Client
	log *slog.Logger

	mu          sync.Mutex
	subs        map[string]sub
	conn        net.Conn // the current link, for Drop (tcp and tls only)
	connects    int      // links made, the first one included
	onReconnect func()   // see OnReconnect
}

type sub struct {
	qos byte
	h   Handler
}

// Connect connects to the broker and returns once connected, or with the
// error of the first attempt. Later link losses are repaired in the
// background. ctx bounds the first attempt.
func Connect(ctx context.Context, cfg Config, will *Will, log *slog.Logger) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cl := &Client{log: log.With("mqtt_client", cfg.ClientID), subs: map[string]sub{}}
	o := paho.NewClientOptions().
		AddBroker(cfg.URL).
		SetClientID(cfg.ClientID).
		SetUsername(cfg.Username).
		SetPassword(cfg.Password).
		SetKeepAlive(cfg.KeepAlive).
		SetPingTimeout(cfg.KeepAlive).
		SetConnectTimeout(cfg.ConnectTimeout).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(cfg.MaxReconnectInterval).
		SetConnectRetry(false).
		SetWriteTimeout(2 * time.Second). // a stalled link fails a publish, not holds it
		SetOnConnectHandler(cl.onConnect).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			cl.log.Warn("mqtt link lost; reconnecting", "err", err)
		})
	if cfg.TLS != nil {
		o.SetTLSConfig(cfg.TLS)
	}
	if will != nil {
		o.SetBinaryWill(will.Topic, will.Payload, will.QoS, will.Retained)
	}
	u, _ := url.Parse(cfg.URL)
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts":
		o.SetCustomOpenConnectionFn(cl.dial)
	}
	cl.c = paho.NewClient(o)
	tok := cl.c.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		cl.c.Disconnect(0)
		return nil, fmt.Errorf("mqttbus: connect to %s: %w", cfg.URL, ctx.Err())
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("mqttbus: connect to %s as %q: %w", cfg.URL, cfg.ClientID, err)
	}
	return cl, nil
}

// dial opens the network link itself so that Drop can cut it.
func (cl *Client) dial(u *url.URL, o paho.ClientOptions) (net.Conn, error) {
	d := &net.Dialer{Timeout: o.ConnectTimeout}
	var conn net.Conn
	var err error
	switch u.Scheme {
	case "tcp", "mqtt":
		conn, err = d.Dial("tcp", u.Host)
	default:
		conn, err = tls.DialWithDialer(d, "tcp", u.Host, o.TLSConfig)
	}
	if err != nil {
		return nil, err
	}
	cl.mu.Lock()
	cl.conn = conn
	cl.mu.Unlock()
	return conn, nil
}

// onConnect subscribes again after every (re)connect: the session is
// clean. After a reconnect it then calls the OnReconnect function.
func (cl *Client) onConnect(c paho.Client) {
	cl.mu.Lock()
	subs := make(map[string]sub, len(cl.subs))
	for f, s := range cl.subs {
		subs[f] = s
	}
	cl.connects++
	again, fn := cl.connects > 1, cl.onReconnect
	cl.mu.Unlock()
	for f, s := range subs {
		tok := c.Subscribe(f, s.qos, wrap(s.h))
		if tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
			cl.log.Error("mqtt resubscribe failed", "filter", f, "err", tok.Error())
		}
	}
	if again {
		cl.log.Info("mqtt link back")
		if fn != nil {
			fn()
		}
	}
}

// OnReconnect has fn called each time the client has repaired its link
// by itself (not on the first connect), once it has subscribed again: a
// VDA 5050 vehicle then publishes its connection ONLINE again (its will,
// CONNECTIONBROKEN, is what the broker holds) and a state. fn runs on the
// client's goroutine and must not block.
func (cl *Client) OnReconnect(fn func()) {
	cl.mu.Lock()
	cl.onReconnect = fn
	cl.mu.Unlock()
}

func wrap(h Handler) paho.MessageHandler {
	return func(_ paho.Client, m paho.Message) { h(m.Topic(), m.Payload()) }
}

// Subscribe subscribes to a topic filter, now and after every reconnect.
func (cl *Client) Subscribe(filter string, qos byte, h Handler) error {
	cl.mu.Lock()
	cl.subs[filter] = sub{qos: qos, h: h}
	cl.mu.Unlock()
	tok := cl.c.Subscribe(filter, qos, wrap(h))
	if !tok.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("mqttbus: subscribe %q: no answer from the broker in 10 s", filter)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("mqttbus: subscribe %q: %w", filter, err)
	}
	if st, ok := tok.(*paho.SubscribeToken); ok {
		if code, ok := st.Result()[filter]; ok && code == 0x80 {
			return fmt.Errorf("mqttbus: subscribe %q: the broker refused it (not allowed?)", filter)
		}
	}
	return nil
}

// Publish sends a message. QoS 0 returns once it is written; QoS 1 and 2
// once the broker has it (or after 10 s with an error).
func (cl *Client) Publish(topic string, qos byte, retained bool, payload []byte) error {
	if !cl.c.IsConnectionOpen() {
		// paho would take a QoS 0 message while it reconnects and drop it
		return fmt.Errorf("mqttbus: publish %q: %w", topic, ErrNotConnected)
	}
	tok := cl.c.Publish(topic, qos, retained, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("mqttbus: publish %q: not sent in 10 s", topic)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("mqttbus: publish %q: %w", topic, err)
	}
	return nil
}

// Connected reports whether the link is up now.
func (cl *Client) Connected() bool { return cl.c.IsConnectionOpen() }

// Disconnect ends the session properly: the broker does not publish the
// will.
func (cl *Client) Disconnect() { cl.c.Disconnect(250) }

// Drop cuts the network link without an MQTT DISCONNECT, as a lost radio
// link would: the broker publishes the will, and the client reconnects by
// itself. It fails for websocket URLs.
func (cl *Client) Drop() error {
	cl.mu.Lock()
	conn := cl.conn
	cl.mu.Unlock()
	if conn == nil {
		return errors.New("mqttbus: cannot cut a websocket link")
	}
	return conn.Close()
}
