package fleet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// task is what a shuttle's current route is for.
type task int

const (
	taskNone task = iota
	taskPickup
	taskDeliver
	taskReturn
	taskInspect
	taskCharge
	taskPark
	taskStage // laden, to a spot near a bay that is not free yet
	taskAside // laden, off the lane at a gate's inspection bay awaiting customs
)

// ErrIllegalTask is returned (and counted with the illegal transitions)
// when a shuttle would take up a task its current one may not lead to.
var ErrIllegalTask = errors.New("fleet: illegal task change")

// taskTable is the one table of a shuttle's task changes: for each task,
// the tasks it may lead to. It sits beside the shuttle state machine
// (ShuttleTransitions): the state says what the vehicle does, the task says
// what its route is for and what reaching the route's goal means.
//
//	none     -> pickup (dispatch), charge, park
//	pickup   -> deliver (picked), none (dropped, cancelled, fault)
//	deliver  -> stage (bay not free), aside or inspect (customs), return
//	            (refused), none (dropped)
//	stage    -> deliver or return (after it), aside, inspect, return
//	aside    -> inspect, deliver (released), return (refused), stage
//	inspect  -> deliver (released), return (refused), stage
//	return   -> stage (no bay free at home), none (dropped)
//	charge   -> none (charged or given up), park
//	park     -> none (parked), charge, pickup
//
// A task may always be made again with a new route (a re-route).
var taskTable = map[task][]task{
	taskNone:    {taskPickup, taskCharge, taskPark},
	taskPickup:  {taskDeliver, taskNone, taskPark},
	taskDeliver: {taskStage, taskAside, taskInspect, taskReturn, taskNone},
	taskStage:   {taskDeliver, taskReturn, taskAside, taskInspect},
	taskAside:   {taskInspect, taskDeliver, taskReturn, taskStage},
	taskInspect: {taskDeliver, taskReturn, taskStage},
	taskReturn:  {taskStage, taskNone},
	taskCharge:  {taskNone, taskPark},
	taskPark:    {taskNone, taskCharge, taskPickup},
}

// laden tells whether a task is done with a container aboard.
func (t task) laden() bool {
	switch t {
	case taskDeliver, taskReturn, taskInspect, taskStage, taskAside:
		return true
	}
	return false
}

// job is a shuttle's task with the route made for it. Its fields change
// only through its methods, so that a goal never outlives the task it was
// made for and a route's goal is reached once:
//
//   - routed: a route to goal was made for the task; reaching goalStep
//     means the task's arrival (once).
//   - await: the task is wanted but its route could not be made yet
//     (replan): no goal, the shuttle drives out whatever route it has, and
//     reaching its end means nothing until the route is made.
//   - clear: no task.
type job struct {
	task     task
	then     task   // after taskStage: what it stages for (taskDeliver or taskReturn)
	goal     string // the goal of the route made for the task ("" without one)
	goalStep int    // the goal's global step; -1 without a route for the task
	acted    bool   // the task's action went out with a drive command
	arrived  bool   // the goal was reached: a second arrival means nothing
	replan   bool   // the route for the task still has to be made
}

func (j *job) check(to task) error {
	if to == j.task || slices.Contains(taskTable[j.task], to) {
		return nil
	}
	return fmt.Errorf("%w: from %s to %s", ErrIllegalTask, j.task, to)
}

// routed takes up task t with a new route to goal whose last step is
// goalStep.
func (j *job) routed(t task, goal string, goalStep int) error {
	err := j.check(t)
	*j = job{task: t, then: j.then, goal: goal, goalStep: goalStep}
	return err
}

// await takes up task t without a route: it is made again until it can be.
func (j *job) await(t task) error {
	err := j.check(t)
	*j = job{task: t, then: j.then, goalStep: -1, replan: true}
	return err
}

// clear leaves the shuttle without a task.
func (j *job) clear() { *j = job{goalStep: -1} }

// adopt takes up the park task for a route to a parking spot the shuttle
// was given without a task (stowed after a fault, or after it lost a move).
func (j *job) adopt(goal string, goalStep int) error {
	return j.routed(taskPark, goal, goalStep)
}

// arrive tells whether reaching global step is the task's arrival, and
// notes it: true once per route made for the task.
func (j *job) arrive(step int) bool {
	if j.goalStep < 0 || step != j.goalStep || j.arrived {
		return false
	}
	j.arrived = true
	return true
}

// retask changes the task and keeps the route: its goal serves the new
// task too (a shuttle pulled aside to the inspection bay that is then sent
// to inspection).
func (j *job) retask(t task) error {
	err := j.check(t)
	j.task = t
	return err
}

// over notes that the route made for the task is over (the shuttle stands
// at its goal and waits there for what comes next): no goal to grant
// towards any more.
func (j *job) over() { j.goalStep = -1 }

// TaskDiagram is the table of a shuttle's task changes (taskTable) as a
// Mermaid state diagram, for fleet/README.md.
func TaskDiagram() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for from := taskNone; from <= taskAside; from++ {
		for _, to := range taskTable[from] {
			fmt.Fprintf(&b, "    %s --> %s\n", from, to)
		}
	}
	return b.String()
}
