package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/looplab/fsm"
)

// ShuttleState is what a shuttle is doing.
type ShuttleState string

// Shuttle states.
const (
	ShuttleOffline      ShuttleState = "offline"
	ShuttleIdle         ShuttleState = "idle"
	ShuttleToPickup     ShuttleState = "to_pickup"
	ShuttleLoading      ShuttleState = "loading"
	ShuttleLadenTransit ShuttleState = "laden_transit"
	ShuttleAtGate       ShuttleState = "at_gate"
	ShuttleInspection   ShuttleState = "inspection"
	ShuttleToDropoff    ShuttleState = "to_dropoff"
	ShuttleUnloading    ShuttleState = "unloading"
	ShuttleToCharger    ShuttleState = "to_charger"
	ShuttleCharging     ShuttleState = "charging"
	ShuttleToParking    ShuttleState = "to_parking"
	ShuttlePaused       ShuttleState = "paused"
	ShuttleFault        ShuttleState = "fault"
	ShuttleEStop        ShuttleState = "emergency_stop"
	ShuttleOutOfService ShuttleState = "out_of_service"
)

// ShuttleEvent is the name of a transition of the shuttle state machine.
type ShuttleEvent string

// Shuttle events: the names of the transitions.
const (
	EvConnect         ShuttleEvent = "connect"
	EvDisconnect      ShuttleEvent = "disconnect"
	EvAssign          ShuttleEvent = "assign"
	EvArrivePickup    ShuttleEvent = "arrive_pickup"
	EvLoaded          ShuttleEvent = "loaded"
	EvReachGate       ShuttleEvent = "reach_gate"
	EvRelease         ShuttleEvent = "release"
	EvInspect         ShuttleEvent = "inspect"
	EvRefuse          ShuttleEvent = "refuse"
	EvPassedGates     ShuttleEvent = "passed_gates"
	EvArriveDrop      ShuttleEvent = "arrive_dropoff"
	EvUnloaded        ShuttleEvent = "unloaded"
	EvGoCharge        ShuttleEvent = "go_charge"
	EvPlugIn          ShuttleEvent = "plug_in"
	EvCharged         ShuttleEvent = "charged"
	EvPark            ShuttleEvent = "park"
	EvParked          ShuttleEvent = "parked"
	EvAbort           ShuttleEvent = "abort"
	EvPause           ShuttleEvent = "pause"
	EvFault           ShuttleEvent = "fault"
	EvRecover         ShuttleEvent = "recover"
	EvRecoverLaden    ShuttleEvent = "recover_laden"     // repaired with a container aboard
	EvRecoverPick     ShuttleEvent = "recover_pick"      // repaired at the origin bay, its pick not done
	EvRecoverToPickup ShuttleEvent = "recover_to_pickup" // heard again on its way to a pick it was sent
	EvEStop           ShuttleEvent = "emergency_stop"
	EvEStopRelease    ShuttleEvent = "emergency_release"
	EvTakeOut         ShuttleEvent = "take_out" // out of service: no work until put back
	EvPutBack         ShuttleEvent = "put_back"
	// EvResume ends a pause: the shuttle goes back to the state the pause
	// interrupted (the table has one transition per state, named
	// "resume_" and the state).
	EvResume        ShuttleEvent = "resume"
	evResumePrefix  ShuttleEvent = "resume_"
	evReleasePrefix              = EvEStopRelease + "_"
)

var (
	moving   = []ShuttleState{ShuttleToPickup, ShuttleLadenTransit, ShuttleToDropoff, ShuttleToCharger, ShuttleToParking}
	pausable = append([]ShuttleState{ShuttleIdle}, moving...)
	anyOn    = []ShuttleState{ShuttleIdle, ShuttleToPickup, ShuttleLoading, ShuttleLadenTransit, ShuttleAtGate, ShuttleInspection,
		ShuttleToDropoff, ShuttleUnloading, ShuttleToCharger, ShuttleCharging, ShuttleToParking, ShuttlePaused, ShuttleOutOfService}
	stoppable = append(slices.Clone(anyOn), ShuttleFault)
)

func without(states []ShuttleState, s ShuttleState) []ShuttleState {
	return slices.DeleteFunc(slices.Clone(states), func(x ShuttleState) bool { return x == s })
}

