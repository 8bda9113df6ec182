package vehicles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/borderfleet/borderfleet/vda5050"
)

// A vehicle's factsheet says what it takes: how long ids and messages may
// be (protocolLimits.maxStringLens), how many nodes, edges, actions and
// parameters (maxArrayLens), and which actions at which scope
// (protocolFeatures.agvActions). fleetd checks every order and instant
// action against it before sending (fits): what a vehicle says it cannot
// take is not sent. An order or a driving action (pick, drop, charging,
// cancel, pause) that does not fit holds the vehicle out of dispatch with
// the reason, for an operator to look at (a site whose ids are too long
// for a vehicle type, a roster that sends too many parameters); a state or
// factsheet request it does not list is simply not sent. A vehicle without
// a factsheet yet, or whose factsheet leaves a limit out, is not checked
// against it.

// asks are the instant actions fleetd only asks with: a vehicle that does
// not list one is not asked.
var asks = map[string]bool{vda5050.ActionStateRequest: true, vda5050.ActionFactsheetRequest: true}

// fits says why a message to vehicle v breaks what its factsheet allows;
// nil if it does not (or there is no factsheet). size is the message's
// length in bytes, topic its MQTT topic.
func fits(f *vda5050.Factsheet, topic string, size int, msg any) error {
	if f == nil {
		return nil
	}
	l := f.ProtocolLimits
	s, a := l.MaxStringLens, l.MaxArrayLens
	if s.MsgLen > 0 && size > int(s.MsgLen) {
		return fmt.Errorf("the message is %d bytes, its factsheet allows %d (protocolLimits.maxStringLens.msgLen)", size, s.MsgLen)
	}
	if err := topicFits(s, topic); err != nil {
		return err
	}
	count := func(n int, limit uint32, what, of, key string) error {
		if limit > 0 && n > int(limit) {
			return fmt.Errorf("%d %s%s, its factsheet allows %d (protocolLimits.maxArrayLens.%s)", n, what, of, limit, key)
		}
		return nil
	}
	switch m := msg.(type) {
	case *vda5050.Order:
		if err := idFits(s, "orderId", m.OrderID); err != nil {
			return err
		}
		if err := count(len(m.Nodes), a.OrderNodes, "nodes in the order", "", "order.nodes"); err != nil {
			return err
		}
		if err := count(len(m.Edges), a.OrderEdges, "edges in the order", "", "order.edges"); err != nil {
			return err
		}
		for _, n := range m.Nodes {
			if err := idFits(s, "nodeId", n.NodeID); err != nil {
				return err
			}
			if err := count(len(n.Actions), a.NodeActions, "actions at node ", n.NodeID, "node.actions"); err != nil {
				return err
			}
			if err := actionsFit(f, vda5050.ScopeNode, n.Actions); err != nil {
				return err
			}
		}
		for _, e := range m.Edges {
			if err := idFits(s, "edgeId", e.EdgeID); err != nil {
				return err
			}
			if err := count(len(e.Actions), a.EdgeActions, "actions on edge ", e.EdgeID, "edge.actions"); err != nil {
				return err
			}
			if err := actionsFit(f, vda5050.ScopeEdge, e.Actions); err != nil {
				return err
			}
		}
	case *vda5050.InstantActions:
		if err := count(len(m.Actions), a.InstantActions, "instant actions", "", "instantActions"); err != nil {
			return err
		}
		return actionsFit(f, vda5050.ScopeInstant, m.Actions)
	}
	return nil
}

// actionsFit checks actions at one scope: listed in the factsheet (when it
// lists any), ids, enums and load ids short enough, few enough parameters.
func actionsFit(f *vda5050.Factsheet, scope string, actions []vda5050.Action) error {
	s, a := f.ProtocolLimits.MaxStringLens, f.ProtocolLimits.MaxArrayLens
	for _, act := range actions {
		if !supports(f, act.ActionType, scope) {
			return fmt.Errorf("action %s at scope %s is not in its factsheet's protocolFeatures.agvActions", act.ActionType, scope)
		}
		if err := idFits(s, "actionId", act.ActionID); err != nil {
			return err
		}
		for _, e := range []string{act.ActionType, string(act.BlockingType)} {
			if s.EnumLen > 0 && len(e) > int(s.EnumLen) {
				return fmt.Errorf("%q is %d characters, its factsheet allows enums of %d (protocolLimits.maxStringLens.enumLen)", e, len(e), s.EnumLen)
			}
		}
		if a.ActionsParameters > 0 && len(act.ActionParameters) > int(a.ActionsParameters) {
			return fmt.Errorf("%s has %d parameters, its factsheet allows %d (protocolLimits.maxArrayLens.actions.actionsParameters)", act.ActionType, len(act.ActionParameters), a.ActionsParameters)
		}
		for _, p := range act.ActionParameters {
			if v, ok := p.Value.(string); ok && p.Key == "loadId" && s.LoadIDLen > 0 && len(v) > int(s.LoadIDLen) {
				return fmt.Errorf("loadId %q is %d characters, its factsheet allows %d (protocolLimits.maxStringLens.loadIdLen)", v, len(v), s.LoadIDLen)
			}
		}
	}
	return nil
}

// supports tells whether a factsheet lists an action type at a scope; one
// that lists no actions at all is taken to support every action.
func supports(f *vda5050.Factsheet, actionType, scope string) bool {
	acts := f.ProtocolFeatures.AgvActions
	if len(acts) == 0 {
		return true
	}
	for _, a := range acts {
		if a.ActionType == actionType {
			return len(a.ActionScopes) == 0 || slices.Contains(a.ActionScopes, scope)
		}
	}
	return false
}

// idFits checks one id against maxStringLens.idLen and idNumericalOnly.
func idFits(s vda5050.MaxStringLens, what, id string) error {
	if s.IDLen > 0 && len(id) > int(s.IDLen) {
		return fmt.Errorf("%s %q is %d characters, its factsheet allows %d (protocolLimits.maxStringLens.idLen)", what, id, len(id), s.IDLen)
	}
	if s.IDNumericalOnly && strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("%s %q is not numerical, its factsheet allows only digits (protocolLimits.maxStringLens.idNumericalOnly)", what, id)
	}
	return nil
}

// topicFits checks the topic's serial number and other levels against
// maxStringLens.topicSerialLen and topicElemLen.
func topicFits(s vda5050.MaxStringLens, topic string) error {
	if s.TopicElemLen == 0 && s.TopicSerialLen == 0 {
		return nil
	}
	n := strings.Count(topic, "/") + 1
	for i := 0; i < n; i++ {
		e, rest, _ := strings.Cut(topic, "/")
		topic = rest
		limit, what := s.TopicElemLen, "topicElemLen"
		if i == n-2 { // .../<manufacturer>/<serial>/<topic>
			limit, what = s.TopicSerialLen, "topicSerialLen"
		}
		if limit > 0 && len(e) > int(limit) {
			return fmt.Errorf("topic level %q is %d characters, its factsheet allows %d (protocolLimits.maxStringLens.%s)", e, len(e), limit, what)
		}
	}
	return nil
}
