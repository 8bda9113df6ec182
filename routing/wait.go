package routing

import "fmt"

// Wait is what keeps a shuttle from being granted further (see
// Traffic.WaitsFor): a kind, and the shuttle and resource it concerns.
type Wait struct {
	Kind WaitKind
	// Shuttle is the shuttle ahead (WaitHeld, WaitQueued).
	Shuttle string
	// Resource names what is waited for: the node of a hold (WaitHold,
	// its id), or the node or edge the shuttle ahead holds or is queued
	// on (WaitHeld, WaitQueued: `node "id"` or `edge "id"`).
	Resource string
	// Detail says why the route ahead cannot be queued (WaitNotQueued).
	Detail string
}

// WaitKind says what kind of thing a shuttle waits for.
type WaitKind string

// Wait kinds.
const (
	WaitUnknownShuttle WaitKind = "unknown"     // no such shuttle in traffic
	WaitNothing        WaitKind = "nothing"     // it may drive to the end of its route
	WaitHold           WaitKind = "hold"        // a hold (a stop it must not pass yet) at Resource
	WaitHeld           WaitKind = "held"        // Shuttle is granted Resource, the next it needs
	WaitQueued         WaitKind = "queued"      // Shuttle, routed through Resource, is queued on it first
	WaitNotQueued      WaitKind = "not queued"  // its route ahead cannot be queued yet (Detail says why)
	WaitGrantAhead     WaitKind = "grant-ahead" // the grant-ahead distance: it is granted as far as it may be
	WaitLent           WaitKind = "lent"        // it lent its lane ahead (Lend) and has not reclaimed it; Shuttle holds it at Resource
	WaitSpill          WaitKind = "spill"       // a shared lane ahead leads to a stop line close past it; Shuttle holds Resource between (spill.go)
)

// String says it in words, as reports and explanations print it. A Wait
// of only a Kind names the kind without particulars (reports group by it).
func (w Wait) String() string {
	switch w.Kind {
	case WaitUnknownShuttle:
		return "unknown shuttle"
	case WaitNothing:
		return "nothing: it may drive to the end of its route"
	case WaitHold:
		if w.Resource == "" {
			return "a hold"
		}
		return fmt.Sprintf("a hold at %s", w.Resource)
	case WaitNotQueued:
		if w.Detail == "" {
			return "its route ahead cannot be queued yet"
		}
		return "its route ahead cannot be queued yet: " + w.Detail
	case WaitHeld:
		return fmt.Sprintf("%s at %s, holding it", w.Shuttle, w.Resource)
	case WaitQueued:
		return fmt.Sprintf("%s at %s, routed through it", w.Shuttle, w.Resource)
	case WaitGrantAhead:
		return "the grant-ahead distance"
	case WaitSpill:
		if w.Shuttle == "" {
			return "the stop line close past the shared lane ahead"
		}
		return fmt.Sprintf("the stop line close past the shared lane ahead: %s holds %s", w.Shuttle, w.Resource)
	case WaitLent:
		if w.Shuttle == "" {
			return "the lane ahead it lent while it stood still, to be taken back"
		}
		return fmt.Sprintf("the lane ahead it lent while it stood still: %s holds it at %s", w.Shuttle, w.Resource)
	}
	return string(w.Kind)
}
