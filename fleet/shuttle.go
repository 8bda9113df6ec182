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

// Shuttle events: the names of the transitions.
const (
	EvConnect       = "connect"
	EvDisconnect    = "disconnect"
	EvAssign        = "assign"
	EvArrivePickup  = "arrive_pickup"
	EvLoaded        = "loaded"
	EvReachGate     = "reach_gate"
	EvRelease       = "release"
	EvInspect       = "inspect"
	EvRefuse        = "refuse"
	EvPassedGates   = "passed_gates"
	EvArriveDrop    = "arrive_dropoff"
	EvUnloaded      = "unloaded"
	EvGoCharge      = "go_charge"
	EvPlugIn        = "plug_in"
	EvCharged       = "charged"
	EvPark          = "park"
	EvParked        = "parked"
	EvAbort         = "abort"
	EvPause         = "pause"
	EvFault         = "fault"
	EvRecover       = "recover"
	EvRecoverLaden  = "recover_laden" // repaired with a container aboard
	EvEStop         = "emergency_stop"
	EvEStopRelease  = "emergency_release"
	EvTakeOut       = "take_out" // out of service: no work until put back
	EvPutBack       = "put_back"
	evResumePrefix  = "resume_"
	evReleasePrefix = EvEStopRelease + "_"
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
	ev := func(name string, dst ShuttleState, src ...ShuttleState) fsm.EventDesc {
		s := make([]string, len(src))
		for i, x := range src {
			s[i] = string(x)
		}
		return fsm.EventDesc{Name: name, Src: s, Dst: string(dst)}
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
		ev(EvEStop, ShuttleEStop, stoppable...),
		ev(EvTakeOut, ShuttleOutOfService, ShuttleIdle, ShuttleToParking, ShuttleFault),
		ev(EvPutBack, ShuttleIdle, ShuttleOutOfService),
	}
	// a pause resumes what it held, which may have moved on while paused
	// (a pick that was under way ends): any state a shuttle works in
	for _, s := range anyOn {
		if s != ShuttlePaused {
			events = append(events, ev(evResumePrefix+string(s), s, ShuttlePaused))
		}
	}
	for _, s := range stoppable {
		events = append(events, ev(evReleasePrefix+string(s), s, ShuttleEStop))
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
// laden.
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
func (s *Shuttle) Can(event string) bool { return s.m.Can(event) }

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
func (s *Shuttle) Fire(event string) error {
	name := event
	switch event {
	case "resume":
		name = evResumePrefix + string(s.paused)
	case EvEStopRelease:
		name = evReleasePrefix + string(s.stopped)
	}
	from := s.State()
	if !s.m.Can(name) && s.fireHeld(event) {
		return nil
	}
	if err := s.m.Event(context.Background(), name); err != nil {
		var noTransition fsm.NoTransitionError
		if errors.As(err, &noTransition) {
			return nil // already there: an event that changes nothing is not illegal
		}
		s.Illegal++
		return fmt.Errorf("%w: shuttle %s in state %s cannot %s", ErrIllegalTransition, s.ID, from, strings.ReplaceAll(event, "_", " "))
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

// fireHeld applies an event the current state does not take to the state
// a stop or a pause holds, if the table lets that state take it.
func (s *Shuttle) fireHeld(event string) bool {
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
	if event == "resume" || event == EvEStopRelease || event == EvPause || event == EvEStop {
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
func transition(event string, src ShuttleState) (ShuttleState, bool) {
	for _, e := range shuttleTable {
		if e.Name == event && slices.Contains(e.Src, string(src)) {
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
