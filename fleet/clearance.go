package fleet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/routing"
)

// A move's clearance is where its container stands with customs at each
// checkpoint of its way: the stop lines of the fastest route from its
// origin to its destination when it is created, and any other its
// shuttle's route passes while it carries the container there. Each
// record keeps every decision taken there (officer, decision, reason,
// time; a decision changed before arrival keeps both) and when the
// container arrived, went to inspection, passed or was refused.
//
// A decision means what it says: it is taken only for a checkpoint of the
// move's way that the container has not passed, on a move that is not
// over and not already refused on its way back; anything else is refused
// with ErrConflict and the reason. So a refusal of a container already
// past a gate cannot be expressed.

// ErrConflict is matched by a request that the fleet's state refuses: a
// customs decision at a checkpoint the container has passed or will not
// pass, on a move that is over; a second open move for one container; a
// resume of a shuttle that is not paused, a pause or resume of one in an
// emergency stop. The API answers it with 409.
var ErrConflict = errors.New("fleet: conflicts with the fleet's state")

// ErrKeyConflict is matched by a move request whose idempotency key was
// used for a different move (another container, origin or destination).
// The API answers it with 409 on the Idempotency-Key header.
var ErrKeyConflict = errors.New("fleet: idempotency key")

// ErrSiteFull is matched by a shuttle's joining when the fleet has as many
// shuttles as the site has parking spots (waiting spots included): each
// shuttle needs a place to stand off the lanes.
var ErrSiteFull = errors.New("fleet: no parking spot left for another shuttle")

type conflictError struct{ msg string }

func (e *conflictError) Error() string        { return e.msg }
func (e *conflictError) Is(target error) bool { return target == ErrConflict }

func conflict(format string, args ...any) error {
	return &conflictError{"fleet: " + fmt.Sprintf(format, args...)}
}

// Clearance is a container's customs record at one checkpoint of its way.
type Clearance struct {
	Checkpoint string
	Country    string
	// Decisions taken here, oldest first; the last is the one in force.
	Decisions []Decided
	// When the container reached the stop line laden and waited for a
	// decision, reached the inspection bay, passed the stop line on its
	// way, or was turned back: zero until it did.
	Arrived, Inspected, Passed, Refused time.Time
	// Readings are the seal readings taken here, oldest first.
	Readings []SealReading
	// SealAlert is what the last seal reading with a problem found, until
	// an officer decides here after it ("" if nothing awaits a decision).
	SealAlert string
	// Held says why the container is held here whatever was decided (a
	// seal alert, no declaration for the country), "" if it is not.
	Held string
}

// Decided is one customs decision as taken.
type Decided struct {
	At       time.Time
	Decision Verdict // release, inspect or refuse
	Officer  string
	Reason   string
}

// Clearance statuses (Clearance.Status).
const (
	ClearanceExpected   = "expected"    // not reached, nothing decided
	ClearancePreCleared = "pre_cleared" // the move was created cleared
	ClearanceReleased   = "released"    // released, not passed yet
	ClearanceToInspect  = "to_inspect"  // sent to inspection, not there yet
	ClearanceWaiting    = "waiting"     // at the stop line, awaiting a decision
	ClearanceInspection = "inspection"  // at the inspection bay
	ClearanceRefused    = "refused"     // refused (and turned back, once Refused is set)
	ClearanceHeld       = "held"        // held whatever was decided (Held says why)
	ClearancePassed     = "passed"
)

// Status says where the container stands at this checkpoint.
func (c *Clearance) Status(preCleared bool) string {
	var last Verdict
	if n := len(c.Decisions); n > 0 {
		last = c.Decisions[n-1].Decision
	}
	switch {
	case !c.Passed.IsZero():
		return ClearancePassed
	case !c.Refused.IsZero() || last == DecisionRefuse:
		return ClearanceRefused
	case !c.Inspected.IsZero() && last != DecisionRelease:
		return ClearanceInspection
	case c.Held != "":
		return ClearanceHeld
	case last == DecisionRelease:
		return ClearanceReleased
	case last == DecisionInspect:
		return ClearanceToInspect
	case !c.Arrived.IsZero():
		return ClearanceWaiting
	case preCleared:
		return ClearancePreCleared
	}
	return ClearanceExpected
}

// Since is when the status began.
func (c *Clearance) Since() time.Time {
	t := c.Arrived
	for _, x := range []time.Time{c.Inspected, c.Passed, c.Refused} {
		if x.After(t) {
			t = x
		}
	}
	if n := len(c.Decisions); n > 0 && c.Decisions[n-1].At.After(t) {
		t = c.Decisions[n-1].At
	}
	return t
}

// clearance returns the move's record at a checkpoint, nil if it is not
// on its way.
func (m *Move) clearance(cp string) *Clearance {
	for i := range m.Clearances {
		if m.Clearances[i].Checkpoint == cp {
			return &m.Clearances[i]
		}
	}
	return nil
}

// way makes the clearance records of a new move: the stop lines of the
// fastest route between its bays, in order.
func (c *Controller) way(m *Move) {
	r, err := c.g.Route(m.Origin, m.Destination, routing.Limits{})
	if err != nil {
		return
	}
	for _, n := range r.Nodes {
		c.expect(m, n)
	}
}

