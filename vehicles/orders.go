package vehicles

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// order is the bookkeeping of the order a vehicle drives now.
type order struct {
	id        string
	seq0      int            // the global step of sequence id 0
	nodes     []vda5050.Node // as sent from node off on: node k has sequence id 2k
	edges     []vda5050.Edge // edge k (from node k to k+1) has sequence id 2k+1
	off       int            // nodes (and edges) before it are dropped, see trim
	update    uint32         // the last orderUpdateId sent
	decision  []int          // by orderUpdateId: the index of its last base node
	confirmed int            // the highest orderUpdateId a state showed; -1 none
	sentAt    time.Time
	resynced  bool // a rejection of it has been handled
	// restitched counts the updates of it the vehicle rejected while it
	// still drove it (see restitch); rejectSeen is the sentAt of the last
	// send whose rejection was handled so, a rejection being reported in
	// every state until an order is accepted
	restitched int
	rejectSeen time.Time
	header     uint32 // the headerId of the last order message sent
	// due: the base grew since the last update sent, which waits for the
	// vehicle's minOrderInterval (sendDue); dueFrom is the node the update
	// will start at (the last sent decision point)
	due     bool
	dueFrom int
}

func (o *order) decisionStep() int { return o.seq0 + 2*o.last() }

// last is the index of the order's last node, its decision point.
func (o *order) last() int { return o.off + len(o.nodes) - 1 }

// trim drops the nodes and edges behind the vehicle (its last node
// reached is step at) that no message will send again: those before the
// node a resend (the last confirmed decision point) or an update due
// (dueFrom) starts at. A vehicle that drives one order a long way keeps
// only the nodes ahead, and an update no longer copies the whole route
// as it grows.
func (o *order) trim(at int) {
	if o.confirmed < 0 {
		return // a resend goes from the first node
	}
	keep := min((at-o.seq0)/2, o.decisionOf(min(o.confirmed, int(o.update))))
	if o.due {
		keep = min(keep, o.dueFrom)
	}
	if d := keep - o.off; d >= trimBatch {
		// into new arrays: a snapshot of the Master (Snapshot) may still
		// share the old ones, and is encoded on another goroutine
		o.nodes = append(make([]vda5050.Node, 0, len(o.nodes)-d+trimBatch), o.nodes[d:]...)
		o.edges = append(make([]vda5050.Edge, 0, len(o.edges)-d+trimBatch), o.edges[d:]...)
		o.off = keep
	}
}

// decisionOf is the index of the last base node of update u, 0 for an
// update never sent (a vehicle may report any).
func (o *order) decisionOf(u int) int {
	if u < 0 || u >= len(o.decision) {
		return 0
	}
	return o.decision[u]
}

// trimBatch is how many nodes trim drops at least at once.
const trimBatch = 16

// drive takes a drive command: the vehicle may go from global step From
// to To.
func (m *Master) drive(v *vehicle, c fleet.Command) {
	for i, id := range c.Steps {
		if s := c.From + 1 + i; s >= v.at { // (the steps behind it are dropped: see progress)
			v.steps[s] = id
		}
	}
	if c.To > v.granted {
		v.granted = c.To
	}
	var act *pending
	if c.Action != "" {
		act = &pending{step: c.To, kind: actionType(c.Action), container: string(c.Container), target: c.TargetSoC}
	}
	if o := v.ord; o != nil && !v.needNew && v.cancel == "" && len(c.Steps) > 0 && o.decisionStep() == c.From {
		m.extend(v, c.To, act)
		return
	}
	// a first order, one after a cancel, or an action where the base ends:
	// a new order from where the vehicle stands, once it stands still
	if act != nil {
		v.act = act
	}
	v.needNew = true
	m.flush(v)
}

