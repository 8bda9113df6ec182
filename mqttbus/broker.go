package mqttbus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// DefaultBrokerAddr is where the embedded broker listens unless told
// otherwise: beside the usual 1883, so that it does not fight a broker
// already installed.
const DefaultBrokerAddr = "127.0.0.1:1884"

// Broker is an embedded MQTT broker (mochi-mqtt) for running without one.
// Without Access it allows every client: bind it to a loopback or private
// address.
type Broker struct {
	srv  *mochi.Server
	addr string
}

// Access says who may use the embedded broker and for what: a user, with
// its password, may subscribe to the Read filters and publish on the
// Write ones (a will counts as a publish); everything else, and anyone
// else, is refused.
type Access struct {
	Users map[string]UserAccess
}

// UserAccess is one user's password and topic filters.
type UserAccess struct {
	Password    string
	Read, Write []string
}

// ledger turns Access into mochi's auth ledger, denying what no rule allows.
func (a *Access) ledger() *auth.Ledger {
	l := &auth.Ledger{Users: auth.Users{}}
	for name, u := range a.Users {
		acl := auth.Filters{}
		for _, f := range u.Read {
			acl[auth.RString(f)] = auth.ReadOnly
		}
		for _, f := range u.Write {
			if acl[auth.RString(f)] == auth.ReadOnly {
				acl[auth.RString(f)] = auth.ReadWrite
			} else {
				acl[auth.RString(f)] = auth.WriteOnly
			}
		}
		l.Users[name] = auth.UserRule{Username: auth.RString(name), Password: auth.RString(u.Password), ACL: acl}
	}
	// mochi allows a topic no rule names: deny every other topic to all
	l.ACL = auth.ACLRules{{Filters: auth.Filters{"#": auth.Deny}}}
	return l
}

// StartBroker starts an embedded broker listening on addr (host:port;
// port 0 picks a free one). When fallback is true and the port is taken,
// it listens on a free port of the same host instead. log may be nil.
func StartBroker(addr string, fallback bool, log *slog.Logger) (*Broker, error) {
	return StartBrokerWith(addr, fallback, nil, log)
}

// StartBrokerWith is StartBroker with access control: only access's users
// may connect, each to its own topics; nil access allows everyone.
func StartBrokerWith(addr string, fallback bool, access *Access, log *slog.Logger) (*Broker, error) {
	if addr == "" {
		addr = DefaultBrokerAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("mqttbus: broker address %q: %w", addr, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := mochi.New(&mochi.Options{InlineClient: false, Logger: log.With("component", "mqtt-broker")})
	if access == nil {
		if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
			return nil, fmt.Errorf("mqttbus: broker: %w", err)
		}
	} else if err := srv.AddHook(new(auth.Hook), &auth.Options{Ledger: access.ledger()}); err != nil {
		return nil, fmt.Errorf("mqttbus: broker: %w", err)
	}
	l := listeners.NewTCP(listeners.Config{ID: "tcp", Address: addr})
	err = srv.AddListener(l)
	if err != nil && fallback && errors.Is(err, syscall.EADDRINUSE) {
		l = listeners.NewTCP(listeners.Config{ID: "tcp", Address: net.JoinHostPort(host, "0")})
		err = srv.AddListener(l)
	}
	if err != nil {
		return nil, fmt.Errorf("mqttbus: embedded broker on %s: %w", addr, err)
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("mqttbus: embedded broker: %w", err)
	}
	return &Broker{srv: srv, addr: l.Address()}, nil
}

// Addr is the host:port the broker listens on.
func (b *Broker) Addr() string { return b.addr }

// URL is the broker's address as a client URL (tcp://host:port).
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close stops the broker and drops its clients.
func (b *Broker) Close() error { return b.srv.Close() }
