package fleet

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
	p, _ := c.tr.Position(id)
	switch {
	case p.Arrived && r.task == taskNone:
		return Activity{Kind: ActivityIdle}
	case p.Arrived:
		return Activity{Kind: ActivityAtGoal}
	case p.Granted > p.AtStep:
		return Activity{Kind: ActivityMoving}
	}
	if w := c.admissionWait(r); w != "" {
		return Activity{Kind: ActivityWaitCustoms, Detail: w}
	}
	return Activity{Kind: ActivityWaitTraffic}
}
