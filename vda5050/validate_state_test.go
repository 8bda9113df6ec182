package vda5050

import (
	"encoding/json"
	"testing"
)

// stateEdit makes exampleState valid or invalid in one way.
type stateEdit struct {
	name    string
	edit    func(s *State)
	field   string
	problem string
}

func stateEdits() []stateEdit {
	return []stateEdit{
		{"valid", func(s *State) {}, "", ""},
		{"valid idle", func(s *State) {
			*s = State{Header: s.Header, OperatingMode: ModeManual, SafetyState: SafetyState{EStop: EStopManual}}
		}, "", ""},
		{"major version", func(s *State) { s.Version = "3.0.0" }, "version", "2.x.y"},
		{"operatingMode", func(s *State) { s.OperatingMode = "AUTO" }, "operatingMode", "one of AUTOMATIC, SEMIAUTOMATIC"},
		{"nodeState sequenceId odd", func(s *State) { s.NodeStates[1].SequenceID = 9 }, "nodeStates[1].sequenceId", "must be even"},
		{"edgeState sequenceId even", func(s *State) { s.EdgeStates[1].SequenceID = 8 }, "edgeStates[1].sequenceId", "must be odd"},
		{"nodeState nodeId", func(s *State) { s.NodeStates[0].NodeID = "" }, "nodeStates[0].nodeId", "must not be empty"},
		{"nodeState mapId", func(s *State) { s.NodeStates[1].NodePosition.MapID = "" }, "nodeStates[1].nodePosition.mapId", "must not be empty"},
		{"edgeState trajectory knots", func(s *State) {
			s.EdgeStates[0].Trajectory = &Trajectory{KnotVector: []float64{-1}, ControlPoints: []ControlPoint{{}}}
		}, "edgeStates[0].trajectory.knotVector[0]", "must be in 0..1"},
		{"actionStatus", func(s *State) { s.ActionStates[0].ActionStatus = "DONE" }, "actionStates[0].actionStatus", "one of WAITING"},
		{"actionId", func(s *State) { s.ActionStates[0].ActionID = "" }, "actionStates[0].actionId", "must not be empty"},
		{"errorLevel", func(s *State) { s.Errors[0].ErrorLevel = "ERROR" }, "errors[0].errorLevel", "one of WARNING, FATAL"},
		{"errorType", func(s *State) { s.Errors[0].ErrorType = "" }, "errors[0].errorType", "must not be empty"},
		{"referenceKey", func(s *State) { s.Errors[0].ErrorReferences[0].ReferenceKey = "" }, "errors[0].errorReferences[0].referenceKey", "must not be empty"},
		{"infoLevel", func(s *State) { s.Information[0].InfoLevel = "WARNING" }, "information[0].infoLevel", "one of INFO, DEBUG"},
		{"eStop", func(s *State) { s.SafetyState.EStop = "" }, "safetyState.eStop", "one of AUTOACK, MANUAL, REMOTE, NONE"},
		{"batteryCharge high", func(s *State) { s.BatteryState.BatteryCharge = 100.5 }, "batteryState.batteryCharge", "0..100"},
		{"batteryCharge negative", func(s *State) { s.BatteryState.BatteryCharge = -1 }, "batteryState.batteryCharge", "0..100"},
		{"batteryHealth fraction", func(s *State) { s.BatteryState.BatteryHealth = ptr(97.5) }, "batteryState.batteryHealth", "whole number"},
		{"batteryHealth range", func(s *State) { s.BatteryState.BatteryHealth = ptr(101.0) }, "batteryState.batteryHealth", "0..100"},
		{"localizationScore", func(s *State) { s.AgvPosition.LocalizationScore = ptr(1.5) }, "agvPosition.localizationScore", "0..1"},
		{"deviationRange", func(s *State) { s.AgvPosition.DeviationRange = ptr(-1.0) }, "agvPosition.deviationRange", ">= 0"},
		{"distanceSinceLastNode", func(s *State) { s.DistanceSinceLastNode = ptr(-1.0) }, "distanceSinceLastNode", ">= 0"},
		{"load weight", func(s *State) { s.Loads = []Load{{LoadID: "x", Weight: ptr(-1.0)}} }, "loads[0].weight", ">= 0"},
		{"load dimensions", func(s *State) { s.Loads = []Load{{LoadDimensions: &LoadDimensions{Length: -1}}} }, "loads[0].loadDimensions.length", ">= 0"},
	}
}

