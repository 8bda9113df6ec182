package vda5050

// Validate checks an order against the 2.0.0 schema and the order rules:
// a valid header; at least one node and one edge fewer than nodes; node
// sequence ids even and consecutive (node i = first+2i, edge i =
// first+2i+1); each edge joining its neighbouring nodes; nothing released
// after an unreleased element and an edge released only with both its
// nodes; action ids unique within the order; enums and ranges. The error is
// a *ValidationError naming the first offending field.
func (o Order) Validate() error { return ValidateOrder(&o) }

// ValidateOrder is o.Validate without a copy of the order.
func ValidateOrder(o *Order) error { return validate(TopicOrder, o, o.Header, o.check) }

func (o *Order) check(v *validator) {
	v.nonEmpty("orderId", o.OrderID)
	v.orderGraph(o.Nodes, o.Edges)
	v.orderReleased(o.Nodes, o.Edges)
	seen := make(map[string]string)
	for i, n := range o.Nodes {
		p := v.index("nodes", i)
		v.nonEmpty(v.join(p, "nodeId"), n.NodeID)
		v.nodePosition(v.join(p, "nodePosition"), n.NodePosition)
		v.actions(v.join(p, "actions"), n.Actions, seen)
	}
	for i, e := range o.Edges {
		v.edge(v.index("edges", i), e, seen)
	}
}

// orderGraph checks counts, sequence ids and how edges join nodes.
func (v *validator) orderGraph(nodes []Node, edges []Edge) {
	if len(nodes) == 0 {
		v.fail("nodes", "must hold at least one node")
		return
	}
	if len(edges) != len(nodes)-1 {
		v.fail("edges", "must hold one edge fewer than nodes (%d), has %d", len(nodes)-1, len(edges))
		return
	}
	first := uint64(nodes[0].SequenceID)
	if first%2 != 0 {
		v.fail("nodes[0].sequenceId", "must be even, is %d", first)
		return
	}
	for i, n := range nodes {
		if want := first + 2*uint64(i); uint64(n.SequenceID) != want {
			v.fail(v.index("nodes", i)+".sequenceId", "must be %d (nodes[0].sequenceId + %d), is %d", want, 2*i, n.SequenceID)
		}
	}
	for i, e := range edges {
		p := v.index("edges", i)
		if want := first + 2*uint64(i) + 1; uint64(e.SequenceID) != want {
			v.fail(p+".sequenceId", "must be %d (between nodes[%d] and nodes[%d]), is %d", want, i, i+1, e.SequenceID)
		}
		if e.StartNodeID != nodes[i].NodeID {
			v.fail(p+".startNodeId", "must be %q (nodes[%d].nodeId), is %q", nodes[i].NodeID, i, e.StartNodeID)
		}
		if e.EndNodeID != nodes[i+1].NodeID {
			v.fail(p+".endNodeId", "must be %q (nodes[%d].nodeId), is %q", nodes[i+1].NodeID, i+1, e.EndNodeID)
		}
	}
}

// orderReleased checks the base/horizon split: an edge is released only if
// both its nodes are, and nothing released follows an unreleased element.
// It expects orderGraph to have passed.
func (v *validator) orderReleased(nodes []Node, edges []Edge) {
	if v.err != nil {
		return
	}
	for i, e := range edges {
		if e.Released && (!nodes[i].Released || !nodes[i+1].Released) {
			v.fail(v.index("edges", i)+".released", "an edge may be released only if both nodes[%d] and nodes[%d] are", i, i+1)
			return
		}
	}
	horizon, unreleased := "", false // path of the first unreleased element, in traversal order
	for i, n := range nodes {
		if i > 0 {
			e, p := edges[i-1], v.index("edges", i-1)
			if e.Released && unreleased {
				v.fail(p+".released", "released after the unreleased %s", horizon)
			} else if !e.Released && !unreleased {
				horizon, unreleased = p, true
			}
		}
		p := v.index("nodes", i)
		if n.Released && unreleased {
			v.fail(p+".released", "released after the unreleased %s", horizon)
		} else if !n.Released && !unreleased {
			horizon, unreleased = p, true
		}
	}
}

func (v *validator) edge(p string, e Edge, seen map[string]string) {
	v.nonEmpty(v.join(p, "edgeId"), e.EdgeID)
	v.optAtLeast(v.join(p, "maxSpeed"), e.MaxSpeed, 0)
	v.optAtLeast(v.join(p, "maxHeight"), e.MaxHeight, 0)
	v.optAtLeast(v.join(p, "minHeight"), e.MinHeight, 0)
	v.optBetween(v.join(p, "orientation"), e.Orientation, -maxTheta, maxTheta)
	if e.OrientationType != "" {
		v.oneOf(v.join(p, "orientationType"), e.OrientationType, OrientationGlobal, OrientationTangential)
	}
	v.optAtLeast(v.join(p, "maxRotationSpeed"), e.MaxRotationSpeed, 0)
	v.optAtLeast(v.join(p, "length"), e.Length, 0)
	v.trajectory(v.join(p, "trajectory"), e.Trajectory, true)
	v.actions(v.join(p, "actions"), e.Actions, seen)
}

// Validate checks instant actions: a valid header, and actions with an id,
// a type and a blocking type, ids unique within the message.
func (a InstantActions) Validate() error {
	v := start(TopicInstantActions, a, a.Header)
	v.actions("actions", a.Actions, make(map[string]string))
	return v.result()
}