// expect adds a record for node to the move's clearances if node is a
// checkpoint it has none for; it reports whether it added one.
func (c *Controller) expect(m *Move, node string) bool {
	cp, ok := c.checkpoint(node)
	if !ok || m.clearance(cp.ID) != nil {
		return false
	}
	m.Clearances = append(m.Clearances, Clearance{Checkpoint: cp.ID, Country: cp.Country})
	return true
}

// onTheWay adds to a laden move's clearances the stop lines its
// shuttle's new route passes that it had none for (a detour), so that
// customs may decide there too.
func (c *Controller) onTheWay(r *shuttleRec) {
	m := r.move
	if m == nil || !m.Laden() || r.returning() || m.State == MoveToDropoff {
		return
	}
	for _, s := range r.stops {
		if c.expect(m, s) {
			c.touch(m)
		}
	}
}

// CanDecide says why no customs decision may be taken on the move at a
// checkpoint (an ErrConflict), nil if one may: not on a move that is over
// or refused already, nor at a checkpoint that is not on the container's
// way or that it has passed. Officers' screens use it to offer only the
// decisions the Controller takes.
func (m *Move) CanDecide(checkpoint string) error {
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }
	if m.State.Final() {
		return conflict("move %s is %s (at %s): no decision changes it", m.ID, m.State, at(m.History[len(m.History)-1].At))
	}
	g := m.clearance(checkpoint)
	if g == nil {
		var cps []string
		for _, x := range m.Clearances {
			cps = append(cps, x.Checkpoint)
		}
		way := "none"
		if len(cps) > 0 {
			way = strings.Join(cps, ", ")
		}
		return conflict("checkpoint %s is not on move %s's way (its checkpoints: %s)", checkpoint, m.ID, way)
	}
	if !g.Passed.IsZero() {
		return conflict("move %s passed %s at %s", m.ID, checkpoint, at(g.Passed))
	}
	if m.State == MoveReturning || m.State == MoveReturned {
		for _, x := range m.Clearances {
			if !x.Refused.IsZero() {
				return conflict("move %s was refused at %s at %s and is on its way back", m.ID, x.Checkpoint, at(x.Refused))
			}
		}
		return conflict("move %s was refused and is on its way back", m.ID)
	}
	return nil
}

// record notes an accepted decision in the move's clearance and history.
func (c *Controller) record(now time.Time, m *Move, d CustomsDecision) {
	g := m.clearance(d.Checkpoint)
	g.Decisions = append(g.Decisions, Decided{At: now, Decision: d.Decision, Officer: d.Officer, Reason: d.Reason})
	if g.SealAlert != "" {
		// decided after the reading: the seal alert is answered
		g.SealAlert, g.Held = "", ""
	}
	m.note(now, d.Decision, fmt.Sprintf("%s by %s (%s) at %s: %s", d.Decision, d.Officer, d.Country, d.Checkpoint, d.Reason))
	h := &m.History[len(m.History)-1]
	h.Checkpoint, h.Actor = d.Checkpoint, officer(d.Officer, d.Country)
	c.touch(m)
}

// releasedBy names the release in force at a checkpoint, for the history
// of the container passing it ("" if none).
func (m *Move) releasedBy(cp string) string {
	g := m.clearance(cp)
	if g == nil || len(g.Decisions) == 0 {
		return ""
	}
	d := g.Decisions[len(g.Decisions)-1]
	if d.Decision != DecisionRelease {
		return ""
	}
	return fmt.Sprintf(", released by %s (%s) at %s: %s", d.Officer, g.Country, cp, d.Reason)
}

// releaser is the officer of the release in force at a checkpoint, as an
// audit actor ("" if none).
func (m *Move) releaser(cp string) string {
	g := m.clearance(cp)
	if g == nil || len(g.Decisions) == 0 {
		return ""
	}
	if d := g.Decisions[len(g.Decisions)-1]; d.Decision == DecisionRelease {
		return officer(d.Officer, g.Country)
	}
	return ""
}

// officer names an officer as an audit actor.
func officer(name, country string) string { return fmt.Sprintf("officer %s (%s)", name, country) }

// The times of a clearance record, for stamp.
func (g *Clearance) arrivedAt() *time.Time   { return &g.Arrived }
func (g *Clearance) inspectedAt() *time.Time { return &g.Inspected }
func (g *Clearance) passedAt() *time.Time    { return &g.Passed }
func (g *Clearance) refusedAt() *time.Time   { return &g.Refused }

// stamp sets one of a clearance's times, if the checkpoint is on the way
// and it is not set yet.
func (m *Move) stamp(cp string, field func(*Clearance) *time.Time, now time.Time) {
	if g := m.clearance(cp); g != nil {
		if t := field(g); t.IsZero() {
			*t = now
		}
	}
}

// Countries are the countries whose checkpoints lie on the move's way, in
// the order the container meets them.
func (m *Move) Countries() []string {
	var out []string
	for _, c := range m.Clearances {
		if c.Country != "" && !slices.Contains(out, c.Country) {
			out = append(out, c.Country)
		}
	}
	return out
}
