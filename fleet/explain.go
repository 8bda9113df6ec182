package fleet

import (
	"fmt"
	"strings"
)

// taskNames name the tasks in explanations.
var taskNames = [...]string{taskNone: "none", taskPickup: "pickup", taskDeliver: "deliver", taskReturn: "return",
	taskInspect: "inspect", taskCharge: "charge", taskPark: "park", taskStage: "stage", taskAside: "aside"}

func (t task) String() string {
	if int(t) < len(taskNames) {
		return taskNames[t]
	}
	return fmt.Sprintf("task(%d)", int(t))
}

// Explain says in one line what a shuttle is doing and what it waits for:
// its state, task, move, where it stands, its goal, a customs stop, and
// what traffic control makes it wait for. It is for reports of a stall
// and for people, not for parsing.
func (c *Controller) Explain(id string) string {
	r, ok := c.shuttles[id]
	if !ok {
		return "unknown shuttle " + id
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, task %s", r.id, r.sm.State(), r.task)
	if r.task == taskStage {
		fmt.Fprintf(&b, " then %s", r.then)
	}
	if r.move != nil {
		fmt.Fprintf(&b, ", move %s (%s, %s -> %s)", r.move.ID, r.move.State, r.move.Origin, r.move.Destination)
	}
	fmt.Fprintf(&b, ", at %s", r.node)
	if r.goalStep >= 0 {
		fmt.Fprintf(&b, ", goal %s", r.goal)
	}
	if r.replan {
		b.WriteString(", waiting for a route")
		if r.planErr != nil {
			fmt.Fprintf(&b, " (%v)", r.planErr)
		}
	}
	if r.gate != nil {
		fmt.Fprintf(&b, ", stopped at %s", r.gate.checkpoint.ID)
		if r.gate.until.IsZero() {
			b.WriteString(" awaiting customs")
		}
		if r.move != nil {
			if g := r.move.clearance(r.gate.checkpoint.ID); g != nil && g.Held != "" {
				fmt.Fprintf(&b, ", held: %s", g.Held)
			}
		}
	}
	if w := c.admissionWait(r); w != "" {
		fmt.Fprintf(&b, ", waiting for %s", w)
	}
	if p, ok := c.tr.Position(id); ok {
		fmt.Fprintf(&b, "; traffic: route to %s, waits for %s", p.Goal, c.tr.WaitsFor(id))
	}
	return b.String()
}
