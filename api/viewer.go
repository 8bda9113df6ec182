package api

import (
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// What a viewer sees. A viewer's token is a wallboard's: it shows the
// fleet at work, not whose goods it carries nor where they stand with
// customs. Every answer and event a viewer reads that speaks of moves or
// shuttles is built here, from a list of the fields a wallboard needs:
// a field added to Move or Shuttle later stays out of a viewer's view
// until it is added here on purpose.

// ViewerMove is a move as a viewer sees it: no container number, no
// declaration, no clearance records, seal readings or alerts, no
// dispatch reasons, and of its history only the changes of state with
// their times (no causes: they name officers, reasons and containers).
type ViewerMove struct {
	ID             string             `json:"id"`
	Origin         string             `json:"origin"`
	Destination    string             `json:"destination"`
	Priority       int                `json:"priority"`
	EarliestPickup *time.Time         `json:"earliest_pickup,omitempty"`
	Deadline       *time.Time         `json:"deadline,omitempty"`
	State          string             `json:"state"`
	StateSince     time.Time          `json:"state_since"` // as Move's
	Waiting        *Waiting           `json:"waiting,omitempty"`
	Shuttle        string             `json:"shuttle,omitempty"`
	Created        time.Time          `json:"created"`
	History        []ViewerTransition `json:"history,omitempty"`
	// Redacted is always true: this is a viewer's view of the move.
	Redacted bool `json:"redacted"`
}

// ViewerTransition is one change of a move's state as a viewer sees it.
type ViewerTransition struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	To   string    `json:"to"`
}

// ViewerMoveList is the body of GET /v1/moves for a viewer.
type ViewerMoveList struct {
	Moves      []ViewerMove `json:"moves"`
	Total      *int         `json:"total,omitempty"` // as MoveList's
	NextCursor string       `json:"next_cursor,omitempty"`
	Next       string       `json:"next,omitempty"`
}

// viewerMove is a move as a viewer sees it, with its changes of state
// when full. It is the one place a move is redacted: the event stream,
// the move list and the single move all use it.
func viewerMove(m *fleet.Move, full bool) ViewerMove {
	out := ViewerMove{ID: m.ID, Origin: m.Origin, Destination: m.Destination, Priority: m.Priority, State: string(m.State),
		Shuttle: m.Shuttle, Created: m.Created, StateSince: stateSince(m), Waiting: moveWaiting(m), Redacted: true}
	if w := out.Waiting; w != nil && w.Kind == WaitHeld { // why it is held is customs' business
		w.Detail, _, _ = strings.Cut(w.Detail, ":")
	}
	out.EarliestPickup, out.Deadline = optTime(m.EarliestPickup), optTime(m.Deadline)
	if full {
		for _, h := range m.History {
			if h.Changed() {
				out.History = append(out.History, ViewerTransition{At: h.At, From: string(h.From), To: string(h.To)})
			}
		}
	}
	return out
}

// viewerChanges is how many changes of state a viewer sees in a move's
// history (the stream sends a viewer a move event only when they, its
// state or its priority change: a customs decision or a seal reading is
// no event for a viewer).
func viewerChanges(m *fleet.Move) int {
	n := 0
	for _, h := range m.History {
		if h.Changed() {
			n++
		}
	}
	return n
}

// viewerOutOfDispatch is the one reason a viewer is given for a shuttle
// out of dispatch: the reasons themselves quote what the vehicle reports,
// its loads (container numbers) among them.
const viewerOutOfDispatch = "out of dispatch (operators see why)"

// viewerShuttle is a shuttle as a viewer sees it: where it is, what it
// does, its charge and the move it carries out, but not its loads
// (container numbers), its order, its factsheet or why it is out of
// dispatch.
func viewerShuttle(sh Shuttle) Shuttle {
	out := Shuttle{ID: sh.ID, Manufacturer: sh.Manufacturer, SerialNumber: sh.SerialNumber, Connection: sh.Connection, Joined: sh.Joined,
		State: sh.State, Activity: sh.Activity, ActivityDetail: sh.ActivityDetail, ActivitySince: sh.ActivitySince, Waiting: sh.Waiting, SoC: sh.SoC, LastNode: sh.LastNode, Position: sh.Position, Driving: sh.Driving,
		Move: sh.Move, StateAt: sh.StateAt}
	if len(sh.Reasons) > 0 {
		out.Reasons = []string{viewerOutOfDispatch}
	}
	return out
}

// shuttleFor is a shuttle as the caller may see it.
func shuttleFor(who Token, sh Shuttle) Shuttle {
	if who.Role == RoleViewer {
		return viewerShuttle(sh)
	}
	return sh
}