// extend sends an order update: the base goes on from the decision point
// to step to.
func (m *Master) extend(v *vehicle, to int, act *pending) {
	o := v.ord
	from := o.decisionStep()
	k0 := o.last()
	for s := from + 1; s <= to; s += 2 {
		o.edges = append(o.edges, m.edge(v, s))
		o.nodes = append(o.nodes, m.node(v, s+1, act))
	}
	if !o.due {
		o.due, o.dueFrom = true, k0
	}
	m.sendDue(v)
}

// sendDue sends the order update that extend made, once the vehicle's
// minOrderInterval (its factsheet's) has passed since its last order:
// updates made in between go out as one. Tick tries again.
//
// An update is stitched at the decision point the vehicle has: that of
// the last update a state confirmed (stitch). While an update sent is not
// confirmed the vehicle may or may not have it, and an update stitched
// at either decision point would be rejected if the guess were wrong; so
// the next one waits for the state that confirms it, or, if none comes
// within ResendAfter (the message was lost: the link was down, the
// broker restarted, fleetd died between journaling and publishing), goes
// out stitched where the vehicle last confirmed, with everything since.
func (m *Master) sendDue(v *vehicle) {
	o := v.ord
	if o == nil || !o.due || v.needNew || v.cancel != "" || v.ordersHeld() || m.tooSoon(v) || m.ahead(v) {
		return
	}
	if o.confirmed < int(o.update) && m.now.Sub(o.sentAt) < m.cfg.ResendAfter {
		return // with the state that confirms the last one, or at the resend
	}
	k0 := o.stitch()
	o.due = false
	o.update++
	o.decision = append(o.decision, o.last())
	m.sendOrder(v, k0)
}

// stitch is the index of the node an order message starts at so that the
// vehicle takes it whatever of the order it was sent and lost: its
// decision point as of the last update a state confirmed, or the first
// node while no state has confirmed the order (then the message is a new
// order to the vehicle).
func (o *order) stitch() int {
	if o.confirmed < 0 {
		return 0
	}
	// (a vehicle that reports an orderUpdateId never sent has at most
	// the last one sent)
	return max(o.off, o.decisionOf(min(o.confirmed, int(o.update))))
}

// ahead reports a vehicle with more than Config.UpdateWithin nodes of
// the base it was sent ahead of the last node it reported: an update
// waits for a state that reports it nearer (see sendDue).
func (m *Master) ahead(v *vehicle) bool {
	o := v.ord
	if m.cfg.UpdateWithin == 0 || o == nil {
		return false
	}
	sent := o.seq0 + 2*o.decisionOf(int(o.update)) // the decision point sent
	return (sent-v.at)/2 > m.cfg.UpdateWithin
}

// tooSoon reports whether an order now would come sooner after the last
// one than the vehicle's factsheet allows (protocolLimits.timing.
// minOrderInterval).
func (m *Master) tooSoon(v *vehicle) bool {
	if v.factsheet == nil || v.orderAt.IsZero() {
		return false
	}
	gap := time.Duration(v.factsheet.ProtocolLimits.Timing.MinOrderInterval * float64(time.Second))
	return m.now.Sub(v.orderAt) < gap
}

