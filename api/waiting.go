package api

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// WaitKind is what a shuttle or a move waits for, as the API names it:
// a short word a client branches on (the dashboard's "stuck" list), never
// prose.
type WaitKind string

// Wait kinds.
const (
	WaitRoute      WaitKind = "route"         // no route can be made now (Detail: why)
	WaitBay        WaitKind = "bay"           // a bay to load or unload at (Detail: the bay)
	WaitRelease    WaitKind = "release"       // a customs decision at a gate (Detail: the checkpoint)
	WaitHeld       WaitKind = "held"          // held at a gate whatever was decided (Detail: why)
	WaitInspection WaitKind = "inspection"    // the end of an inspection (Detail: the checkpoint)
	WaitCustomsBay WaitKind = "customs_place" // a place in a checkpoint's customs area
	WaitCharger    WaitKind = "charger"       // a charger at a station (Detail: the station)
	WaitTraffic    WaitKind = "traffic"       // a shuttle ahead on its lanes
	WaitShuttle    WaitKind = "shuttle"       // a move no shuttle has been given yet (Detail: why each was passed over)
)

// Waiting is what a shuttle or a move waits for, and since when (the
// core's clock).
type Waiting struct {
	Kind   WaitKind   `json:"kind"`
	Detail string     `json:"detail,omitempty"`
	Since  *time.Time `json:"since,omitempty"`
}

// activityWaits maps the Controller's waiting activities to wait kinds;
// an activity not here is not a wait.
var activityWaits = map[fleet.ActivityKind]WaitKind{
	fleet.ActivityWaitRoute:   WaitRoute,
	fleet.ActivityWaitBay:     WaitBay,
	fleet.ActivityWaitGate:    WaitRelease,
	fleet.ActivityWaitCustoms: WaitCustomsBay,
	fleet.ActivityWaitCharger: WaitCharger,
	fleet.ActivityWaitTraffic: WaitTraffic,
}

// shuttleWaiting is what a shuttle doing a waits for since since, nil if
// a is no wait.
func shuttleWaiting(a fleet.Activity, since *time.Time) *Waiting {
	k, ok := activityWaits[a.Kind]
	if !ok {
		return nil
	}
	return &Waiting{Kind: k, Detail: a.Detail, Since: since}
}

// stateSince is when a move came into its state: its last change of
// state (a decision or a note is none), or its creation.
func stateSince(m *fleet.Move) time.Time {
	for i := len(m.History) - 1; i >= 0; i-- {
		if m.History[i].Changed() {
			return m.History[i].At
		}
	}
	return m.Created
}

// moveWaiting is what a move waits for of itself: a shuttle while
// pending, a customs decision (or the end of a hold) at the gate it
// stands at, the end of its inspection; nil otherwise (a move under way
// waits for what its shuttle waits for: see Shuttle.Waiting).
func moveWaiting(m *fleet.Move) *Waiting {
	since := stateSince(m)
	switch m.State {
	case fleet.MovePending:
		return &Waiting{Kind: WaitShuttle, Detail: passedOver(m.PassedOver), Since: &since}
	case fleet.MoveAtGate, fleet.MoveInspection:
		for i := range m.Clearances {
			c := &m.Clearances[i]
			if c.Arrived.IsZero() || !c.Passed.IsZero() || !c.Refused.IsZero() {
				continue
			}
			w := &Waiting{Kind: WaitRelease, Detail: c.Checkpoint, Since: optTime(c.Arrived)}
			switch c.Status(m.PreCleared) {
			case fleet.ClearanceHeld:
				w.Kind, w.Detail = WaitHeld, c.Checkpoint+": "+c.Held
			case fleet.ClearanceInspection:
				w.Kind, w.Since = WaitInspection, optTime(c.Inspected)
			case fleet.ClearanceReleased:
				continue // it goes on
			}
			return w
		}
	}
	return nil
}

// passedOver sums up why shuttles were passed over for a move, by kind,
// most often first: "battery (3), origin bay booked (1)"; "" if none was.
func passedOver(rs []fleet.Rejection) string {
	n := map[fleet.RejectKind]int{}
	for _, r := range rs {
		n[r.Kind]++
	}
	kinds := make([]fleet.RejectKind, 0, len(n))
	for k := range n {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b fleet.RejectKind) int {
		if n[a] != n[b] {
			return n[b] - n[a]
		}
		return strings.Compare(string(a), string(b))
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s (%d)", k, n[k])
	}
	return strings.Join(parts, ", ")
}
