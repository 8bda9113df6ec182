package fleet

import (
	"fmt"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/charging"
)

// This file holds what operators ask of the fleet besides new moves and
// pauses: cancel a move or change its priority; send a shuttle to charge
// or to park; stop it and release it; take it out of service and back;
// close and reopen lanes. Each refuses, with an error that says why and
// changing nothing, what the fleet cannot do in its present state.

// move finds a move by id.
func (c *Controller) move(id string) (*Move, error) {
	m, ok := c.moves[id]
	if !ok {
		return nil, fmt.Errorf("fleet: unknown move %q", id)
	}
	return m, nil
}

// cancelMove cancels a move whose container is not aboard a shuttle.
func (c *Controller) cancelMove(now time.Time, e CancelRequested) error {
	m, err := c.move(e.Move)
	if err != nil {
		return err
	}
	switch {
	case m.State.Final():
		return fmt.Errorf("fleet: move %s is %s already", m.ID, m.State)
	case m.State == MoveLoading:
		return fmt.Errorf("fleet: move %s: container %s is being loaded onto %s; once it is aboard it goes on to its destination (or back, if customs refuse it)", m.ID, m.Container, m.Shuttle)
	case m.Laden() || m.State == MoveUnloading:
		return fmt.Errorf("fleet: move %s: container %s is aboard %s (%s); a move is cancelled only before its pick", m.ID, m.Container, m.Shuttle, m.State)
	}
	cause := "cancelled by " + orSomeone(e.By)
	if e.Reason != "" {
		cause += ": " + e.Reason
	}
	if r := c.shuttles[m.Shuttle]; r != nil && r.move == m {
		c.dropTask(r)
		cause += "; " + r.id + " no longer picks it up"
	}
	c.bays.forget(m)
	c.moveToBy(m, MoveCancelled, now, cause, "operator "+orSomeone(e.By))
	return nil
}

// dropTask takes from a shuttle a move it has not picked up yet, and the
// route to it: the vehicle is told to cancel its order and its route is
// made to end at a parking spot.
func (c *Controller) dropTask(r *shuttleRec) {
	if m := r.move; m != nil {
		c.bays.forget(m)
		r.move, m.Shuttle = nil, ""
	}
	c.fire(r, EvAbort)
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdCancel})
	r.clear()
	r.idleAt = c.now
	c.stow(r)
}

func orSomeone(who string) string {
	if who == "" {
		return "an operator"
	}
	return who
}

// MaxPriority bounds a move's priority either way.
const MaxPriority = 1000

func checkPriority(p int) error {
	if p < -MaxPriority || p > MaxPriority {
		return fmt.Errorf("fleet: priority %d: want -%d to %d", p, MaxPriority, MaxPriority)
	}
	return nil
}

// changePriority sets a move's priority.
func (c *Controller) changePriority(e PriorityChanged) error {
	m, err := c.move(e.Move)
	if err != nil {
		return err
	}
	if m.State.Final() {
		return fmt.Errorf("fleet: move %s is %s: its priority no longer matters", m.ID, m.State)
	}
	if err := checkPriority(e.Priority); err != nil {
		return err
	}
	m.Priority = e.Priority
	c.touch(m)
	return nil
}

// freeShuttle finds a shuttle an operator may send somewhere: idle (or on
// its way to park), in service, with no move. One on its way to charge
// may be sent to park instead.
func (c *Controller) freeShuttle(id, verb string) (*shuttleRec, error) {
	r, err := c.shuttle(id)
	if err != nil {
		return nil, err
	}
	st := r.sm.State()
	switch {
	case r.move != nil:
		return nil, fmt.Errorf("fleet: shuttle %s cannot %s: it is on move %s (%s)", r.id, verb, r.move.ID, r.move.State)
	case st == ShuttleToCharger && verb == verbPark:
		// parking instead of charging: the slot is given up
		c.dropCharging(r)
		return r, nil
	case st != ShuttleIdle && st != ShuttleToParking:
		return nil, fmt.Errorf("fleet: shuttle %s cannot %s while %s", r.id, verb, st)
	}
	if p, _ := c.tr.Position(r.id); p.AtStep < p.Granted && r.task == taskNone {
		return nil, fmt.Errorf("fleet: shuttle %s cannot %s yet: it is still driving out a route it was given; try again in a moment", r.id, verb)
	}
	return r, nil
}

