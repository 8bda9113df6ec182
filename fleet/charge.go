package fleet

import (
	"cmp"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/routing"
)

// Charging: when and where a shuttle charges, and which slot it takes.
//
// An idle shuttle asks the charging policy (Config.Charging) whether to
// charge now (chargeIfDue), with what its next likely move needs
// (needSoC) and how busy the fleet will be (demand). If it should, it
// books a slot at its centre's station, or the nearest one, with the
// charging.Scheduler (startCharging) and drives there; it checks in when
// it plugs in, and the slot ends when charging finishes, is cancelled
// (cancelSlot) or expires. The dispatcher asks the same energy question
// for a move (moveEnergy, and charging.Vehicle.Check in feasibility.go),
// so that a shuttle is never given a move it cannot finish and still
// reach a charger with its reserve.
//
// A busy fleet is never idle, so its shuttles charge only when they must,
// and shuttles that started alike all must within the same hour: more than
// there are chargers, and the last wait in a queue. stagger forecasts the
// coming sessions as late as each may start on the chargers there are
// (charging.LatestStarts); a shuttle whose session must start before its
// next move would end charges early (charging.State.Early) while a charger
// is free, and the dispatcher gives it no move meanwhile (dispatch).

// chargeIfDue sends an idle shuttle to charge if the policy says so and a
// slot is to be had soon; true if it goes. One the policy sends that gets
// no slot (every charger booked, the grid's power spoken for) waits for a
// charger (chargeWait), as Activity tells, and asks again later.
// (The fleet's sessions are scheduled once for a pass over the idle
// shuttles: stagger.)
func (c *Controller) chargeIfDue(now time.Time, r *shuttleRec, centre string, stagger func() staggered) bool {
	st, stationOK := c.stationOf(centre, r.node)
	d := c.cfg.Charging.Decide(c.cfg.Vehicle, charging.State{
		SoC: r.soc, Idle: true, ChargerFree: stationOK && c.chargerFree(st, now),
		NeedSoC: c.needSoC(), Demand: c.demand(), Early: stagger().early(r.id, 0),
	})
	r.chargeWait = ""
	if !d.Charge || !stationOK {
		return false
	}
	if c.startCharging(now, r, st, d) {
		return true
	}
	r.chargeWait = st
	return false
}

// idleOrder is the order in which idle shuttles are given work: first
// those waiting for a charger, lowest charge first, each asking again at
// once where a charger is free; then the rest by id. Otherwise a freed
// charger went to whichever shuttle asked first (the lowest id, or one
// just done with a move), and one waiting with less charge could wait
// until it ran flat: on generated site 9 (few chargers), with dispatch
// changed, a shuttle waited 19 h for a charger and ran flat.
func (c *Controller) idleOrder(now time.Time) []*shuttleRec {
	var waiting []*shuttleRec
	for _, r := range c.recs {
		if r.chargeWait != "" {
			waiting = append(waiting, r)
		}
	}
	if len(waiting) == 0 {
		return c.recs
	}
	slices.SortStableFunc(waiting, func(a, b *shuttleRec) int { return cmp.Compare(a.soc, b.soc) })
	out := make([]*shuttleRec, 0, len(c.recs))
	for _, r := range waiting {
		if c.chargerFree(r.chargeWait, now) {
			r.idleAt = now
		}
		out = append(out, r)
	}
	for _, r := range c.recs {
		if r.chargeWait == "" {
			out = append(out, r)
		}
	}
	return out
}

// chargesEarly: the policy would send a shuttle, free after delay, to
// charge before it must (stagger), a charger being free at the station of
// the centre it is at now.
func (c *Controller) chargesEarly(now time.Time, s staggered, cd candidate) bool {
	if !s.early(cd.r.id, cd.delay) {
		return false
	}
	st, ok := c.stationOf(c.centreOf(cd.at), cd.at)
	d := c.cfg.Charging.Decide(c.cfg.Vehicle, charging.State{
		SoC: cd.soc, Idle: true, ChargerFree: ok && c.chargerFree(st, now),
		NeedSoC: c.needSoC(), Demand: c.demand(), Early: true,
	})
	return ok && d.Charge && d.Early
}

