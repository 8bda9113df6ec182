// Package sim runs simulated fleet days on a virtual clock: a vehicle model
// that drives the lane graph as a VDA 5050 vehicle would (edges at their
// speed limit, handling at bays, energy drain and charging from the
// charging package, breakdowns), demand in both directions, and customs
// officers; all around the one fleet.Controller the daemon runs. A day of
// 50 shuttles takes seconds. Runs are deterministic for a seed.
package sim
