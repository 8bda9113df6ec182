// Package metrics serves fleetd's Prometheus metrics (all named
// borderfleet_*) from a private registry. A custom collector reads the
// daemon on every scrape, through its Do on the core's goroutine, and
// turns what the fleet Controller and the vehicles' Master hold into
// gauges and counters: moves and shuttles by state, deliveries, the
// customs queue by checkpoint, state of charge, chargers in use, MQTT
// message counts, journal and controller errors. Lead times and customs
// waits become histograms that the collector keeps itself: each delivery
// and each completed stay at a gate is observed once, however often
// Prometheus scrapes. The core's answer time (the Do round trip of the
// scrape itself) stands in for its decision latency.
package metrics
