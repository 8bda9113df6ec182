package main

import (
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/mqttbus"
)

// mqttBus is an MQTT client as the daemon's Bus: the daemon names its
// own message handler type, so that it does not import the MQTT client
// (nor, through it, paho and the embedded broker).
type mqttBus struct{ c *mqttbus.Client }

func (b mqttBus) Subscribe(filter string, qos byte, h daemon.Handler) error {
	return b.c.Subscribe(filter, qos, mqttbus.Handler(h))
}

func (b mqttBus) Publish(topic string, qos byte, retained bool, payload []byte) error {
	return b.c.Publish(topic, qos, retained, payload)
}
