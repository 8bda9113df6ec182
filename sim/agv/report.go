package agv

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// publish sends what is due: the factsheet if requested, state on an event
// or when its period or the heartbeat is up, visualization while driving.
func (v *Vehicle) publish(now time.Time) {
	if v.s.linkDown {
		return
	}
	if v.s.factsheet {
		v.s.factsheet = false
		f := v.Factsheet()
		v.hdr.Stamp(&f.Header, v.cfg.Manufacturer, v.cfg.SerialNumber, vda5050.TopicFactsheet, now)
		v.send(vda5050.TopicFactsheet, f)
	}
	due := now.Sub(v.s.lastState) >= Heartbeat || (v.moving() && v.cfg.StatePeriod > 0 && now.Sub(v.s.lastState) >= v.cfg.StatePeriod) ||
		(!v.moving() && v.cfg.IdleStatePeriod > 0 && now.Sub(v.s.lastState) >= v.cfg.IdleStatePeriod)
	if v.s.dirty || due {
		v.publishState(now)
	}
	if v.moving() && v.cfg.VisualizationPeriod > 0 && now.Sub(v.s.lastVis) >= v.cfg.VisualizationPeriod {
		v.s.lastVis = now
		z := vda5050.Visualization{AgvPosition: v.position(), Velocity: v.velocity()}
		v.hdr.Stamp(&z.Header, v.cfg.Manufacturer, v.cfg.SerialNumber, vda5050.TopicVisualization, now)
		v.send(vda5050.TopicVisualization, z)
	}
}

func (v *Vehicle) publishState(now time.Time) {
	s := v.stateMsg()
	v.hdr.Stamp(&s.Header, v.cfg.Manufacturer, v.cfg.SerialNumber, vda5050.TopicState, now)
	if v.cfg.VendorKeys {
		v.send(vda5050.TopicState, withVendorKeys(*s))
	} else {
		v.send(vda5050.TopicState, s) // made for this message and never changed
	}
	v.s.dirty, v.s.lastState = false, now
}

func (v *Vehicle) publishConnection(cs string, now time.Time) {
	var c vda5050.Connection
	v.hdr.Stamp(&c.Header, v.cfg.Manufacturer, v.cfg.SerialNumber, vda5050.TopicConnection, now)
	c.ConnectionState = cs
	v.send(vda5050.TopicConnection, c)
}

func (v *Vehicle) send(t vda5050.Topic, msg any) {
	if err := v.link.Publish(t, msg); err != nil {
		v.log.Debug("publish failed", "topic", t, "err", err)
	}
}

// stateMsg is the state message without its header. Its parts are new
// or, where they are as in the last state it made (v.s.sent), that
// state's: a state is never changed once made, so two may share what did
// not change between them (a heartbeat shares nearly all; a node passed
// shares the node and edge states left), which saves a state's worth of
// allocations for most states of a simulated day.
func (v *Vehicle) stateMsg() *vda5050.State {
	// the state and the small parts it points to, in one allocation: the
	// receiver may keep the state, so they are new for each
	b := &stateBox{x: stateParts{paused: v.s.paused, newBase: v.newBaseRequest()}}
	x, s := &b.x, &b.s
	prev := v.s.sent
	if prev == nil {
		prev = &vda5050.State{}
	}
	*s = vda5050.State{
		OrderID:            v.s.orderID,
		OrderUpdateID:      v.s.orderUpdateID,
		LastNodeID:         v.s.lastNode,
		LastNodeSequenceID: v.s.lastSeq,
		Driving:            v.moving(),
		Paused:             &x.paused,
		NewBaseRequest:     &x.newBase,
		OperatingMode:      vda5050.ModeAutomatic,
		NodeStates:         v.nodeStates(prev.NodeStates),
		EdgeStates:         v.edgeStates(prev.EdgeStates),
		AgvPosition:        v.positionIn(x),
		Velocity:           v.velocityIn(x),
		Loads:              v.loadsIn(prev.Loads),
		ActionStates:       v.actionStates(prev.ActionStates),
		BatteryState: vda5050.BatteryState{
			BatteryCharge: math.Round(v.s.soc*1000) / 10,
			Charging:      v.s.charge != nil && v.s.charge.act == nil,
		},
		Errors:      v.errorsIn(),
		SafetyState: vda5050.SafetyState{EStop: vda5050.EStopNone},
	}
	v.s.sent = s
	return s
}

// stateBox is a state and what it points to, allocated as one.
type stateBox struct {
	s vda5050.State
	x stateParts
}

// nodeStates are the states of the nodes still to traverse: the tail of
// prev when they are its last ones, as after a node passed or in a
// heartbeat, else new.
func (v *Vehicle) nodeStates(prev []vda5050.NodeState) []vda5050.NodeState {
	ns := v.s.nodes
	if k := len(prev) - len(ns); prev != nil && k >= 0 {
		tail := prev[k:]
		same := true
		for i, n := range ns {
			p := &tail[i]
			if p.NodeID != n.NodeID || p.SequenceID != n.SequenceID || p.NodeDescription != n.NodeDescription || p.NodePosition != n.NodePosition || p.Released != n.Released {
				same = false
				break
			}
		}
		if same {
			return tail
		}
	}
	out := make([]vda5050.NodeState, 0, len(ns))
	for _, n := range ns {
		out = append(out, vda5050.NodeState{NodeID: n.NodeID, SequenceID: n.SequenceID, NodeDescription: n.NodeDescription, NodePosition: n.NodePosition, Released: n.Released})
	}
	return out
}

