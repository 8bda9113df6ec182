package fleet

import (
	"fmt"
	"time"
)

// Verdict is what a customs officer decides on a container at a
// checkpoint.
type Verdict string

// Customs decisions.
const (
	DecisionRelease Verdict = "release" // it may pass
	DecisionInspect Verdict = "inspect" // it goes to the inspection bay first
	DecisionRefuse  Verdict = "refuse"  // it goes back to its origin
)

// atStopLine: a shuttle reached a customs stop line on its route. An empty
// shuttle, a refused container on its way back, a container that has
// passed every gate of its way already (a detour after a lane closure may
// take it past another stop line) and a container cleared before it
// arrived pass in the gate's release time; any other waits for that
// country's customs.
func (c *Controller) atStopLine(now time.Time, r *shuttleRec) {
	cp, _ := c.checkpoint(r.stops[0])
	r.gate = &gateStop{checkpoint: cp}
	m := r.move
	if m == nil || !m.Laden() || r.returning() || m.State == MoveToDropoff {
		r.gate.until = now.Add(cp.ReleaseTime)
		return
	}
	c.moveToAt(m, MoveAtGate, now, "at "+cp.ID, cp.ID, "")
	m.stamp(cp.ID, (*Clearance).arrivedAt, now)
	c.fire(r, EvReachGate)
	why := c.heldWhy(m, cp.ID)
	if m.PreCleared && why == "" {
		r.gate.until = now.Add(cp.ReleaseTime)
		return
	}
	if why != "" {
		c.holdAt(now, m, cp.ID, why)
	}
	c.applyDecision(now, r)
	if r.gate != nil && r.gate.until.IsZero() && r.task != taskInspect && r.task != taskReturn {
		c.pullAside(r)
	}
}

// pullAside sends a laden shuttle that waits for a customs decision off
// the lane, to the checkpoint's inspection bay when it is free, so that the
// shuttles behind it are not held up. It waits there; the decision takes it
// on from there as from the stop line.
func (c *Controller) pullAside(r *shuttleRec) {
	cp := r.gate.checkpoint
	if cp.InspectionBay == "" || !c.tr.Free(cp.InspectionBay) {
		return
	}
	if c.route(r, cp.InspectionBay, taskAside) {
		_ = c.tr.ClearHold(r.id, cp.ID) // the new route starts at the stop line
	}
}

// applyDecision acts on a stored decision for the shuttle's move at the
// gate it stands at (or whose inspection bay it is in).
func (c *Controller) applyDecision(now time.Time, r *shuttleRec) {
	if r.gate == nil || r.move == nil || r.returning() || !r.inService() || r.move.State == MoveToDropoff {
		// a refused container on its way back is not decided on again, nor
		// one that passed every gate of its way and only passes this stop
		// line on a detour; a broken shuttle waits
		return
	}
	d, ok := c.decided[r.move.ID][r.gate.checkpoint.ID]
	if !ok {
		return
	}
	if why := c.heldWhy(r.move, r.gate.checkpoint.ID); why != "" && d.Decision == DecisionRelease {
		// held whatever was decided: the release waits (for a declaration)
		c.holdAt(now, r.move, r.gate.checkpoint.ID, why)
		return
	}
	delete(c.decided[r.move.ID], r.gate.checkpoint.ID)
	cause := fmt.Sprintf("%s by %s (%s) at %s: %s", d.Decision, d.Officer, d.Country, d.Checkpoint, d.Reason)
	by := officer(d.Officer, d.Country)
	switch d.Decision {
	case DecisionRelease:
		c.letPass(now, r, cause, by)
	case DecisionInspect:
		if r.task == taskInspect {
			return
		}
		c.fire(r, EvInspect)
		if r.task == taskAside { // on its way to the inspection bay, or there
			c.task(r, r.retask(taskInspect))
			if p, _ := c.tr.Position(r.id); p.Arrived && p.At == r.gate.checkpoint.InspectionBay {
				c.moveToAt(r.move, MoveInspection, now, "at the inspection bay "+p.At, r.gate.checkpoint.ID, "")
				r.move.stamp(r.gate.checkpoint.ID, (*Clearance).inspectedAt, now)
			}
			return
		}
		c.routeInspection(r)
	case DecisionRefuse:
		c.fire(r, EvRefuse)
		c.moveToAt(r.move, MoveReturning, now, cause, r.gate.checkpoint.ID, by)
		r.move.stamp(r.gate.checkpoint.ID, (*Clearance).refusedAt, now)
		c.routeHome(now, r)
	}
}

// letPass sends a container released at its gate on: from the stop line
// in the release time, from the inspection bay (or the way there) at once.
func (c *Controller) letPass(now time.Time, r *shuttleRec, cause, by string) {
	if p, _ := c.tr.Position(r.id); p.At == r.gate.checkpoint.ID && p.Hold == p.At {
		// still held at the stop line (an inspection route that could
		// not be made yet is dropped): it passes in the release time
		if r.task == taskInspect {
			c.task(r, r.await(taskDeliver))
		}
		r.gate.until = now.Add(r.gate.checkpoint.ReleaseTime)
		return
	}
	if r.task == taskInspect || r.task == taskAside {
		// back on the way to the destination from the inspection bay
		// (or from the way there)
		c.fire(r, EvRelease)
		c.moveToAt(r.move, MoveLaden, now, cause, r.gate.checkpoint.ID, by)
		r.move.stamp(r.gate.checkpoint.ID, (*Clearance).passedAt, now)
		r.gate = nil
		c.task(r, r.await(taskDeliver))
		c.planTask(now, r)
		return
	}
	r.gate.until = now.Add(r.gate.checkpoint.ReleaseTime)
}

