package vda5050

import (
	"encoding/json"
	"math"
	"testing"
)

func TestOrderValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(o *Order)
		field   string
		problem string
		goOnly  bool // not representable in JSON
	}{
		{name: "valid", edit: func(o *Order) {}},
		{name: "valid single node", edit: func(o *Order) { o.Nodes, o.Edges = o.Nodes[:1], nil }},
		{name: "valid all horizon", edit: func(o *Order) {
			for i := range o.Nodes {
				o.Nodes[i].Released = false
			}
			for i := range o.Edges {
				o.Edges[i].Released = false
			}
		}},
		{"major version", func(o *Order) { o.Version = "1.1.0" }, "version", "2.x.y", false},
		{"timestamp", func(o *Order) { o.Timestamp = "yesterday" }, "timestamp", "ISO 8601", false},
		{"version not x.y.z", func(o *Order) { o.Version = "2." }, "version", "2.x.y", false},
		{"manufacturer empty", func(o *Order) { o.Manufacturer = "" }, "manufacturer", "must not be empty", false},
		{"serial characters", func(o *Order) { o.SerialNumber = "a/b" }, "serialNumber", "may only contain", false},
		{"orderId empty", func(o *Order) { o.OrderID = "" }, "orderId", "must not be empty", false},
		{"no nodes", func(o *Order) { o.Nodes, o.Edges = nil, nil }, "nodes", "at least one node", false},
		{"edge count", func(o *Order) { o.Edges = o.Edges[:1] }, "edges", "one edge fewer than nodes (2), has 1", false},
		{"first sequenceId odd", func(o *Order) { o.Nodes[0].SequenceID = 3 }, "nodes[0].sequenceId", "must be even", false},
		{"node sequenceId gap", func(o *Order) { o.Nodes[2].SequenceID = 10 }, "nodes[2].sequenceId", "must be 8", false},
		{"edge sequenceId", func(o *Order) { o.Edges[1].SequenceID = 9 }, "edges[1].sequenceId", "must be 7", false},
		{"startNodeId", func(o *Order) { o.Edges[0].StartNodeID = "x" }, "edges[0].startNodeId", `must be "n1"`, false},
		{"endNodeId", func(o *Order) { o.Edges[1].EndNodeID = "x" }, "edges[1].endNodeId", `must be "gate-kz"`, false},
		{"edge released without its end node", func(o *Order) { o.Edges[1].Released = true }, "edges[1].released", "both nodes[1] and nodes[2]", false},
		{"edge released without its start node", func(o *Order) { o.Nodes[0].Released = false }, "edges[0].released", "both nodes[0] and nodes[1]", false},
		{"released after unreleased", func(o *Order) { o.Edges[0].Released = false }, "nodes[1].released", "after the unreleased edges[0]", false},
		{"duplicate actionId", func(o *Order) {
			o.Edges[1].Actions = []Action{{ActionType: "beep", ActionID: "move-42-pick", BlockingType: BlockingNone}}
		}, "edges[1].actions[0].actionId", "nodes[1].actions[0] has it too", false},
		{"blockingType", func(o *Order) { o.Nodes[1].Actions[0].BlockingType = "MAYBE" }, "nodes[1].actions[0].blockingType", "one of NONE, SOFT, HARD", false},
		{"actionType empty", func(o *Order) { o.Nodes[1].Actions[0].ActionType = "" }, "nodes[1].actions[0].actionType", "must not be empty", false},
		{"actionId empty", func(o *Order) { o.Nodes[1].Actions[0].ActionID = "" }, "nodes[1].actions[0].actionId", "must not be empty", false},
		{"parameter key empty", func(o *Order) { o.Nodes[1].Actions[0].ActionParameters[0].Key = "" }, "nodes[1].actions[0].actionParameters[0].key", "must not be empty", false},
		{"parameter value null", func(o *Order) { o.Nodes[1].Actions[0].ActionParameters[1].Value = nil }, "nodes[1].actions[0].actionParameters[1].value", "must not be null", false},
		{"nodeId empty", func(o *Order) { o.Nodes[2].NodeID = ""; o.Edges[1].EndNodeID = "" }, "nodes[2].nodeId", "must not be empty", false},
		{"edgeId empty", func(o *Order) { o.Edges[1].EdgeID = "" }, "edges[1].edgeId", "must not be empty", false},
		{"theta range", func(o *Order) { o.Nodes[0].NodePosition.Theta = ptr(4.0) }, "nodes[0].nodePosition.theta", "must be in", false},
		{"allowedDeviationXY negative", func(o *Order) { o.Nodes[0].NodePosition.AllowedDeviationXY = ptr(-1.0) }, "nodes[0].nodePosition.allowedDeviationXY", "must be >= 0", false},
		{"allowedDeviationTheta range", func(o *Order) { o.Nodes[0].NodePosition.AllowedDeviationTheta = ptr(-0.1) }, "nodes[0].nodePosition.allowedDeviationTheta", "must be in", false},
		{"mapId empty", func(o *Order) { o.Nodes[0].NodePosition.MapID = "" }, "nodes[0].nodePosition.mapId", "must not be empty", false},
		{"orientationType", func(o *Order) { o.Edges[1].OrientationType = "SIDEWAYS" }, "edges[1].orientationType", "GLOBAL, TANGENTIAL", false},
		{"orientation range", func(o *Order) { o.Edges[1].Orientation = ptr(-4.0) }, "edges[1].orientation", "must be in", false},
		{"maxSpeed negative", func(o *Order) { o.Edges[0].MaxSpeed = ptr(-1.0) }, "edges[0].maxSpeed", "must be >= 0", false},
		{"length negative", func(o *Order) { o.Edges[0].Length = ptr(-1.0) }, "edges[0].length", "must be >= 0", false},
		{"trajectory degree missing", func(o *Order) { o.Edges[0].Trajectory.Degree = 0 }, "edges[0].trajectory.degree", "whole number >= 1", false},
		{"trajectory degree fraction", func(o *Order) { o.Edges[0].Trajectory.Degree = 1.5 }, "edges[0].trajectory.degree", "whole number >= 1", false},
		{"knot count", func(o *Order) { o.Edges[0].Trajectory.KnotVector = []float64{0, 1} }, "edges[0].trajectory.knotVector", "= 4 values, has 2", false},
		{"knot range", func(o *Order) { o.Edges[0].Trajectory.KnotVector[3] = 2 }, "edges[0].trajectory.knotVector[3]", "must be in 0..1", false},
		{"control point weight", func(o *Order) { o.Edges[0].Trajectory.ControlPoints[1].Weight = ptr(-1.0) }, "edges[0].trajectory.controlPoints[1].weight", "must be >= 0", false},
		{"NaN", func(o *Order) { o.Edges[0].MaxSpeed = ptr(math.NaN()) }, "edges[0].maxSpeed", "finite", true},
		{"Inf in parameter", func(o *Order) { o.Nodes[1].Actions[0].ActionParameters[1].Value = math.Inf(1) }, "nodes[1].actions[0].actionParameters[1].value", "finite", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := exampleOrder()
			tt.edit(&o)
			assertInvalid(t, o.Validate(), tt.field, tt.problem)
			if tt.goOnly {
				return
			}
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeOrder(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}

func TestInstantActionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(a *InstantActions)
		field   string
		problem string
	}{
		{"valid", func(a *InstantActions) {}, "", ""},
		{"valid empty", func(a *InstantActions) { a.Actions = nil }, "", ""},
		{"duplicate actionId", func(a *InstantActions) { a.Actions[1].ActionID = "ia-1" }, "actions[1].actionId", "not unique"},
		{"blockingType", func(a *InstantActions) { a.Actions[0].BlockingType = "" }, "actions[0].blockingType", "one of NONE"},
		{"version", func(a *InstantActions) { a.Version = "" }, "version", "2.x.y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := exampleInstantActions()
			tt.edit(&a)
			assertInvalid(t, a.Validate(), tt.field, tt.problem)
			b, _ := json.Marshal(a)
			_, err := DecodeInstantActions(b)
			assertInvalid(t, err, tt.field, tt.problem)
		})
	}
}
