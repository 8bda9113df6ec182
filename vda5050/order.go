package vda5050

import "encoding/json"

// Order tells one vehicle which nodes and edges to traverse and which
// actions to run there (topic order, master control to vehicle).
type Order struct {
	Header
	// OrderID identifies the order; updates keep it.
	OrderID string `json:"orderId"`
	// OrderUpdateID counts the updates of one order, from 0.
	OrderUpdateID uint32 `json:"orderUpdateId"`
	// ZoneSetID names the zone set the vehicle must use, if any.
	ZoneSetID string `json:"zoneSetId,omitempty"`
	// Nodes in traversal order; at least one. Sent as [] when nil.
	Nodes []Node `json:"nodes"`
	// Edges in traversal order; one fewer than Nodes. Sent as [] when nil.
	Edges []Edge `json:"edges"`
}

// Node is a point of an order's graph.
type Node struct {
	// NodeID identifies the node (stable, from the lane graph).
	NodeID string `json:"nodeId"`
	// SequenceID is the node's position in the order: even, 0, 2, 4, ...
	SequenceID uint32 `json:"sequenceId"`
	// NodeDescription is free text.
	NodeDescription string `json:"nodeDescription,omitempty"`
	// Released is true in the base, false in the horizon.
	Released bool `json:"released"`
	// NodePosition is where the node is; optional for line-guided vehicles.
	NodePosition *NodePosition `json:"nodePosition,omitempty"`
	// Actions run when the node is reached. Always sent, [] when nil.
	Actions []Action `json:"actions"`
}

// NodePosition places a node on a map.
type NodePosition struct {
	// X in metres in the map frame.
	X float64 `json:"x"`
	// Y in metres in the map frame.
	Y float64 `json:"y"`
	// Theta is the heading at the node in radians, -pi..pi, if it matters.
	Theta *float64 `json:"theta,omitempty"`
	// AllowedDeviationXY is the radius in metres within which the node counts as reached.
	AllowedDeviationXY *float64 `json:"allowedDeviationXY,omitempty"`
	// AllowedDeviationTheta is the allowed heading deviation in radians, 0..pi.
	AllowedDeviationTheta *float64 `json:"allowedDeviationTheta,omitempty"`
	// MapID names the map.
	MapID string `json:"mapId"`
	// MapDescription is free text.
	MapDescription string `json:"mapDescription,omitempty"`
}

// Edge joins two consecutive nodes of an order.
type Edge struct {
	// EdgeID identifies the edge (stable, from the lane graph).
	EdgeID string `json:"edgeId"`
	// SequenceID is the edge's position in the order: odd, between its nodes.
	SequenceID uint32 `json:"sequenceId"`
	// EdgeDescription is free text.
	EdgeDescription string `json:"edgeDescription,omitempty"`
	// Released is true in the base, false in the horizon.
	Released bool `json:"released"`
	// StartNodeID is the nodeId of the node before the edge.
	StartNodeID string `json:"startNodeId"`
	// EndNodeID is the nodeId of the node after the edge.
	EndNodeID string `json:"endNodeId"`
	// MaxSpeed in m/s.
	MaxSpeed *float64 `json:"maxSpeed,omitempty"`
	// MaxHeight of the vehicle with its load in metres.
	MaxHeight *float64 `json:"maxHeight,omitempty"`
	// MinHeight of the load handling device in metres.
	MinHeight *float64 `json:"minHeight,omitempty"`
	// Orientation of the vehicle on the edge in radians, -pi..pi.
	Orientation *float64 `json:"orientation,omitempty"`
	// OrientationType is OrientationGlobal or OrientationTangential (default).
	OrientationType string `json:"orientationType,omitempty"`
	// Direction at a junction for line-guided vehicles (vendor-specific).
	Direction string `json:"direction,omitempty"`
	// RotationAllowed says whether the vehicle may rotate on the edge.
	RotationAllowed *bool `json:"rotationAllowed,omitempty"`
	// MaxRotationSpeed in rad/s.
	MaxRotationSpeed *float64 `json:"maxRotationSpeed,omitempty"`
	// Trajectory is the path to drive, as a NURBS.
	Trajectory *Trajectory `json:"trajectory,omitempty"`
	// Length in metres, for line-guided vehicles.
	Length *float64 `json:"length,omitempty"`
	// Actions run while the vehicle is on the edge. Always sent, [] when nil.
	Actions []Action `json:"actions"`
}