// customsDecision records an officer's decision and acts on it if the
// container is waiting for it. Officers decide only at their own
// country's checkpoints.
func (c *Controller) customsDecision(now time.Time, d CustomsDecision) error {
	cp, ok := c.checkpoint(d.Checkpoint)
	if !ok {
		return fmt.Errorf("fleet: customs decision at unknown checkpoint %q", d.Checkpoint)
	}
	if d.Country != cp.Country {
		return fmt.Errorf("fleet: an officer of %s cannot decide at %s, a checkpoint of %s", d.Country, cp.ID, cp.Country)
	}
	m, ok := c.moves[d.Move]
	if !ok {
		return fmt.Errorf("fleet: customs decision on unknown move %q", d.Move)
	}
	switch d.Decision {
	case DecisionRelease, DecisionInspect, DecisionRefuse:
	default:
		return fmt.Errorf("fleet: customs decision %q: want release, inspect or refuse", d.Decision)
	}
	if err := m.CanDecide(cp.ID); err != nil {
		return err
	}
	c.record(now, m, d)
	if c.decided[m.ID] == nil {
		c.decided[m.ID] = map[string]CustomsDecision{}
	}
	c.decided[m.ID][cp.ID] = d
	if r, ok := c.shuttles[m.Shuttle]; ok && r.gate != nil && r.gate.checkpoint.ID == cp.ID {
		c.applyDecision(now, r)
	}
	return nil
}

// gateTimers lets shuttles whose release time has come pass their stop line.
func (c *Controller) gateTimers(now time.Time) {
	for _, r := range c.recs {
		if r.gate == nil || r.gate.until.IsZero() || now.Before(r.gate.until) || r.task == taskInspect || !r.inService() {
			continue
		}
		cp := r.gate.checkpoint
		if err := c.tr.ClearHold(r.id, cp.ID); err != nil {
			if p, _ := c.tr.Position(r.id); p.Hold == cp.ID {
				continue
			}
			// no hold left there (a new route without it): nothing to
			// release; the stop is over
		}
		r.gate = nil
		if len(r.stops) > 0 && r.stops[0] == cp.ID {
			r.stops = r.stops[1:]
		}
		if m := r.move; m != nil && m.State == MoveAtGate {
			next := MoveLaden
			ev := EvRelease
			if len(r.stops) == 0 {
				next = MoveToDropoff
			}
			c.fire(r, ev)
			c.moveToAt(m, next, now, "passed "+cp.ID+m.releasedBy(cp.ID), cp.ID, m.releaser(cp.ID))
			m.stamp(cp.ID, (*Clearance).passedAt, now)
			if next == MoveToDropoff {
				c.fire(r, EvPassedGates)
			}
		} else if m != nil && m.State == MoveLaden && len(r.stops) == 0 && (r.task == taskDeliver || r.task == taskStage && r.then == taskDeliver) {
			c.moveToAt(m, MoveToDropoff, now, "passed "+cp.ID+m.releasedBy(cp.ID), cp.ID, m.releaser(cp.ID))
			m.stamp(cp.ID, (*Clearance).passedAt, now)
			c.fire(r, EvPassedGates)
		}
	}
}

// routeInspection sends a shuttle from its stop line to the inspection
// bay; until that route can be made it stays held at the stop line.
func (c *Controller) routeInspection(r *shuttleRec) {
	if c.route(r, r.gate.checkpoint.InspectionBay, taskInspect) {
		_ = c.tr.ClearHold(r.id, r.gate.checkpoint.ID) // the new route starts at the stop line
		return
	}
	c.task(r, r.await(taskInspect))
}

// GateWait is a container waiting for a customs decision.
type GateWait struct {
	Checkpoint string
	Country    string
	Move       string
	Container  Container
	Shuttle    string
	// Inspection: the container has been sent to inspection (it is on
	// its way to, or at, the checkpoint's inspection bay).
	Inspection bool
	// AtInspectionBay: it stands at the inspection bay being inspected.
	AtInspectionBay bool
	// Decided: a decision for it is stored and waits to be applied (the
	// shuttle is out of service, or on its way, or it is held).
	Decided bool
	// Held says why it is held whatever was decided ("" if it is not).
	Held string
}

// GateQueue lists the containers waiting for customs at each checkpoint,
// in shuttle id order.
func (c *Controller) GateQueue() []GateWait {
	var out []GateWait
	for _, r := range c.recs {
		if r.gate == nil || !r.gate.until.IsZero() || r.move == nil || !r.move.Laden() || r.returning() {
			continue
		}
		cp := r.gate.checkpoint
		_, decided := c.decided[r.move.ID][cp.ID]
		held := ""
		if g := r.move.clearance(cp.ID); g != nil {
			held = g.Held
		}
		out = append(out, GateWait{Checkpoint: cp.ID, Country: cp.Country, Move: r.move.ID, Container: r.move.Container,
			Shuttle: r.id, Inspection: r.task == taskInspect, AtInspectionBay: r.move.State == MoveInspection, Decided: decided, Held: held})
	}
	return out
}
