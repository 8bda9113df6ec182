package fleet

import (
	"context"
	"errors"
	"fmt"
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
)

// Shuttle events: the names of the transitions.
const (
	EvConnect      = "connect"
	EvDisconnect   = "disconnect"
	EvAssign       = "assign"
	EvArrivePickup = "arrive_pickup"
	EvLoaded       = "loaded"
	EvReachGate    = "reach_gate"
	EvRelease      = "release"
	EvInspect      = "inspect"
	EvRefuse       = "refuse"
	EvPassedGates  = "passed_gates"
	EvArriveDrop   = "arrive_dropoff"
	EvUnloaded     = "unloaded"
	EvGoCharge     = "go_charge"
	EvPlugIn       = "plug_in"
	EvCharged      = "charged"
	EvPark         = "park"
	EvParked       = "parked"
	EvAbort        = "abort"
	EvPause        = "pause"
	EvFault        = "fault"
	EvRecover      = "recover"
	EvRecoverLaden = "recover_laden" // repaired with a container aboard
	EvEStop        = "emergency_stop"
	EvEStopRelease = "emergency_release"
	evResumePrefix = "resume_"
)

var (
	moving   = []ShuttleState{ShuttleToPickup, ShuttleLadenTransit, ShuttleToDropoff, ShuttleToCharger, ShuttleToParking}
	pausable = append([]ShuttleState{ShuttleIdle}, moving...)
	anyOn    = []ShuttleState{ShuttleIdle, ShuttleToPickup, ShuttleLoading, ShuttleLadenTransit, ShuttleAtGate, ShuttleInspection,
		ShuttleToDropoff, ShuttleUnloading, ShuttleToCharger, ShuttleCharging, ShuttleToParking, ShuttlePaused}
)

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
		ev(EvFault, ShuttleFault, anyOn...),
		ev(EvRecover, ShuttleIdle, ShuttleFault),
		ev(EvRecoverLaden, ShuttleLadenTransit, ShuttleFault),
		ev(EvEStop, ShuttleEStop, append(anyOn, ShuttleFault)...),
		ev(EvEStopRelease, ShuttleIdle, ShuttleEStop),
	}
	for _, s := range pausable {
		events = append(events, ev(evResumePrefix+string(s), s, ShuttlePaused))
	}
	return events
}

// Shuttle is one vehicle's state machine. An event that the table does not
// allow in the current state is refused with ErrIllegalTransition and
// counted; it never changes the state.
type Shuttle struct {
	ID      string
	m       *fsm.FSM
	paused  ShuttleState // the state a pause interrupted
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

// Fire applies an event. Pausing remembers the state it interrupts, and
// "resume" returns to it.
func (s *Shuttle) Fire(event string) error {
	name := event
	if event == "resume" {
		name = evResumePrefix + string(s.paused)
	}
	from := s.State()
	if err := s.m.Event(context.Background(), name); err != nil {
		var noTransition fsm.NoTransitionError
		if errors.As(err, &noTransition) {
			return nil // already there: an event that changes nothing is not illegal
		}
		s.Illegal++
		return fmt.Errorf("%w: shuttle %s in state %s cannot %s", ErrIllegalTransition, s.ID, from, strings.ReplaceAll(event, "_", " "))
	}
	s.state = ShuttleState(s.m.Current())
	if event == EvPause {
		s.paused = from
	}
	return nil
}

// ShuttleDiagram is the shuttle state machine as a Mermaid state diagram,
// generated from the transition table.
func ShuttleDiagram() string {
	out, _ := fsm.VisualizeForMermaidWithGraphType(NewShuttle("").m, fsm.StateDiagram) // errs only on an unknown diagram type
	return out
}
