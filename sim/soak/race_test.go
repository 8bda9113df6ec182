//go:build race

package soak

// raceEnabled: the test binary runs under the race detector, which slows a
// simulation about tenfold; TestSoak's -short draw is then smaller.
const raceEnabled = true
