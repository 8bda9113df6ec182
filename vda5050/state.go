package vda5050

import "encoding/json"

// State is the vehicle's full state (topic state, vehicle to master
// control), sent on every relevant event and at least every 30 s.
type State struct {
	Header
	// OrderID is the current or last order's id; "" if none.
	OrderID string `json:"orderId"`
	// OrderUpdateID is the last accepted update of OrderID; 0 if none.
	OrderUpdateID uint32 `json:"orderUpdateId"`
	// ZoneSetID is the zone set in use, if the vehicle uses zones.
	ZoneSetID string `json:"zoneSetId,omitempty"`
	// LastNodeID is the last reached (or current) node; "" if none.
	LastNodeID string `json:"lastNodeId"`
	// LastNodeSequenceID is that node's sequence id; 0 if none.
	LastNodeSequenceID uint32 `json:"lastNodeSequenceId"`
	// Driving is true while the vehicle drives or rotates.
	Driving bool `json:"driving"`
	// Paused is true in pause mode (button or startPause).
	Paused *bool `json:"paused,omitempty"`
	// NewBaseRequest asks master control to extend the base.
	NewBaseRequest *bool `json:"newBaseRequest,omitempty"`
	// DistanceSinceLastNode in metres, for line-guided vehicles.
	DistanceSinceLastNode *float64 `json:"distanceSinceLastNode,omitempty"`
	// OperatingMode is one of the Mode constants.
	OperatingMode string `json:"operatingMode"`
	// NodeStates are the nodes still to traverse. Always sent, [] when nil.
	NodeStates []NodeState `json:"nodeStates"`
	// EdgeStates are the edges still to traverse. Always sent, [] when nil.
	EdgeStates []EdgeState `json:"edgeStates"`
	// AgvPosition is where the vehicle is, if it knows.
	AgvPosition *AgvPosition `json:"agvPosition,omitempty"`
	// Velocity in vehicle coordinates, if known.
	Velocity *Velocity `json:"velocity,omitempty"`
	// Loads the vehicle carries. nil (left out of the JSON) means the
	// vehicle cannot sense loads; an empty, non-nil slice (sent as [])
	// means it carries none. Decoding keeps the difference.
	Loads []Load `json:"loads,omitzero"`
	// ActionStates of the current order and of instant actions since it
	// began. Always sent, [] when nil.
	ActionStates []ActionState `json:"actionStates"`
	// BatteryState is the battery's state.
	BatteryState BatteryState `json:"batteryState"`
	// Errors currently active. Always sent, [] when nil.
	Errors []Error `json:"errors"`
	// Information is for display and debugging only; left out when nil.
	Information []Info `json:"information,omitzero"`
	// SafetyState is the emergency stop and protective field state.
	SafetyState SafetyState `json:"safetyState"`
}

// NodeState is a node of the current order still to be traversed.
type NodeState struct {
	// NodeID identifies the node.
	NodeID string `json:"nodeId"`
	// SequenceID is the node's (even) sequence id in the order.
	SequenceID uint32 `json:"sequenceId"`
	// NodeDescription is free text.
	NodeDescription string `json:"nodeDescription,omitempty"`
	// NodePosition is where the node is, if the vehicle sends it.
	NodePosition *NodePosition `json:"nodePosition,omitempty"`
	// Released is true in the base, false in the horizon.
	Released bool `json:"released"`
}

// EdgeState is an edge of the current order still to be traversed.
type EdgeState struct {
	// EdgeID identifies the edge.
	EdgeID string `json:"edgeId"`
	// SequenceID is the edge's (odd) sequence id in the order.
	SequenceID uint32 `json:"sequenceId"`
	// EdgeDescription is free text.
	EdgeDescription string `json:"edgeDescription,omitempty"`
	// Released is true in the base, false in the horizon.
	Released bool `json:"released"`
	// Trajectory the vehicle drives, if it sends it.
	Trajectory *Trajectory `json:"trajectory,omitempty"`
}

// AgvPosition is the vehicle's pose on a map.
type AgvPosition struct {
	// X in metres in the map frame.
	X float64 `json:"x"`
	// Y in metres in the map frame.
	Y float64 `json:"y"`
	// Theta is the heading in radians.
	Theta float64 `json:"theta"`
	// MapID names the map.
	MapID string `json:"mapId"`
	// MapDescription is free text.
	MapDescription string `json:"mapDescription,omitempty"`
	// PositionInitialized is false until the vehicle is localised.
	PositionInitialized bool `json:"positionInitialized"`
	// LocalizationScore is the localisation quality, 0..1.
	LocalizationScore *float64 `json:"localizationScore,omitempty"`
	// DeviationRange is the position uncertainty in metres.
	DeviationRange *float64 `json:"deviationRange,omitempty"`
}

