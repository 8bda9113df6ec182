package agv

import (
	"context"
	"time"
)

// This file drives a vehicle on a caller's clock, synchronously, for a
// discrete-event simulation: no goroutine, no timer and no real time. The
// caller starts the vehicle with Start, hands it messages (HandleMessage,
// HandleOrder, HandleInstantActions) and faults (Breakdown, LoseLink) and
// then calls Step with the time they arrive; between inputs it calls Step
// at Next, when the vehicle wants to be woken (its next node, the end of
// an action, a publication). Everything the vehicle publishes goes through
// its Link from within Start, Step and Stop. A Link that is a Cutter is
// restored within the Step that finds the outage over.
//
// On such a clock vehicle time is the caller's time: Config.TimeScale
// must be 1 (it is the default), and the publication periods are on the
// same clock. Config.StatePeriod negative publishes a state only on an
// event and at the heartbeat, which is what keeps a simulated day cheap:
// a state a second while driving would be most of its work.
//
// The same vehicle must not be driven by Run and by Step.

// Start starts the vehicle's clock at now and publishes ONLINE and its
// first state.
func (v *Vehicle) Start(now time.Time) {
	v.begin(now)
	v.Step(now)
}

// Step brings the vehicle to now: it moves, drains and charges its
// battery, finishes actions and traverses nodes in order up to now,
// handles the input given since the last Step, and publishes what is due.
// now must not go back.
func (v *Vehicle) Step(now time.Time) {
	v.step(now, v.handle, func(c Cutter) {
		v.restored(c.Restore(context.Background()))
	})
}

// Next is when the vehicle next wants a Step, given that the last one was
// at now: its next event, the next state while it drives (unless
// StatePeriod is negative), the heartbeat.
func (v *Vehicle) Next(now time.Time) time.Time {
	return now.Add(v.nextWake(now))
}

// Stop publishes the vehicle's last state and OFFLINE at now.
func (v *Vehicle) Stop(now time.Time) { v.end(now) }

// Snapshot is what the vehicle really is, as the world (a simulation's
// referee, not the fleet) sees it.
type Snapshot struct {
	// LastNode is the last node traversed (the node it stands on when it
	// does not drive).
	LastNode string
	// Driving: on an edge, not halted.
	Driving bool
	// OnEdge: on an edge, driving or halted there (paused, broken down).
	OnEdge bool
	// SoC is the state of charge, 0..1, not rounded as in its state.
	SoC float64
	// Loads are the load ids aboard.
	Loads []string
	// Broken: broken down, waiting for repair. Depleted: battery empty.
	Broken, Depleted bool
	// Charging: a charging session is under way.
	Charging bool
	// Paused: told to pause (startPause) and not resumed.
	Paused bool
	// Active: it has order nodes left to traverse or actions not done.
	Active bool
}

// Snapshot is the vehicle's state now (as of its last Step).
func (v *Vehicle) Snapshot() Snapshot {
	s := Snapshot{LastNode: v.s.lastNode, Driving: v.moving(), OnEdge: v.s.leg != nil, SoC: v.s.soc,
		Broken: v.s.broken, Depleted: v.s.depleted, Charging: v.s.charge != nil, Paused: v.s.paused, Active: v.active()}
	for _, l := range v.s.loads {
		s.Loads = append(s.Loads, l.LoadID)
	}
	return s
}
