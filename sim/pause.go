package sim

import (
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// doing is a node action under way on a vehicle: a pick, a drop or a
// charging session. A pause (startPause, as an operator's pause or
// emergency stop sends it) holds it: it ends that much later.
type doing struct {
	action   fleet.Action
	from     float64 // state of charge when it began (charging)
	kw       float64 // charger power (charging)
	begin    time.Time
	end      time.Time     // later by each pause
	held     time.Duration // paused so far
	pausedAt time.Time     // while paused
	due      bool          // its end came while paused: no end is scheduled
	done     func()
}

// start begins a node action that ends after d with done, unless a pause
// holds it or it is stopped first.
func (v *vehicle) start(e *engine, action fleet.Action, d time.Duration, done func()) {
	v.doing = &doing{action: action, from: v.soc, kw: e.stations[v.node], begin: e.now, end: e.now.Add(d), done: done}
	v.schedule(e, v.doing)
}

func (v *vehicle) schedule(e *engine, a *doing) {
	e.at(a.end, func() { v.finish(e, a) })
}

// finish ends an action when its time has come and it is not paused.
func (v *vehicle) finish(e *engine, a *doing) {
	switch {
	case v.doing != a:
		return // stopped meanwhile
	case v.paused:
		a.due = true // resume schedules its end again
	case e.now.Before(a.end):
		v.schedule(e, a) // a pause put it off
	default:
		v.doing = nil
		a.done()
	}
}

// pause stops the vehicle at the next node it reaches (or where it
// stands) and holds an action under way, until resumed.
func (v *vehicle) pause(e *engine) {
	if v.paused {
		if !v.driving { // each pause asked is answered, as a vehicle's action state does
			v.stillTold = false
			v.tellStill(e)
		}
		return
	}
	v.paused = true
	if a := v.doing; a != nil {
		a.pausedAt = e.now
	}
	if !v.driving {
		v.tellStill(e)
	}
}

// tellStill reports, once per pause, that the paused vehicle stands on a
// node, as vehicles.Master makes of a VDA 5050 state that shows it
// paused and standing there. It goes out after the command that paused
// it has been carried out, as a later event.
func (v *vehicle) tellStill(e *engine) {
	if v.stillTold {
		return
	}
	v.stillTold = true
	at := v.nextStep - 1 // the node it stands on
	e.at(e.now, func() {
		if v.paused {
			e.send(fleet.PausedAtNode{Shuttle: v.id, Step: at})
		}
	})
}

// resume lets a paused vehicle go on: the action it held, the action due
// where it stands, or the lane it is granted.
func (v *vehicle) resume(e *engine) {
	if !v.paused {
		return
	}
	v.paused, v.stillTold = false, false
	if a := v.doing; a != nil {
		held := e.now.Sub(a.pausedAt)
		a.held, a.end = a.held+held, a.end.Add(held)
		if a.due {
			a.due = false
			v.schedule(e, a)
		}
		return
	}
	if v.busy {
		return // on an edge, or broken down: it goes on from the next node
	}
	if v.action != "" && v.actionAt == v.nextStep-1 {
		v.act(e)
		return
	}
	v.go_(e)
}

// stopCharging ends a charging session now, at the state of charge it
// has reached, and reports it done as a vehicle does.
func (v *vehicle) stopCharging(e *engine) {
	a := v.doing
	if a == nil || a.action != fleet.ActionCharge {
		return
	}
	until := e.now
	if v.paused {
		until = a.pausedAt
	}
	charged := until.Sub(a.begin) - a.held
	v.doing = nil
	v.drained = e.now
	v.soc = max(v.soc, e.cfg.Vehicle.SoCAfter(a.from, max(0, charged), a.kw))
	v.busy = false
	e.lastMove = e.now
	e.send(fleet.ActionDone{Shuttle: v.id, Action: fleet.ActionCharge, SoC: v.soc})
	v.go_(e)
}
