// Package deploy holds the files that deploy borderfleet (compose.yaml,
// Mosquitto's, Prometheus's and Grafana's configuration, the systemd
// unit) and the tests that check them, and the repository's Dockerfile,
// without a container engine. It has no code of its own.
package deploy
