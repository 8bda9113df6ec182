package fleet

import (
	"fmt"
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/routing"
)

// Dispatch: which shuttle gets this move.
//
// The dispatcher reads the fleet through a fleetView and changes nothing.
// It lists the candidates (shuttles free now and, for the lookahead, those
// that will be free soon at a known place) and the moves that may start,
// asks its checkers (feasibility.go) whether a candidate may take a move,
// ranks the feasible pairs (rank.go) and answers with assignments and the
// rejections it met. The Controller carries the assignments out in order
// (assign), checking again what an earlier one of the same round changed,
// and records the rejections: on each move (Move.PassedOver) and counted
// by kind (Stats.DispatchRejections).

// candidate is a shuttle the dispatcher may give a move: free now, or (for
// the lookahead policy) free soon at a known place.
type candidate struct {
	r     *shuttleRec
	at    string        // where it will start from
	delay time.Duration // until it is free
	soc   float64       // its state of charge then (shuttleSoC)
}

// fleetView is what the dispatcher reads of the fleet.
type fleetView interface {
	now() time.Time
	handling() time.Duration
	vehicle() charging.Vehicle
	ambientC() float64
	reach(from, to string) routing.Reach
	centreNear(cd candidate) string
	gateTime(from, to string) time.Duration
	// the bays: bookings and who stands there
	canPick(bay string, m *Move) bool
	bayFree(bay string) bool
	bayFirst(bay string, m *Move, w window) bool
	bayWait(bay string, m *Move, w window) time.Duration
	// the centres: moves under way to each, and how many it takes
	inbound(centre string) int
	maxInbound(centre string) int
	fullReason(centre string, n int) string
	moveEnergy(origin, dest string) moveKWh
}

// assignment is one move for one shuttle, as the dispatcher chose it.
type assignment struct {
	r *shuttleRec
	m *Move
}

// dispatchRound is the dispatcher's answer for one round.
type dispatchRound struct {
	assign   []assignment
	rejected map[*Move][]Rejection // shuttles free now that were passed over, per move
	counted  []RejectKind          // every rejection, by kind, for the stats
}

func (d *dispatchRound) reject(m *Move, cd candidate, kind RejectKind, detail string, record bool) {
	d.counted = append(d.counted, kind)
	if record {
		d.rejected[m] = append(d.rejected[m], Rejection{Shuttle: cd.r.id, Kind: kind, Detail: detail})
	}
}

// feasible asks the checkers in turn: the first that says no, or "".
func feasible(v fleetView, checks []checker, cd candidate, m *Move) (RejectKind, string) {
	for _, ch := range checks {
		if k, why := ch.check(v, cd, m); k != "" {
			return k, why
		}
	}
	return "", ""
}

// roundView is a fleetView with the assignments made earlier in the same
// round booked on top: their origin bays taken for a pick, their
// destination centres a move fuller.
type roundView struct {
	fleetView
	picks map[string]*Move // origin bay -> the move picked there
	to    map[string]int   // centre -> moves assigned to it
}

func (v roundView) book(m *Move) { v.picks[m.Origin], v.to[m.destCentre] = m, v.to[m.destCentre]+1 }

func (v roundView) canPick(bay string, m *Move) bool {
	if o := v.picks[bay]; o != nil && o != m {
		return false
	}
	return v.fleetView.canPick(bay, m)
}

func (v roundView) inbound(centre string) int { return v.fleetView.inbound(centre) + v.to[centre] }

// greedy is the classic baseline: each move in turn, most urgent first,
// gets the nearest free shuttle that can take it.
func greedy(fv fleetView, moves []*Move, free []candidate) dispatchRound {
	d := dispatchRound{rejected: map[*Move][]Rejection{}}
	v := roundView{fv, map[string]*Move{}, map[string]int{}}
	taken := map[*shuttleRec]bool{}
	for _, m := range moves {
		var best *candidate
		var bestT time.Duration
		d.rejected[m] = nil
		for i := range free {
			cd := free[i]
			if taken[cd.r] {
				continue
			}
			if k, why := feasible(v, feasibilityChecks, cd, m); k != "" {
				d.reject(m, cd, k, why, true)
				continue
			}
			t := cd.delay + v.reach(cd.at, m.Origin).Duration
			if best == nil || t < bestT {
				best, bestT = &free[i], t
			}
		}
		if best != nil {
			taken[best.r] = true
			v.book(m)
			d.assign = append(d.assign, assignment{best.r, m})
		}
	}
	return d
}