// chargeNow sends a free shuttle to charge to the vehicle's MaxSoC.
func (c *Controller) chargeNow(now time.Time, e ChargeRequested) error {
	r, err := c.freeShuttle(e.Shuttle, "go to charge")
	if err != nil {
		return err
	}
	v := c.cfg.Vehicle
	if r.soc >= v.MaxSoC-0.01 {
		return fmt.Errorf("fleet: shuttle %s is charged already (%.0f %%, charging stops at %.0f %%)", r.id, 100*r.soc, 100*v.MaxSoC)
	}
	st, ok := c.stationOf(c.centreOf(r.node), r.node)
	if !ok {
		return fmt.Errorf("fleet: shuttle %s: no charging station can be reached from %s", r.id, r.node)
	}
	if !c.startCharging(now, r, st, charging.Decision{Charge: true, TargetSoC: v.MaxSoC, Urgent: true}) {
		return fmt.Errorf("fleet: shuttle %s: no charger at %s is free within 10 minutes of its arrival, or no route there now; try again later", r.id, st)
	}
	return nil
}

const verbPark = "go to park"

// parkNow sends a free shuttle to the nearest free parking spot.
func (c *Controller) parkNow(e ParkRequested) error {
	r, err := c.freeShuttle(e.Shuttle, verbPark)
	if err != nil {
		return err
	}
	if p, _ := c.tr.Position(r.id); p.Arrived && c.isParking(p.Goal) {
		return fmt.Errorf("fleet: shuttle %s is parked at %s already", r.id, p.Goal)
	} else if c.isParking(p.Goal) {
		if r.task == taskNone { // a route to park it was given when it lost its task
			c.task(r, r.adopt(p.Goal, p.GoalStep))
			c.fire(r, EvPark)
		}
		return nil // on its way to park already
	}
	if !c.park(r, c.centreOf(r.node)) {
		return fmt.Errorf("fleet: shuttle %s: no free parking spot can be reached from %s now; try again later", r.id, r.node)
	}
	return nil
}

// emergencyStop stops a shuttle at once (stop), or releases it.
func (c *Controller) emergencyStop(id string, stop bool) error {
	r, err := c.shuttle(id)
	if err != nil {
		return err
	}
	state := r.sm.State()
	switch {
	case stop == (state == ShuttleEStop):
		return nil // as asked already
	case state == ShuttleOffline:
		return fmt.Errorf("fleet: shuttle %s is offline", r.id)
	case stop:
		c.fire(r, EvEStop)
		c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdPause})
		c.holdCharging(r)
	default:
		c.fire(r, EvEStopRelease)
		if r.sm.State() != ShuttlePaused { // released into a pause: it stays still
			c.resume(r)
		}
		c.afterHold(r)
	}
	return nil
}

// holdCharging gives up the charger slot of a shuttle on its way to
// charge that is stopped or paused: held for who knows how long, it would
// miss it (a no-show frees it) and later charge without one. Released, it
// parks or charges again as idleWork decides.
func (c *Controller) holdCharging(r *shuttleRec) {
	if r.task != taskCharge || r.sm.Held() != ShuttleToCharger {
		return
	}
	c.dropCharging(r)
}

// dropCharging gives up a shuttle's charging task and its charger slot.
func (c *Controller) dropCharging(r *shuttleRec) {
	c.cancelSlot(r)
	c.dropTask(r)
}

// afterHold catches up, once a shuttle is released or resumed, with what
// came while it was held: a customs decision, the end of its pick.
func (c *Controller) afterHold(r *shuttleRec) {
	if !r.inService() {
		return
	}
	if r.move != nil && r.gate != nil {
		c.applyDecision(c.now, r)
	}
}

// setService takes a shuttle out of service or puts it back (in).
func (c *Controller) setService(id string, in bool) error {
	r, err := c.shuttle(id)
	if err != nil {
		return err
	}
	state := r.sm.State()
	if in {
		if !r.outOfService {
			return nil
		}
		r.outOfService = false
		if state == ShuttleOutOfService || r.sm.Held() == ShuttleOutOfService { // held: back in service once released
			c.fire(r, EvPutBack)
			r.idleAt = c.now
			if r.task == taskPark { // still on its way to park
				c.fire(r, EvPark)
			}
		}
		return nil
	}
	if r.outOfService {
		return nil
	}
	inFault := state == ShuttleFault || r.sm.Held() == ShuttleFault
	if inFault && r.move != nil && (r.move.State == MoveToPickup || r.move.State == MoveLoading) {
		c.giveUpPick(r)
		r.outOfService = true
		return nil
	}
	if r.move != nil && r.move.State != MoveAssigned && r.move.State != MoveToPickup {
		return fmt.Errorf("fleet: shuttle %s carries move %s (%s): pause it, or take it out of service once it has unloaded", r.id, r.move.ID, r.move.State)
	}
	switch state {
	case ShuttleIdle, ShuttleToPickup, ShuttleToCharger, ShuttleToParking:
	case ShuttleFault:
		// it stays where it broke down; once repaired it goes out of
		// service rather than back to work
		r.outOfService = true
		return nil
	case ShuttleCharging:
		return fmt.Errorf("fleet: shuttle %s is charging: take it out of service once charging ends", r.id)
	default:
		return fmt.Errorf("fleet: shuttle %s cannot be taken out of service while %s", r.id, state)
	}
	r.outOfService = true
	if r.move != nil {
		m := r.move
		c.moveToBy(m, MovePending, c.now, "shuttle "+r.id+" taken out of service", "shuttle "+r.id)
		c.dropTask(r)
	} else if r.task == taskCharge {
		c.dropCharging(r)
	}
	c.takeOut(r)
	return nil
}

