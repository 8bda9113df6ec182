// Package charging owns the energy model, charger slot scheduling and the
// charging policies. It is pure and deterministic: no I/O, no clock; times
// come in as arguments.
//
// Energy. A Vehicle type gives kWh per km laden and empty, auxiliary power
// that grows in the cold, a traction penalty in the cold, the operating
// window of state of charge (MinSoC is the reserve) and a charge Curve:
// constant power up to a knee, then tapering in a straight line to EndShare
// of the power at 100 %. DriveKWh gives the energy of a driven Leg,
// ChargeTime the time to charge between two states of charge at a charger
// (the taper is integrated exactly), SoCAfter its inverse, Profile the grid
// power of a session as steps.
//
// Feasibility. CheckMove answers the dispatcher's question: may a shuttle
// take a move? Only if in every Scenario (delivered; refused at each gate and
// driven back to its origin centre laden) it still reaches a charger with
// its reserve left. Distances come from routing; this package does not
// import it.
//
// Slots. A Scheduler books charger windows at stations with K chargers and
// a grid cap. Each booking carries its power profile (the taper as steps
// that never understate the draw), so a charger is never booked twice and
// the sum of profiles at a station never exceeds its cap. When full power
// does not fit under the cap, a session may take a share of it (power
// sharing). Shuttles that do not check in within the no-show timeout lose
// their slot (Expire). An urgent request goes before every slot that is not
// urgent and not started; those are booked again after it and reported.
//
// Policies. Threshold is the classic baseline (below a threshold, charge to
// a fixed target); Opportunity is the default (dual thresholds: must charge
// low, may charge when idle and a charger is free; targets set by forecast
// demand). Both stay, so that simulations can compare them.
package charging
