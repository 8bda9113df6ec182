package vda5050

// Action blocking types (Action.BlockingType).
const (
	BlockingNone = "NONE" // runs in parallel, the vehicle may drive
	BlockingSoft = "SOFT" // runs in parallel with other actions, no driving
	BlockingHard = "HARD" // runs alone, no driving
)

// Action states (ActionState.ActionStatus).
const (
	StatusWaiting      = "WAITING"
	StatusInitializing = "INITIALIZING"
	StatusRunning      = "RUNNING"
	StatusPaused       = "PAUSED"
	StatusFinished     = "FINISHED"
	StatusFailed       = "FAILED"
)

// Error levels (Error.ErrorLevel).
const (
	LevelWarning = "WARNING" // the vehicle can go on without a person
	LevelFatal   = "FATAL"   // the vehicle needs a person
)

// Information levels (Info.InfoLevel).
const (
	InfoLevelInfo  = "INFO"
	InfoLevelDebug = "DEBUG"
)

// Operating modes (State.OperatingMode). In AUTOMATIC and SEMIAUTOMATIC
// master control is in control of the vehicle, in the others it is not.
const (
	ModeAutomatic     = "AUTOMATIC"
	ModeSemiautomatic = "SEMIAUTOMATIC"
	ModeManual        = "MANUAL"
	ModeService       = "SERVICE"
	ModeTeachin       = "TEACHIN"
)

// Emergency stop acknowledge types (SafetyState.EStop).
const (
	EStopAutoAck = "AUTOACK"
	EStopManual  = "MANUAL"
	EStopRemote  = "REMOTE"
	EStopNone    = "NONE"
)

// Connection states (Connection.ConnectionState).
const (
	ConnectionOnline  = "ONLINE"
	ConnectionOffline = "OFFLINE"
	ConnectionBroken  = "CONNECTIONBROKEN"
)

// Edge orientation types (Edge.OrientationType).
const (
	OrientationGlobal     = "GLOBAL"
	OrientationTangential = "TANGENTIAL"
)

// Predefined action types (Action.ActionType). Other types are allowed
// but vendor-specific and announced in the factsheet.
const (
	ActionPick             = "pick"
	ActionDrop             = "drop"
	ActionStartCharging    = "startCharging"
	ActionStopCharging     = "stopCharging"
	ActionCancelOrder      = "cancelOrder"
	ActionStartPause       = "startPause"
	ActionStopPause        = "stopPause"
	ActionStateRequest     = "stateRequest"
	ActionFactsheetRequest = "factsheetRequest"
	ActionInitPosition     = "initPosition"
	ActionLogReport        = "logReport"
	ActionDetectObject     = "detectObject"
	ActionFinePositioning  = "finePositioning"
	ActionWaitForTrigger   = "waitForTrigger"
)

// Factsheet enums: kinematics (TypeSpecification.AgvKinematic).
const (
	KinematicDiff       = "DIFF"
	KinematicOmni       = "OMNI"
	KinematicThreeWheel = "THREEWHEEL"
)

// Factsheet enums: vehicle classes (TypeSpecification.AgvClass).
const (
	ClassForklift = "FORKLIFT"
	ClassConveyor = "CONVEYOR"
	ClassTugger   = "TUGGER"
	ClassCarrier  = "CARRIER"
)

// Factsheet enums: support of an optional parameter (OptionalParameter.Support).
const (
	SupportSupported = "SUPPORTED"
	SupportRequired  = "REQUIRED"
)

// Factsheet enums: where an action may be used (AgvAction.ActionScopes).
const (
	ScopeInstant = "INSTANT"
	ScopeNode    = "NODE"
	ScopeEdge    = "EDGE"
)

// Factsheet enums: action parameter types (AgvActionParameter.ValueDataType).
const (
	DataBool    = "BOOL"
	DataNumber  = "NUMBER"
	DataInteger = "INTEGER"
	DataFloat   = "FLOAT"
	DataString  = "STRING"
	DataObject  = "OBJECT"
	DataArray   = "ARRAY"
)

// Factsheet enums: wheel types (WheelDefinition.Type).
const (
	WheelDrive   = "DRIVE"
	WheelCaster  = "CASTER"
	WheelFixed   = "FIXED"
	WheelMecanum = "MECANUM"
)