// flush makes the new order a vehicle is waiting for, once it stands
// still at the node the fleet has it at, with nothing running.
func (m *Master) flush(v *vehicle) {
	if !v.needNew || v.cancel != "" || v.held() || v.ordersHeld() || !v.joined || !v.online() || !settled(v.st) || m.tooSoon(v) {
		return
	}
	here, ok := v.steps[v.at]
	if !ok {
		return
	}
	if v.st.LastNodeID != "" && v.st.LastNodeID != here {
		v.reasons[reasonPosition] = fmt.Sprintf("it reports standing at %s, the fleet has it at %s", v.st.LastNodeID, here)
		m.settle(v)
		return
	}
	m.forgetOff(v)
	v.needNew = false
	act := v.act
	v.act = nil
	if act != nil && act.step < v.at {
		act = nil // it stood there already and moved on
	}
	if v.granted == v.at && act == nil {
		v.ord = nil
		delete(v.reasons, reasonRejected) // nothing left to send: nothing to reject
		m.settle(v)
		return
	}
	v.orders++
	if m.epoch == "" {
		// order ids must not repeat after a restart without a journal: a
		// vehicle would take a new order for a resend of an old one
		m.epoch = strconv.FormatInt(m.now.Unix(), 36)
	}
	o := &order{id: fmt.Sprintf("%s-%s-%d", v.id, m.epoch, v.orders), seq0: v.at, confirmed: -1}
	v.ord = o
	first := m.node(v, v.at, act)
	if p := v.st.AgvPosition; p != nil && p.PositionInitialized && first.NodePosition != nil {
		// it may have stopped short of the node (a cancel stops at once):
		// the first node must be within reach of where it stands
		if d := math.Hypot(p.X-first.NodePosition.X, p.Y-first.NodePosition.Y); d > *first.NodePosition.AllowedDeviationXY {
			dev := d + 1
			first.NodePosition.AllowedDeviationXY = &dev
		}
	}
	o.nodes = append(o.nodes, first)
	for s := v.at + 1; s <= v.granted; s += 2 {
		o.edges = append(o.edges, m.edge(v, s))
		o.nodes = append(o.nodes, m.node(v, s+1, act))
	}
	o.decision = append(o.decision, len(o.nodes)-1)
	m.sendOrder(v, 0)
}

// settled: the vehicle drives nothing and runs no action.
func settled(st *vda5050.State) bool {
	if st == nil || st.Driving || len(st.NodeStates) > 0 || len(st.EdgeStates) > 0 {
		return false
	}
	for _, a := range st.ActionStates {
		switch a.ActionStatus {
		case vda5050.StatusFinished, vda5050.StatusFailed:
		default:
			return false
		}
	}
	return true
}

// node is the order node for global step s, with the action if it is due
// there.
func (m *Master) node(v *vehicle, s int, act *pending) vda5050.Node {
	id := v.steps[s]
	n := vda5050.Node{NodeID: id, SequenceID: uint32(s - v.ord.seq0), Released: true, Actions: []vda5050.Action{}}
	if i, ok := m.cfg.Graph.Node(id); ok {
		dev := m.cfg.Deviation
		xy := m.cfg.Graph.Nodes[i].XY
		n.NodePosition = &vda5050.NodePosition{X: xy[0], Y: xy[1], MapID: m.cfg.Graph.MapID, AllowedDeviationXY: &dev}
	}
	if act != nil && act.step == s {
		a := vda5050.Action{ActionType: act.kind, ActionID: v.nextID(act.kind), BlockingType: vda5050.BlockingHard}
		switch act.kind {
		case vda5050.ActionPick, vda5050.ActionDrop:
			a.ActionParameters = []vda5050.ActionParameter{{Key: "loadId", Value: act.container}, {Key: "stationName", Value: id}}
		case vda5050.ActionStartCharging:
			v.charge = &chargeWatch{target: act.target}
		}
		a.ActionParameters = append(a.ActionParameters, v.e.paramsFor(act.kind)...)
		n.Actions = append(n.Actions, a)
		v.actions[a.ActionID] = &sent{kind: act.kind, p: *act}
	}
	return n
}

// edge is the order edge for global step s.
func (m *Master) edge(v *vehicle, s int) vda5050.Edge {
	id := v.steps[s]
	e := vda5050.Edge{EdgeID: id, SequenceID: uint32(s - v.ord.seq0), Released: true,
		StartNodeID: v.steps[s-1], EndNodeID: v.steps[s+1], Actions: []vda5050.Action{}}
	if i, ok := m.cfg.Graph.Edge(id); ok {
		ed := m.cfg.Graph.Edges[i]
		speed, length := ed.MaxSpeed, ed.Length
		e.MaxSpeed, e.Length = &speed, &length
	}
	return e
}

