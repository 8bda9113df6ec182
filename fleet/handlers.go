package fleet

import (
	"fmt"
	"math"
	"time"

	"github.com/borderfleet/borderfleet/routing"
)

// nodeReached records progress, and what reaching this node means: a stop
// line, or the goal of the task.
func (c *Controller) nodeReached(now time.Time, e NodeReached) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	if err := c.tr.Progress(r.id, e.Step); err != nil {
		return err
	}
	r.soc = e.SoC
	node, _ := c.tr.Step(r.id, e.Step)
	r.node = node
	if len(r.stops) > 0 && r.stops[0] == node {
		c.atStopLine(now, r)
	}
	if r.arrive(e.Step) {
		c.atGoal(now, r)
	}
	return nil
}

// batteryReported notes a shuttle's state of charge between nodes and
// actions; idleWork asks the charging policy with it.
func (c *Controller) batteryReported(e BatteryReported) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	if math.IsNaN(e.SoC) || e.SoC < -1 || e.SoC > 1 {
		return fmt.Errorf("fleet: shuttle %s reported a state of charge of %v: want 0 to 1", r.id, e.SoC)
	}
	r.soc = e.SoC
	return nil
}

// atGoal: a shuttle stands at the goal of its task (it drove there, or was
// there already when the task began).
func (c *Controller) atGoal(now time.Time, r *shuttleRec) {
	node := r.node
	switch r.task {
	case taskPickup:
		c.moveToBy(r.move, MoveLoading, now, "shuttle "+r.id+" at the origin bay", "shuttle "+r.id)
		c.fire(r, EvArrivePickup)
	case taskDeliver, taskReturn:
		c.moveToBy(r.move, MoveUnloading, now, "shuttle "+r.id+" at bay "+node, "shuttle "+r.id)
		c.fire(r, EvArriveDrop)
	case taskInspect:
		cp := ""
		if r.gate != nil {
			cp = r.gate.checkpoint.ID
		}
		c.moveToAt(r.move, MoveInspection, now, "at the inspection bay "+node, cp, "")
		if r.gate != nil {
			r.move.stamp(r.gate.checkpoint.ID, (*Clearance).inspectedAt, now)
		}
		r.over()
		c.applyDecision(now, r) // a decision may be waiting
	case taskCharge:
		c.fire(r, EvPlugIn)
		c.checkIn(now, r)
	case taskAside:
		r.over()
		c.applyDecision(now, r) // a decision may be waiting
	case taskStage:
		c.task(r, r.await(r.then))
	case taskPark:
		if r.sm.State() != ShuttleOutOfService && r.sm.Held() != ShuttleOutOfService {
			c.fire(r, EvParked)
		}
		r.clear()
	}
}

// actionDone: a pick, drop or charging session finished.
func (c *Controller) actionDone(now time.Time, e ActionDone) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	// a pick or drop is done only where its move is at the bay for it: a
	// drop reported after the vehicle said it failed (its move back on the
	// way to the bay, to be given again) is not the move's delivery
	switch m := r.move; {
	case e.Action == ActionPick && (r.task != taskPickup || m == nil):
		return fmt.Errorf("fleet: shuttle %s reported a pick it was not asked for", r.id)
	case e.Action == ActionDrop && ((r.task != taskDeliver && r.task != taskReturn) || m == nil):
		return fmt.Errorf("fleet: shuttle %s reported a drop it was not asked for", r.id)
	case e.Action == ActionPick && m.State != MoveLoading, e.Action == ActionDrop && m.State != MoveUnloading:
		return fmt.Errorf("fleet: shuttle %s reported a %s done that it was not making: move %s is %s", r.id, e.Action, m.ID, m.State)
	}
	r.soc = e.SoC
	switch e.Action {
	case ActionPick:
		c.moveTo(r.move, MoveLaden, now, "picked up by "+r.id)
		_, drop := windows(controllerView{c}, -c.cfg.Handling, r.move) // the pick is done: due at the destination
		c.bays.plan(r.move.Destination, r.move, drop)
		c.fire(r, EvLoaded)
		c.task(r, r.await(taskDeliver))
		c.planTask(now, r)
	case ActionDrop:
		m := r.move
		if c.dropped[m.ID]++; c.dropped[m.ID] > 1 {
			c.stats.DuplicateDrops++
		}
		if r.task == taskReturn {
			c.moveTo(m, MoveReturned, now, "unloaded at "+r.node+" after refusal")
			c.stats.Returns++
		} else {
			c.moveTo(m, MoveDelivered, now, "unloaded by "+r.id+" at "+r.node)
			c.stats.Deliveries++
			c.stats.LeadTimes = append(c.stats.LeadTimes, now.Sub(m.Created))
		}
		c.bays.forget(m)
		c.fire(r, EvUnloaded)
		r.move, r.idleAt = nil, now
		r.clear()
	case ActionCharge:
		c.finishSlot(now, r)
		c.fire(r, EvCharged)
		r.clear()
		r.idleAt = now
	default:
		return fmt.Errorf("fleet: shuttle %s reported unknown action %q", r.id, e.Action)
	}
	return nil
}