// lookahead is the default: a minimum-cost assignment of moves to shuttles
// free now and free soon (a shuttle about to drop a container is the best
// one for a move back from there). Only pairs with a shuttle free now are
// carried out; the rest wait for the next round.
func lookahead(v fleetView, tu Tuning, moves []*Move, cands []candidate, pendingIn map[string]bool) dispatchRound {
	const infeasible = 1e9
	d := dispatchRound{rejected: map[*Move][]Rejection{}}
	for _, m := range moves {
		d.rejected[m] = nil
	}
	back := backhaul{pendingIn}
	ranks := rankers(tu)
	cost := make([][]float64, len(cands))
	for i, cd := range cands {
		cost[i] = make([]float64, len(moves))
		for j, m := range moves {
			if k, why := feasible(v, feasibilityChecks, cd, m); k != "" {
				cost[i][j] = infeasible
				if cd.delay == 0 {
					d.reject(m, cd, k, why, true)
				}
				continue
			}
			if k, why := back.check(v, cd, m); k != "" {
				cost[i][j] = infeasible
				d.reject(m, cd, k, why, true)
				continue
			}
			t := cd.delay + v.reach(cd.at, m.Origin).Duration
			for _, rk := range ranks {
				cost[i][j] += rk.cost(v, cd, m, t)
			}
		}
	}
	for i, j := range assignMin(cost) {
		if j >= 0 && cost[i][j] < infeasible && cands[i].delay == 0 {
			d.assign = append(d.assign, assignment{cands[i].r, moves[j]})
		}
	}
	return d
}

// dispatch assigns pending moves to shuttles by the configured policy.
func (c *Controller) dispatch(now time.Time) {
	free := c.freeNow()
	if len(free) == 0 {
		return
	}
	c.countInbound()
	moves := c.dispatchable(now)
	if len(moves) == 0 {
		return
	}
	stagger := c.stagger(now)
	if free = c.notEarly(now, stagger, free); len(free) == 0 {
		return
	}
	v := controllerView{c}
	var d dispatchRound
	if c.cfg.Dispatch == "greedy" {
		if len(moves) > 3*len(c.ids) {
			moves = moves[:3*len(c.ids)]
		}
		d = greedy(v, moves, free)
	} else {
		pendingIn := map[string]bool{} // centres with moves waiting to start there
		for _, m := range c.order {
			if m.State == MovePending {
				pendingIn[m.originCentre] = true
			}
		}
		cands := append(free, c.notEarly(now, stagger, c.freeSoon())...)
		d = lookahead(v, c.tuning, c.shortlist(moves, len(cands)), cands, pendingIn)
	}
	for m, rs := range d.rejected {
		m.PassedOver = rs
	}
	for _, k := range d.counted {
		c.stats.DispatchRejections[k]++
	}
	for _, a := range d.assign {
		c.assign(now, a.r, a.m)
	}
}

// notEarly leaves out the candidates that charge early (chargesEarly):
// they go to charge when they are free, and idleWork sends them.
func (c *Controller) notEarly(now time.Time, s staggered, cands []candidate) []candidate {
	out := cands[:0]
	for _, cd := range cands {
		if !c.chargesEarly(now, s, cd) {
			out = append(out, cd)
		}
	}
	return out
}

