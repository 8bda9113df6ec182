// Package metrics serves fleetd's Prometheus metrics (all named
// borderfleet_*) from a private registry. A custom collector reads the
// daemon on every scrape, through a read-only view of the core on the
// core's goroutine (the daemon's Read), and turns what the fleet
// Controller and the vehicles' Master hold into
// gauges and counters: moves and shuttles by state, deliveries, the
// customs queue by checkpoint, state of charge, chargers in use, MQTT
// message counts, journal and controller errors. Lead times and customs
// waits become histograms that the collector keeps itself: each delivery
// and each completed stay at a gate is observed once, however often
// Prometheus scrapes. The core's answer time (the Read round trip of the
// scrape itself) stands in for its decision latency.
package metrics
