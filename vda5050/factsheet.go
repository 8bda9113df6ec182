package vda5050

import "encoding/json"

// Factsheet describes a vehicle type's capabilities (topic factsheet,
// retained, sent on a factsheetRequest). Master control sends a vehicle only
// the optional fields and actions its factsheet announces.
type Factsheet struct {
	Header
	// TypeSpecification is the vehicle's class and capabilities.
	TypeSpecification TypeSpecification `json:"typeSpecification"`
	// PhysicalParameters are speeds and dimensions.
	PhysicalParameters PhysicalParameters `json:"physicalParameters"`
	// ProtocolLimits are the vehicle's limits on message sizes and rates.
	ProtocolLimits ProtocolLimits `json:"protocolLimits"`
	// ProtocolFeatures are the optional fields and actions it supports.
	ProtocolFeatures ProtocolFeatures `json:"protocolFeatures"`
	// AgvGeometry is its wheels and envelopes.
	AgvGeometry AgvGeometry `json:"agvGeometry"`
	// LoadSpecification is what it can carry.
	LoadSpecification LoadSpecification `json:"loadSpecification"`
	// LocalizationParameters are vendor-specific; left out when nil.
	LocalizationParameters map[string]any `json:"localizationParameters,omitzero"`
}

// TypeSpecification describes the vehicle type.
type TypeSpecification struct {
	// SeriesName is the type's name.
	SeriesName string `json:"seriesName"`
	// SeriesDescription is free text.
	SeriesDescription string `json:"seriesDescription,omitempty"`
	// AgvKinematic is one of the Kinematic constants.
	AgvKinematic string `json:"agvKinematic"`
	// AgvClass is one of the Class constants.
	AgvClass string `json:"agvClass"`
	// MaxLoadMass in kg, >= 0.
	MaxLoadMass float64 `json:"maxLoadMass"`
	// LocalizationTypes, e.g. "NATURAL", "RFID". Always sent, [] when nil.
	LocalizationTypes []string `json:"localizationTypes"`
	// NavigationTypes, e.g. "AUTONOMOUS". Always sent, [] when nil.
	NavigationTypes []string `json:"navigationTypes"`
}

// PhysicalParameters are the vehicle's speeds (m/s), accelerations (m/s²)
// and dimensions (m).
type PhysicalParameters struct {
	// SpeedMin is the minimal controlled speed.
	SpeedMin float64 `json:"speedMin"`
	// SpeedMax is the top speed.
	SpeedMax float64 `json:"speedMax"`
	// AccelerationMax is the maximal acceleration with maximal load.
	AccelerationMax float64 `json:"accelerationMax"`
	// DecelerationMax is the maximal deceleration with maximal load.
	DecelerationMax float64 `json:"decelerationMax"`
	// HeightMin is the minimal height.
	HeightMin float64 `json:"heightMin"`
	// HeightMax is the maximal height.
	HeightMax float64 `json:"heightMax"`
	// Width of the vehicle.
	Width float64 `json:"width"`
	// Length of the vehicle.
	Length float64 `json:"length"`
}

// ProtocolLimits are the vehicle's limits; zero values mean "not stated".
type ProtocolLimits struct {
	// MaxStringLens are maximal string lengths.
	MaxStringLens MaxStringLens `json:"maxStringLens"`
	// MaxArrayLens are maximal array lengths.
	MaxArrayLens MaxArrayLens `json:"maxArrayLens"`
	// Timing are minimal and default intervals.
	Timing Timing `json:"timing"`
}