// staggered is the fleet's coming charging sessions, as far as they are
// brought forward: for each shuttle in service whose session must start
// before it must charge, the latest it may start and when it must, from
// now; and how long a move takes (lead), the time to its next chance to
// charge.
type staggered struct {
	forward map[string]latest
	lead    time.Duration
}

type latest struct{ start, must time.Duration }

// early: the shuttle's session must start before it must charge and
// before its next move, free after delay, would end.
func (s staggered) early(id string, delay time.Duration) bool {
	l, ok := s.forward[id]
	return ok && l.start <= delay+s.lead
}

// stagger schedules the fleet's coming sessions (charging.LatestStarts):
// a working shuttle drains at the rate of a typical move (typicalMove)
// until the policy says it must charge (mustSoC), and a session takes it
// from there to the policy's target on a charger at full power; a booked
// slot holds a charger until it ends. The chargers are those that can
// draw full power at once within their station's grid cap.
func (c *Controller) stagger(now time.Time) staggered {
	var s staggered
	chargers, kw := 0, c.cfg.Vehicle.MaxChargeKW
	for _, st := range c.site.Stations {
		full := st.Chargers
		if st.GridCapKW > 0 && st.ChargerPowerKW > 0 {
			full = min(full, max(1, int(st.GridCapKW/st.ChargerPowerKW)))
		}
		chargers += full
		if st.ChargerPowerKW > 0 {
			kw = min(kw, st.ChargerPowerKW)
		}
	}
	if len(c.recs) <= chargers {
		return s // every shuttle has a charger when it must
	}
	legT, legKWh := c.typicalMove()
	if legT <= 0 || legKWh <= 0 {
		return s
	}
	s.lead = legT
	v := c.cfg.Vehicle
	must, target := c.mustSoC()
	takes := v.PlugOverhead + v.ChargeTime(must, target, kw)
	perSoC := time.Duration(float64(legT) * v.BatteryKWh / legKWh) // time to drain the whole battery
	var dues []charging.Due
	var busy []charging.Busy
	for _, r := range c.recs {
		if r.slot != 0 {
			if sl, ok := c.sched.Slot(r.slot); ok {
				busy = append(busy, charging.Busy{End: sl.End.Sub(now)})
			}
			continue
		}
		if !r.inService() || r.sm.State() == ShuttleCharging || r.sm.State() == ShuttleOutOfService {
			continue
		}
		dues = append(dues, charging.Due{Shuttle: r.id, Must: time.Duration((r.soc - must) * float64(perSoC)), Takes: takes})
	}
	for i, at := range charging.LatestStarts(dues, busy, chargers) {
		if d := dues[i]; at < d.Must-time.Minute {
			if s.forward == nil {
				s.forward = map[string]latest{}
			}
			s.forward[d.Shuttle] = latest{at, d.Must}
		}
	}
	return s
}

// staggerOnce schedules the fleet's sessions at most once, when first
// asked: for one pass over the shuttles.
func (c *Controller) staggerOnce(now time.Time) func() staggered {
	var s *staggered
	return func() staggered {
		if s == nil {
			v := c.stagger(now)
			s = &v
		}
		return *s
	}
}

// typicalMove is how long a move between centres takes a shuttle (the
// drive from one centre's first bay to another's, and two handlings) and
// the energy it takes, laden; the longest such pair.
func (c *Controller) typicalMove() (time.Duration, float64) {
	var legT time.Duration
	var legKWh float64
	c.betweenCentres(func(rr routing.Reach) {
		if t := rr.Duration + 2*c.cfg.Handling; rr.OK && t > legT {
			legT = t
			legKWh = c.cfg.Vehicle.DriveKWh(charging.Leg{Metres: rr.Metres, Duration: rr.Duration, Laden: true}, c.cfg.AmbientC) +
				c.cfg.Vehicle.IdleKWh(2*c.cfg.Handling, c.cfg.AmbientC)
		}
	})
	return legT, legKWh
}

// betweenCentres visits the drive between every pair of centres, from one
// centre's first bay to the other's (each way), as typical of a move:
// the figures of needSoC and typicalMove.
func (c *Controller) betweenCentres(visit func(routing.Reach)) {
	for _, a := range c.site.Centres {
		for _, b := range c.site.Centres {
			from, ok := c.firstBay(a.ID)
			to, ok2 := c.firstBay(b.ID)
			if a.ID == b.ID || !ok || !ok2 {
				continue
			}
			visit(c.reachBetween(from, to))
		}
	}
}

