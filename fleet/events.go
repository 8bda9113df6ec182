package fleet

import "time"

// Event is something the Controller is told: a vehicle's report, an
// operator's request, a customs decision or the passing of time.
type Event interface{ event() }

// ShuttleJoined: a vehicle is online and stands at a node of the lane graph.
type ShuttleJoined struct {
	Shuttle string
	Node    string
	SoC     float64
}

// NodeReached: a shuttle reached the node at a global route step (see
// routing.Plan.FirstStep).
type NodeReached struct {
	Shuttle string
	Step    int
	SoC     float64
}

// ActionDone: a shuttle finished a node action: "pick", "drop" or
// "charge" (charging reached its target or was stopped).
type ActionDone struct {
	Shuttle string
	Action  string
	SoC     float64
}

// FaultReported: a shuttle stopped with an error that needs a person; its
// move is re-planned if the container is not aboard.
type FaultReported struct {
	Shuttle string
	Reason  string
}

// FaultCleared: a faulted shuttle works again.
type FaultCleared struct{ Shuttle string }

// MoveRequested: an operator asks for a container move.
type MoveRequested struct {
	ID             string
	Container      string
	Origin         string
	Destination    string
	Priority       int
	EarliestPickup time.Time
	Deadline       time.Time
	Declaration    string
	IdempotencyKey string
	PreCleared     bool
}

// CustomsDecision: a country's officer decides on a container at that
// country's checkpoint: "release", "inspect" or "refuse".
type CustomsDecision struct {
	Checkpoint string
	Country    string
	Move       string
	Decision   string
	Officer    string
	Reason     string
}

// PauseRequested: an operator pauses a shuttle where it is (Pause true)
// or lets it go on. A paused shuttle keeps its place in traffic and its
// move, takes no new work and is granted no more lane; it may be paused
// while idle or driving, not while loading, unloading or charging.
type PauseRequested struct {
	Shuttle string
	Pause   bool
}

// Tick: time passes; timers (gate release times) fire.
type Tick struct{}

func (ShuttleJoined) event()   {}
func (NodeReached) event()     {}
func (ActionDone) event()      {}
func (FaultReported) event()   {}
func (FaultCleared) event()    {}
func (MoveRequested) event()   {}
func (CustomsDecision) event() {}
func (PauseRequested) event()  {}
func (Tick) event()            {}

// Command is what the Controller tells a vehicle, as a VDA 5050 master
// control would: drive (an order or order update), or an instant action.
type Command struct {
	Shuttle string
	Kind    CommandKind
	// Drive: the shuttle may now drive from global step From to To; Steps
	// are the node and edge ids of steps From+1 .. To, in order.
	From, To int
	Steps    []string
	// Action is a node action at step To: pick or drop (with the
	// container as load id) or startCharging.
	Action    string
	Container Container
	// TargetSoC is where a charging session stops.
	TargetSoC float64
}

// CommandKind says what a Command is.
type CommandKind string

// Command kinds.
const (
	CmdDrive        CommandKind = "drive"
	CmdStopCharging CommandKind = "stopCharging"
	CmdCancel       CommandKind = "cancelOrder"
	CmdPause        CommandKind = "startPause"
	CmdResume       CommandKind = "stopPause"
)
