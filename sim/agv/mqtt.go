package agv

import (
	"context"
	"log/slog"

	"github.com/borderfleet/borderfleet/mqttbus"
)

// MQTTDial makes vehicle connections with mqttbus: base gives the broker
// URL, credentials, TLS and timings; each vehicle gets its own client id
// and will. log may be nil.
func MQTTDial(base mqttbus.Config, log *slog.Logger) Dial { return MQTTDialAs(base, nil, log) }

// Login is one vehicle's user name and password on the broker.
type Login struct{ Username, Password string }

// MQTTDialAs is MQTTDial with a login of its own for each vehicle, by
// client id (manufacturer-serialNumber), as a broker with one account per
// vehicle wants; a vehicle not in logins uses base's.
func MQTTDialAs(base mqttbus.Config, logins map[string]Login, log *slog.Logger) Dial {
	return func(ctx context.Context, clientID string, will Will) (Conn, error) {
		cfg := base
		cfg.ClientID = clientID
		if l, ok := logins[clientID]; ok {
			cfg.Username, cfg.Password = l.Username, l.Password
		}
		c, err := mqttbus.Connect(ctx, cfg, &mqttbus.Will{Topic: will.Topic, Payload: will.Payload, QoS: will.QoS, Retained: will.Retained}, log)
		if err != nil {
			return nil, err
		}
		return mqttConn{c}, nil
	}
}

// mqttConn adapts mqttbus.Client to Conn.
type mqttConn struct{ c *mqttbus.Client }

func (m mqttConn) Publish(topic string, qos byte, retained bool, payload []byte) error {
	return m.c.Publish(topic, qos, retained, payload)
}

func (m mqttConn) Subscribe(filter string, qos byte, h func(topic string, payload []byte)) error {
	return m.c.Subscribe(filter, qos, h)
}

func (m mqttConn) Disconnect() { m.c.Disconnect() }

func (m mqttConn) Drop() error { return m.c.Drop() }

func (m mqttConn) OnReconnect(fn func()) { m.c.OnReconnect(fn) }
