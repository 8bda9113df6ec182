package vda5050

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestDecodeShape(t *testing.T) {
	o, s, f := exampleOrder(), exampleState(), exampleFactsheet()
	tests := []struct {
		name    string
		decode  func([]byte) (any, error)
		in      []byte
		field   string
		problem string
	}{
		{"not JSON", wrap(DecodeOrder), []byte(`{"orderId":`), "", "not valid JSON"},
		{"empty input", wrap(DecodeState), nil, "", "not valid JSON"},
		{"top level array", wrap(DecodeOrder), []byte(`[]`), "", "must be an object"},
		{"top level null", wrap(DecodeConnection), []byte(`null`), "", "must not be null"},
		{"missing headerId", wrap(DecodeOrder), editJSON(t, o, "headerId", nil), "headerId", "required field missing"},
		{"missing orderUpdateId", wrap(DecodeOrder), editJSON(t, o, "orderUpdateId", nil), "orderUpdateId", "required field missing"},
		{"missing edges", wrap(DecodeOrder), editJSON(t, o, "edges", nil), "edges", "required field missing"},
		{"missing node released", wrap(DecodeOrder), editJSON(t, o, "nodes[2].released", nil), "nodes[2].released", "required field missing"},
		{"missing node actions", wrap(DecodeOrder), editJSON(t, o, "nodes[0].actions", nil), "nodes[0].actions", "required field missing"},
		{"missing mapId", wrap(DecodeOrder), editJSON(t, o, "nodes[1].nodePosition.mapId", nil), "nodes[1].nodePosition.mapId", "required field missing"},
		{"missing blockingType", wrap(DecodeOrder), editJSON(t, o, "nodes[1].actions[0].blockingType", nil), "nodes[1].actions[0].blockingType", "required field missing"},
		{"missing parameter value", wrap(DecodeOrder), editJSON(t, o, "nodes[1].actions[0].actionParameters[0].value", nil), "nodes[1].actions[0].actionParameters[0].value", "required field missing"},
		{"missing control point y", wrap(DecodeOrder), editJSON(t, o, "edges[0].trajectory.controlPoints[1].y", nil), "edges[0].trajectory.controlPoints[1].y", "required field missing"},
		{"null orderId", wrap(DecodeOrder), editJSON(t, o, "orderId", set(nil)), "orderId", "must not be null"},
		{"null optional", wrap(DecodeOrder), editJSON(t, o, "edges[0].maxSpeed", set(nil)), "edges[0].maxSpeed", "must not be null"},
		{"string for number", wrap(DecodeOrder), editJSON(t, o, "edges[0].maxSpeed", set("fast")), "edges[0].maxSpeed", "must be a number"},
		{"number for string", wrap(DecodeOrder), editJSON(t, o, "orderId", set(5)), "orderId", "must be a string"},
		{"negative sequenceId", wrap(DecodeOrder), editJSON(t, o, "nodes[0].sequenceId", set(-2)), "nodes[0].sequenceId", "must be an integer"},
		{"fractional headerId", wrap(DecodeOrder), editJSON(t, o, "headerId", set(1.5)), "headerId", "must be an integer"},
		{"headerId too large", wrap(DecodeOrder), editJSON(t, o, "headerId", set(1<<32)), "headerId", "must be an integer"},
		{"string for bool", wrap(DecodeOrder), editJSON(t, o, "nodes[0].released", set("true")), "nodes[0].released", "must be a boolean"},
		{"object for array", wrap(DecodeOrder), editJSON(t, o, "nodes", set(map[string]any{})), "nodes", "must be an array"},
		{"array for object", wrap(DecodeOrder), editJSON(t, o, "nodes[0].nodePosition", set([]any{})), "nodes[0].nodePosition", "must be an object"},
		{"unknown key ignored", wrap(DecodeOrder), editJSON(t, o, "vendorExtension", set(1)), "", ""},
		{"missing state batteryState", wrap(DecodeState), editJSON(t, s, "batteryState", nil), "batteryState", "required field missing"},
		{"missing batteryCharge", wrap(DecodeState), editJSON(t, s, "batteryState.batteryCharge", nil), "batteryState.batteryCharge", "required field missing"},
		{"missing eStop", wrap(DecodeState), editJSON(t, s, "safetyState.eStop", nil), "safetyState.eStop", "required field missing"},
		{"missing nodeState sequenceId", wrap(DecodeState), editJSON(t, s, "nodeStates[1].sequenceId", nil), "nodeStates[1].sequenceId", "required field missing"},
		{"missing agvPosition theta", wrap(DecodeState), editJSON(t, s, "agvPosition.theta", nil), "agvPosition.theta", "required field missing"},
		{"missing actionStatus", wrap(DecodeState), editJSON(t, s, "actionStates[0].actionStatus", nil), "actionStates[0].actionStatus", "required field missing"},
		{"missing referenceValue", wrap(DecodeState), editJSON(t, s, "errors[0].errorReferences[0].referenceValue", nil), "errors[0].errorReferences[0].referenceValue", "required field missing"},
		{"fractional reach", wrap(DecodeState), editJSON(t, s, "batteryState.reach", set(1.5)), "batteryState.reach", "must be an integer"},
		{"missing loads is fine", wrap(DecodeState), editJSON(t, s, "loads", nil), "", ""},
		{"missing connectionState", wrap(DecodeConnection), editJSON(t, exampleConnection(), "connectionState", nil), "connectionState", "required field missing"},
		{"missing visualization timestamp", wrap(DecodeVisualization), editJSON(t, exampleVisualization(), "timestamp", nil), "timestamp", "required field missing"},
		{"missing instant actions", wrap(DecodeInstantActions), editJSON(t, exampleInstantActions(), "actions", nil), "actions", "required field missing"},
		{"missing protocolLimits", wrap(DecodeFactsheet), editJSON(t, f, "protocolLimits", nil), "protocolLimits", "required field missing"},
		{"missing timing", wrap(DecodeFactsheet), editJSON(t, f, "protocolLimits.timing.minStateInterval", nil), "protocolLimits.timing.minStateInterval", "required field missing"},
		{"missing actionScopes", wrap(DecodeFactsheet), editJSON(t, f, "protocolFeatures.agvActions[1].actionScopes", nil), "protocolFeatures.agvActions[1].actionScopes", "required field missing"},
		{"missing wheel diameter", wrap(DecodeFactsheet), editJSON(t, f, "agvGeometry.wheelDefinitions[0].diameter", nil), "agvGeometry.wheelDefinitions[0].diameter", "required field missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.decode(tt.in)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}

func TestDecodeStateLoads(t *testing.T) {
	s := exampleState()
	tests := []struct {
		name    string
		in      []byte
		wantNil bool
	}{
		{"absent: cannot sense loads", editJSON(t, s, "loads", nil), true},
		{"empty: unloaded", editJSON(t, s, "loads", set([]any{})), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeState(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Loads == nil) != tt.wantNil || len(got.Loads) != 0 {
				t.Errorf("Loads = %#v, want nil=%v", got.Loads, tt.wantNil)
			}
		})
	}
}

func TestValidationErrorText(t *testing.T) {
	err := error(&ValidationError{Topic: TopicState, Field: "nodeStates[2].sequenceId", Problem: "must be even"})
	if got, want := err.Error(), "vda5050: state: nodeStates[2].sequenceId: must be even"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrTopic) {
		t.Error("ValidationError must match ErrInvalid only")
	}
	whole := &ValidationError{Topic: TopicOrder, Problem: "not valid JSON"}
	if got, want := whole.Error(), "vda5050: order: not valid JSON"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// The reader is tolerant (the official schemas allow additional
// properties): keys a message type does not have, at any depth, are
// ignored and listed, and a key that differs from a known one only in
// letter case is never read into that field; a known key of the wrong
// type is still an error that names its path.
func TestReadTolerant(t *testing.T) {
	s := exampleState()
	base, err := DecodeState(editJSON(t, s, "headerId", set(s.HeaderID)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		ignored []string
	}{
		{"case variant beside the key", editJSON(t, s, "OrderID", set("forged")), []string{"OrderID"}},
		// (the decoder, which matches keys in any case, fails on this one)
		{"case variant of another type", editJSON(t, s, "OrderID", set(7)), []string{"OrderID"}},
		{"nested case variant of another type", editJSON(t, s, "agvPosition.MAPID", set(map[string]any{"x": 1})), []string{"agvPosition.MAPID"}},
		{"nested case variant", editJSON(t, s, "agvPosition.MapId", set("elsewhere")), []string{"agvPosition.MapId"}},
		{"case variant in an array", editJSON(t, s, "actionStates[0].ActionStatus", set("FAILED")), []string{"actionStates[0].ActionStatus"}},
		{"vendor extension object", editJSON(t, s, "vendorDiagnostics", set(map[string]any{"motorTemp": 41.5, "ok": true})), []string{"vendorDiagnostics"}},
		{"null in an unknown key", editJSON(t, s, "batteryState.cellVoltages", set(nil)), []string{"batteryState.cellVoltages"}},
		{"keys of another version", editJSON(t, s, "safetyState.protectiveField", set("free")), []string{"safetyState.protectiveField"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ignored, err := Read[State](tt.in)
			if err != nil {
				t.Fatalf("a schema-valid state with extra keys was refused: %v", err)
			}
			if !equalStrings(ignored, tt.ignored) {
				t.Errorf("ignored %q, want %q", ignored, tt.ignored)
			}
			if got.OrderID != base.OrderID || got.AgvPosition.MapID != base.AgvPosition.MapID ||
				got.ActionStates[0].ActionStatus != base.ActionStates[0].ActionStatus {
				t.Errorf("an ignored key changed a known field: %+v", got)
			}
		})
	}
	// what stays refused: the known key itself malformed, even beside extras
	in := editJSON(t, s, "vendorDiagnostics", set(1))
	in = editJSON(t, json.RawMessage(in), "agvPosition.mapId", set(7))
	_, _, err = Read[State](in)
	assertInvalid(t, err, "agvPosition.mapId", "must be a string")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
