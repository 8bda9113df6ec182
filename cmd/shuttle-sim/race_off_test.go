//go:build !race

package main

// raceDetector: built with -race (see reconnect_test.go).
const raceDetector = false