// firstBay is a centre's first bay in the site's order (as BaysOf lists
// them), without listing them all: betweenCentres asks it at every step.
func (c *Controller) firstBay(centre string) (string, bool) {
	for _, b := range c.site.Bays {
		if b.Centre == centre {
			return b.ID, true
		}
	}
	return "", false
}

// mustSoC is the state of charge below which the charging policy says a
// working shuttle must charge, and the target it charges to then: asked of
// the policy itself (it is monotone in the state of charge), so that a
// policy's thresholds live only in the policy.
func (c *Controller) mustSoC() (must, target float64) {
	need, demand := c.needSoC(), c.demand()
	if m := c.must; m.ok && m.need == need && m.demand == demand {
		return m.must, m.target
	}
	ask := func(soc float64) charging.Decision {
		return c.cfg.Charging.Decide(c.cfg.Vehicle, charging.State{SoC: soc, NeedSoC: need, Demand: demand})
	}
	lo, hi := 0.0, 1.0
	if !ask(lo).Charge {
		return 0, c.cfg.Vehicle.MaxSoC
	}
	for range 20 { // to a millionth
		if mid := (lo + hi) / 2; ask(mid).Charge {
			lo = mid
		} else {
			hi = mid
		}
	}
	c.must = mustCache{ok: true, need: need, demand: demand, must: hi, target: max(hi, ask(lo).TargetSoC)}
	return c.must.must, c.must.target
}

// mustCache keeps mustSoC's answer for the need and demand it was asked
// with (the policy is pure): worked out, never part of the state.
type mustCache struct {
	ok                         bool
	need, demand, must, target float64
}

// stationOf is the station of a centre, or the nearest one.
func (c *Controller) stationOf(centre, from string) (string, bool) {
	best, bestT := "", time.Duration(-1)
	for _, s := range c.site.Stations { // in site order: runs repeat for a seed
		if centre != "" && s.Centre == centre {
			return s.ID, true
		}
		if rr := c.reachBetween(from, s.ID); rr.OK && (bestT < 0 || rr.Duration < bestT) {
			best, bestT = s.ID, rr.Duration
		}
	}
	return best, best != ""
}

func (c *Controller) chargerFree(station string, now time.Time) bool {
	return c.sched.InUse(station, now) < c.stations[station].Chargers
}

// needSoC is the state of charge a shuttle keeps for its next move: the
// worst of the typical moves between centres (from a centre's first bay to
// another's first), driven to empty from the far centre, refused at the far
// gate and brought back, standing through two handlings and
// Tuning.KeepStanding, above the reserve. It asks more than the
// dispatcher's check of one move (feasibility.go, Tuning.Standing): a
// shuttle charged to it can still take a move after standing in a long
// queue.
func (c *Controller) needSoC() float64 {
	if c.need > 0 {
		return c.need
	}
	v := c.cfg.Vehicle
	var worst float64
	c.betweenCentres(func(rr routing.Reach) {
		e := v.DriveKWh(charging.Leg{Metres: 2 * rr.Metres, Duration: 2 * rr.Duration, Laden: true}, c.cfg.AmbientC) +
			v.DriveKWh(charging.Leg{Metres: rr.Metres, Duration: rr.Duration}, c.cfg.AmbientC) +
			v.IdleKWh(2*c.cfg.Handling+c.tuning.KeepStanding.D(), c.cfg.AmbientC)
		worst = max(worst, e)
	})
	c.need = v.MinSoC + worst/v.BatteryKWh
	return c.need
}

// demand is the share of shuttles the pending moves would keep busy.
func (c *Controller) demand() float64 {
	pending := 0
	for _, m := range c.order {
		if m.State == MovePending {
			pending++
		}
	}
	if len(c.ids) == 0 {
		return 0
	}
	return min(1, float64(pending)/float64(len(c.ids)))
}

