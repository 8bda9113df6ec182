package agv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/borderfleet/borderfleet/vda5050"
)

// Error types the vehicle reports.
const (
	ErrTypeValidation      = "validationError"
	ErrTypeOrder           = "orderError"
	ErrTypeOrderUpdate     = "orderUpdateError"
	ErrTypeNoOrderToCancel = "noOrderToCancel"
	ErrTypeInstantAction   = "instantActionError"
	ErrTypeBatteryEmpty    = "batteryEmpty"
	ErrTypeBreakdown       = "breakdown"
)

// nodeActions are the action types the vehicle runs at nodes.
var nodeActions = []string{vda5050.ActionPick, vda5050.ActionDrop, vda5050.ActionStartCharging, vda5050.ActionStopCharging}

// order accepts or rejects an order by the rules of VDA 5050 2.0 (Fig. 8).
func (v *Vehicle) order(o vda5050.Order) {
	if err := o.Validate(); err != nil {
		refs := orderRefs(o)
		var ve *vda5050.ValidationError
		if errors.As(err, &ve) && ve.Field != "" {
			refs = append(refs, ref("field", ve.Field))
		}
		v.reject(ErrTypeValidation, err.Error(), refs)
		return
	}
	if typ, msg, more := v.unusable(o); typ != "" {
		v.reject(typ, msg, append(orderRefs(o), more...))
		return
	}
	dpID, dpSeq := v.decisionPoint()
	first := o.Nodes[0]
	same := o.OrderID == v.s.orderID
	switch {
	case same && o.OrderUpdateID < v.s.orderUpdateID:
		v.reject(ErrTypeOrderUpdate, fmt.Sprintf("orderUpdateId %d is lower than the current %d of order %s", o.OrderUpdateID, v.s.orderUpdateID, o.OrderID), orderRefs(o))
	case same && o.OrderUpdateID == v.s.orderUpdateID:
		v.log.Debug("order resent; ignored", "order", o.OrderID, "update", o.OrderUpdateID)
	case same:
		if first.NodeID != dpID || first.SequenceID != dpSeq {
			v.reject(ErrTypeOrderUpdate, fmt.Sprintf("update starts at node %s (sequence %d), not at the decision point %s (sequence %d)", first.NodeID, first.SequenceID, dpID, dpSeq), orderRefs(o))
			return
		}
		v.accept(o, true)
	case v.active():
		if first.NodeID != dpID {
			v.reject(ErrTypeOrder, fmt.Sprintf("new order %s while order %s is active does not start at its decision point %s", o.OrderID, v.s.orderID, dpID), orderRefs(o))
			return
		}
		v.accept(o, false)
	default:
		if ok, msg := v.reachable(first); !ok {
			v.reject(ErrTypeOrder, msg, append(orderRefs(o), ref("nodeId", first.NodeID)))
			return
		}
		v.accept(o, false)
	}
}

// orderRefs are the error references that name an order rejected.
func orderRefs(o vda5050.Order) []vda5050.ErrorReference {
	return []vda5050.ErrorReference{
		ref("headerId", strconv.FormatUint(uint64(o.HeaderID), 10)),
		ref("topic", string(vda5050.TopicOrder)),
		ref("orderId", o.OrderID),
		ref("orderUpdateId", strconv.FormatUint(uint64(o.OrderUpdateID), 10)),
	}
}

// unusable finds what the vehicle cannot do in a valid order: nodes on
// another map or nowhere, and actions it does not know.
func (v *Vehicle) unusable(o vda5050.Order) (typ, msg string, refs []vda5050.ErrorReference) {
	for _, n := range o.Nodes {
		if p := n.NodePosition; p != nil && p.MapID != v.cfg.Site.MapID {
			return ErrTypeOrder, fmt.Sprintf("node %s is on map %q; the vehicle knows only %q", n.NodeID, p.MapID, v.cfg.Site.MapID), []vda5050.ErrorReference{ref("nodeId", n.NodeID)}
		}
		if _, ok := v.nodeXY(n); !ok {
			return ErrTypeOrder, fmt.Sprintf("node %s has no nodePosition and is not on the map", n.NodeID), []vda5050.ErrorReference{ref("nodeId", n.NodeID)}
		}
		for _, a := range n.Actions {
			if !slices.Contains(nodeActions, a.ActionType) {
				return ErrTypeOrder, fmt.Sprintf("action %s: the vehicle cannot run %q at a node", a.ActionID, a.ActionType), []vda5050.ErrorReference{ref("actionId", a.ActionID), ref("actionType", a.ActionType)}
			}
		}
	}
	for _, e := range o.Edges {
		for _, a := range e.Actions {
			return ErrTypeOrder, fmt.Sprintf("action %s: the vehicle runs no actions on edges (%q on %s)", a.ActionID, a.ActionType, e.EdgeID), []vda5050.ErrorReference{ref("actionId", a.ActionID), ref("actionType", a.ActionType), ref("edgeId", e.EdgeID)}
		}
	}
	return "", "", nil
}

