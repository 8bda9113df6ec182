package vda5050

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var exampleTime = time.Date(2026, 11, 22, 3, 40, 3, 120_000_000, time.UTC)

func ptr[T any](v T) *T { return &v }

func exampleHeader(id uint32) Header {
	return Header{HeaderID: id, Timestamp: Timestamp(exampleTime), Version: Version, Manufacturer: "borderfleet", SerialNumber: "KZ-0001"}
}

// exampleOrder is a valid order: three nodes, the first two released, a
// pick at the second node.
func exampleOrder() Order {
	pos := func(x, y float64) *NodePosition {
		return &NodePosition{X: x, Y: y, Theta: ptr(0.5), AllowedDeviationXY: ptr(0.5), AllowedDeviationTheta: ptr(0.2), MapID: "baqty"}
	}
	return Order{
		Header:        exampleHeader(7),
		OrderID:       "move-42",
		OrderUpdateID: 1,
		Nodes: []Node{
			{NodeID: "n1", SequenceID: 4, Released: true, NodePosition: pos(0, 0)},
			{NodeID: "bay-3", SequenceID: 6, Released: true, NodePosition: pos(100, 0), Actions: []Action{{
				ActionType: ActionPick, ActionID: "move-42-pick", BlockingType: BlockingHard,
				ActionParameters: []ActionParameter{{Key: "loadId", Value: "MSCU1234565"}, {Key: "height", Value: 1.5}},
			}}},
			{NodeID: "gate-kz", SequenceID: 8, Released: false, NodePosition: pos(300, 10)},
		},
		Edges: []Edge{
			{EdgeID: "e1", SequenceID: 5, Released: true, StartNodeID: "n1", EndNodeID: "bay-3", MaxSpeed: ptr(6.9), Length: ptr(100.0),
				Trajectory: &Trajectory{Degree: 1, KnotVector: []float64{0, 0, 1, 1}, ControlPoints: []ControlPoint{{X: 0, Y: 0}, {X: 100, Y: 0, Weight: ptr(1.0)}}}},
			{EdgeID: "e2", SequenceID: 7, Released: false, StartNodeID: "bay-3", EndNodeID: "gate-kz", OrientationType: OrientationTangential},
		},
	}
}

func exampleInstantActions() InstantActions {
	return InstantActions{Header: exampleHeader(3), Actions: []Action{
		{ActionType: ActionCancelOrder, ActionID: "ia-1", BlockingType: BlockingHard},
		{ActionType: ActionStateRequest, ActionID: "ia-2", BlockingType: BlockingNone},
	}}
}

func exampleState() State {
	return State{
		Header:             exampleHeader(1200),
		OrderID:            "move-42",
		OrderUpdateID:      1,
		LastNodeID:         "n1",
		LastNodeSequenceID: 4,
		Driving:            true,
		Paused:             ptr(false),
		NewBaseRequest:     ptr(false),
		OperatingMode:      ModeAutomatic,
		NodeStates: []NodeState{
			{NodeID: "bay-3", SequenceID: 6, Released: true},
			{NodeID: "gate-kz", SequenceID: 8, Released: false, NodePosition: &NodePosition{X: 300, Y: 10, MapID: "baqty"}},
		},
		EdgeStates: []EdgeState{
			{EdgeID: "e1", SequenceID: 5, Released: true},
			{EdgeID: "e2", SequenceID: 7, Released: false},
		},
		AgvPosition:  &AgvPosition{X: 40, Y: 0.1, Theta: 0.01, MapID: "baqty", PositionInitialized: true, LocalizationScore: ptr(0.9), DeviationRange: ptr(0.2)},
		Velocity:     &Velocity{Vx: ptr(6.5), Vy: ptr(0.0), Omega: ptr(0.0)},
		Loads:        []Load{},
		ActionStates: []ActionState{{ActionID: "move-42-pick", ActionType: ActionPick, ActionStatus: StatusWaiting}},
		BatteryState: BatteryState{BatteryCharge: 64.5, BatteryVoltage: ptr(720.0), BatteryHealth: ptr(97.0), Reach: ptr(uint32(180000))},
		Errors: []Error{{ErrorType: "orderUpdateError", ErrorLevel: LevelWarning, ErrorDescription: "stale update",
			ErrorReferences: []ErrorReference{{ReferenceKey: "orderId", ReferenceValue: "move-41"}}}},
		Information: []Info{{InfoType: "winterMode", InfoLevel: InfoLevelInfo}},
		SafetyState: SafetyState{EStop: EStopNone},
	}
}