// startCharging books a slot and routes the shuttle to the station.
func (c *Controller) startCharging(now time.Time, r *shuttleRec, station string, d charging.Decision) bool {
	rr := c.reachBetween(r.node, station)
	if !rr.OK {
		return false
	}
	v := c.cfg.Vehicle
	from := r.soc - v.DriveKWh(charging.Leg{Metres: rr.Metres, Duration: rr.Duration}, c.cfg.AmbientC)/v.BatteryKWh
	if from >= d.TargetSoC {
		return false
	}
	slot, _, err := c.sched.Reserve(charging.Request{Shuttle: r.id, Station: station, Vehicle: v,
		FromSoC: max(0, from), ToSoC: d.TargetSoC, Earliest: now.Add(rr.Duration),
		Latest: now.Add(rr.Duration + c.tuning.ChargeWindow.D()), Urgent: d.Urgent})
	if err != nil {
		return false
	}
	if slot.Start.After(now.Add(rr.Duration + c.tuning.ChargeMaxWait.D())) {
		_ = c.sched.Cancel(slot.ID) // not worth waiting for: try again later
		return false
	}
	if !c.route(r, station, taskCharge) {
		_ = c.sched.Cancel(slot.ID)
		return false
	}
	r.slot, r.target = slot.ID, d.TargetSoC
	c.fire(r, EvGoCharge)
	return true
}

// moveEnergy is what a move takes from its origin bay on, in its two
// scenarios (charging.Vehicle.ScenarioKWh without the drive to the origin):
// delivered, then to the nearest charger; or refused at the far gate,
// driven back laden, then to a charger at home. Both allow for standing
// through two handlings and Tuning.Standing. Worked out once per pair of
// bays.
func (c *Controller) moveEnergy(origin, dest string) moveKWh {
	key := [2]string{origin, dest}
	if e, ok := c.energy[key]; ok {
		return e
	}
	var e moveKWh
	deliver := c.reachBetween(origin, dest)
	back := c.reachBetween(dest, origin)
	st, ok := c.stationOf(c.centreOf(dest), dest)
	home, ok2 := c.stationOf(c.centreOf(origin), origin)
	switch {
	case !deliver.OK || !back.OK:
		e.why = whyNoRoute
	case !ok || !ok2:
		e.why = whyNoStation
	default:
		leg := func(r routing.Reach, laden bool) charging.Leg {
			return charging.Leg{Metres: r.Metres, Duration: r.Duration, Laden: laden}
		}
		standing := 2*c.cfg.Handling + c.tuning.Standing.D()
		v, amb := c.cfg.Vehicle, c.cfg.AmbientC
		e.delivered = v.ScenarioKWh(charging.Scenario{Standing: standing,
			Legs: []charging.Leg{leg(deliver, true), leg(c.reachBetween(dest, st), false)}}, amb)
		e.refused = v.ScenarioKWh(charging.Scenario{Standing: standing,
			Legs: []charging.Leg{leg(deliver, true), leg(back, true), leg(c.reachBetween(origin, home), false)}}, amb)
	}
	c.energy[key] = e
	return e
}

// moveKWh is the energy of a move's two scenarios from its origin bay.
type moveKWh struct {
	delivered, refused float64
	why                string // why the move cannot be done at all
}

// checkIn tells the scheduler a shuttle has plugged in for its slot.
func (c *Controller) checkIn(now time.Time, r *shuttleRec) {
	if r.slot != 0 {
		_ = c.sched.CheckIn(r.slot, now)
	}
}

// finishSlot ends a shuttle's slot when it has charged.
func (c *Controller) finishSlot(now time.Time, r *shuttleRec) {
	if r.slot != 0 {
		_ = c.sched.Finish(r.slot, now)
		r.slot = 0
	}
}

// cancelSlot gives a shuttle's charger slot, if it has one, back to the
// scheduler.
func (c *Controller) cancelSlot(r *shuttleRec) {
	if r.slot != 0 {
		_ = c.sched.Cancel(r.slot)
		r.slot = 0
	}
}

// expireSlots forgets the slots the scheduler let go (no-shows).
func (c *Controller) expireSlots(now time.Time) {
	for _, s := range c.sched.Expire(now) {
		if r, ok := c.shuttles[s.Request.Shuttle]; ok && r.slot == s.ID {
			r.slot = 0
		}
	}
}

// why a move cannot be done at all (moveKWh.why)
const (
	whyNoRoute   = "no route between the bays"
	whyNoStation = "no charging station"
)
