package vda5050

import "math"

// Validate checks a state against the 2.0.0 schema and the spec: a valid
// header; node states with even and edge states with odd sequence ids;
// operatingMode, actionStatus, errorLevel, infoLevel and eStop enums;
// batteryCharge in 0..100, batteryHealth a whole number in 0..100,
// localizationScore in 0..1, weights and distances not negative. The
// error is a *ValidationError naming the first offending field.
func (s State) Validate() error { return ValidateState(&s) }

// ValidateState is s.Validate without a copy of the state (one comes with
// every vehicle event).
func ValidateState(s *State) error { return validate(TopicState, s, s.Header, s.check) }

// ValidateStateAfter is ValidateState for a state that may share its node
// states, edge states, action states or loads with prev: the same
// elements in memory, as a sender makes them that shares with its last
// state what did not change (sim/agv), not equal copies. prev must have
// passed ValidateState and must not have changed since; then what s
// shares with it is as valid as it was and is not checked again, and the
// result is ValidateState's. prev may be nil.
func ValidateStateAfter(s, prev *State) error {
	skip := SharedWith(s, prev)
	if skip == (StateParts{}) {
		return ValidateState(s)
	}
	v := &validator{topic: TopicState, quiet: true}
	if finiteState(s, skip) {
		v.header(s.Header)
		s.checkParts(v, skip)
		if v.err == nil {
			return nil
		}
	}
	return ValidateState(s) // to say what is wrong, as it says it
}

// StateParts names the parts of a state that SharedWith finds shared.
type StateParts struct {
	NodeStates, EdgeStates, ActionStates, Loads bool
}

// SharedWith tells which of a state's node states, edge states, action
// states and loads are, all of them, elements of prev's in memory (an
// empty list counts as shared): a tail of prev's list, as when a vehicle
// passed a node. prev may be nil.
func SharedWith(s, prev *State) StateParts {
	if prev == nil {
		return StateParts{}
	}
	return StateParts{
		NodeStates:   tailOf(s.NodeStates, prev.NodeStates),
		EdgeStates:   tailOf(s.EdgeStates, prev.EdgeStates),
		ActionStates: tailOf(s.ActionStates, prev.ActionStates),
		Loads:        tailOf(s.Loads, prev.Loads),
	}
}

// tailOf: a is empty, or the last len(a) elements of b, in memory.
func tailOf[T any](a, b []T) bool {
	return len(a) == 0 || len(a) <= len(b) && &a[len(a)-1] == &b[len(b)-1]
}

func (s *State) check(v *validator) { s.checkParts(v, StateParts{}) }

// checkParts is check without the parts in skip.
func (s *State) checkParts(v *validator, skip StateParts) {
	v.optAtLeast("distanceSinceLastNode", s.DistanceSinceLastNode, 0)
	v.oneOf("operatingMode", s.OperatingMode, ModeAutomatic, ModeSemiautomatic, ModeManual, ModeService, ModeTeachin)
	if !skip.NodeStates {
		s.checkNodeStates(v)
	}
	if !skip.EdgeStates {
		s.checkEdgeStates(v)
	}
	v.agvPosition("agvPosition", s.AgvPosition)
	if !skip.Loads {
		for i, l := range s.Loads {
			v.load(v.index("loads", i), l)
		}
	}
	if !skip.ActionStates {
		s.checkActionStates(v)
	}
	s.checkRest(v)
}

func (s *State) checkNodeStates(v *validator) {
	for i, n := range s.NodeStates {
		p := v.index("nodeStates", i)
		v.nonEmpty(v.join(p, "nodeId"), n.NodeID)
		if n.SequenceID%2 != 0 {
			v.fail(v.join(p, "sequenceId"), "must be even (a node's), is %d", n.SequenceID)
		}
		v.nodePosition(v.join(p, "nodePosition"), n.NodePosition)
	}
}

func (s *State) checkEdgeStates(v *validator) {
	for i, e := range s.EdgeStates {
		p := v.index("edgeStates", i)
		v.nonEmpty(v.join(p, "edgeId"), e.EdgeID)
		if e.SequenceID%2 != 1 {
			v.fail(v.join(p, "sequenceId"), "must be odd (an edge's), is %d", e.SequenceID)
		}
		v.trajectory(v.join(p, "trajectory"), e.Trajectory, false)
	}
}

func (s *State) checkActionStates(v *validator) {
	for i, a := range s.ActionStates {
		p := v.index("actionStates", i)
		v.nonEmpty(v.join(p, "actionId"), a.ActionID)
		v.oneOf(v.join(p, "actionStatus"), a.ActionStatus, StatusWaiting, StatusInitializing, StatusRunning, StatusPaused, StatusFinished, StatusFailed)
	}
}

// checkRest checks what follows the action states.
func (s *State) checkRest(v *validator) {
	v.battery("batteryState", s.BatteryState)
	for i, e := range s.Errors {
		p := v.index("errors", i)
		v.nonEmpty(v.join(p, "errorType"), e.ErrorType)
		v.references(v.join(p, "errorReferences"), e.ErrorReferences)
		v.oneOf(v.join(p, "errorLevel"), e.ErrorLevel, LevelWarning, LevelFatal)
	}
	for i, in := range s.Information {
		p := v.index("information", i)
		v.nonEmpty(v.join(p, "infoType"), in.InfoType)
		v.references(v.join(p, "infoReferences"), in.InfoReferences)
		v.oneOf(v.join(p, "infoLevel"), in.InfoLevel, InfoLevelInfo, InfoLevelDebug)
	}
	v.oneOf("safetyState.eStop", s.SafetyState.EStop, EStopAutoAck, EStopManual, EStopRemote, EStopNone)
}

func (v *validator) load(p string, l Load) {
	if d := l.LoadDimensions; d != nil {
		v.atLeast(v.join(p, "loadDimensions.length"), d.Length, 0)
		v.atLeast(v.join(p, "loadDimensions.width"), d.Width, 0)
		v.optAtLeast(v.join(p, "loadDimensions.height"), d.Height, 0)
	}
	v.optAtLeast(v.join(p, "weight"), l.Weight, 0)
}

func (v *validator) battery(p string, b BatteryState) {
	v.between(v.join(p, "batteryCharge"), b.BatteryCharge, 0, 100)
	if h := b.BatteryHealth; h != nil {
		if *h != math.Trunc(*h) {
			v.fail(v.join(p, "batteryHealth"), "must be a whole number, is %v", *h)
		}
		v.between(v.join(p, "batteryHealth"), *h, 0, 100)
	}
}

func (v *validator) references(p string, refs []ErrorReference) {
	for i, r := range refs {
		v.nonEmpty(v.join(v.index(p, i), "referenceKey"), r.ReferenceKey)
	}
}

// Validate checks a visualization: a valid header and, if present, a
// localizationScore in 0..1 and a deviationRange >= 0.
func (z Visualization) Validate() error {
	v := start(TopicVisualization, z, z.Header)
	v.agvPosition("agvPosition", z.AgvPosition)
	return v.result()
}

// Validate checks a connection message: a valid header and a known
// connectionState.
func (c Connection) Validate() error {
	v := start(TopicConnection, c, c.Header)
	v.oneOf("connectionState", c.ConnectionState, ConnectionOnline, ConnectionOffline, ConnectionBroken)
	return v.result()
}
