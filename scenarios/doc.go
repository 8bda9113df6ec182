// Package scenarios is the library of simulated fleet days: JSON
// scenario files (the format of `fleetd sim --scenario`, sim.Scenario),
// each with a description and a floor its runs must reach (no broken
// safety promise, a bound ratio at least the floor's). The package holds
// no code but its test, which runs every scenario in process at its
// floor over several seeds (-short: a shorter run of each, at the
// short tier's floor). README.md lists them.
package scenarios
