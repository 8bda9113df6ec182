// Package metrics serves fleetd's Prometheus metrics (all named
// borderfleet_*) from a private registry. A custom collector reads, on
// every scrape, what the core last published (daemon.Published: the
// scrape never waits for the core), and turns what the fleet
// Controller and the vehicles' Master hold into
// gauges and counters: moves and shuttles by state, deliveries, the
// customs queue by checkpoint, state of charge, chargers in use, MQTT
// message counts, journal and controller errors. Lead times and customs
// waits become histograms that the collector keeps itself: each delivery
// and each completed stay at a gate is observed once, however often
// Prometheus scrapes: for those the scrape reads the moves changed since
// the last through a read-only view of the core on its goroutine (the
// daemon's Read), and only when the publication says some changed; that
// read's round trip stands in for the core's decision latency. State of
// charge has a series per shuttle for at most Config.MaxShuttleSeries
// shuttles, and a histogram over the whole fleet.
package metrics