// giveUpPick gives the move of a shuttle in fault that kept it (its pick
// under way at the bay, or sent to a vehicle no cancel could reach; see
// fault) back to dispatch: an operator takes the shuttle out of service, and so says its
// pick will not happen. If the vehicle makes it all the same, the vehicle
// adapter sees a container aboard that fleetd did not put there, logs it
// and holds the vehicle until its loads match (vehicles: calledOff).
func (c *Controller) giveUpPick(r *shuttleRec) {
	m := r.move
	c.bays.forget(m)
	c.moveToBy(m, MovePending, c.now, "shuttle "+r.id+" taken out of service in fault: its pick is given up", "shuttle "+r.id)
	m.Shuttle, r.move = "", nil
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdCancel})
	r.clear()
	c.stow(r)
}

// takeOut puts a shuttle with no move, idle or on its way to park, out of
// service, and sends it to park: a shuttle out of service does not stand
// at a bay or a charger.
func (c *Controller) takeOut(r *shuttleRec) {
	c.fire(r, EvTakeOut)
	p, _ := c.tr.Position(r.id)
	switch {
	case p.Arrived:
		r.clear()
		if !c.isParking(r.node) {
			c.park(r, c.centreOf(r.node)) // else idleWork tries again
		}
	case c.isParking(p.Goal):
		r.clear()
		c.task(r, r.adopt(p.Goal, p.GoalStep))
	case c.tr.Cancel(r.id) == nil: // stops where its authority ends
		r.clear()
	default:
		c.park(r, c.centreOf(p.Goal))
	}
}

// closeLane closes a lane (or link) and re-routes the shuttles routed
// over it.
func (c *Controller) closeLane(e LaneClosed) error {
	if err := c.g.Close(e.Lane); err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	c.lanesChanged()
	for _, id := range c.tr.RoutedOver(e.Lane) {
		r := c.shuttles[id]
		if r == nil {
			continue
		}
		c.reroute(r)
	}
	return nil
}

// reopenLane reopens a closed lane (or link); routes planned from now on
// may use it.
func (c *Controller) reopenLane(e LaneReopened) error {
	if err := c.g.Reopen(e.Lane); err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	c.lanesChanged()
	return nil
}

// lanesChanged forgets what was worked out over the lanes open before:
// routes between places change with the lanes.
func (c *Controller) lanesChanged() {
	clear(c.reach)
	clear(c.gateTimes)
	clear(c.energy)
	c.need = 0
}

// reroute makes a shuttle's route again from the end of its authority to
// the same goal, over the lanes open now; it keeps its route if there is
// no other.
func (c *Controller) reroute(r *shuttleRec) {
	if r.replan {
		return // its task waits for a route; planTask makes it over the open lanes
	}
	if r.goalStep >= 0 {
		c.route(r, r.goal, r.task) // the task and what follows it stay
		return
	}
	if p, ok := c.tr.Position(r.id); ok && !p.Arrived {
		c.planKeepingStops(r, p.Goal)
	}
}

// StillRoutedOver lists the shuttles whose route beyond their authority
// still uses a lane or link: after a closure, those that have no other
// way to their goal. They stop short of it only if an operator stops them.
func (c *Controller) StillRoutedOver(lane string) []string { return c.tr.RoutedOver(lane) }

// ClosedLanes lists the closed lanes and links.
func (c *Controller) ClosedLanes() []string { return c.g.Closed() }

// OutOfService reports whether an operator took a shuttle out of service.
func (c *Controller) OutOfService(id string) bool {
	r, ok := c.shuttles[id]
	return ok && r.outOfService
}

// ChargerSlots lists the charger reservations of a station (booked,
// under way, or ended and not yet expired), earliest first.
func (c *Controller) ChargerSlots(station string) []charging.Slot {
	out := c.sched.Slots(station)
	slices.SortFunc(out, func(a, b charging.Slot) int { return a.Start.Compare(b.Start) })
	return out
}
