package fleet

import (
	"time"

	"github.com/borderfleet/borderfleet/routing"
)

// Refused containers go home: back to a bay of their origin centre.
//
// A refusal can come while the shuttle stands at the stop line, on the
// main lane, with the shuttles behind it queued on it. Turning back from
// there needs the lanes of the other direction, which may be held by
// shuttles that (through others) wait on this one: a turn-back made from
// the lane can then never be queued, and the shuttle would hold the lane
// for good. So a refused shuttle at a stop line first leaves the lane the
// way it faces, into the checkpoint's inspection bay (a lay-by), when that
// is free, and plans its way home from there; a shuttle standing in a
// lay-by holds up nobody, so its way home can always be queued (routing
// refuses a route only when a shuttle waiting on this one holds part of
// it). Only when the lay-by is taken does it try to turn back from the
// lane, and it waits at the stop line until one of the two can be done:
// the lay-by's occupant leaves it whatever the lanes do, as its own way on
// starts in the lay-by.

// routeHome sends a refused container back to any bay of its origin
// centre where it may be dropped, by way of the checkpoint's lay-by when
// it stands at a stop line; the task waits for a route if none can be
// made now.
func (c *Controller) routeHome(now time.Time, r *shuttleRec) {
	if c.atStopLineHeld(r) && c.layBy(r) {
		return
	}
	origin, _ := c.site.Bay(r.move.Origin)
	// a bay nothing is booked at first: a return goes before every
	// booking at its bay, and one routed into a bay where a drop is due
	// can hold up the laden shuttle that was to drop there, which may
	// stand in the way the return has to come (an inspection bay, with
	// the stop line behind it queued full)
	from := c.reachFrom(r.node)
	for _, anyDrop := range []bool{false, true} {
		var bays []string
		for _, b := range c.site.BaysOf(origin.Centre) {
			if c.bays.pick[b.ID] == nil && c.tr.Free(b.ID) && (anyDrop || len(c.bays.drop[b.ID]) == 0) {
				bays = append(bays, b.ID)
			}
		}
		for _, bay := range nearest(bays, func(bay string) routing.Reach { return c.reachTo(from, bay) }) {
			gate := r.gate
			if c.route(r, bay, taskReturn) {
				c.bays.forget(r.move)
				c.bays.bookDrop(bay, r.move)
				if gate != nil && r.gate == gate { // leave the stop line (or inspection bay) on the new route
					_ = c.tr.ClearHold(r.id, gate.checkpoint.ID)
					r.gate = nil
				}
				return
			}
		}
	}
	c.bays.forget(r.move)
	if bays := c.site.BaysOf(origin.Centre); len(bays) > 0 && c.stage(r, bays[0].ID, taskReturn) {
		return
	}
	c.task(r, r.await(taskReturn))
}

// layByLater takes a refused shuttle that turned back from the lane at
// a stop line, because the checkpoint's lay-by was taken then, into the
// lay-by once it is free, if it still stands at the stop line and its way
// back cannot be queued (a shuttle that waits on it, through others,
// holds part of it: the lanes of the other direction queued full behind
// the shuttles queued behind it). From the lay-by its way home can always
// be queued; waiting at the line it would hold the lane for good.
func (c *Controller) layByLater(r *shuttleRec) bool {
	if r.task != taskReturn || r.gate != nil || r.move == nil {
		return false
	}
	cp, ok := c.checkpoint(r.node)
	if !ok || cp.InspectionBay == "" || !c.tr.Free(cp.InspectionBay) {
		return false
	}
	if p, _ := c.tr.Position(r.id); p.At != r.node || p.Granted != p.AtStep {
		return false
	}
	if w := c.tr.WaitsFor(r.id); w.Kind != routing.WaitNotQueued || w.Detail == "" || !c.route(r, cp.InspectionBay, taskStage) {
		return false
	}
	c.bays.forget(r.move) // its way home is planned again from the lay-by
	r.then = taskReturn
	return true
}

// atStopLineHeld tells whether a shuttle stands held at the stop line of
// the gate it stopped at.
func (c *Controller) atStopLineHeld(r *shuttleRec) bool {
	if r.gate == nil {
		return false
	}
	p, _ := c.tr.Position(r.id)
	return p.At == r.gate.checkpoint.ID && p.Hold == p.At
}

// layBy sends a refused shuttle from the stop line into the checkpoint's
// inspection bay, to plan its way home from there; false if the bay is
// taken or cannot be reached now.
func (c *Controller) layBy(r *shuttleRec) bool {
	gate := r.gate
	bay := gate.checkpoint.InspectionBay
	if bay == "" || !c.tr.Free(bay) || !c.route(r, bay, taskStage) {
		return false
	}
	r.then = taskReturn
	_ = c.tr.ClearHold(r.id, gate.checkpoint.ID) // the new route starts at the stop line
	r.gate = nil
	return true
}
