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

// BatteryReported: a shuttle's state of charge as it reports it between
// nodes and actions. Standing drains the battery too (auxiliaries, and
// heating in the cold): a parked shuttle's charge goes down for hours
// with nothing else to report, and the charging policy must see it.
type BatteryReported struct {
	Shuttle string
	SoC     float64
}

// ActionDone: a shuttle finished a node action: a pick, a drop or a
// charge (charging reached its target or was stopped).
type ActionDone struct {
	Shuttle string
	Action  Action
	SoC     float64
}

// Action is a node action: what a drive Command asks a shuttle to do at
// the end of its steps, and what ActionDone reports finished. Adapters
// map it to their vehicles' terms (package vehicles to VDA 5050 action
// types: pick, drop, startCharging).
type Action string

// Node actions.
const (
	// ActionPick loads the container (the Command's, as load id) at a bay.
	ActionPick Action = "pick"
	// ActionDrop unloads it at a bay.
	ActionDrop Action = "drop"
	// ActionCharge charges at a charger node up to the Command's
	// TargetSoC; it is done when the target is reached or charging is
	// stopped (CmdStopCharging).
	ActionCharge Action = "charge"
)

// ActionFailed: a shuttle's pick or drop did not happen, by its vehicle's
// report. The adapter reports the fault that takes the shuttle out of
// dispatch for it first (FaultReported); a pick that failed gives its move
// back to dispatch, a drop that failed is given again after the repair.
type ActionFailed struct {
	Shuttle string
	Action  Action
	Reason  string
}

// FaultReported: a shuttle stopped with an error that needs a person; its
// move is re-planned if the container is not aboard and no pick is under
// way (a pick or drop under way is the vehicle's to finish or fail).
type FaultReported struct {
	Shuttle string
	Reason  string
	// Unreachable: the vehicle cannot be told anything now (it is
	// silent, or its link is down), so what it was sent it may still do:
	// a pick in the order it has is not called off by a cancel.
	Unreachable bool
}

// FaultCleared: a faulted shuttle works again.
type FaultCleared struct {
	Shuttle string `json:"shuttle"`
}

// PausedAtNode: a shuttle's vehicle confirmed a pause (CmdPause) and
// stands on the node it last reached: it will not drive on until resumed
// (CmdResume). The Controller pauses a broken-down shuttle that holds
// lane ahead of where it stands, and once this comes lends that lane to
// the shuttles behind it there until the shuttle has been repaired (fault.go).
type PausedAtNode struct {
	Shuttle string `json:"shuttle"`
	// Step is the global step of the node it stands on (routing.Plan's
	// FirstStep plus its lastNodeSequenceId); one the Controller no longer
	// has it at is not believed.
	Step int `json:"step"`
}

// MoveRequested: an operator asks for a container move.
type MoveRequested struct {
	ID             string    `json:"id,omitempty"`
	Container      string    `json:"container,omitempty"`
	Origin         string    `json:"origin,omitempty"`
	Destination    string    `json:"destination,omitempty"`
	Priority       int       `json:"priority,omitempty"`
	EarliestPickup time.Time `json:"earliestPickup,omitempty"`
	Deadline       time.Time `json:"deadline,omitempty"`
	Declaration    string    `json:"declaration,omitempty"`
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	PreCleared     bool      `json:"preCleared,omitempty"`
}

