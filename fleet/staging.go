package fleet

import (
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/routing"
)

// stage sends a laden shuttle whose bay is taken to wait off the lanes, at
// the free parking spot of the bay's centre nearest to the bay; it tries
// for the bay again from there. False if it waits there already or no spot
// can be reached now.
func (c *Controller) stage(r *shuttleRec, bay string, then task) bool {
	centre := c.centreOf(bay)
	if c.isParking(r.node) && c.centreOf(r.node) == centre {
		return false
	}
	spots := c.parkingSpots(centre, func(spot string) routing.Reach { return c.reachBetween(spot, bay) })
	for _, spot := range spots {
		gate := r.gate // route may stop it at a stop line it stands at; that stop stays
		if c.route(r, spot, taskStage) {
			r.then = then
			if gate != nil && r.gate == gate { // leave the stop line (or inspection bay) its decision sends it from
				_ = c.tr.ClearHold(r.id, gate.checkpoint.ID)
				r.gate = nil
			}
			return true
		}
	}
	if len(spots) == 0 {
		c.makeRoom(centre)
	}
	return false
}

// makeRoom sends one idle shuttle parked at a centre whose spots are all
// taken to park at another centre, so that a laden shuttle that must wait
// off the lanes for its bay there gets its spot. Without it a fleet whose
// work mostly ends at one centre fills that centre's spots with idle
// shuttles; a laden one then waits for its bay where it stands (a stop
// line's inspection bay, a lane), and the bay's next booking may be
// queued behind it, so that the two wait on each other for good (the
// harness found it on the default site: 68 shuttles, 84 % of the work
// eastbound). It sends none while a spot of the centre is free (if out of
// reach now) or another one it sent is still leaving.
func (c *Controller) makeRoom(centre string) {
	if centre == "" {
		return
	}
	for _, p := range c.site.Parking {
		if p.Centre == centre && c.tr.Free(p.ID) {
			return
		}
	}
	var idle []*shuttleRec
	for _, o := range c.recs {
		if o.task == taskPark && c.isParking(o.node) && c.centreOf(o.node) == centre && c.centreOf(o.goal) != centre {
			return // room is being made already
		}
		if o.sm.State() == ShuttleIdle && o.task == taskNone && o.move == nil && c.isParking(o.node) && c.centreOf(o.node) == centre {
			if p, _ := c.tr.Position(o.id); p.Arrived {
				idle = append(idle, o)
			}
		}
	}
	for _, o := range idle {
		if c.park(o, "") { // the centre has no spot free: another's
			return
		}
	}
}

// parkingSpots lists the free parking spots of a centre (any centre if
// "") by the time reach gives for each, nearest first, at most
// maxSpotsTried of them.
func (c *Controller) parkingSpots(centre string, reach func(spot string) routing.Reach) []string {
	var free []string
	for _, p := range c.site.Parking {
		if (centre == "" || p.Centre == centre) && c.tr.Free(p.ID) {
			free = append(free, p.ID)
		}
	}
	return nearest(free, reach)
}

// nearest orders places by the time reach gives for each, nearest first
// (by id among equals), leaving out those it does not reach, and keeps at
// most maxSpotsTried of them.
func nearest(places []string, reach func(place string) routing.Reach) []string {
	type cand struct {
		id string
		t  time.Duration
	}
	var cands []cand
	for _, id := range places {
		if rr := reach(id); rr.OK {
			cands = append(cands, cand{id, rr.Duration})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		return cands[i].t < cands[j].t || (cands[i].t == cands[j].t && cands[i].id < cands[j].id)
	})
	out := make([]string, 0, maxSpotsTried)
	for i := 0; i < len(cands) && i < maxSpotsTried; i++ {
		out = append(out, cands[i].id)
	}
	return out
}

// maxSpotsTried is how many parking spots a shuttle tries to route to in
// one go; the nearest that traffic cannot route it to now are usually
// blocked for the same reason as the rest.
const maxSpotsTried = 8

// bayReady tells whether a laden shuttle may be routed into the bay where
// it drops m: nobody stands there or is on the way, and no other booking
// there is due before m's (bookings are served in the order of their
// expected arrival, so a shuttle waiting nearby is not overtaken by one
// still far away). Bookings of shuttles out of service do not count,
// unless the shuttle holds a place in a customs area: a later booking
// routed into the bay meanwhile may need that very place to get there,
// while the shuttle inside waits for the bay.
func (c *Controller) bayReady(bay string, m *Move) bool {
	if !c.tr.Free(bay) {
		return false
	}
	w, ok := c.bays.win[m][bay]
	return !ok || c.bayFirst(bay, m, w)
}

// bayFirst tells whether a use of bay by m in window w comes before every
// other booking there whose shuttle is in service.
func (c *Controller) bayFirst(bay string, m *Move, w window) bool {
	before := func(o *Move) bool {
		ow, ok := c.bays.win[o][bay]
		if o == m || !ok || !ow.from.Before(w.from) {
			return false
		}
		r := c.shuttles[o.Shuttle]
		return r != nil && (r.inService() || c.holdsPlace(r))
	}
	if o := c.bays.pick[bay]; o != nil && before(o) {
		return false
	}
	for o := range c.bays.drop[bay] {
		if before(o) {
			return false
		}
	}
	return true
}
