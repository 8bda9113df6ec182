// Package daemontest has fakes of the daemon for the tests of the
// packages that use one (daemon, api, metrics, webhook, fleetctl): a Bus
// that runs a real daemon without MQTT, and a Fleet that runs a real
// Controller and vehicles Master without a daemon, a journal or MQTT.
// It is imported by tests only.
package daemontest
