//go:build !race

package soak

// raceEnabled: the test binary runs under the race detector (race_test.go).
const raceEnabled = false
