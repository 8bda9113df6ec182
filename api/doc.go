// Package api serves fleetd's HTTP JSON API under /v1: container moves,
// shuttles and their operator verbs, the customs queue and decisions,
// chargers, the site as GeoJSON, a Server-Sent Events stream and the
// OpenAPI document. It reads the fleet through a read-only view of the
// core (the daemon's Read) and changes it only by submitting events, so
// every change is journaled like any other input. Callers authenticate with bearer tokens, each
// with one role (see Role).
package api
