package fleet

import (
	"time"

	"github.com/borderfleet/borderfleet/routing"
)

// Activity is what a shuttle is doing or waiting for: a kind, and a
// detail for people (the checkpoint it waits at, the customs area it
// waits for a place in, the bay it waits for, why it has no route).
// Callers branch on the Kind; the Detail is not for parsing.
type Activity struct {
	Kind   ActivityKind
	Detail string
}

// ActivityKind is what kind of thing a shuttle is doing or waiting for.
// Its value is the word reports and the API print.
type ActivityKind string

// Activity kinds.
const (
	ActivityUnknown      ActivityKind = "unknown"  // no such shuttle
	ActivityMoving       ActivityKind = "moving"   // granted lane ahead
	ActivityHandling     ActivityKind = "handling" // loading or unloading at a bay
	ActivityCharging     ActivityKind = "charging"
	ActivityIdle         ActivityKind = "idle"        // arrived, with no task
	ActivityAtGoal       ActivityKind = "at its goal" // arrived, its task not yet over
	ActivityWaitBay      ActivityKind = "waiting for a bay"
	ActivityWaitRoute    ActivityKind = "waiting for a route"
	ActivityWaitGate     ActivityKind = "waiting at a gate"
	ActivityWaitCustoms  ActivityKind = "waiting for a place at customs" // see admission.go
	ActivityWaitTraffic  ActivityKind = "waiting in traffic"             // see routing.Traffic.WaitsFor
	ActivityWaitCharger  ActivityKind = "waiting for a charger"          // queued behind a shuttle bound for or at the same station, or idle with no slot yet
	ActivityFault        ActivityKind = ActivityKind(ShuttleFault)
	ActivityEStop        ActivityKind = ActivityKind(ShuttleEStop)
	ActivityPaused       ActivityKind = ActivityKind(ShuttlePaused)
	ActivityOffline      ActivityKind = ActivityKind(ShuttleOffline)
	ActivityOutOfService ActivityKind = "out of service"
)

// String is the activity in words, as reports and the API print it.
func (a Activity) String() string { return string(a.Kind) }

// Activity says what a shuttle is doing or waiting for.
func (c *Controller) Activity(id string) Activity {
	r, ok := c.shuttles[id]
	if !ok {
		return Activity{Kind: ActivityUnknown}
	}
	return c.activity(r)
}

func (c *Controller) activity(r *shuttleRec) Activity {
	switch r.sm.State() {
	case ShuttleLoading, ShuttleUnloading:
		return Activity{Kind: ActivityHandling}
	case ShuttleCharging:
		return Activity{Kind: ActivityCharging}
	case ShuttleFault:
		return Activity{Kind: ActivityFault}
	case ShuttleEStop:
		return Activity{Kind: ActivityEStop}
	case ShuttleOffline:
		return Activity{Kind: ActivityOffline}
	case ShuttlePaused:
		return Activity{Kind: ActivityPaused}
	case ShuttleOutOfService:
		return Activity{Kind: ActivityOutOfService}
	}
	if r.replan && (r.task == taskDeliver || r.task == taskReturn) && c.isParking(r.node) {
		a := Activity{Kind: ActivityWaitBay}
		if m := r.move; m != nil {
			a.Detail = m.Destination
			if r.task == taskReturn {
				a.Detail = m.Origin
			}
		}
		return a
	}
	if r.replan {
		a := Activity{Kind: ActivityWaitRoute}
		if r.planErr != nil {
			a.Detail = r.planErr.Error()
		}
		return a
	}
	if r.gate != nil {
		return Activity{Kind: ActivityWaitGate, Detail: r.gate.checkpoint.ID}
	}
	p, _ := c.tr.Position(r.id)
	switch {
	case p.Arrived && r.task == taskNone && r.chargeWait != "":
		return Activity{Kind: ActivityWaitCharger, Detail: r.chargeWait}
	case p.Arrived && r.task == taskNone:
		return Activity{Kind: ActivityIdle}
	case p.Arrived:
		return Activity{Kind: ActivityAtGoal}
	case r.stilled == stillLent:
		return Activity{Kind: ActivityWaitTraffic} // repaired, until it has its lane back (breakdown.go)
	case p.Granted > p.AtStep:
		return Activity{Kind: ActivityMoving}
	}
	if w := c.admissionWait(r); w != "" {
		return Activity{Kind: ActivityWaitCustoms, Detail: w}
	}
	if c.waitsForCharger(r) {
		return Activity{Kind: ActivityWaitCharger, Detail: r.goal}
	}
	return Activity{Kind: ActivityWaitTraffic}
}

// waitsForCharger reports whether a shuttle on its way to charge waits in
// traffic for a shuttle that charges at, or is bound for, the same
// station: it queues for a charger, not in traffic at large.
func (c *Controller) waitsForCharger(r *shuttleRec) bool {
	if r.task != taskCharge {
		return false
	}
	w := c.tr.WaitsFor(r.id)
	if w.Kind != routing.WaitHeld && w.Kind != routing.WaitQueued {
		return false
	}
	o, ok := c.shuttles[w.Shuttle]
	return ok && o.goal == r.goal && (o.task == taskCharge || o.sm.State() == ShuttleCharging)
}

// sameWait reports whether b goes on the activity a: the same kind, and
// for a wait at a place (a bay, a gate, a charger) the same place. A
// detail that only describes (why no route could be made, who holds the
// customs area's places) may change without the wait starting over.
func (a Activity) sameWait(b Activity) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case ActivityWaitBay, ActivityWaitGate, ActivityWaitCharger:
		return a.Detail == b.Detail
	}
	return true
}

// ActivitySince says what a shuttle is doing or waiting for, as Activity,
// and since when (the core's clock): the end of the step in which it
// began. Zero before the shuttle's first step.
func (c *Controller) ActivitySince(id string) (Activity, time.Time) {
	r, ok := c.shuttles[id]
	if !ok {
		return Activity{Kind: ActivityUnknown}, time.Time{}
	}
	return c.Activity(id), r.actSince
}

// stampActivities notes, at the end of a step, when each shuttle's
// activity began: now for each whose activity is not the one it had.
func (c *Controller) stampActivities(now time.Time) {
	c.actChanged = c.actChanged[:0]
	for _, r := range c.recs {
		a := c.activity(r)
		if r.actSince.IsZero() || !r.act.sameWait(a) {
			r.actSince = now
			c.actChanged = append(c.actChanged, r.id)
		} else if r.act != a {
			c.actChanged = append(c.actChanged, r.id)
		}
		r.act = a
	}
}

// ActivityChanged are the shuttles whose activity (or its detail, or
// since when) changed in the last step, for readers who keep a copy of
// the fleet and refresh only what changed. Valid until the next step.
func (c *Controller) ActivityChanged() []string { return c.actChanged }