// MaxStringLens are maximal string lengths; 0 means not stated.
type MaxStringLens struct {
	// MsgLen is the maximal message length in bytes.
	MsgLen uint32 `json:"msgLen,omitempty"`
	// TopicSerialLen is the maximal length of the serial number in topics.
	TopicSerialLen uint32 `json:"topicSerialLen,omitempty"`
	// TopicElemLen is the maximal length of any other topic level.
	TopicElemLen uint32 `json:"topicElemLen,omitempty"`
	// IDLen is the maximal length of ids.
	IDLen uint32 `json:"idLen,omitempty"`
	// IDNumericalOnly is true if ids may only hold digits.
	IDNumericalOnly bool `json:"idNumericalOnly,omitempty"`
	// EnumLen is the maximal length of enum values.
	EnumLen uint32 `json:"enumLen,omitempty"`
	// LoadIDLen is the maximal length of load ids.
	LoadIDLen uint32 `json:"loadIdLen,omitempty"`
}

// MaxArrayLens are maximal array lengths; 0 means not stated. The JSON keys
// contain dots, e.g. "order.nodes".
type MaxArrayLens struct {
	// OrderNodes is the maximal number of nodes per order.
	OrderNodes uint32 `json:"order.nodes,omitempty"`
	// OrderEdges is the maximal number of edges per order.
	OrderEdges uint32 `json:"order.edges,omitempty"`
	// NodeActions is the maximal number of actions per node.
	NodeActions uint32 `json:"node.actions,omitempty"`
	// EdgeActions is the maximal number of actions per edge.
	EdgeActions uint32 `json:"edge.actions,omitempty"`
	// ActionsParameters is the maximal number of parameters per action.
	ActionsParameters uint32 `json:"actions.actionsParameters,omitempty"`
	// InstantActions is the maximal number of instant actions per message.
	InstantActions uint32 `json:"instantActions,omitempty"`
	// TrajectoryKnotVector is the maximal number of knots per trajectory.
	TrajectoryKnotVector uint32 `json:"trajectory.knotVector,omitempty"`
	// TrajectoryControlPoints is the maximal number of control points.
	TrajectoryControlPoints uint32 `json:"trajectory.controlPoints,omitempty"`
	// StateNodeStates is the maximal number of nodeStates (nodes in the base).
	StateNodeStates uint32 `json:"state.nodeStates,omitempty"`
	// StateEdgeStates is the maximal number of edgeStates (edges in the base).
	StateEdgeStates uint32 `json:"state.edgeStates,omitempty"`
	// StateLoads is the maximal number of loads.
	StateLoads uint32 `json:"state.loads,omitempty"`
	// StateActionStates is the maximal number of actionStates.
	StateActionStates uint32 `json:"state.actionStates,omitempty"`
	// StateErrors is the maximal number of errors.
	StateErrors uint32 `json:"state.errors,omitempty"`
	// StateInformation is the maximal number of information entries.
	StateInformation uint32 `json:"state.information,omitempty"`
	// ErrorErrorReferences is the maximal number of references per error.
	ErrorErrorReferences uint32 `json:"error.errorReferences,omitempty"`
	// InformationInfoReferences is the maximal number of references per information.
	InformationInfoReferences uint32 `json:"information.infoReferences,omitempty"`
}

// Timing are intervals in seconds.
type Timing struct {
	// MinOrderInterval is the minimal time between orders.
	MinOrderInterval float64 `json:"minOrderInterval"`
	// MinStateInterval is the minimal time between states.
	MinStateInterval float64 `json:"minStateInterval"`
	// DefaultStateInterval is the usual time between states, if stated.
	DefaultStateInterval *float64 `json:"defaultStateInterval,omitempty"`
	// VisualizationInterval is the time between visualizations, if stated.
	VisualizationInterval *float64 `json:"visualizationInterval,omitempty"`
}

// ProtocolFeatures are the optional fields and actions a vehicle supports.
type ProtocolFeatures struct {
	// OptionalParameters it supports or requires. Always sent, [] when nil.
	OptionalParameters []OptionalParameter `json:"optionalParameters"`
	// AgvActions it can run. Always sent, [] when nil.
	AgvActions []AgvAction `json:"agvActions"`
}

