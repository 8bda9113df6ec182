// Package endtoend runs a scenario end to end: fleetd (`fleetd demo
// --shuttles 0 --scenario --moves-per-hour 0`: the scenario's customs
// officers, no vehicles and no moves of its own), shuttle-sim for the
// vehicles over a private Mosquitto, and the store (a private
// redis-server, a given Redis or a bolt file), all as processes on a
// scaled clock, with the scenario's fleetd and broker restarts
// (sim.EndToEnd). The runner asks for the scenario's moves through the
// HTTP API as an operator would, and measures the run from outside, as
// an operator and an auditor would: the fleet each simulated minute from
// the HTTP API, every VDA 5050 message on the wire (a spy subscribed to
// the broker, package e2e/wire: conflicts, picks and drops, batteries),
// fleetd's counters from /metrics (summed over its restarts), and at the
// end every move's history. It returns the same sim.Report and
// sim.Recording an in-process run does, so that package sim/report
// writes the same report folder and `fleetd sim compare` puts the two
// side by side.
package endtoend
