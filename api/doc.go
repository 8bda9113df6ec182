// Package api serves fleetd's HTTP JSON API under /v1: container moves,
// shuttles and their operator verbs, the customs queue and decisions,
// chargers, the site as GeoJSON, a Server-Sent Events stream and the
// OpenAPI document. It reads the shuttles, chargers, lanes, the customs
// queue and the event stream's snapshots from what the core last
// published (daemon.Published: no read waits for the core), the moves
// through a read-only view of the core (the daemon's Read), and changes
// the fleet only by submitting events, so every change is journaled like
// any other input. Callers authenticate with bearer tokens, each
// with one role (see Role).
package api