// edgeStates are as nodeStates for the edges still to traverse.
func (v *Vehicle) edgeStates(prev []vda5050.EdgeState) []vda5050.EdgeState {
	es := v.s.edges
	if k := len(prev) - len(es); prev != nil && k >= 0 {
		tail := prev[k:]
		same := true
		for i := range es {
			e, p := &es[i], &tail[i]
			if p.EdgeID != e.EdgeID || p.SequenceID != e.SequenceID || p.EdgeDescription != e.EdgeDescription || p.Released != e.Released {
				same = false
				break
			}
		}
		if same {
			return tail
		}
	}
	out := make([]vda5050.EdgeState, 0, len(es))
	for i := range es {
		e := &es[i]
		out = append(out, vda5050.EdgeState{EdgeID: e.EdgeID, SequenceID: e.SequenceID, EdgeDescription: e.EdgeDescription, Released: e.Released})
	}
	return out
}

// actionStates are the states of the actions: prev when they are all as
// there, else new.
func (v *Vehicle) actionStates(prev []vda5050.ActionState) []vda5050.ActionState {
	as := v.s.actions
	if prev != nil && len(prev) == len(as) {
		same := true
		for i, a := range as {
			p := &prev[i]
			if p.ActionID != a.ActionID || p.ActionType != a.ActionType || p.ActionDescription != a.ActionDescription || p.ActionStatus != a.status || p.ResultDescription != a.result {
				same = false
				break
			}
		}
		if same {
			return prev
		}
	}
	out := make([]vda5050.ActionState, 0, len(as))
	for _, a := range as {
		out = append(out, vda5050.ActionState{ActionID: a.ActionID, ActionType: a.ActionType, ActionDescription: a.ActionDescription, ActionStatus: a.status, ResultDescription: a.result})
	}
	return out
}

// loadsIn are the loads aboard: prev when they are as there, else new.
func (v *Vehicle) loadsIn(prev []vda5050.Load) []vda5050.Load {
	if prev != nil && slices.Equal(prev, v.s.loads) {
		return prev
	}
	return append([]vda5050.Load{}, v.s.loads...)
}

// errorsIn are the errors to report: the warnings, a breakdown, an
// empty battery.
func (v *Vehicle) errorsIn() []vda5050.Error {
	n := len(v.s.warnings)
	if v.s.broken {
		n++
	}
	if v.s.depleted {
		n++
	}
	errs := append(make([]vda5050.Error, 0, n), v.s.warnings...)
	if v.s.broken {
		errs = append(errs, vda5050.Error{ErrorType: ErrTypeBreakdown, ErrorDescription: "simulated breakdown: waiting for repair", ErrorLevel: vda5050.LevelFatal,
			ErrorReferences: []vda5050.ErrorReference{ref("lastNodeId", v.s.lastNode)}})
	}
	if v.s.depleted {
		errs = append(errs, vda5050.Error{ErrorType: ErrTypeBatteryEmpty, ErrorDescription: "battery empty: the vehicle has stopped", ErrorLevel: vda5050.LevelFatal,
			ErrorReferences: []vda5050.ErrorReference{ref("lastNodeId", v.s.lastNode)}})
	}
	return errs
}

// stateParts holds what a state or visualization points to.
type stateParts struct {
	paused, newBase bool
	pos             vda5050.AgvPosition
	dev             float64
	vel             vda5050.Velocity
	vx, vy, omega   float64
}

func (v *Vehicle) position() *vda5050.AgvPosition { return v.positionIn(&stateParts{}) }

func (v *Vehicle) positionIn(x *stateParts) *vda5050.AgvPosition {
	p, theta := v.pose()
	x.dev = v.cfg.Deviation
	x.pos = vda5050.AgvPosition{X: round3(p[0]), Y: round3(p[1]), Theta: theta, MapID: v.cfg.Site.MapID, PositionInitialized: true, DeviationRange: &x.dev}
	return &x.pos
}

func (v *Vehicle) velocity() *vda5050.Velocity { return v.velocityIn(&stateParts{}) }

func (v *Vehicle) velocityIn(x *stateParts) *vda5050.Velocity {
	if v.moving() {
		x.vx = v.s.leg.speed
	}
	x.vel = vda5050.Velocity{Vx: &x.vx, Vy: &x.vy, Omega: &x.omega}
	return &x.vel
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// headerIDOf reads the headerId of a message that may be invalid.
func headerIDOf(payload []byte) *uint32 {
	var h struct {
		HeaderID *uint32 `json:"headerId"`
	}
	if json.Unmarshal(payload, &h) != nil {
		return nil
	}
	return h.HeaderID
}

func decodeOrder(b []byte) (vda5050.Order, error) { return vda5050.DecodeOrder(b) }

func decodeInstantActions(b []byte) (vda5050.InstantActions, error) {
	return vda5050.DecodeInstantActions(b)
}

// withVendorKeys is a state with the keys of Config.VendorKeys added.
func withVendorKeys(s vda5050.State) map[string]any {
	b, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["vendorDiagnostics"] = map[string]any{"motorTempC": 41.5, "firmware": "bf-2.3.1"}
	m["LastNodeID"] = "not-" + s.LastNodeID
	return m
}
