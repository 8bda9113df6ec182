// Package e2e holds end-to-end tests: the fleet daemon and shuttle-sim
// processes over a real MQTT broker (the private Mosquitto that
// scripts/test.sh starts, and the embedded one), checked against the
// official VDA 5050 schemas. It has no code of its own.
package e2e