// sendOrder publishes the current order from node k0 on (0 for a new
// order, the stitching node for an update) to the decision point of its
// last update: nodes added since (an update still due) are not part of
// that update, and go with the next one.
func (m *Master) sendOrder(v *vehicle, k0 int) {
	o := v.ord
	k1 := o.decisionOf(int(o.update))
	msg := &vda5050.Order{OrderID: o.id, OrderUpdateID: o.update,
		Nodes: append([]vda5050.Node(nil), o.nodes[k0-o.off:k1-o.off+1]...),
		Edges: append([]vda5050.Edge(nil), o.edges[k0-o.off:k1-o.off]...)}
	o.sentAt, v.orderAt = m.now, m.now
	m.publish(v, vda5050.TopicOrder, &msg.Header, msg)
	o.header = msg.HeaderID
}

// resend sends again what no state has confirmed: the order from where the
// vehicle last confirmed it, and a cancel.
func (m *Master) resend(v *vehicle) {
	if o := v.ord; o != nil && v.cancel == "" && !v.needNew && !v.ordersHeld() && o.confirmed < int(o.update) && m.now.Sub(o.sentAt) >= m.cfg.ResendAfter && !m.tooSoon(v) {
		if o.due && !m.ahead(v) {
			m.sendDue(v) // the grants made since go with it, as the next update
		} else {
			m.sendOrder(v, o.stitch())
		}
	}
	if v.cancel != "" && m.now.Sub(v.cancelT) >= m.cfg.ResendAfter {
		if v.cancels >= maxCancels {
			// it neither answers nor stops: an operator must see to it
			v.reasons[reasonCancel] = fmt.Sprintf("cancelOrder %s unanswered after %d tries", v.cancel, v.cancels)
			v.cancel, v.cancels = "", 0
			m.settle(v)
			return
		}
		m.sendCancel(v)
	}
}

// maxCancels is how often a cancelOrder is sent before the vehicle is
// handed to the operator (every ResendAfter: 20 s at the default).
const maxCancels = 4

// cancelOver ends a cancelOrder the vehicle answered otherwise than with
// a FINISHED or FAILED action state (see actionStates), as the spec allows:
// with a noOrderToCancel error (it had no order: nothing to stop), or by
// standing with no order left to drive and no action under way. The rest
// of the lane then goes out as a new order, as after a FINISHED cancel.
func (m *Master) cancelOver(v *vehicle, st *vda5050.State) {
	if v.cancel == "" {
		return
	}
	for _, e := range st.Errors {
		if strings.EqualFold(e.ErrorType, errNoOrderToCancel) {
			v.cancel, v.cancels = "", 0
			return
		}
	}
	if settled(st) && m.now.After(v.cancelT) && !v.instantSeen {
		// (a vehicle that reports its instant actions says when the
		// cancel is over: a state that shows it standing may have been
		// made before the cancel reached it, and read late by a fleetd
		// that fell behind; a new order from where that state put it
		// would be rejected by a vehicle that has moved on)
		v.cancel, v.cancels = "", 0
	}
}

// errNoOrderToCancel is the errorType a vehicle answers a cancelOrder with
// when it has no order (VDA 5050 2.0, 6.8.2).
const errNoOrderToCancel = "noOrderToCancel"

// cancel takes a Controller cancel: the action ahead is dropped, the lane
// granted stays. The vehicle is stopped with cancelOrder and then given
// the rest of its lane as a new order without the action.
func (m *Master) cancel(v *vehicle) {
	v.act = nil
	if !slices.ContainsFunc(slices.Collect(maps.Values(v.actions)), func(a *sent) bool { return !a.off }) && v.charge == nil {
		return // nothing to call off
	}
	m.callOff(v, false)
	v.charge = nil
	m.sendCancel(v)
	v.needNew = true
}

func (m *Master) sendCancel(v *vehicle) {
	if v.cancel == "" {
		v.cancel = v.nextID("cancel")
	}
	v.cancelT = m.now
	v.cancels++
	m.instant(v, vda5050.Action{ActionType: vda5050.ActionCancelOrder, ActionID: v.cancel, BlockingType: vda5050.BlockingHard})
}