// CustomsDecision: a country's officer decides on a container at that
// country's checkpoint: "release", "inspect" or "refuse".
type CustomsDecision struct {
	Checkpoint string  `json:"checkpoint,omitempty"`
	Country    string  `json:"country,omitempty"`
	Move       string  `json:"move,omitempty"`
	Decision   Verdict `json:"decision,omitempty"`
	Officer    string  `json:"officer,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// DeclarationFiled: a country's customs system (or an operator) files a
// customs declaration for a container in that country. One filed while
// the container has no open move is kept for its next move; a new one for
// the same container and country replaces the one in force. By names who
// filed it, as the audit trail names them.
type DeclarationFiled struct {
	Container   string   `json:"container,omitempty"`
	Country     string   `json:"country,omitempty"` // ISO 3166-1 alpha-2, a country with a checkpoint on the site
	Reference   string   `json:"reference,omitempty"`
	Declarant   string   `json:"declarant,omitempty"`
	Goods       string   `json:"goods,omitempty"`
	GrossMassKg float64  `json:"grossMassKg,omitempty"`
	Seals       []string `json:"seals,omitempty"` // ISO 17712 seal numbers
	By          string   `json:"by,omitempty"`
}

// SealRead: a seal reader at a checkpoint read a container's seals. It
// is accepted only for a container whose open move's way has that
// checkpoint and has not passed it. By names the reader (or officer).
type SealRead struct {
	Checkpoint string      `json:"checkpoint,omitempty"`
	Container  string      `json:"container,omitempty"`
	Seals      []SealState `json:"seals,omitempty"`
	By         string      `json:"by,omitempty"`
}

// PauseRequested: an operator pauses a shuttle where it is. A paused
// shuttle keeps its place in traffic and its move, takes no new work and
// is granted no more lane; it may be paused while idle or driving, not
// while loading, unloading or charging.
type PauseRequested struct {
	Shuttle string `json:"shuttle"`
}

// ResumeRequested: an operator lets a paused shuttle go on.
type ResumeRequested struct {
	Shuttle string `json:"shuttle"`
}

// CancelRequested: an operator cancels a move whose container is not on
// a shuttle: pending, or on its way to be picked up. A shuttle on its way
// to pick it up is stopped and sent to park. By names who asked, for the
// audit trail.
type CancelRequested struct {
	Move   string `json:"move,omitempty"`
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// PriorityChanged: an operator changes the priority of a move that is not
// over (higher goes first; it matters to dispatch while the move waits).
type PriorityChanged struct {
	Move     string `json:"move,omitempty"`
	Priority int    `json:"priority,omitempty"`
	By       string `json:"by,omitempty"`
}

// ChargeRequested: an operator sends a shuttle that has no move to charge
// now, up to the vehicle's MaxSoC, at the station of its centre (or the
// nearest).
type ChargeRequested struct {
	Shuttle string `json:"shuttle"`
}

// ParkRequested: an operator sends a shuttle that has no move to the
// nearest free parking spot of its centre. It stays available to
// dispatch there; take it out of service to keep it out of work.
type ParkRequested struct {
	Shuttle string `json:"shuttle"`
}

// EmergencyStopRequested: an operator stops a shuttle at once, whatever it
// is doing. A stopped shuttle is told to pause (VDA 5050 startPause), is
// granted no more lane and takes no work; its move stays with it. This is
// the fleet's stop, not a safety function: a vehicle's safety-rated
// emergency stop is its own.
type EmergencyStopRequested struct {
	Shuttle string `json:"shuttle"`
}

// EmergencyReleaseRequested: an operator releases a stopped shuttle.
type EmergencyReleaseRequested struct {
	Shuttle string `json:"shuttle"`
}

// OutOfServiceRequested: an operator takes a shuttle out of service. A
// shuttle out of service takes no work and is sent to park; a move it was
// on its way to pick up goes back to the pending moves. It stays out of
// service through faults and their repair until it is put back. One with
// a container aboard cannot be taken out (pause it, or take it out once it
// has unloaded).
type OutOfServiceRequested struct {
	Shuttle string `json:"shuttle"`
}

// InServiceRequested: an operator puts a shuttle back into service.
type InServiceRequested struct {
	Shuttle string `json:"shuttle"`
}

// LaneClosed: an operator closes a lane, or one link of it ("lane#n"),
// to new routes. Shuttles routed over it are re-routed where another way
// exists.
type LaneClosed struct {
	Lane string `json:"lane,omitempty"`
	By   string `json:"by,omitempty"`
}

// LaneReopened: an operator reopens a closed lane, or one link of it.
type LaneReopened struct {
	Lane string `json:"lane,omitempty"`
	By   string `json:"by,omitempty"`
}

// Tick: time passes; timers (gate release times) fire.
type Tick struct{}

func (ShuttleJoined) event()             {}
func (BatteryReported) event()           {}
func (NodeReached) event()               {}
func (ActionDone) event()                {}
func (ActionFailed) event()              {}
func (FaultReported) event()             {}
func (FaultCleared) event()              {}
func (PausedAtNode) event()              {}
func (MoveRequested) event()             {}
func (CustomsDecision) event()           {}
func (DeclarationFiled) event()          {}
func (SealRead) event()                  {}
func (PauseRequested) event()            {}
func (ResumeRequested) event()           {}
func (CancelRequested) event()           {}
func (PriorityChanged) event()           {}
func (ChargeRequested) event()           {}
func (ParkRequested) event()             {}
func (EmergencyStopRequested) event()    {}
func (EmergencyReleaseRequested) event() {}
func (OutOfServiceRequested) event()     {}
func (InServiceRequested) event()        {}
func (LaneClosed) event()                {}
func (LaneReopened) event()              {}
func (Tick) event()                      {}

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
	// container as load id) or charge.
	Action    Action
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