// ShuttleTransitions is the one transition table of the shuttle state
// machine: event, the states it may fire from, and the state it leads to.
func ShuttleTransitions() fsm.Events {
	ev := func(name ShuttleEvent, dst ShuttleState, src ...ShuttleState) fsm.EventDesc {
		s := make([]string, len(src))
		for i, x := range src {
			s[i] = string(x)
		}
		return fsm.EventDesc{Name: string(name), Src: s, Dst: string(dst)}
	}
	events := fsm.Events{
		ev(EvConnect, ShuttleIdle, ShuttleOffline),
		ev(EvDisconnect, ShuttleOffline, append(anyOn, ShuttleFault, ShuttleEStop)...),
		ev(EvAssign, ShuttleToPickup, ShuttleIdle, ShuttleToParking, ShuttleCharging),
		ev(EvArrivePickup, ShuttleLoading, ShuttleToPickup),
		ev(EvLoaded, ShuttleLadenTransit, ShuttleLoading),
		ev(EvReachGate, ShuttleAtGate, ShuttleLadenTransit),
		ev(EvRelease, ShuttleLadenTransit, ShuttleAtGate, ShuttleInspection),
		ev(EvInspect, ShuttleInspection, ShuttleAtGate),
		ev(EvRefuse, ShuttleLadenTransit, ShuttleAtGate, ShuttleInspection),
		ev(EvPassedGates, ShuttleToDropoff, ShuttleLadenTransit),
		ev(EvArriveDrop, ShuttleUnloading, ShuttleToDropoff, ShuttleLadenTransit),
		ev(EvUnloaded, ShuttleIdle, ShuttleUnloading),
		ev(EvGoCharge, ShuttleToCharger, ShuttleIdle, ShuttleToParking),
		ev(EvPlugIn, ShuttleCharging, ShuttleToCharger),
		ev(EvCharged, ShuttleIdle, ShuttleCharging),
		ev(EvPark, ShuttleToParking, ShuttleIdle),
		ev(EvParked, ShuttleIdle, ShuttleToParking),
		ev(EvAbort, ShuttleIdle, ShuttleToPickup, ShuttleToCharger, ShuttleToParking),
		ev(EvPause, ShuttlePaused, pausable...),
		// a fault while paused keeps the pause (fireHeld): the vehicle was
		// told to pause, and is told to go on only by a resume
		ev(EvFault, ShuttleFault, without(anyOn, ShuttlePaused)...),
		ev(EvRecover, ShuttleIdle, ShuttleFault),
		ev(EvRecoverLaden, ShuttleLadenTransit, ShuttleFault),
		ev(EvRecoverPick, ShuttleLoading, ShuttleFault),
		ev(EvRecoverToPickup, ShuttleToPickup, ShuttleFault),
		ev(EvEStop, ShuttleEStop, stoppable...),
		ev(EvTakeOut, ShuttleOutOfService, ShuttleIdle, ShuttleToParking, ShuttleFault),
		ev(EvPutBack, ShuttleIdle, ShuttleOutOfService),
	}
	// a pause resumes what it held, which may have moved on while paused
	// (a pick that was under way ends): any state a shuttle works in, or
	// the fault it came to while paused (resumed before its repair, it is
	// in fault until then)
	for _, s := range stoppable {
		if s != ShuttlePaused {
			events = append(events, ev(evResumePrefix+ShuttleEvent(s), s, ShuttlePaused))
		}
	}
	for _, s := range stoppable {
		events = append(events, ev(evReleasePrefix+ShuttleEvent(s), s, ShuttleEStop))
	}
	return events
}

// Shuttle is one vehicle's state machine. An event that the table does not
// allow in the current state is refused with ErrIllegalTransition and
// counted; it never changes the state.
//
// Paused and emergency_stop hold the state they interrupted, and "resume"
// and "emergency_release" go back to it. While held, what the vehicle
// still finishes (a pick that was under way completes, a customs decision
// arrives) is applied, by the same table, to the held state: a shuttle
// stopped while loading and released after the pick finished goes on
// laden. Fault holds nothing: the work a vehicle still does while in
// fault is followed by the Controller in the move (followedInFault), and
// the repair goes back to it.
type Shuttle struct {
	ID      string
	m       *fsm.FSM
	paused  ShuttleState // the state a pause interrupted
	stopped ShuttleState // the state an emergency stop interrupted
	state   ShuttleState // the machine's state, kept on each transition; "" before the first read
	Illegal int          // refused events so far
}

// NewShuttle returns a shuttle in the offline state.
func NewShuttle(id string) *Shuttle {
	return &Shuttle{ID: id, m: fsm.NewFSM(string(ShuttleOffline), ShuttleTransitions(), nil)}
}