// Trajectory is a NURBS curve. In an order Degree is required (an integer
// >= 1); in a state it is optional and left out when 0.
type Trajectory struct {
	// Degree of the NURBS.
	Degree float64 `json:"degree,omitempty"`
	// KnotVector holds len(ControlPoints)+Degree+1 values in 0..1.
	KnotVector []float64 `json:"knotVector"`
	// ControlPoints include the start and end point.
	ControlPoints []ControlPoint `json:"controlPoints"`
}

// ControlPoint is a weighted NURBS control point.
type ControlPoint struct {
	// X in metres in the map frame.
	X float64 `json:"x"`
	// Y in metres in the map frame.
	Y float64 `json:"y"`
	// Weight pulls the curve towards the point; 1 when nil.
	Weight *float64 `json:"weight,omitempty"`
}

// Action is something for the vehicle to do at a node, on an edge, or at
// once (InstantActions).
type Action struct {
	// ActionType names the action, e.g. ActionPick.
	ActionType string `json:"actionType"`
	// ActionID identifies the action; unique within an order.
	ActionID string `json:"actionId"`
	// ActionDescription is free text.
	ActionDescription string `json:"actionDescription,omitempty"`
	// BlockingType is BlockingNone, BlockingSoft or BlockingHard.
	BlockingType string `json:"blockingType"`
	// ActionParameters are the action's arguments; left out when nil.
	ActionParameters []ActionParameter `json:"actionParameters,omitzero"`
}

// ActionParameter is one argument of an action.
type ActionParameter struct {
	// Key names the parameter, e.g. "loadId".
	Key string `json:"key"`
	// Value is any JSON value but null: string, number (float64 when
	// decoded), bool, array ([]any) or object (map[string]any).
	Value any `json:"value"`
}

// InstantActions carries actions to run at once (topic instantActions,
// master control to vehicle).
type InstantActions struct {
	Header
	// Actions to run. Always sent, [] when nil.
	Actions []Action `json:"actions"`
}

// orEmpty returns s, or an empty slice when s is nil, so that a required
// array is encoded as [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// MarshalJSON encodes o with its required arrays never null.
func (o Order) MarshalJSON() ([]byte, error) {
	type plain Order
	o.Nodes, o.Edges = orEmpty(o.Nodes), orEmpty(o.Edges)
	return json.Marshal(plain(o))
}

// MarshalJSON encodes n with its actions never null.
func (n Node) MarshalJSON() ([]byte, error) {
	type plain Node
	n.Actions = orEmpty(n.Actions)
	return json.Marshal(plain(n))
}

// MarshalJSON encodes e with its actions never null.
func (e Edge) MarshalJSON() ([]byte, error) {
	type plain Edge
	e.Actions = orEmpty(e.Actions)
	return json.Marshal(plain(e))
}

// MarshalJSON encodes t with its arrays never null.
func (t Trajectory) MarshalJSON() ([]byte, error) {
	type plain Trajectory
	t.KnotVector, t.ControlPoints = orEmpty(t.KnotVector), orEmpty(t.ControlPoints)
	return json.Marshal(plain(t))
}

// MarshalJSON encodes a with its actions never null.
func (a InstantActions) MarshalJSON() ([]byte, error) {
	type plain InstantActions
	a.Actions = orEmpty(a.Actions)
	return json.Marshal(plain(a))
}