// Velocity is the vehicle's velocity in vehicle coordinates.
type Velocity struct {
	// Vx in m/s.
	Vx *float64 `json:"vx,omitempty"`
	// Vy in m/s.
	Vy *float64 `json:"vy,omitempty"`
	// Omega in rad/s.
	Omega *float64 `json:"omega,omitempty"`
}

// Load is a load the vehicle carries. All fields are optional.
type Load struct {
	// LoadID identifies the load (here: the ISO 6346 container number).
	LoadID string `json:"loadId,omitempty"`
	// LoadType is the kind of load.
	LoadType string `json:"loadType,omitempty"`
	// LoadPosition is the carrying position on vehicles with several.
	LoadPosition string `json:"loadPosition,omitempty"`
	// BoundingBoxReference is the centre of the load's bottom face.
	BoundingBoxReference *BoundingBoxReference `json:"boundingBoxReference,omitempty"`
	// LoadDimensions are the load's bounding box in metres.
	LoadDimensions *LoadDimensions `json:"loadDimensions,omitempty"`
	// Weight in kg, >= 0.
	Weight *float64 `json:"weight,omitempty"`
}

// BoundingBoxReference is a point in vehicle coordinates.
type BoundingBoxReference struct {
	// X in metres.
	X float64 `json:"x"`
	// Y in metres.
	Y float64 `json:"y"`
	// Z in metres.
	Z float64 `json:"z"`
	// Theta in radians.
	Theta *float64 `json:"theta,omitempty"`
}

// LoadDimensions is a load's bounding box in metres.
type LoadDimensions struct {
	// Length in metres.
	Length float64 `json:"length"`
	// Width in metres.
	Width float64 `json:"width"`
	// Height in metres, if known.
	Height *float64 `json:"height,omitempty"`
}

// ActionState is the progress of one action.
type ActionState struct {
	// ActionID identifies the action.
	ActionID string `json:"actionId"`
	// ActionType of the action, for display only.
	ActionType string `json:"actionType,omitempty"`
	// ActionDescription is free text.
	ActionDescription string `json:"actionDescription,omitempty"`
	// ActionStatus is one of the Status constants.
	ActionStatus string `json:"actionStatus"`
	// ResultDescription describes the result, e.g. an RFID read.
	ResultDescription string `json:"resultDescription,omitempty"`
}

// BatteryState is the state of the vehicle's battery.
type BatteryState struct {
	// BatteryCharge is the state of charge in percent, 0..100.
	BatteryCharge float64 `json:"batteryCharge"`
	// BatteryVoltage in volts.
	BatteryVoltage *float64 `json:"batteryVoltage,omitempty"`
	// BatteryHealth is the state of health in percent, a whole number 0..100.
	BatteryHealth *float64 `json:"batteryHealth,omitempty"`
	// Charging is true while charging.
	Charging bool `json:"charging"`
	// Reach is the estimated range in metres.
	Reach *uint32 `json:"reach,omitempty"`
}

// Error is an error the vehicle reports; kept until resolved.
type Error struct {
	// ErrorType names the error, e.g. "orderError".
	ErrorType string `json:"errorType"`
	// ErrorReferences point at what caused it; left out when nil.
	ErrorReferences []ErrorReference `json:"errorReferences,omitzero"`
	// ErrorDescription is free text.
	ErrorDescription string `json:"errorDescription,omitempty"`
	// ErrorLevel is LevelWarning or LevelFatal.
	ErrorLevel string `json:"errorLevel"`
}

// ErrorReference is a key-value pair, e.g. "orderId": "o1". Information
// messages use it too.
type ErrorReference struct {
	// ReferenceKey names the reference, e.g. "actionId".
	ReferenceKey string `json:"referenceKey"`
	// ReferenceValue is its value.
	ReferenceValue string `json:"referenceValue"`
}

// Info is a message for display and debugging only.
type Info struct {
	// InfoType names the information.
	InfoType string `json:"infoType"`
	// InfoReferences are key-value pairs; left out when nil.
	InfoReferences []ErrorReference `json:"infoReferences,omitzero"`
	// InfoDescription is free text.
	InfoDescription string `json:"infoDescription,omitempty"`
	// InfoLevel is InfoLevelInfo or InfoLevelDebug.
	InfoLevel string `json:"infoLevel"`
}

// SafetyState is the vehicle's safety state.
type SafetyState struct {
	// EStop is one of the EStop constants; EStopNone when not stopped.
	EStop string `json:"eStop"`
	// FieldViolation is true while a protective field is violated.
	FieldViolation bool `json:"fieldViolation"`
}

// MarshalJSON encodes s with its required arrays never null.
func (s State) MarshalJSON() ([]byte, error) {
	type plain State
	s.NodeStates, s.EdgeStates = orEmpty(s.NodeStates), orEmpty(s.EdgeStates)
	s.ActionStates, s.Errors = orEmpty(s.ActionStates), orEmpty(s.Errors)
	return json.Marshal(plain(s))
}
