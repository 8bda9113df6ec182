// Package sim runs simulated fleet days on a virtual clock: a vehicle model
// that drives the lane graph as a VDA 5050 vehicle would (edges at their
// speed limit, handling at bays, energy drain and charging from the
// charging package, breakdowns), demand in both directions, and customs
// officers (package demand, shared with `fleetd demo`); all around the one
// fleet.Controller the daemon runs. A day of 50 shuttles takes seconds.
// Runs are deterministic for a seed. RunWith also records a run (a
// sample each simulated minute and the run's events, record.go) for the
// reports of package sim/report, and reports progress; recording only
// reads, so a run does the same with or without it.
//
// With Config.VDA5050 the vehicles are sim/agv shuttles instead, stepped
// on the virtual clock and driven through vehicles.Master over an
// in-memory link, so that the run exercises the VDA 5050 conversation
// (vda.go). That path is to replace the engine's own vehicle model
// (engine.go, pause.go) once it is as fast.
package sim