// actionFailed: a vehicle says its pick or drop did not happen. The
// shuttle is in fault for it (the adapter reports that first; if it did
// not, the failure is the fault). A pick that failed gives the move back
// to dispatch, as a fault on the way to the bay does; a drop that failed
// is given again after the repair, and the vehicle is told to call off
// what is left of it.
func (c *Controller) actionFailed(now time.Time, e ActionFailed) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	// what does not apply is refused before anything changes: the fault
	// below would give away the move of a shuttle on its way to its bay
	m := r.move
	switch {
	case e.Action == ActionPick && m != nil && m.State == MoveLoading:
	case e.Action == ActionDrop && m != nil && m.State == MoveUnloading:
	case e.Action == ActionPick || e.Action == ActionDrop:
		return fmt.Errorf("fleet: shuttle %s reported a failed %s it was not making", r.id, e.Action)
	default:
		return fmt.Errorf("fleet: shuttle %s reported unknown failed action %q", r.id, e.Action)
	}
	if r.sm.State() != ShuttleFault && r.sm.Held() != ShuttleFault {
		// (at the bay with its pick or drop given, the fault leaves the
		// move with the shuttle)
		if err := c.fault(now, FaultReported{Shuttle: e.Shuttle, Reason: string(e.Action) + " failed: " + e.Reason}); err != nil {
			return err
		}
	}
	why := fmt.Sprintf("the %s by shuttle %s failed", e.Action, r.id)
	if e.Reason != "" {
		why += ": " + e.Reason
	}
	if e.Action == ActionPick {
		c.bays.forget(m)
		c.moveToBy(m, MovePending, now, why, "shuttle "+r.id)
		m.Shuttle, r.move = "", nil
		r.clear()
		c.stow(r)
	} else {
		next := MoveToDropoff
		if r.task == taskReturn {
			next = MoveReturning
		}
		c.moveToBy(m, next, now, why, "shuttle "+r.id)
		c.task(r, r.await(r.task))
	}
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdCancel})
	return nil
}

// fault takes a shuttle out of dispatch. A move whose container is not
// aboard and whose pick is not under way goes back to the pending moves
// for another shuttle.
func (c *Controller) fault(now time.Time, e FaultReported) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	c.fire(r, EvFault)
	// It keeps its place in traffic: those behind it wait, as they would
	// on the road, and routes are not barred as if it stood there for
	// good. Its authority is not extended until it is repaired, and what
	// it holds ahead is lent to those behind once it stands paused
	// (breakdown.go).
	c.still(r, e.Unreachable)
	why := "shuttle " + r.id + " faulted: " + e.Reason
	c.cancelSlot(r)
	m := r.move
	switch {
	case m != nil && m.Laden():
		// a container aboard on its way: it carries on where it is once
		// repaired, on the route and with the drop it has been given
		return nil
	case m != nil && (m.State == MoveLoading || m.State == MoveUnloading):
		// at the bay with its pick or drop given: whether it happens is
		// the vehicle's to tell. A vehicle that went silent finishes it, one
		// repaired goes on with its order; one that fails it says so
		// (ActionFailed). Giving the move away here put a container aboard
		// one shuttle while another was sent to pick it at the bay.
		return nil
	case m != nil && m.State == MoveToPickup && r.task == taskPickup && r.acted && e.Unreachable:
		// on its way to the bay with the pick in the order it has, and no
		// cancel can reach it: it may drive there and pick all the same
		// (the move follows it, followedInFault), so the move stays with
		// it until it is heard again or an operator takes it out of
		// service
		return nil
	case m != nil:
		// not at the bay yet: another shuttle may take it
		c.bays.forget(m)
		c.moveToBy(m, MovePending, now, why, "shuttle "+r.id)
		m.Shuttle, r.move = "", nil
		fallthrough
	default:
		// nothing aboard: the vehicle drops the action at the end of its
		// base, and its route is made to end at a parking spot rather than
		// at a bay another shuttle may now need; once repaired, idleWork
		// sends it on its way
		c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdCancel})
		r.clear()
		c.stow(r)
	}
	return nil
}

