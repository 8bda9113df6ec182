// Package history writes a fleet's history at full speed: the daemon's
// core driven on a virtual clock (daemon.Stepped), sim/agv shuttles
// stepped on the same clock and speaking VDA 5050 to it as JSON on their
// topics, and the demo's operators and officers (package demo), into a
// store. What it leaves is the journal, audit log, archive of moves and
// snapshots (compacted, if so configured) that a fleetd driving that
// fleet in real time for that long would have left, in minutes rather
// than days: the material for recovery and failover measurements on a
// week of history (BENCHMARKS.md). Journal records are written to the
// store in batches (batch.go), which a live fleetd never does: it makes
// every input durable before acting on it.
package history