// dispatchable lists the pending moves that may be assigned now, most
// urgent first: priority, then deadline, then age.
func (c *Controller) dispatchable(now time.Time) []*Move {
	var ms []*Move
	for _, m := range c.order {
		if m.State != MovePending || m.EarliestPickup.After(now) {
			continue
		}
		if !c.bays.canPick(m.Origin, m) {
			continue
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.Deadline.Equal(b.Deadline) {
			return !a.Deadline.IsZero() && (b.Deadline.IsZero() || a.Deadline.Before(b.Deadline))
		}
		return a.Created.Before(b.Created)
	})
	return ms
}

// freeNow lists the shuttles free for a move now, by id.
func (c *Controller) freeNow() []candidate {
	var out []candidate
	for _, r := range c.recs {
		if r.move != nil || r.replan || r.stilled != stillNone {
			continue // a repaired shuttle waits for the lane it lent (breakdown.go)
		}
		switch {
		case r.sm.State() == ShuttleIdle && r.task == taskNone:
		case r.sm.State() == ShuttleToParking:
		default:
			continue
		}
		if p, _ := c.tr.Position(r.id); !p.Arrived && r.task == taskNone {
			continue
		}
		out = append(out, candidate{r: r, at: r.node, soc: r.soc})
	}
	return out
}

// freeSoon lists shuttles that will drop their container within the
// horizon, at the drop bay.
func (c *Controller) freeSoon() []candidate {
	var out []candidate
	for _, r := range c.recs {
		if r.move == nil || r.task != taskDeliver || r.goalStep < 0 {
			continue
		}
		rr := c.reachBetween(r.node, r.goal)
		if !rr.OK {
			continue
		}
		if d := rr.Duration + c.cfg.Handling; d <= c.cfg.Horizon {
			cd := candidate{r: r, at: r.goal, delay: d}
			cd.soc = c.shuttleSoC(cd)
			out = append(out, cd)
		}
	}
	return out
}

// shuttleSoC estimates a candidate's state of charge when it is free.
func (c *Controller) shuttleSoC(cd candidate) float64 {
	if cd.delay == 0 {
		return cd.r.soc
	}
	rr := c.reachBetween(cd.r.node, cd.at)
	v := c.cfg.Vehicle
	return cd.r.soc - v.DriveKWh(charging.Leg{Metres: rr.Metres, Duration: rr.Duration, Laden: true}, c.cfg.AmbientC)/v.BatteryKWh -
		v.IdleKWh(c.cfg.Handling, c.cfg.AmbientC)/v.BatteryKWh
}

// shortlist keeps the most urgent moves, Tuning.ShortlistPerShuttle per
// candidate shuttle, and the most urgent Tuning.ShortlistPerBay from each
// bay, so that every shuttle has moves near it and a choice of
// destinations to pick from.
func (c *Controller) shortlist(moves []*Move, cands int) []*Move {
	k := c.tuning.ShortlistPerShuttle * cands
	if len(moves) <= k {
		return moves
	}
	out := moves[:k:k]
	seen := map[string]int{}
	for _, m := range out {
		seen[m.Origin]++
	}
	for _, m := range moves[k:] {
		if seen[m.Origin] < c.tuning.ShortlistPerBay {
			seen[m.Origin]++
			out = append(out, m)
		}
	}
	return out
}

// countInbound counts, for each centre, the moves under way to one of its
// bays.
func (c *Controller) countInbound() {
	clear(c.inbound)
	for _, r := range c.recs {
		if r.move != nil && !r.returning() {
			c.inbound[r.move.destCentre]++
		}
	}
}

// maxInbound is how many moves may be under way to a centre at once:
// Tuning.InboundPerBay for each of its bays.
func (c *Controller) maxInbound(centre string) int {
	if c.inboundCap == nil {
		c.inboundCap = map[string]int{}
		for _, b := range c.site.Bays {
			if b.Centre != "" {
				c.inboundCap[b.Centre] += c.tuning.InboundPerBay
			}
		}
	}
	return c.inboundCap[centre]
}

// fullMsg is a centre's "no more moves" reason for one count.
type fullMsg struct {
	n   int
	msg string
}