func TestStateValidate(t *testing.T) {
	for _, tt := range stateEdits() {
		t.Run(tt.name, func(t *testing.T) {
			s := exampleState()
			tt.edit(&s)
			assertInvalid(t, s.Validate(), tt.field, tt.problem)
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeState(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}

func TestConnectionValidate(t *testing.T) {
	tests := []struct {
		name, state, field, problem string
	}{
		{"online", ConnectionOnline, "", ""},
		{"offline", ConnectionOffline, "", ""},
		{"broken", ConnectionBroken, "", ""},
		{"unknown", "BROKEN", "connectionState", "one of ONLINE, OFFLINE, CONNECTIONBROKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := exampleConnection()
			c.ConnectionState = tt.state
			assertInvalid(t, c.Validate(), tt.field, tt.problem)
			b, _ := json.Marshal(c)
			_, err := DecodeConnection(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}

func TestVisualizationValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(z *Visualization)
		field   string
		problem string
	}{
		{"valid", func(z *Visualization) {}, "", ""},
		{"valid header only", func(z *Visualization) { z.AgvPosition, z.Velocity = nil, nil }, "", ""},
		{"localizationScore", func(z *Visualization) { z.AgvPosition.LocalizationScore = ptr(-0.1) }, "agvPosition.localizationScore", "0..1"},
		{"serialNumber", func(z *Visualization) { z.SerialNumber = "" }, "serialNumber", "must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := exampleVisualization()
			tt.edit(&z)
			assertInvalid(t, z.Validate(), tt.field, tt.problem)
			b, _ := json.Marshal(z)
			_, err := DecodeVisualization(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}

func TestFactsheetValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(f *Factsheet)
		field   string
		problem string
	}{
		{"valid", func(f *Factsheet) {}, "", ""},
		{"valid blockingTypes", func(f *Factsheet) {
			f.ProtocolFeatures.AgvActions[0].BlockingTypes = []string{BlockingHard}
		}, "", ""},
		{"agvKinematic", func(f *Factsheet) { f.TypeSpecification.AgvKinematic = "TANK" }, "typeSpecification.agvKinematic", "one of DIFF"},
		{"agvClass", func(f *Factsheet) { f.TypeSpecification.AgvClass = "" }, "typeSpecification.agvClass", "one of FORKLIFT"},
		{"seriesName", func(f *Factsheet) { f.TypeSpecification.SeriesName = "" }, "typeSpecification.seriesName", "must not be empty"},
		{"maxLoadMass", func(f *Factsheet) { f.TypeSpecification.MaxLoadMass = -1 }, "typeSpecification.maxLoadMass", ">= 0"},
		{"speedMax below speedMin", func(f *Factsheet) { f.PhysicalParameters.SpeedMax = 0.05 }, "physicalParameters.speedMax", ">= speedMin"},
		{"width", func(f *Factsheet) { f.PhysicalParameters.Width = -3 }, "physicalParameters.width", ">= 0"},
		{"support", func(f *Factsheet) { f.ProtocolFeatures.OptionalParameters[0].Support = "MAYBE" }, "protocolFeatures.optionalParameters[0].support", "SUPPORTED, REQUIRED"},
		{"actionScopes", func(f *Factsheet) { f.ProtocolFeatures.AgvActions[1].ActionScopes = []string{"GLOBAL"} }, "protocolFeatures.agvActions[1].actionScopes[0]", "INSTANT, NODE, EDGE"},
		{"valueDataType", func(f *Factsheet) { f.ProtocolFeatures.AgvActions[0].ActionParameters[0].ValueDataType = "TEXT" }, "protocolFeatures.agvActions[0].actionParameters[0].valueDataType", "one of BOOL"},
		{"blockingTypes", func(f *Factsheet) { f.ProtocolFeatures.AgvActions[0].BlockingTypes = []string{"ANY"} }, "protocolFeatures.agvActions[0].blockingTypes[0]", "one of NONE"},
		{"wheel type", func(f *Factsheet) { f.AgvGeometry.WheelDefinitions[0].Type = "TRACK" }, "agvGeometry.wheelDefinitions[0].type", "one of DRIVE"},
		{"loadSet maxWeight", func(f *Factsheet) { f.LoadSpecification.LoadSets[0].MaxWeight = ptr(-1.0) }, "loadSpecification.loadSets[0].maxWeight", ">= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := exampleFactsheet()
			tt.edit(&f)
			assertInvalid(t, f.Validate(), tt.field, tt.problem)
			b, _ := json.Marshal(f)
			_, err := DecodeFactsheet(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}
