// Package demand is the one model of the people around a fleet that both
// the in-process simulation (package sim) and `fleetd demo` (package demo)
// play: operators who ask for container moves between two logistics
// centres as a Poisson process, and each country's customs officers who
// release, inspect or refuse a container that waits at their checkpoint.
//
// It holds no clock and no random source of its own: each draw takes a
// *rand.Rand, so that a caller decides which of its sources a draw comes
// from and a seed always gives the same run. The draws are made in a
// fixed order (documented on each method); changing that order changes
// every seeded figure of the simulation.
package demand
