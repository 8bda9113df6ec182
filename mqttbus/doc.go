// Package mqttbus adapts MQTT for borderfleet: a client over
// github.com/eclipse/paho.mqtt.golang (broker URL, credentials, TLS,
// keepalive, automatic reconnect with resubscription, last will) and an
// embedded broker over github.com/mochi-mqtt/server/v2 for the zero-setup
// default.
//
// It knows nothing of VDA 5050 or the fleet: it moves bytes on topics.
// Message handlers run on paho's goroutine and must not block; callers hand
// the payload over and return.
package mqttbus