func exampleConnection() Connection {
	return Connection{Header: exampleHeader(0), ConnectionState: ConnectionOnline}
}

func exampleVisualization() Visualization {
	return Visualization{Header: exampleHeader(99), AgvPosition: &AgvPosition{X: 1, Y: 2, Theta: -3, MapID: "baqty", PositionInitialized: true}, Velocity: &Velocity{Vx: ptr(1.0)}}
}

func exampleFactsheet() Factsheet {
	return Factsheet{
		Header: exampleHeader(0),
		TypeSpecification: TypeSpecification{SeriesName: "BF-Shuttle", AgvKinematic: KinematicDiff, AgvClass: ClassCarrier, MaxLoadMass: 60000,
			LocalizationTypes: []string{"NATURAL"}, NavigationTypes: []string{"AUTONOMOUS"}},
		PhysicalParameters: PhysicalParameters{SpeedMin: 0.1, SpeedMax: 6.95, AccelerationMax: 0.5, DecelerationMax: 1.5, HeightMin: 1.2, HeightMax: 1.6, Width: 3, Length: 14},
		ProtocolLimits: ProtocolLimits{
			MaxStringLens: MaxStringLens{MsgLen: 65536, IDLen: 64},
			MaxArrayLens:  MaxArrayLens{OrderNodes: 200, OrderEdges: 199},
			Timing:        Timing{MinOrderInterval: 1, MinStateInterval: 0.5, DefaultStateInterval: ptr(30.0)},
		},
		ProtocolFeatures: ProtocolFeatures{
			OptionalParameters: []OptionalParameter{{Parameter: "order.edges.maxSpeed", Support: SupportSupported}},
			AgvActions: []AgvAction{
				{ActionType: ActionPick, ActionScopes: []string{ScopeNode}, ActionParameters: []AgvActionParameter{{Key: "loadId", ValueDataType: DataString}}},
				{ActionType: ActionCancelOrder, ActionScopes: []string{ScopeInstant}},
			},
		},
		AgvGeometry: AgvGeometry{WheelDefinitions: []WheelDefinition{{Type: WheelDrive, IsActiveDriven: true, Position: WheelPosition{X: 4, Y: 1.2}, Diameter: 1, Width: 0.4}}},
		LoadSpecification: LoadSpecification{LoadPositions: []string{"front", "rear"},
			LoadSets: []LoadSet{{SetName: "teu", LoadType: "container", LoadDimensions: &LoadDimensions{Length: 6.058, Width: 2.438}, MaxWeight: ptr(30480.0)}}},
	}
}

// examples are the valid messages, by topic, with their Decode function
// wrapped to return any.
var examples = []struct {
	topic  Topic
	msg    any
	decode func([]byte) (any, error)
}{
	{TopicOrder, exampleOrder(), wrap(DecodeOrder)},
	{TopicInstantActions, exampleInstantActions(), wrap(DecodeInstantActions)},
	{TopicState, exampleState(), wrap(DecodeState)},
	{TopicConnection, exampleConnection(), wrap(DecodeConnection)},
	{TopicVisualization, exampleVisualization(), wrap(DecodeVisualization)},
	{TopicFactsheet, exampleFactsheet(), wrap(DecodeFactsheet)},
}

func wrap[T any](f func([]byte) (T, error)) func([]byte) (any, error) {
	return func(b []byte) (any, error) { return f(b) }
}

// TestGolden pins the JSON our types produce (testdata/<topic>.json, also
// the fuzz seeds and the vdaschema test input) and decodes it back.
func TestGolden(t *testing.T) {
	for _, ex := range examples {
		t.Run(string(ex.topic), func(t *testing.T) {
			got, err := json.MarshalIndent(ex.msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", string(ex.topic)+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from our encoding:\n%s", path, got)
			}
			back, err := ex.decode(want)
			if err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			again, err := json.MarshalIndent(back, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if string(again)+"\n" != string(want) {
				t.Errorf("%s decodes and encodes to\n%s", path, again)
			}
		})
	}
}
