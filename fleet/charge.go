package fleet

import (
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

// chargeIfDue sends an idle shuttle to charge if the policy says so and a
// slot is to be had soon; true if it goes.
func (c *Controller) chargeIfDue(now time.Time, r *shuttleRec, centre string) bool {
	st, stationOK := c.stationOf(centre, r.node)
	d := c.cfg.Charging.Decide(c.cfg.Vehicle, charging.State{
		SoC: r.soc, Idle: true, ChargerFree: stationOK && c.chargerFree(st, now),
		NeedSoC: c.needSoC(), Demand: c.demand(),
	})
	return d.Charge && stationOK && c.startCharging(now, r, st, d)
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
	busy := 0
	for _, s := range c.sched.Slots(station) {
		if !s.Start.After(now) && s.End.After(now) {
			busy++
		}
	}
	return busy < c.stations[station].Chargers
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
	for _, a := range c.site.Centres {
		for _, b := range c.site.Centres {
			bays, far := c.site.BaysOf(a.ID), c.site.BaysOf(b.ID)
			if a.ID == b.ID || len(bays) == 0 || len(far) == 0 {
				continue
			}
			rr := c.reachBetween(bays[0].ID, far[0].ID)
			e := v.DriveKWh(charging.Leg{Metres: 2 * rr.Metres, Duration: 2 * rr.Duration, Laden: true}, c.cfg.AmbientC) +
				v.DriveKWh(charging.Leg{Metres: rr.Metres, Duration: rr.Duration}, c.cfg.AmbientC) +
				v.IdleKWh(2*c.cfg.Handling+c.tuning.KeepStanding.D(), c.cfg.AmbientC)
			worst = max(worst, e)
		}
	}
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
