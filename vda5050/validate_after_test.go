package vda5050

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"
)

// cloneState copies a state's lists, so that editing it changes no other
// state.
func cloneState(s State) State {
	s.NodeStates = slices.Clone(s.NodeStates)
	for i := range s.NodeStates {
		if p := s.NodeStates[i].NodePosition; p != nil {
			c := *p
			s.NodeStates[i].NodePosition = &c
		}
	}
	s.EdgeStates = slices.Clone(s.EdgeStates)
	s.ActionStates = slices.Clone(s.ActionStates)
	s.Loads = slices.Clone(s.Loads)
	return s
}

// ValidateStateAfter says what ValidateState says, for every way a state
// may share its lists with a valid earlier one (whole, a tail, none),
// valid or made invalid in each way stateEdits knows, one or several at
// once.
func TestValidateStateAfterAgreesWithValidateState(t *testing.T) {
	edits := append(stateEdits(),
		stateEdit{name: "nodeState position NaN", edit: func(s *State) { s.NodeStates[1].NodePosition.X = math.NaN() }},
		stateEdit{name: "agvPosition NaN", edit: func(s *State) { s.AgvPosition.Y = math.Inf(1) }},
		stateEdit{name: "header", edit: func(s *State) { s.Timestamp = "yesterday" }},
		stateEdit{name: "a node passed", edit: func(s *State) { s.NodeStates, s.EdgeStates = s.NodeStates[1:], s.EdgeStates[1:] }},
		stateEdit{name: "action finished", edit: func(s *State) { s.ActionStates[0].ActionStatus = StatusFinished }},
	)
	rng := rand.New(rand.NewSource(1))
	check := func(name string, s, prev *State) {
		t.Helper()
		want, got := ValidateState(s), ValidateStateAfter(s, prev)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: ValidateStateAfter says %v, ValidateState %v", name, got, want)
		}
	}
	shared := 0
	for round := range 2000 {
		prev := exampleState()
		prev.Loads = []Load{{LoadID: "MSCU1234565", Weight: ptr(float64(round))}}
		if err := ValidateState(&prev); err != nil {
			t.Fatal(err)
		}
		s := cloneState(prev)
		var names []string
		for range 1 + rng.Intn(3) {
			e := edits[rng.Intn(len(edits))]
			func() {
				defer func() { _ = recover() }() // an edit may not fit what an earlier one left
				e.edit(&s)
			}()
			names = append(names, e.name)
		}
		// share with prev what the edits left as it was, whole or as a
		// tail, as a sender that shares unchanged parts does
		if rng.Intn(4) > 0 && slices.Equal(s.NodeStates, prev.NodeStates[len(prev.NodeStates)-len(s.NodeStates):]) {
			s.NodeStates = prev.NodeStates[len(prev.NodeStates)-len(s.NodeStates):]
		}
		if rng.Intn(4) > 0 && slices.Equal(s.EdgeStates, prev.EdgeStates[len(prev.EdgeStates)-len(s.EdgeStates):]) {
			s.EdgeStates = prev.EdgeStates[len(prev.EdgeStates)-len(s.EdgeStates):]
		}
		if rng.Intn(4) > 0 && slices.Equal(s.ActionStates, prev.ActionStates) {
			s.ActionStates = prev.ActionStates
		}
		if rng.Intn(4) > 0 && slices.Equal(s.Loads, prev.Loads) {
			s.Loads = prev.Loads
		}
		if SharedWith(&s, &prev) != (StateParts{}) {
			shared++
		}
		check(fmt.Sprint(names), &s, &prev)
		check(fmt.Sprint(names, " without prev"), &s, nil)
	}
	if shared < 1000 {
		t.Errorf("%d of 2000 states share parts with prev: the test checks too few", shared)
	}
}

func TestSharedWith(t *testing.T) {
	prev := exampleState()
	s := cloneState(prev)
	if got := SharedWith(&s, &prev); got != (StateParts{Loads: true}) {
		t.Errorf("copies: %+v, want only the empty loads shared", got)
	}
	s.NodeStates, s.EdgeStates, s.ActionStates = prev.NodeStates[1:], prev.EdgeStates, prev.ActionStates[:0]
	if got := SharedWith(&s, &prev); got != (StateParts{NodeStates: true, EdgeStates: true, ActionStates: true, Loads: true}) {
		t.Errorf("a tail, the same, empty: %+v, want all shared", got)
	}
	s.NodeStates = prev.NodeStates[:1]
	if got := SharedWith(&s, &prev); got.NodeStates {
		t.Error("a head is not what a vehicle shares (its next state drops passed nodes from the front)")
	}
	if got := SharedWith(&s, nil); got != (StateParts{}) {
		t.Errorf("no prev: %+v", got)
	}
}