// stow re-routes a shuttle out of service that has nothing to do so that
// its route ends at the nearest free parking spot of its centre; it keeps
// its route if none can be reached.
func (c *Controller) stow(r *shuttleRec) {
	pos, _ := c.tr.Position(r.id)
	if pos.Arrived || c.isParking(pos.Goal) {
		return
	}
	from := c.reachFrom(pos.Authority)
	for _, spot := range c.parkingSpots(c.centreOf(pos.Goal), func(spot string) routing.Reach { return c.reachTo(from, spot) }) {
		if c.planKeepingStops(r, spot) {
			return
		}
	}
}

// planKeepingStops routes a shuttle to goal from the end of its authority,
// without a task (as stow and a re-route after a lane closure do), and
// with a hold at every customs stop line on the way as route makes them:
// an empty shuttle too passes a checkpoint only in its release time.
func (c *Controller) planKeepingStops(r *shuttleRec, goal string) bool {
	p, err := c.tr.Plan(r.id, goal, routing.PlanOptions{Holds: c.holds(r, r.task)})
	if err != nil {
		return false
	}
	c.setStops(r, p)
	return true
}

func (c *Controller) recovered(e FaultCleared) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	if r.sm.State() != ShuttleFault && r.sm.Held() != ShuttleFault {
		// repaired already (an operator's request made on what was
		// published before): nothing to repair, and the machine has no
		// way from where it is to where a repair leads
		return conflict("shuttle %s is %s, not in fault: nothing to repair", r.id, r.sm.State())
	}
	if r.move == nil {
		c.fire(r, EvRecover)
		if r.outOfService {
			c.takeOut(r)
		}
		return nil
	}
	switch r.move.State {
	case MoveLoading:
		c.fire(r, EvRecoverPick) // the pick goes on
		return nil
	case MoveToPickup:
		c.fire(r, EvRecoverToPickup) // on its way to the pick it was sent
		return nil
	}
	// back where its work is: the vehicle may have driven on while out of
	// dispatch (followedInFault), to a stop line or its drop bay
	c.fire(r, EvRecoverLaden)
	switch r.move.State {
	case MoveToDropoff:
		c.fire(r, EvPassedGates)
	case MoveAtGate:
		c.fire(r, EvReachGate)
	case MoveInspection:
		c.fire(r, EvReachGate)
		c.fire(r, EvInspect)
	case MoveUnloading:
		c.fire(r, EvArriveDrop)
	}
	c.applyDecision(c.now, r) // one that came while it was out of service
	return nil
}

