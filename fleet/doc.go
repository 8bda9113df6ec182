// Package fleet owns container moves (ISO 6346 numbers, the move
// lifecycle), the shuttle state machine (github.com/looplab/fsm, one
// transition table), customs gates, the dispatcher and the Controller that
// ties them to routing and charging: events in, commands out, time passed
// in, no I/O. fleet/README.md draws the pipeline and the state machines.
package fleet