// OptionalParameter is an optional message field a vehicle supports.
type OptionalParameter struct {
	// Parameter is the field's path, e.g. "order.nodes.nodePosition.allowedDeviationTheta".
	Parameter string `json:"parameter"`
	// Support is SupportSupported or SupportRequired.
	Support string `json:"support"`
	// Description is free text.
	Description string `json:"description,omitempty"`
}

// AgvAction is an action a vehicle can run.
type AgvAction struct {
	// ActionType names the action.
	ActionType string `json:"actionType"`
	// ActionDescription is free text.
	ActionDescription string `json:"actionDescription,omitempty"`
	// ActionScopes are the Scope constants where it may be used. Always sent.
	ActionScopes []string `json:"actionScopes"`
	// ActionParameters it takes; left out when nil.
	ActionParameters []AgvActionParameter `json:"actionParameters,omitzero"`
	// ResultDescription describes the result.
	ResultDescription string `json:"resultDescription,omitempty"`
	// BlockingTypes it may have. Left out when empty: the official 2.0.0
	// schema wrongly puts an enum on this array, so any factsheet that
	// lists blocking types fails it.
	BlockingTypes []string `json:"blockingTypes,omitempty"`
}

// AgvActionParameter is a parameter an action takes.
type AgvActionParameter struct {
	// Key names the parameter.
	Key string `json:"key"`
	// ValueDataType is one of the Data constants.
	ValueDataType string `json:"valueDataType"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	// IsOptional is true if the parameter may be left out.
	IsOptional bool `json:"isOptional,omitempty"`
}

// AgvGeometry is the vehicle's wheels and envelopes.
type AgvGeometry struct {
	// WheelDefinitions lists the wheels; left out when nil.
	WheelDefinitions []WheelDefinition `json:"wheelDefinitions,omitzero"`
	// Envelopes2D are 2D outlines; left out when nil.
	Envelopes2D []Envelope2D `json:"envelopes2d,omitzero"`
	// Envelopes3D are 3D outlines; left out when nil.
	Envelopes3D []Envelope3D `json:"envelopes3d,omitzero"`
}

// WheelDefinition is one wheel.
type WheelDefinition struct {
	// Type is one of the Wheel constants.
	Type string `json:"type"`
	// IsActiveDriven is true for a driven wheel.
	IsActiveDriven bool `json:"isActiveDriven"`
	// IsActiveSteered is true for a steered wheel.
	IsActiveSteered bool `json:"isActiveSteered"`
	// Position of the wheel in vehicle coordinates.
	Position WheelPosition `json:"position"`
	// Diameter in metres.
	Diameter float64 `json:"diameter"`
	// Width in metres.
	Width float64 `json:"width"`
	// CenterDisplacement of a caster wheel in metres.
	CenterDisplacement *float64 `json:"centerDisplacement,omitempty"`
	// Constraints is free text.
	Constraints string `json:"constraints,omitempty"`
}

// WheelPosition is a wheel's pose in vehicle coordinates.
type WheelPosition struct {
	// X in metres.
	X float64 `json:"x"`
	// Y in metres.
	Y float64 `json:"y"`
	// Theta in radians, if it matters.
	Theta *float64 `json:"theta,omitempty"`
}

// Envelope2D is a 2D outline of the vehicle.
type Envelope2D struct {
	// Set names the envelope set.
	Set string `json:"set"`
	// PolygonPoints outline the envelope. Always sent, [] when nil.
	PolygonPoints []Point2D `json:"polygonPoints"`
	// Description is free text.
	Description string `json:"description,omitempty"`
}

// Point2D is a point in vehicle coordinates in metres.
type Point2D struct {
	// X in metres.
	X float64 `json:"x"`
	// Y in metres.
	Y float64 `json:"y"`
}

// Envelope3D is a 3D outline of the vehicle, inline or by URL.
type Envelope3D struct {
	// Set names the envelope set.
	Set string `json:"set"`
	// Format names the data format, e.g. "DXF".
	Format string `json:"format"`
	// Data is the envelope in that format; left out when nil.
	Data map[string]any `json:"data,omitzero"`
	// URL points at the data.
	URL string `json:"url,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
}

