package vda5050

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRequiredArraysNeverNull(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want []string
		not  []string
	}{
		{"order", Order{Nodes: []Node{{NodeID: "n"}}}, []string{`"nodes":[{`, `"edges":[]`, `"actions":[]`}, []string{"null", "zoneSetId", "nodePosition"}},
		{"edge", Edge{}, []string{`"actions":[]`}, []string{"null", "trajectory", "maxSpeed"}},
		{"instantActions", InstantActions{}, []string{`"actions":[]`, `"headerId":0`}, []string{"null"}},
		{"state", State{}, []string{`"nodeStates":[]`, `"edgeStates":[]`, `"actionStates":[]`, `"errors":[]`, `"batteryState":{`, `"safetyState":{`}, []string{"null", "loads", "information", "paused"}},
		{"state unloaded", State{Loads: []Load{}}, []string{`"loads":[]`}, []string{"null"}},
		{"action", Action{}, []string{`"blockingType":""`}, []string{"actionParameters"}},
		{"factsheet", Factsheet{}, []string{`"localizationTypes":[]`, `"optionalParameters":[]`, `"agvActions":[]`}, []string{"null", "blockingTypes", "localizationParameters"}},
		{"agvAction", AgvAction{}, []string{`"actionScopes":[]`}, []string{"blockingTypes", "null"}},
		{"maxArrayLens", MaxArrayLens{OrderNodes: 5}, []string{`"order.nodes":5`}, nil},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		s := string(b)
		for _, w := range tt.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: %s lacks %s", tt.name, s, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(s, w) {
				t.Errorf("%s: %s contains %s", tt.name, s, w)
			}
		}
	}
}

func TestLoadsAbsentVersusEmpty(t *testing.T) {
	tests := []struct {
		json    string
		wantNil bool
	}{
		{`{}`, true},
		{`{"loads":[]}`, false},
	}
	for _, tt := range tests {
		var s State
		if err := json.Unmarshal([]byte(tt.json), &s); err != nil {
			t.Fatal(err)
		}
		if (s.Loads == nil) != tt.wantNil {
			t.Errorf("%s: Loads = %#v", tt.json, s.Loads)
		}
	}
}