// idleWork finds something for an idle shuttle that dispatch left alone:
// charging, by the policy, or leaving a bay for a parking spot.
func (c *Controller) idleWork(now time.Time, r *shuttleRec, stagger func() staggered) {
	state := r.sm.State()
	if (state != ShuttleIdle && state != ShuttleOutOfService) || r.task != taskNone || r.move != nil || now.Before(r.idleAt) || r.stilled != stillNone {
		return
	}
	r.idleAt = now.Add(c.tuning.Replan.D()) // what it cannot do now it tries again later
	if state == ShuttleOutOfService {
		if p, _ := c.tr.Position(r.id); p.Arrived && !c.isParking(r.node) {
			c.park(r, c.centreOf(r.node)) // not at a bay or a charger
		}
		return
	}
	if p, _ := c.tr.Position(r.id); !p.Arrived {
		if p.AtStep < p.Granted {
			return // still driving out its authority
		}
		if c.isParking(p.Goal) {
			// the route to a parking spot it was given when it broke down
			c.task(r, r.adopt(p.Goal, p.GoalStep))
			c.fire(r, EvPark)
			return
		}
		// a route left over from a task it lost (a fault where traffic
		// could not let it stop short, or taken out of service on its way
		// to a bay it made way to): stop here if that blocks nobody, else
		// make way to a parking spot of its goal's centre or any other;
		// where it reaches none, it drives out the route it has, for it
		// stands in the way of a shuttle routed after it (idleWork moves
		// it on from the goal)
		if c.tr.Cancel(r.id) != nil {
			if !c.park(r, c.centreOf(p.Goal)) && !c.park(r, "") {
				c.task(r, r.adopt(p.Goal, p.GoalStep))
				c.fire(r, EvPark)
			}
			return
		}
	}
	centre := c.centreOf(r.node)
	if c.chargeIfDue(now, r, centre, stagger) {
		return
	}
	if c.isParking(r.node) || c.park(r, centre) {
		return
	}
	// its centre's spots are all taken (by shuttles that may wait for the
	// very bay it stands at): any centre's will do, and where it reaches
	// none, any bay nobody needs
	if centre == "" || !c.park(r, "") {
		c.makeWay(r)
	}
}

// makeWay moves an idle shuttle that stands at a bay where a pick or a
// drop is booked to the nearest free bay where none is, when it can reach
// no free parking spot (every spot taken, or the lanes to the free ones
// closed): a laden shuttle staged at a parking spot for that bay waits
// for it, and may hold the very spot the idle shuttle would need, so the
// two would wait on each other for good (the harness found it with more
// shuttles than spots, before such fleets were refused). It does what
// park would from there on: it stays idle, and moves again if that bay
// comes to be booked.
func (c *Controller) makeWay(r *shuttleRec) {
	if !c.bays.booked(r.node) {
		return
	}
	var free []string
	for _, b := range c.site.Bays {
		if b.Centre != "" && b.ID != r.node && !c.bays.booked(b.ID) && c.tr.Free(b.ID) {
			free = append(free, b.ID)
		}
	}
	from := c.reachFrom(r.node)
	for _, bay := range nearest(free, func(bay string) routing.Reach { return c.reachTo(from, bay) }) {
		if c.route(r, bay, taskPark) {
			c.fire(r, EvPark)
			return
		}
	}
}

// park sends a shuttle to a free parking spot, nearest first; false if
// it can reach none now.
func (c *Controller) park(r *shuttleRec, centre string) bool {
	from := c.reachFrom(r.node)
	for _, spot := range c.parkingSpots(centre, func(spot string) routing.Reach { return c.reachTo(from, spot) }) {
		if c.route(r, spot, taskPark) {
			if r.sm.State() == ShuttleIdle {
				c.fire(r, EvPark)
			}
			return true
		}
	}
	return false
}

// reachTo picks a node's entry out of a reach table ("not reached" if the
// table or the node is unknown).
func (c *Controller) reachTo(from []routing.Reach, node string) routing.Reach {
	if i, ok := c.g.Node(node); ok && from != nil {
		return from[i]
	}
	return routing.Reach{}
}

func (c *Controller) isParking(node string) bool {
	for _, p := range c.site.Parking {
		if p.ID == node {
			return true
		}
	}
	return false
}

// pause stops a shuttle where it is (on), or lets a paused one go on;
// resuming one that is not paused is refused with ErrConflict.
func (c *Controller) pause(id string, on bool) error {
	r, err := c.shuttle(id)
	if err != nil {
		return err
	}
	state := r.sm.State()
	switch {
	case state == ShuttleEStop:
		return conflict("shuttle %s is stopped (emergency stop): release it first", r.id)
	case on && state == ShuttlePaused:
		return nil // as asked already
	case !on && state != ShuttlePaused:
		// nothing to resume: saying so is the truth, success would not be
		return conflict("shuttle %s is %s, not paused: nothing to resume", r.id, state)
	case on && !r.sm.Can(EvPause):
		return fmt.Errorf("fleet: shuttle %s cannot be paused while %s", r.id, state)
	case on:
		c.fire(r, EvPause)
		c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdPause})
		c.holdCharging(r)
	default:
		c.fire(r, EvResume)
		c.resume(r)
		c.afterHold(r)
	}
	return nil
}