// fullReason says why a centre with n moves on their way takes no more,
// made once per count (dispatch asks for it for every candidate).
func (c *Controller) fullReason(centre string, n int) string {
	if f, ok := c.full[centre]; ok && f.n == n {
		return f.msg
	}
	msg := fmt.Sprintf("destination centre: %d moves are on their way to %s already", n, centre)
	c.full[centre] = fullMsg{n, msg}
	return msg
}

// assign gives a move to a shuttle and routes it to the origin bay.
func (c *Controller) assign(now time.Time, r *shuttleRec, m *Move) bool {
	if !c.bays.canPick(m.Origin, m) {
		return false // booked earlier in this round
	}
	if !c.route(r, m.Origin, taskPickup) {
		m.PassedOver = append(m.PassedOver, Rejection{Shuttle: r.id, Kind: RejectTraffic, Detail: string(RejectTraffic)})
		c.stats.DispatchRejections[RejectTraffic]++
		return false
	}
	c.inbound[m.destCentre]++
	c.moveTo(m, MoveAssigned, now, "dispatched to "+r.id+" ("+c.cfg.Dispatch+")")
	c.moveTo(m, MoveToPickup, now, "route to "+m.Origin)
	m.Shuttle, r.move = r.id, m
	c.bays.bookPick(m.Origin, m)
	c.bays.bookDrop(m.Destination, m)
	pick, drop := windows(controllerView{c}, c.reachBetween(r.node, m.Origin).Duration, m)
	c.bays.plan(m.Origin, m, pick)
	c.bays.plan(m.Destination, m, drop)
	c.fire(r, EvAssign)
	r.chargeWait = "" // it has enough for this move (feasible), and the policy asks again when it is idle
	return true
}

// gateTime is the release time of the stop lines on the fastest route
// between two places.
func (c *Controller) gateTime(from, to string) time.Duration {
	key := [2]string{from, to}
	if d, ok := c.gateTimes[key]; ok {
		return d
	}
	var d time.Duration
	if r, err := c.g.Route(from, to, routing.Limits{}); err == nil {
		for _, n := range r.Nodes {
			if cp, ok := c.checkpoint(n); ok {
				d += cp.ReleaseTime
			}
		}
	}
	c.gateTimes[key] = d
	return d
}

// controllerView is the dispatcher's view of a Controller: it reads and
// changes nothing but its caches.
type controllerView struct{ c *Controller }

func (v controllerView) now() time.Time                         { return v.c.now }
func (v controllerView) handling() time.Duration                { return v.c.cfg.Handling }
func (v controllerView) vehicle() charging.Vehicle              { return v.c.cfg.Vehicle }
func (v controllerView) ambientC() float64                      { return v.c.cfg.AmbientC }
func (v controllerView) reach(from, to string) routing.Reach    { return v.c.reachBetween(from, to) }
func (v controllerView) gateTime(from, to string) time.Duration { return v.c.gateTime(from, to) }
func (v controllerView) canPick(bay string, m *Move) bool       { return v.c.bays.canPick(bay, m) }
func (v controllerView) bayFree(bay string) bool                { return v.c.tr.Free(bay) }
func (v controllerView) inbound(centre string) int              { return v.c.inbound[centre] }
func (v controllerView) maxInbound(centre string) int           { return v.c.maxInbound(centre) }
func (v controllerView) fullReason(centre string, n int) string { return v.c.fullReason(centre, n) }
func (v controllerView) moveEnergy(origin, dest string) moveKWh { return v.c.moveEnergy(origin, dest) }
func (v controllerView) bayFirst(bay string, m *Move, w window) bool {
	return v.c.bayFirst(bay, m, w)
}
func (v controllerView) bayWait(bay string, m *Move, w window) time.Duration {
	return v.c.bays.wait(bay, m, w, v.c.now)
}

// centreNear is the centre a candidate will start from: that of the place
// it stands at, else that of the goal it drives to ("" on the open road).
func (v controllerView) centreNear(cd candidate) string {
	if ctr := v.c.centreOf(cd.at); ctr != "" {
		return ctr
	}
	return v.c.centreOf(cd.r.goal)
}