// State is the shuttle's current state.
func (s *Shuttle) State() ShuttleState {
	if s.state == "" {
		s.state = ShuttleState(s.m.Current())
	}
	return s.state
}

// Can reports whether an event may fire now.
func (s *Shuttle) Can(event ShuttleEvent) bool { return s.m.Can(string(event)) }

// Held reports the state a pause or an emergency stop interrupted ("" if
// the shuttle is neither paused nor stopped). A pause inside a stop
// reports the state the pause interrupted.
func (s *Shuttle) Held() ShuttleState {
	switch s.State() {
	case ShuttleEStop:
		if s.stopped == ShuttlePaused {
			return s.paused
		}
		return s.stopped
	case ShuttlePaused:
		return s.paused
	}
	return ""
}

// Fire applies an event. Pausing and stopping remember the state they
// interrupt, and "resume" and "emergency_release" return to it.
func (s *Shuttle) Fire(event ShuttleEvent) error {
	name := event
	switch event {
	case EvResume:
		name = evResumePrefix + ShuttleEvent(s.paused)
	case EvEStopRelease:
		name = evReleasePrefix + ShuttleEvent(s.stopped)
	}
	from := s.State()
	if s.followedInFault(event) {
		return nil
	}
	if !s.Can(name) && s.fireHeld(event) {
		return nil
	}
	// looplab/fsm names events by strings: the one place they are converted
	if err := s.m.Event(context.Background(), string(name)); err != nil {
		var noTransition fsm.NoTransitionError
		if errors.As(err, &noTransition) {
			return nil // already there: an event that changes nothing is not illegal
		}
		s.Illegal++
		return fmt.Errorf("%w: shuttle %s in state %s cannot %s", ErrIllegalTransition, s.ID, from, strings.ReplaceAll(string(event), "_", " "))
	}
	s.state = ShuttleState(s.m.Current())
	switch event {
	case EvPause:
		s.paused = from
	case EvEStop:
		s.stopped = from
	}
	return nil
}

// workEvents are the events of a shuttle's work that its vehicle's reports
// and the gates set off: what it reached, picked, dropped, and what customs
// let it do.
var workEvents = []ShuttleEvent{EvArrivePickup, EvLoaded, EvReachGate, EvRelease, EvInspect, EvRefuse,
	EvPassedGates, EvArriveDrop, EvUnloaded, EvPlugIn, EvCharged, EvParked}

// followedInFault reports a work event that reaches a shuttle in fault (or
// paused or stopped in fault): the machine stays in fault and the event
// changes nothing here. Out of dispatch is not out of motion: a vehicle
// whose link went silent, or whose update was rejected, drives on the
// authority it has, reaches a stop line or its drop bay, finishes its
// drop. The Controller follows that work in the move and the task, and
// the repair (EvRecoverLaden and what the move's state implies) puts the
// machine where the work is.
func (s *Shuttle) followedInFault(event ShuttleEvent) bool {
	if !slices.Contains(workEvents, event) {
		return false
	}
	return s.State() == ShuttleFault || s.Held() == ShuttleFault
}

// fireHeld applies an event the current state does not take to the state
// a stop or a pause holds, if the table lets that state take it.
func (s *Shuttle) fireHeld(event ShuttleEvent) bool {
	held := &s.stopped
	switch s.State() {
	case ShuttleEStop:
		if s.stopped == ShuttlePaused {
			held = &s.paused
		}
	case ShuttlePaused:
		held = &s.paused
	default:
		return false
	}
	if event == EvResume || event == EvEStopRelease || event == EvPause || event == EvEStop {
		return false
	}
	dst, ok := transition(event, *held)
	if ok {
		*held = dst
	}
	return ok
}

// transition looks an event up in the table: the state it leads to from
// src, if it may fire there.
func transition(event ShuttleEvent, src ShuttleState) (ShuttleState, bool) {
	for _, e := range shuttleTable {
		if e.Name == string(event) && slices.Contains(e.Src, string(src)) {
			return ShuttleState(e.Dst), true
		}
	}
	return "", false
}

// shuttleTable is the transition table, made once.
var shuttleTable = ShuttleTransitions()

// ShuttleDiagram is the shuttle state machine as a Mermaid state diagram,
// generated from the transition table.
func ShuttleDiagram() string {
	out, _ := fsm.VisualizeForMermaidWithGraphType(NewShuttle("").m, fsm.StateDiagram) // errs only on an unknown diagram type
	return out
}
