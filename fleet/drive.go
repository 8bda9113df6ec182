package fleet

import (
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// Driving: how a shuttle's task becomes a route, holds at the stop lines
// and customs-area entries on it, and drive commands as traffic control
// grants it the way (the grant itself is routing's: ../routing/grant.go).

// grant extends a shuttle's authority and sends the new part as a drive
// command, with the task's action at the goal.
func (c *Controller) grant(now time.Time, r *shuttleRec) {
	if !r.inService() || r.stilled != stillNone {
		return // held, or paused after a breakdown until it has its lane back (step unstills it, breakdown.go)
	}
	if r.goalStep < 0 && !r.replan {
		return // no route for a task; a task that waits for its route drives out the route it has
	}
	c.admit(r)
	c.admitTurn(r)
	if c.holdAtBay(r) {
		return // for a place in the customs area ahead (admission.go)
	}
	g, err := c.tr.Grant(r.id)
	if err != nil {
		return
	}
	atGoal := g.To == r.goalStep && !r.acted && r.task != taskPark && r.task != taskInspect
	if g.To <= r.sent && !atGoal {
		return
	}
	cmd := Command{Shuttle: r.id, Kind: CmdDrive, From: r.sent, To: g.To}
	for i := r.sent + 1; i <= g.To; i++ {
		id, _ := c.tr.Step(r.id, i)
		cmd.Steps = append(cmd.Steps, id)
	}
	if g.To == r.goalStep {
		r.acted = true
		switch r.task {
		case taskPickup:
			cmd.Action, cmd.Container = ActionPick, r.move.Container
		case taskDeliver, taskReturn:
			cmd.Action, cmd.Container = ActionDrop, r.move.Container
		case taskCharge:
			cmd.Action, cmd.TargetSoC = ActionCharge, r.target
		}
	}
	r.sent = g.To
	c.out = append(c.out, cmd)
	if len(cmd.Steps) == 0 && r.arrive(g.To) {
		c.atGoal(now, r) // there already: no node to reach
	}
}

// route gives a shuttle a new route to goal for a task, with holds at every
// stop line; false if traffic cannot route it now.
func (c *Controller) route(r *shuttleRec, goal string, t task) bool {
	p, err := c.tr.Plan(r.id, goal, routing.PlanOptions{Holds: c.holds(r, t)})
	if err != nil {
		c.stats.PlanFailures++
		r.planErr = err
		return false
	}
	r.planErr = nil
	c.task(r, r.routed(t, goal, p.FirstStep+2*len(p.Edges)))
	c.setStops(r, p)
	return true
}

// holds are the stop lines a new route of a shuttle for task t holds at:
// every checkpoint but one it stands at the end of its authority at (a
// route that starts at a stop line leaves it); the entries of the customs
// areas it needs a place in (admission.go); and, for a way home from a
// lay-by, where it stands, until it may turn back (turns.go).
func (c *Controller) holds(r *shuttleRec, t task) []string {
	holds := c.entryHolds(r)
	pos, _ := c.tr.Position(r.id)
	if (t == taskReturn || t == taskStage) && refused(r) && pos.Granted == pos.AtStep && c.turnArea(pos.At) != nil {
		holds = append(holds, pos.At)
	}
	for _, cp := range c.site.Checkpoints {
		if cp.ID != pos.Authority {
			holds = append(holds, cp.ID)
		}
	}
	return holds
}

// setStops notes the stop lines on a shuttle's new route, and that drive
// commands go out again from where it starts.
func (c *Controller) setStops(r *shuttleRec, p *routing.Plan) {
	if r.sent > p.FirstStep {
		r.sent = p.FirstStep
	}
	r.stops = r.stops[:0]
	if after, _ := c.tr.Position(r.id); after.Hold == p.Nodes[0] && r.gate == nil && c.isCheckpoint(after.Hold) {
		// a stop line it has not been released at yet, where the new
		// route starts: it still stops there
		r.stops = append(r.stops, after.Hold)
	}
	for _, n := range p.Nodes[1:] {
		if _, ok := c.checkpoint(n); ok {
			r.stops = append(r.stops, n)
		}
	}
	c.onTheWay(r)
	if len(r.stops) > 0 && r.node == r.stops[0] && r.gate == nil {
		c.atStopLine(c.now, r) // standing at it already
	}
}

func (c *Controller) isCheckpoint(node string) bool {
	_, ok := c.checkpoint(node)
	return ok
}

func (c *Controller) checkpoint(node string) (geo.Checkpoint, bool) {
	for _, cp := range c.site.Checkpoints {
		if cp.ID == node {
			return cp, true
		}
	}
	return geo.Checkpoint{}, false
}

// planTask (re)makes the route for a shuttle's task.
func (c *Controller) planTask(now time.Time, r *shuttleRec) {
	switch r.task {
	case taskDeliver:
		dest := r.move.Destination
		if (r.node == dest || c.bayReady(dest, r.move)) && c.route(r, dest, taskDeliver) || c.stage(r, dest, taskDeliver) {
			// on its way: the origin bay may take another pick once it has left
			c.bays.picked(r.move.Origin, r.move)
			if m := r.move; m.State == MoveLaden && len(r.stops) == 0 && r.gate == nil {
				// released from inspection at the last gate: no gate left
				c.moveTo(m, MoveToDropoff, now, "no gate left on the way to "+m.Destination)
				c.fire(r, EvPassedGates)
			}
		}
	case taskReturn:
		c.routeHome(now, r)
	case taskInspect:
		if r.gate != nil {
			c.routeInspection(r)
		}
	default:
		r.replan = false
	}
}

// inService tells whether a shuttle may be given routes and driven: not
// faulted, stopped, paused or offline.
func (r *shuttleRec) inService() bool {
	switch r.sm.State() {
	case ShuttleFault, ShuttleEStop, ShuttlePaused, ShuttleOffline:
		return false
	}
	return true
}

// returning tells whether a shuttle brings a refused container back.
func (r *shuttleRec) returning() bool {
	return r.task == taskReturn || (r.task == taskStage && r.then == taskReturn)
}
