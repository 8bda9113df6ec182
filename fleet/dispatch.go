package fleet

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/routing"
)

// candidate is a shuttle the dispatcher may give a move: free now, or (for
// the lookahead policy) free soon at a known place.
type candidate struct {
	r     *shuttleRec
	at    string        // where it will start from
	delay time.Duration // until it is free
	soc   float64       // its state of charge then (shuttleSoC)
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
		if r.move != nil || r.replan {
			continue
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

// feasible checks a move for a shuttle: a route to the origin, the
// delivery, and enough energy for the worst case: refused at the far gate,
// driven back laden, then to a charger.
func (c *Controller) feasible(cd candidate, m *Move) (time.Duration, string) {
	switch centre := m.destCentre; {
	case c.inbound[centre] >= c.maxInbound(centre):
		return 0, c.fullReason(centre)
	case !c.bays.canPick(m.Origin, m):
		return 0, "origin bay: another pick is booked there"
	case cd.delay == 0 && cd.at != m.Origin && !c.tr.Free(m.Origin):
		return 0, "origin bay: a shuttle stands there or is on its way"
	case cd.delay == 0 && !c.bayFirst(m.Origin, m, window{c.now, c.now.Add(c.cfg.Handling)}):
		return 0, "origin bay: a drop is due there first"
	}
	toPick := c.reachBetween(cd.at, m.Origin)
	if !toPick.OK {
		return 0, "no route to the origin bay"
	}
	e, why := c.moveEnergy(m.Origin, m.Destination)
	if why != "" {
		return 0, why
	}
	v := c.cfg.Vehicle
	pick := v.DriveKWh(charging.Leg{Metres: toPick.Metres, Duration: toPick.Duration}, c.cfg.AmbientC)
	f := charging.Feasibility{ReserveKWh: v.KWh(v.MinSoC), Worst: "delivered", NeedKWh: pick + e.delivered}
	f.HaveKWh = v.KWh(cd.soc) - f.ReserveKWh
	if n := pick + e.refused; n > f.NeedKWh {
		f.NeedKWh, f.Worst = n, "refused at the far gate"
	}
	if f.OK = f.HaveKWh >= f.NeedKWh; !f.OK {
		return 0, "battery: " + f.Reason()
	}
	return cd.delay + toPick.Duration, ""
}

// fullMsg is a centre's "no more moves" reason for one count.
type fullMsg struct {
	n   int
	msg string
}

// fullReason says why a centre takes no more moves now, made once per
// count (dispatch asks for it for every candidate).
func (c *Controller) fullReason(centre string) string {
	n := c.inbound[centre]
	if f, ok := c.full[centre]; ok && f.n == n {
		return f.msg
	}
	msg := fmt.Sprintf("destination centre: %d moves are on their way to %s already", n, centre)
	c.full[centre] = fullMsg{n, msg}
	return msg
}

// moveEnergy is what a move takes from its origin bay on, in its two
// scenarios (charging.Vehicle.ScenarioKWh without the drive to the origin):
// delivered, then to the nearest charger; or refused at the far gate,
// driven back laden, then to a charger at home. Both allow for standing
// through two handlings and half an hour. Worked out once per pair of
// bays.
func (c *Controller) moveEnergy(origin, dest string) (moveKWh, string) {
	key := [2]string{origin, dest}
	if e, ok := c.energy[key]; ok {
		return e, e.why
	}
	var e moveKWh
	deliver := c.reachBetween(origin, dest)
	back := c.reachBetween(dest, origin)
	st, ok := c.stationOf(c.centreOf(dest), dest)
	home, ok2 := c.stationOf(c.centreOf(origin), origin)
	switch {
	case !deliver.OK || !back.OK:
		e.why = "no route between the bays"
	case !ok || !ok2:
		e.why = "no charging station"
	default:
		leg := func(r routing.Reach, laden bool) charging.Leg {
			return charging.Leg{Metres: r.Metres, Duration: r.Duration, Laden: laden}
		}
		standing := 2*c.cfg.Handling + 30*time.Minute
		v, amb := c.cfg.Vehicle, c.cfg.AmbientC
		e.delivered = v.ScenarioKWh(charging.Scenario{Standing: standing,
			Legs: []charging.Leg{leg(deliver, true), leg(c.reachBetween(dest, st), false)}}, amb)
		e.refused = v.ScenarioKWh(charging.Scenario{Standing: standing,
			Legs: []charging.Leg{leg(deliver, true), leg(back, true), leg(c.reachBetween(origin, home), false)}}, amb)
	}
	c.energy[key] = e
	return e, e.why
}

// moveKWh is the energy of a move's two scenarios from its origin bay.
type moveKWh struct {
	delivered, refused float64
	why                string // why the move cannot be done at all
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
	if c.cfg.Dispatch == "greedy" {
		if len(moves) > 3*len(c.ids) {
			moves = moves[:3*len(c.ids)]
		}
		c.greedy(now, moves, free)
		return
	}
	cands := append(free, c.freeSoon()...)
	c.lookahead(now, c.shortlist(moves, len(cands)), cands)
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

// maxInbound is how many moves may be under way to a centre at once: twice
// its bays. More would fill its yard with shuttles that wait for a bay,
// and a yard ring full of waiting shuttles stops the shuttles leaving it.
func (c *Controller) maxInbound(centre string) int {
	if c.inboundCap == nil {
		c.inboundCap = map[string]int{}
		for _, b := range c.site.Bays {
			if b.Centre != "" {
				c.inboundCap[b.Centre] += 2
			}
		}
	}
	return c.inboundCap[centre]
}

// shortlist keeps the most urgent moves, three per candidate shuttle, and
// the most urgent few from each bay, so that every shuttle has moves near
// it and a choice of destinations to pick from.
func (c *Controller) shortlist(moves []*Move, cands int) []*Move {
	const perBay = 5
	k := 3 * cands
	if len(moves) <= k {
		return moves
	}
	out := moves[:k:k]
	seen := map[string]int{}
	for _, m := range out {
		seen[m.Origin]++
	}
	for _, m := range moves[k:] {
		if seen[m.Origin] < perBay {
			seen[m.Origin]++
			out = append(out, m)
		}
	}
	return out
}

// greedy is the classic baseline: each move in turn gets the nearest free
// shuttle that can take it.
func (c *Controller) greedy(now time.Time, moves []*Move, free []candidate) {
	taken := map[*shuttleRec]bool{}
	for _, m := range moves {
		var best *candidate
		var bestT time.Duration
		var reasons []string
		for i := range free {
			cd := free[i]
			if taken[cd.r] {
				continue
			}
			t, why := c.feasible(cd, m)
			if why != "" {
				reasons = append(reasons, cd.r.id+": "+why)
				c.stats.DispatchRejections[firstWord(why)]++
				continue
			}
			if best == nil || t < bestT {
				best, bestT = &free[i], t
			}
		}
		m.PassedOver = reasons
		if best != nil && c.assign(now, best.r, m) {
			taken[best.r] = true
		}
	}
}

// lookahead is the default: a minimum-cost assignment of moves to shuttles
// free now and free soon (a shuttle about to drop a container is the best
// one for a move back from there). Only pairs with a shuttle free now are
// carried out; the rest wait for the next round.
func (c *Controller) lookahead(now time.Time, moves []*Move, cands []candidate) {
	const infeasible = 1e9
	pendingIn := map[string]bool{} // centres with moves waiting to start there
	for _, m := range c.order {
		if m.State == MovePending {
			pendingIn[m.originCentre] = true
		}
	}
	for _, m := range moves {
		m.PassedOver = m.PassedOver[:0] // this round's reasons
	}
	cost := make([][]float64, len(cands))
	for i, cd := range cands {
		cost[i] = make([]float64, len(moves))
		for j, m := range moves {
			t, why := c.feasible(cd, m)
			if why != "" {
				cost[i][j] = infeasible
				if cd.delay == 0 {
					m.PassedOver = append(m.PassedOver, cd.r.id+": "+why)
					c.stats.DispatchRejections[firstWord(why)]++
				}
				continue
			}
			if home := c.centreNear(cd); home != "" && home != m.originCentre && pendingIn[home] {
				cost[i][j] = infeasible
				m.PassedOver = append(m.PassedOver, cd.r.id+": empty across the border while moves wait in its own centre")
				c.stats.DispatchRejections["empty across the border"]++
				continue
			}
			// time lost waiting for bays that others are expected to use
			pick, drop := c.windows(now, t, m)
			busy := c.bays.wait(m.Origin, m, pick, now) + c.bays.wait(m.Destination, m, drop, now)
			cost[i][j] = t.Seconds() + 4*busy.Seconds() - 600*float64(m.Priority) + c.lateness(now, t, m)
		}
	}
	for i, j := range assignMin(cost) {
		if j < 0 || cost[i][j] >= infeasible {
			continue
		}
		if cands[i].delay == 0 {
			c.assign(now, cands[i].r, moves[j])
		}
	}
}

// lateness penalises arriving at the origin after a move's deadline
// budget: a minute late costs ten minutes.
func (c *Controller) lateness(now time.Time, t time.Duration, m *Move) float64 {
	if m.Deadline.IsZero() {
		return 0
	}
	deliver := c.reachBetween(m.Origin, m.Destination).Duration
	late := now.Add(t + 2*c.cfg.Handling + deliver).Sub(m.Deadline)
	if late <= 0 {
		return 0
	}
	return 10 * late.Seconds()
}

// windows estimates when a move whose shuttle reaches the origin bay after
// t will use its origin and its destination bay.
func (c *Controller) windows(now time.Time, t time.Duration, m *Move) (pick, drop window) {
	h := c.cfg.Handling
	pick = window{now.Add(t), now.Add(t + h)}
	arrive := pick.to.Add(c.reachBetween(m.Origin, m.Destination).Duration + c.gateTime(m.Origin, m.Destination))
	return pick, window{arrive, arrive.Add(h)}
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

// centreNear is the centre a candidate will start from: that of the place
// it stands at, else that of the goal it drives to ("" on the open road).
func (c *Controller) centreNear(cd candidate) string {
	if ctr := c.centreOf(cd.at); ctr != "" {
		return ctr
	}
	return c.centreOf(cd.r.goal)
}

// assign gives a move to a shuttle and routes it to the origin bay.
func (c *Controller) assign(now time.Time, r *shuttleRec, m *Move) bool {
	if !c.bays.canPick(m.Origin, m) {
		return false // booked earlier in this round
	}
	if !c.route(r, m.Origin, taskPickup) {
		m.PassedOver = append(m.PassedOver, r.id+": no route through traffic now")
		return false
	}
	c.inbound[m.destCentre]++
	c.moveTo(m, MoveAssigned, now, "dispatched to "+r.id+" ("+c.cfg.Dispatch+")")
	c.moveTo(m, MoveToPickup, now, "route to "+m.Origin)
	m.Shuttle, r.move = r.id, m
	c.bays.bookPick(m.Origin, m)
	c.bays.bookDrop(m.Destination, m)
	pick, drop := c.windows(now, c.reachBetween(r.node, m.Origin).Duration, m)
	c.bays.plan(m.Origin, m, pick)
	c.bays.plan(m.Destination, m, drop)
	c.fire(r, EvAssign)
	return true
}

func firstWord(s string) string {
	for i, ch := range s {
		if ch == ':' {
			return s[:i]
		}
	}
	return s
}

// assignMin solves the rectangular assignment problem (Hungarian method
// with potentials, O(n^2 m)): it returns for each row the column it gets,
// or -1, minimising the total cost.
func assignMin(cost [][]float64) []int {
	n := len(cost)
	if n == 0 {
		return nil
	}
	m := len(cost[0])
	transposed := false
	if n > m {
		t := make([][]float64, m)
		for j := range t {
			t[j] = make([]float64, n)
			for i := range cost {
				t[j][i] = cost[i][j]
			}
		}
		cost, n, m, transposed = t, m, n, true
	}
	u, v := make([]float64, n+1), make([]float64, m+1)
	p, way := make([]int, m+1), make([]int, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, m+1)
		used := make([]bool, m+1)
		for j := range minv {
			minv[j] = math.Inf(1)
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := cost[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = -1
	}
	for j := 1; j <= m; j++ {
		if p[j] > 0 {
			rows[p[j]-1] = j - 1
		}
	}
	if !transposed {
		return rows
	}
	out := make([]int, m)
	for i := range out {
		out[i] = -1
	}
	for j, i := range rows {
		if i >= 0 {
			out[i] = j
		}
	}
	return out
}
