// Package soak is the fleet's randomized invariant harness: random sites
// (geo/sitegen, and the embedded default) times random scenarios times
// random seeds, each a simulated day of the same Controller the daemon
// runs, checked against the fleet's promises.
//
// A Case is one run, written as one JSON object, so that a failing case
// replays with one command (Case.Command: go run ./cmd/sim-figures -case
// '<json>') and is kept, once the fleet core passes it, as a regression
// case under testdata/ (see testdata/README.md). Draw draws a case; Run
// runs one and returns the report and its Violations.
//
// Each run asserts safety (no conflict, battery depletion, deadlock,
// illegal transition, lost or twice-delivered move) and liveness: demand
// stops after Hours, the moves still pending then are cancelled, as an
// operator closing the day would (sim.Config.DrainCancelsPending), and
// within the drain the case states (DrainBound; each minute with a shuttle
// broken down is added, up to the drain again: sim.Liveness.RepairS) every
// move under way ends (delivered, or returned after a refusal; cancelled
// ones have ended) and every shuttle comes to rest (idle, parked or
// charging).
//
// TestSoak runs -soak.runs drawn cases (seeded by -soak.seed) on every
// CPU; scripts/test.sh runs 200 of 8 simulated hours each within a budget
// of 3 minutes on the 2-core machine, and go run ./cmd/sim-figures -soak
// N runs a longer soak.
package soak