// LoadSpecification is what a vehicle can carry.
type LoadSpecification struct {
	// LoadPositions are the carrying positions; left out when nil.
	LoadPositions []string `json:"loadPositions,omitzero"`
	// LoadSets are the kinds of load it handles; left out when nil.
	LoadSets []LoadSet `json:"loadSets,omitzero"`
}

// LoadSet is a kind of load a vehicle can handle.
type LoadSet struct {
	// SetName names the set.
	SetName string `json:"setName"`
	// LoadType is the kind of load, e.g. "EPAL" or "container".
	LoadType string `json:"loadType"`
	// LoadPositions where this load may be carried; left out when nil.
	LoadPositions []string `json:"loadPositions,omitzero"`
	// BoundingBoxReference of the load.
	BoundingBoxReference *BoundingBoxReference `json:"boundingBoxReference,omitempty"`
	// LoadDimensions of the load.
	LoadDimensions *LoadDimensions `json:"loadDimensions,omitempty"`
	// MaxWeight in kg.
	MaxWeight *float64 `json:"maxWeight,omitempty"`
	// MinLoadhandlingHeight in metres.
	MinLoadhandlingHeight *float64 `json:"minLoadhandlingHeight,omitempty"`
	// MaxLoadhandlingHeight in metres.
	MaxLoadhandlingHeight *float64 `json:"maxLoadhandlingHeight,omitempty"`
	// MinLoadhandlingDepth in metres.
	MinLoadhandlingDepth *float64 `json:"minLoadhandlingDepth,omitempty"`
	// MaxLoadhandlingDepth in metres.
	MaxLoadhandlingDepth *float64 `json:"maxLoadhandlingDepth,omitempty"`
	// MinLoadhandlingTilt in radians.
	MinLoadhandlingTilt *float64 `json:"minLoadhandlingTilt,omitempty"`
	// MaxLoadhandlingTilt in radians.
	MaxLoadhandlingTilt *float64 `json:"maxLoadhandlingTilt,omitempty"`
	// AgvSpeedLimit with this load in m/s.
	AgvSpeedLimit *float64 `json:"agvSpeedLimit,omitempty"`
	// AgvAccelerationLimit with this load in m/s².
	AgvAccelerationLimit *float64 `json:"agvAccelerationLimit,omitempty"`
	// AgvDecelerationLimit with this load in m/s².
	AgvDecelerationLimit *float64 `json:"agvDecelerationLimit,omitempty"`
	// PickTime in seconds.
	PickTime *float64 `json:"pickTime,omitempty"`
	// DropTime in seconds.
	DropTime *float64 `json:"dropTime,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
}

// MarshalJSON encodes t with its required arrays never null.
func (t TypeSpecification) MarshalJSON() ([]byte, error) {
	type plain TypeSpecification
	t.LocalizationTypes, t.NavigationTypes = orEmpty(t.LocalizationTypes), orEmpty(t.NavigationTypes)
	return json.Marshal(plain(t))
}

// MarshalJSON encodes p with its required arrays never null.
func (p ProtocolFeatures) MarshalJSON() ([]byte, error) {
	type plain ProtocolFeatures
	p.OptionalParameters, p.AgvActions = orEmpty(p.OptionalParameters), orEmpty(p.AgvActions)
	return json.Marshal(plain(p))
}

// MarshalJSON encodes a with its action scopes never null.
func (a AgvAction) MarshalJSON() ([]byte, error) {
	type plain AgvAction
	a.ActionScopes = orEmpty(a.ActionScopes)
	return json.Marshal(plain(a))
}

// MarshalJSON encodes e with its polygon points never null.
func (e Envelope2D) MarshalJSON() ([]byte, error) {
	type plain Envelope2D
	e.PolygonPoints = orEmpty(e.PolygonPoints)
	return json.Marshal(plain(e))
}
