package fleet

import "slices"

// Turning back in a customs area: one refused shuttle at a time.
//
// A refused container leaves its lane into the checkpoint's lay-by (its
// inspection bay) and plans its way home from there (returns.go): out of
// the lay-by, and across a turn-back into the other direction's lane.
// Each turn-back of an area leaves one lane and joins the other. Two
// shuttles turning back at once, one each way, can each stand with its
// tail on the lane it leaves, waiting to join the other lane, while the
// shuttles queued on each lane wait, at its far end, for the other
// turner's tail to clear: a closed chain round the area's loop that no
// shuttle can break (the harness found it on the default site, refusals
// at both KZ stop lines within minutes: sim/soak/testdata/
// deadlock-two-turn-backs-at-once.json). One turner alone always gets
// through: the lane it joins leads out of the area, and what stands on it
// goes on (released or empty shuttles; an undecided container has a place
// and is decided in time), since no other turner's tail is in its way.
//
// One turner alone can still stop for good where the area's loop runs
// through the end of a shared single lane: it stands with its tail on the
// lane it left, past that lane's stop line, waiting to join the other
// lane, whose shuttles wait at the shared lane's end for one of the first
// lane's, which waits behind the shuttle at the stop line, which waits
// for the turner's tail (the harness found it on generated sites:
// sim/soak/testdata/deadlock-turn-back-across-a-held-stop-line.json,
// deadlock-turn-back-before-the-stop-line-shuttle-came.json). So a turner
// whose way out of the area runs onto a two-way lane also waits until
// that way is clear (routing: WayAhead: nobody holds or is queued on it
// up to the clearance past the area), unless a shuttle waits for a place
// in the area, which only its leaving can free: then it goes. (Where the
// way out is one-way lanes only, as on the default site, the argument
// above holds, and the turner does not wait for it.)
//
// So a refused shuttle in a lay-by of an area starts its way home only
// while no other shuttle turns back in that area (and its way onto a
// shared lane is clear): its route holds where it stands (routing queues
// nothing past a hold, so it holds up nobody) until admitTurn lets it go,
// and it turns until it has left the area. Two exceptions keep the lay-by
// from becoming a wait of its own: a refused shuttle that turns back from
// the lane (its lay-by was taken) turns at once, since waiting there it
// would hold the lane; and one in a lay-by goes without its turn when a
// shuttle at the lay-by's stop line waits for the lay-by (to be inspected
// there, or to leave the lane after a refusal), since that shuttle holds
// the lane.

// refused tells whether a shuttle carries a refused container home (its
// route may be to a bay of home, or to a spot to wait for one).
func refused(r *shuttleRec) bool { return r.move != nil && r.move.State == MoveReturning }

// turnArea returns the area a shuttle turns back in from the lay-by it
// stands in, nil if it stands in none: the hold its route home starts
// with (holds).
func (c *Controller) turnArea(node string) *customsArea {
	for _, a := range c.areas {
		if _, ok := a.bays[node]; ok {
			return a
		}
	}
	return nil
}

// admitTurn lets a refused shuttle held in a lay-by go home when it may
// turn back: no other shuttle turns in the area, or one at the lay-by's
// stop line waits for the lay-by.
func (c *Controller) admitTurn(r *shuttleRec) {
	if !refused(r) {
		return
	}
	p, ok := c.tr.Position(r.id)
	if !ok || p.Hold == "" || p.Hold != p.At || p.Granted != p.AtStep {
		return
	}
	a := c.turnArea(p.At)
	if a == nil {
		return
	}
	if !c.mayTurn(r, a, p.At) {
		return
	}
	if !slices.Contains(a.turning, r.id) {
		a.turning = append(a.turning, r.id)
	}
	_ = c.tr.ClearHold(r.id, p.At)
}

// mayTurn tells whether a refused shuttle in the lay-by bay of an area
// may start its way home now: no other turns there and its way out is
// clear, one-way or wanted (a shuttle waits for a place there), or a
// shuttle waits at the lay-by's stop line for the lay-by.
func (c *Controller) mayTurn(r *shuttleRec, a *customsArea, bay string) bool {
	if slices.Contains(a.turning, r.id) {
		return true
	}
	if len(a.turning) == 0 {
		clear, twoWay := c.tr.WayAhead(r.id, func(n string) bool { return !a.nodes[n] })
		if clear || !twoWay || c.placeWanted(a) {
			return true
		}
	}
	line := a.bays[bay]
	for _, o := range c.recs {
		if o != r && o.node == line && (o.task == taskInspect || o.task == taskReturn) {
			return true // it waits at the line for the lay-by
		}
	}
	return false
}

// placeWanted tells whether a shuttle waits for a place in an area (at
// its entry, or at its bay).
func (c *Controller) placeWanted(a *customsArea) bool {
	for _, o := range c.recs {
		if c.waitsAtEntry(o) == a || c.waitsAtBay(o) == a {
			return true
		}
	}
	return false
}

// turnWait returns the area whose turning shuttles a refused shuttle in a
// lay-by waits for before it turns back, nil if it does not wait.
func (c *Controller) turnWait(r *shuttleRec) *customsArea {
	if !refused(r) {
		return nil
	}
	p, ok := c.tr.Position(r.id)
	if !ok || p.Hold == "" || p.Hold != p.At || p.Granted != p.AtStep {
		return nil
	}
	if a := c.turnArea(p.At); a != nil && !c.mayTurn(r, a, p.At) {
		return a
	}
	return nil
}

// trackTurns keeps each area's list of turning shuttles: one drops out
// once it has left the area or is no longer on its way home, and a
// refused shuttle routed from a lane of the area, not to its lay-by (it
// turns back from the lane, its lay-by taken), joins it.
func (c *Controller) trackTurns() {
	for _, a := range c.areas {
		a.turning = slices.DeleteFunc(a.turning, func(id string) bool {
			r := c.shuttles[id]
			return r == nil || !refused(r) || !a.nodes[r.node]
		})
		for _, r := range c.recs {
			if !refused(r) || r.goalStep < 0 || !a.nodes[r.node] || slices.Contains(a.turning, r.id) {
				continue
			}
			_, inLayBy := a.bays[r.node]
			_, toLayBy := a.bays[r.goal]
			if !inLayBy && !toLayBy {
				a.turning = append(a.turning, r.id)
			}
		}
	}
}
