package daemon

import (
	"context"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// View is the fleet's core as a reader sees it: the Controller's and
// the vehicles' Master's queries, none of their commands. It is valid
// only inside the function given to Read, on the daemon's goroutine;
// what it returns is the core's own and must not be changed or kept.
type View struct {
	ctl  *fleet.Controller
	m    *vehicles.Master
	arch []*fleet.Move // moves that left the Controller, not yet in the store
}

// NewView is a View of a Controller and a Master, for fakes of the
// daemon in tests (see daemontest); the daemon makes its own.
func NewView(ctl *fleet.Controller, m *vehicles.Master) View { return View{ctl: ctl, m: m} }

// Read runs fn on the daemon's goroutine with a read-only view of the
// core, and returns when it has run (or ctx ends first). It is Do for
// those who only read (the API, the metrics, the webhooks).
func (d *Daemon) Read(ctx context.Context, fn func(now time.Time, v View)) error {
	return d.Do(ctx, func(now time.Time, ctl *fleet.Controller, m *vehicles.Master) {
		fn(now, View{ctl: ctl, m: m, arch: d.arch})
	})
}

// Moves are the moves the Controller keeps, in creation order
// (fleet.Controller.Moves): the open ones and those ended within its
// retention. The others are in Archiving, or read from the store's
// archive (Daemon.ArchivedMove, Daemon.ArchivedMoves).
func (v View) Moves() []*fleet.Move { return v.ctl.Moves() }

// Archiving are the moves that left the Controller and are not yet in
// the store's archive, by number.
func (v View) Archiving() []*fleet.Move { return v.arch }

// Move is the move of an id, if the Controller keeps it or it is on its
// way to the store's archive; else the archive has it, if anyone does.
func (v View) Move(id string) (*fleet.Move, bool) {
	if m, ok := v.ctl.Move(id); ok {
		return m, true
	}
	for _, m := range v.arch {
		if m.ID == id {
			return m, true
		}
	}
	return nil, false
}

// ChangedSince are the moves changed after change number seq, and the
// change number now (fleet.Controller.ChangedSince).
func (v View) ChangedSince(seq uint64) ([]*fleet.Move, uint64) { return v.ctl.ChangedSince(seq) }

// MoveCounts are the moves by state (fleet.Controller.MoveCounts).
func (v View) MoveCounts() map[fleet.MoveState]int { return v.ctl.MoveCounts() }

// GateQueue lists the containers waiting for customs at each checkpoint
// (fleet.Controller.GateQueue).
func (v View) GateQueue() []fleet.GateWait { return v.ctl.GateQueue() }

// Declarations are the declarations in force for a container
// (fleet.Controller.Declarations).
func (v View) Declarations(c fleet.Container) []fleet.Declaration { return v.ctl.Declarations(c) }

// ClosedLanes are the closed lanes and links (fleet.Controller.ClosedLanes).
func (v View) ClosedLanes() []string { return v.ctl.ClosedLanes() }

// StillRoutedOver are the shuttles whose route beyond their authority
// still uses a lane or link (fleet.Controller.StillRoutedOver).
func (v View) StillRoutedOver(lane string) []string { return v.ctl.StillRoutedOver(lane) }

// ShuttleState is a shuttle's state and state of charge, and whether
// the Controller knows it (fleet.Controller.ShuttleState).
func (v View) ShuttleState(id string) (fleet.ShuttleState, float64, bool) {
	return v.ctl.ShuttleState(id)
}

// Activity says what a shuttle is doing or waiting for
// (fleet.Controller.Activity).
func (v View) Activity(id string) fleet.Activity { return v.ctl.Activity(id) }

// ActivitySince says what a shuttle is doing or waiting for and since
// when (fleet.Controller.ActivitySince).
func (v View) ActivitySince(id string) (fleet.Activity, time.Time) { return v.ctl.ActivitySince(id) }

// ChargerSlots are a station's charger reservations, earliest first
// (fleet.Controller.ChargerSlots).
func (v View) ChargerSlots(station string) []charging.Slot { return v.ctl.ChargerSlots(station) }

// Stats are what the Controller has counted so far
// (fleet.Controller.Stats).
func (v View) Stats() fleet.Stats { return v.ctl.Stats() }

// Vehicles are every roster vehicle in id order
// (vehicles.Master.Vehicles).
func (v View) Vehicles() []vehicles.Vehicle { return v.m.Vehicles() }
