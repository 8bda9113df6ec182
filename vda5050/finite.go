package vda5050

import (
	"math"
	"reflect"
)

// The hand-written finiteness checks of the messages that come and go
// most often (a state per vehicle event, an order per extension): the
// same as finite on their reflect.Value, field by field, without
// reflection. finite_test.go sets every float64 they can reach to NaN in
// turn, so that a field added to the types and not here fails the test.

// fin: not NaN and not infinite.
func fin(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// finOpt: absent, or finite.
func finOpt(f *float64) bool { return f == nil || fin(*f) }

// finiteValue is finite for an action parameter's value, which JSON
// decodes to a string, bool, float64, nil or nested arrays and objects.
func finiteValue(x any) bool {
	switch x := x.(type) {
	case nil, string, bool:
		return true
	case float64:
		return fin(x)
	}
	return finite(reflect.ValueOf(x))
}

// finiteMessage is finite for the message msg (a pointer to it, as
// validate is given), by hand for a State and an Order.
func finiteMessage(msg any) bool {
	switch m := msg.(type) {
	case *State:
		return finiteState(m, StateParts{})
	case *Order:
		return finiteOrder(m)
	}
	return finite(reflect.ValueOf(msg))
}

// finiteState is finite for a state, but for the parts in skip.
func finiteState(s *State, skip StateParts) bool {
	if !finOpt(s.DistanceSinceLastNode) {
		return false
	}
	for i := range s.NodeStates {
		if skip.NodeStates {
			break
		}
		if !finiteNodePosition(s.NodeStates[i].NodePosition) {
			return false
		}
	}
	for i := range s.EdgeStates {
		if skip.EdgeStates {
			break
		}
		if !finiteTrajectory(s.EdgeStates[i].Trajectory) {
			return false
		}
	}
	if p := s.AgvPosition; p != nil {
		if !fin(p.X) || !fin(p.Y) || !fin(p.Theta) || !finOpt(p.LocalizationScore) || !finOpt(p.DeviationRange) {
			return false
		}
	}
	if v := s.Velocity; v != nil && (!finOpt(v.Vx) || !finOpt(v.Vy) || !finOpt(v.Omega)) {
		return false
	}
	for i := range s.Loads {
		if skip.Loads {
			break
		}
		l := &s.Loads[i]
		if b := l.BoundingBoxReference; b != nil && (!fin(b.X) || !fin(b.Y) || !fin(b.Z) || !finOpt(b.Theta)) {
			return false
		}
		if d := l.LoadDimensions; d != nil && (!fin(d.Length) || !fin(d.Width) || !finOpt(d.Height)) {
			return false
		}
		if !finOpt(l.Weight) {
			return false
		}
	}
	b := &s.BatteryState
	return fin(b.BatteryCharge) && finOpt(b.BatteryVoltage) && finOpt(b.BatteryHealth)
}

func finiteNodePosition(p *NodePosition) bool {
	return p == nil || fin(p.X) && fin(p.Y) && finOpt(p.Theta) && finOpt(p.AllowedDeviationXY) && finOpt(p.AllowedDeviationTheta)
}

func finiteTrajectory(t *Trajectory) bool {
	if t == nil {
		return true
	}
	if !fin(t.Degree) {
		return false
	}
	for _, k := range t.KnotVector {
		if !fin(k) {
			return false
		}
	}
	for i := range t.ControlPoints {
		c := &t.ControlPoints[i]
		if !fin(c.X) || !fin(c.Y) || !finOpt(c.Weight) {
			return false
		}
	}
	return true
}

func finiteActions(as []Action) bool {
	for i := range as {
		for _, p := range as[i].ActionParameters {
			if !finiteValue(p.Value) {
				return false
			}
		}
	}
	return true
}

func finiteOrder(o *Order) bool {
	for i := range o.Nodes {
		n := &o.Nodes[i]
		if !finiteNodePosition(n.NodePosition) || !finiteActions(n.Actions) {
			return false
		}
	}
	for i := range o.Edges {
		e := &o.Edges[i]
		if !finOpt(e.MaxSpeed) || !finOpt(e.MaxHeight) || !finOpt(e.MinHeight) || !finOpt(e.Orientation) ||
			!finOpt(e.MaxRotationSpeed) || !finOpt(e.Length) || !finiteTrajectory(e.Trajectory) || !finiteActions(e.Actions) {
			return false
		}
	}
	return true
}