// reachable: the vehicle stands on the node or within its deviation range.
func (v *Vehicle) reachable(n vda5050.Node) (bool, string) {
	if v.s.leg == nil && n.NodeID == v.s.lastNode {
		return true, ""
	}
	p, _ := v.nodeXY(n)
	here, _ := v.pose()
	allowed := v.cfg.Deviation
	if np := n.NodePosition; np != nil && np.AllowedDeviationXY != nil {
		allowed = *np.AllowedDeviationXY
	}
	if d := dist(here, p); d > allowed {
		return false, fmt.Sprintf("first node %s is %.1f m from the vehicle, more than the allowed %.2f m", n.NodeID, d, allowed)
	}
	return true, ""
}

// decisionIndex is the index in nodes of the decision point (the last
// released node), or -1 if it has been traversed.
func (v *Vehicle) decisionIndex() int {
	i := -1
	for k, n := range v.s.nodes {
		if n.Released {
			i = k
		}
	}
	return i
}

// decisionPoint is the node an update must start at.
func (v *Vehicle) decisionPoint() (string, uint32) {
	if i := v.decisionIndex(); i >= 0 {
		return v.s.nodes[i].NodeID, v.s.nodes[i].SequenceID
	}
	return v.s.lastNode, v.s.lastSeq
}

// active: the vehicle has nodes to traverse or actions not yet done.
func (v *Vehicle) active() bool {
	if len(v.s.nodes) > 0 {
		return true
	}
	for _, a := range v.s.actions {
		if !terminal(a.status) && a != v.s.cancel {
			return true
		}
	}
	return false
}

// accept takes an order that passed the checks: an update (same orderId)
// extends the base at the decision point, whose content stays; a new order
// replaces the decision point (or, idle, starts where the vehicle stands).
func (v *Vehicle) accept(o vda5050.Order, update bool) {
	i := v.decisionIndex()
	keep := i + 1
	if !update && i >= 0 {
		keep = i
	}
	v.dropStops(v.s.nodes[keep:])
	v.s.nodes = v.s.nodes[:keep]
	v.s.edges = v.s.edges[:i+1]
	if !update {
		v.s.actions = slices.DeleteFunc(v.s.actions, func(a *action) bool { return terminal(a.status) })
	}
	from := 1
	switch {
	case !update && i < 0: // the vehicle is on the first node now
		st := v.newStop(o.Nodes[0])
		if v.s.lastNode != st.NodeID {
			v.s.pos, _ = v.nodeXY(st.Node)
		}
		v.traverse(st)
	case !update:
		from = 0
	}
	for _, n := range o.Nodes[from:] {
		v.s.nodes = append(v.s.nodes, v.newStop(n))
	}
	v.s.edges = appendEdges(v.s.edges, &v.s.edgeArr, o.Edges)
	v.s.orderID, v.s.orderUpdateID = o.OrderID, o.OrderUpdateID
	v.s.warnings = nil
	v.s.dirty = true
	if v.log.Enabled(context.Background(), slog.LevelDebug) { // (its arguments would be made for nothing)
		v.log.Debug("order accepted", "order", o.OrderID, "update", o.OrderUpdateID, "nodes", len(v.s.nodes))
	}
}

// appendEdges appends to the edges still to traverse, which arrive cuts
// from the front of *arr: when they no longer fit behind, they move to the
// front of *arr, which grows only when they do not fit there either.
func appendEdges(edges []vda5050.Edge, arr *[]vda5050.Edge, more []vda5050.Edge) []vda5050.Edge {
	n := len(edges) + len(more)
	if n > cap(edges) && n <= cap(*arr) {
		edges = (*arr)[:copy((*arr)[:len(edges)], edges)]
	}
	if n > cap(edges) {
		edges = append(edges, more...) // a new array
		*arr = edges[:cap(edges)]
		return edges
	}
	return append(edges, more...)
}

func (v *Vehicle) newStop(n vda5050.Node) *stop {
	st := &stop{Node: n}
	for _, a := range n.Actions {
		act := &action{Action: a, status: vda5050.StatusWaiting}
		st.acts = append(st.acts, act)
		v.s.actions = append(v.s.actions, act)
	}
	return st
}

// dropStops forgets nodes that are replaced, and their waiting actions.
func (v *Vehicle) dropStops(sts []*stop) {
	gone := map[*action]bool{}
	for _, st := range sts {
		for _, a := range st.acts {
			gone[a] = true
		}
	}
	v.s.actions = slices.DeleteFunc(v.s.actions, func(a *action) bool { return gone[a] })
}

// reject keeps the current order and reports a WARNING until an order is
// accepted.
func (v *Vehicle) reject(typ, msg string, refs []vda5050.ErrorReference) {
	v.log.Warn("order rejected", "type", typ, "reason", msg)
	v.warn(typ, msg, refs)
}

func (v *Vehicle) warn(typ, msg string, refs []vda5050.ErrorReference) {
	v.s.warnings = append(v.s.warnings, vda5050.Error{ErrorType: typ, ErrorReferences: refs, ErrorDescription: msg, ErrorLevel: vda5050.LevelWarning})
	v.s.dirty = true
}

func ref(k, val string) vda5050.ErrorReference {
	return vda5050.ErrorReference{ReferenceKey: k, ReferenceValue: val}
}
