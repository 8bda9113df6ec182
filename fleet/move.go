package fleet

import (
	"container/list"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MoveState is where a container move is in its life.
type MoveState string

// Move states. Delivered, Cancelled, Returned and Failed are final.
const (
	MovePending      MoveState = "pending"       // waiting for a shuttle
	MoveAssigned     MoveState = "assigned"      // a shuttle is chosen
	MoveToPickup     MoveState = "to_pickup"     // the shuttle drives to the origin bay
	MoveLoading      MoveState = "loading"       // the container goes onto the shuttle
	MoveLaden        MoveState = "laden_transit" // on its way, between gates
	MoveAtGate       MoveState = "at_gate"       // at a customs stop line, awaiting a decision
	MoveInspection   MoveState = "in_inspection" // diverted to the inspection bay
	MoveToDropoff    MoveState = "to_dropoff"    // past the last gate, to the destination bay
	MoveUnloading    MoveState = "unloading"     // coming off at the destination bay
	MoveDelivered    MoveState = "delivered"
	MoveReturning    MoveState = "returning" // refused: back to the origin centre, laden
	MoveReturned     MoveState = "refused_returned"
	MoveCancelled    MoveState = "cancelled"
	MoveFailed       MoveState = "failed"
	moveStateInitial           = MovePending
)

// moveTransitions is the move lifecycle: the states each state may go to.
var moveTransitions = map[MoveState][]MoveState{
	MovePending:    {MoveAssigned, MoveCancelled, MoveFailed},
	MoveAssigned:   {MoveToPickup, MovePending, MoveCancelled, MoveFailed},
	MoveToPickup:   {MoveLoading, MovePending, MoveCancelled, MoveFailed},
	MoveLoading:    {MoveLaden, MovePending, MoveFailed}, // pending: the pick was interrupted
	MoveLaden:      {MoveAtGate, MoveToDropoff, MoveFailed},
	MoveAtGate:     {MoveLaden, MoveToDropoff, MoveInspection, MoveReturning, MoveFailed},
	MoveInspection: {MoveLaden, MoveToDropoff, MoveReturning, MoveFailed},
	MoveToDropoff:  {MoveUnloading, MoveFailed},
	MoveUnloading:  {MoveDelivered, MoveReturned, MoveToDropoff, MoveReturning, MoveFailed}, // back: the drop was interrupted
	MoveReturning:  {MoveAtGate, MoveUnloading, MoveFailed},
}

// Final reports whether a state ends the move.
func (s MoveState) Final() bool {
	_, more := moveTransitions[s]
	return !more
}

// ErrIllegalTransition is matched by every refused state change.
var ErrIllegalTransition = errors.New("fleet: illegal transition")

// MoveTransition is one recorded change of a move's state, or a customs
// decision taken on it (Decision set; From and To the state it was in),
// or a note (Event set; From and To the state it was in).
type MoveTransition struct {
	At       time.Time
	From, To MoveState
	Cause    string  // what made it happen, for the audit trail
	Decision Verdict // release, inspect or refuse: a decision, not a change
	// Event names a note that is no change of state (NoteDeclaration,
	// NoteSealRead, NoteSealAlert, NoteHeld); Actor is who it is by and
	// Checkpoint where it happened, if anywhere, for the audit trail.
	// A customs decision has its officer and checkpoint too, and so has
	// every change of state at a checkpoint (arrival at the stop line,
	// inspection, passing, return on a refusal) its checkpoint: which
	// country sees the entry depends on it, never on the Cause's prose.
	// A change of state someone made names them in Actor ("officer NAME
	// (CC)" for a release or refusal, "operator NAME" for a cancel,
	// "shuttle ID" for what a shuttle did or suffered); empty: fleetd.
	Event      string
	Actor      string
	Checkpoint string
}

// Changed reports whether the transition is a change of state, not a
// decision or a note.
func (t MoveTransition) Changed() bool { return t.Decision == "" && t.Event == "" }

// Move is an operator's request to carry one container from one bay to
// another, with its history.
type Move struct {
	ID string
	// Num is the move's number: the Controller's Num-th move, from 1. It
	// orders moves as they were made, for listings, wherever they are kept.
	Num            uint64
	Container      Container
	Origin         string // bay id
	Destination    string // bay id
	Priority       int    // higher goes first
	EarliestPickup time.Time
	Deadline       time.Time
	Declaration    string // customs declaration reference
	IdempotencyKey string
	PreCleared     bool // customs cleared the container before it reaches the gates

	// PassedOver says why shuttles were passed over when the move was
	// last considered for dispatch, one line per shuttle.
	PassedOver []Rejection

	State   MoveState
	Shuttle string // the shuttle assigned, if any
	Created time.Time
	History []MoveTransition
	// Clearances: where the container stands with customs at each
	// checkpoint of its way (clearance.go).
	Clearances []Clearance
	// Declarations: the customs declarations in force, one per country,
	// in the order first filed (declaration.go).
	Declarations []Declaration

	noted bool          // in the Controller's list of changed moves
	seq   uint64        // the Controller's change count at its last change
	elem  *list.Element // its place in the Controller's moves by last change
	// the centres of the origin and destination bays, for dispatch
	originCentre, destCentre string
}

// NewMove starts a move in the pending state.
func NewMove(id string, c Container, origin, destination string, at time.Time) *Move {
	return &Move{ID: id, Container: c, Origin: origin, Destination: destination, State: moveStateInitial, Created: at}
}

// To moves the move to a new state, recording when and why. An illegal
// change is refused with ErrIllegalTransition and changes nothing.
func (m *Move) To(s MoveState, at time.Time, cause string) error {
	if !slices.Contains(moveTransitions[m.State], s) {
		return fmt.Errorf("%w: move %s (%s) cannot go from %s to %s (%s)", ErrIllegalTransition, m.ID, m.Container, m.State, s, cause)
	}
	m.History = append(m.History, MoveTransition{At: at, From: m.State, To: s, Cause: cause})
	m.State = s
	return nil
}

// note records a customs decision in the history without a change of
// state.
func (m *Move) note(at time.Time, decision Verdict, cause string) {
	m.History = append(m.History, MoveTransition{At: at, From: m.State, To: m.State, Cause: cause, Decision: decision})
}

// Laden reports whether the container is on the shuttle.
func (m *Move) Laden() bool {
	switch m.State {
	case MoveLaden, MoveAtGate, MoveInspection, MoveToDropoff, MoveReturning:
		return true
	}
	return false
}

// MoveDiagram is the move lifecycle as a Mermaid state diagram, generated
// from its transition table.
func MoveDiagram() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", moveStateInitial)
	var from []MoveState
	for s := range moveTransitions {
		from = append(from, s)
	}
	slices.Sort(from)
	for _, s := range from {
		for _, to := range moveTransitions[s] {
			fmt.Fprintf(&b, "    %s --> %s\n", s, to)
		}
	}
	for _, s := range []MoveState{MoveDelivered, MoveReturned, MoveCancelled, MoveFailed} {
		fmt.Fprintf(&b, "    %s --> [*]\n", s)
	}
	return b.String()
}
