package vehicles

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/borderfleet/borderfleet/vda5050"
)

// This file holds what a decoded message must also be to be believed: it
// comes from the vehicle whose topic it is on, in order, on the site's map,
// at a place on the site, and about nodes of the lane graph. A message that
// fails is refused whole before it changes anything, as a *RefusedError
// with a reason that /metrics counts. Two refusals also tell the operator,
// since the vehicle itself may be wrong rather than a forger: a position
// far from the node it names (offNode) and an order fleetd did not send
// (foreignOrder) put a vehicle in the fleet out of dispatch with the
// reason.

// Reasons a message is refused (RefusedError.Reason).
const (
	RefusedInvalid  = "invalid"  // does not decode against the protocol
	RefusedIdentity = "identity" // its header names another vehicle than its topic
	RefusedSequence = "sequence" // its headerId goes backwards on a live link
	RefusedMap      = "map"      // a position on another map
	RefusedPosition = "position" // a position off the site
	RefusedNode     = "node"     // a node the lane graph does not have
	RefusedUnknown  = "unknown"  // a vehicle not on the roster
	RefusedTopic    = "topic"    // a topic that is not a vehicle's or not our interface
	RefusedLimits   = "limits"   // too large, too many entries, or text with control characters
	RefusedTime     = "time"     // a state or visualization stamped too far from the wall clock
	// RefusedFull (admission.go): a vehicle auto-admission had no room for
)

// Limits of what a vehicle may send. A VDA 5050 state of a shuttle is a few
// kilobytes; these are far above anything honest and far below what would
// hurt.
const (
	MaxPayload = 1 << 20 // bytes of one message, checked before parsing
	MaxEntries = 1000    // entries of any array in a message
	MaxText    = 1024    // bytes of any string in a message
)

// RefusedError is a message fleetd did not believe; it changed nothing.
type RefusedError struct {
	Vehicle string // roster id, or manufacturer/serial when not on the roster
	Reason  string // one of the Refused... constants
	Err     error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("vehicles: %s: message refused (%s): %v", e.Vehicle, e.Reason, e.Err)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// ReasonOf returns the reason a message was refused, "" for nil and
// RefusedInvalid for an error that is not a *RefusedError.
func ReasonOf(err error) string {
	if err == nil {
		return ""
	}
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	if errors.Is(err, ErrUnknownVehicle) {
		return RefusedUnknown
	}
	return RefusedInvalid
}

func refuse(v *vehicle, reason string, format string, args ...any) error {
	return &RefusedError{Vehicle: v.id, Reason: reason, Err: fmt.Errorf(format, args...)}
}

// siteMargin is how far outside the lane graph's extent a reported
// position may lie (a vehicle is never far off the lanes).
const siteMargin = 200.0 // metres

// identity checks that a header is the topic's vehicle's.
func identity(v *vehicle, h vda5050.Header) error {
	if h.Manufacturer != v.e.Manufacturer || h.SerialNumber != v.e.SerialNumber {
		return refuse(v, RefusedIdentity, "header names %s/%s, the topic is %s/%s's", h.Manufacturer, h.SerialNumber, v.e.Manufacturer, v.e.SerialNumber)
	}
	return nil
}

// sequence checks that a state's headerId does not go backwards while the
// link stays up. A restarted vehicle counts from 0 again: a lower headerId
// after its connection was reported lost or back is a new session, logged
// by the caller, not a forgery. A repeat (QoS 1 delivers at least once) is
// accepted.
func sequence(v *vehicle, h vda5050.Header) (reset bool, err error) {
	if !v.headerSeen || h.HeaderID >= v.lastHeader {
		return false, nil
	}
	if v.linkChanged {
		return true, nil
	}
	return false, refuse(v, RefusedSequence, "headerId %d after %d on a live link", h.HeaderID, v.lastHeader)
}

// believable checks what a state says about where the vehicle is.
func (m *Master) believable(v *vehicle, st *vda5050.State) error {
	g := m.cfg.Graph
	if st.LastNodeID != "" {
		if _, ok := g.Node(st.LastNodeID); !ok {
			return refuse(v, RefusedNode, "lastNodeId %.60q is not a node of map %s", st.LastNodeID, g.MapID)
		}
	}
	if p := st.AgvPosition; p != nil {
		if p.MapID != g.MapID {
			return refuse(v, RefusedMap, "agvPosition.mapId %.60q is not the site's map %s", p.MapID, g.MapID)
		}
		if b := m.extent(); p.X < b[0]-siteMargin || p.X > b[2]+siteMargin || p.Y < b[1]-siteMargin || p.Y > b[3]+siteMargin {
			return refuse(v, RefusedPosition, "agvPosition (%.6g, %.6g) is more than %g m outside the site (x %.0f..%.0f, y %.0f..%.0f)",
				p.X, p.Y, siteMargin, b[0], b[2], b[1], b[3])
		}
	}
	if vda5050.SharedWith(st, v.st).NodeStates {
		return nil // as in the last state believed
	}
	for i, n := range st.NodeStates {
		if n.NodePosition != nil && n.NodePosition.MapID != g.MapID {
			return refuse(v, RefusedMap, "nodeStates[%d].nodePosition.mapId %.60q is not the site's map %s", i, n.NodePosition.MapID, g.MapID)
		}
	}
	return nil
}

// extent is the lane graph's bounding box in the local frame: min x, min
// y, max x, max y.
func (m *Master) extent() [4]float64 {
	if m.box != nil {
		return *m.box
	}
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, n := range m.cfg.Graph.Nodes {
		b[0], b[1] = min(b[0], n.XY[0]), min(b[1], n.XY[1])
		b[2], b[3] = max(b[2], n.XY[0]), max(b[3], n.XY[1])
	}
	m.box = &b
	return b
}

// Check is what can be known of a vehicle's message without the fleet's
// state: its topic is a vehicle's, it decodes against the protocol, its
// header names the topic's vehicle, a state or visualization is stamped
// within MaxClockSkew of wall, the wall-clock time it arrived, and what it
// says of where the vehicle is lies on the site's map and lane graph. The
// daemon counts a vehicle as heard, and drops a state as a repeat, only
// after Check: garbage or a lie on a vehicle's topic is no sign of its
// life, and is refused even when it repeats the last state in all else.
// (Incoming checks all this again but the time, which it cannot: it runs
// on the core's clock, which replays and scaled demos do not keep in step
// with the wall; and it checks the order of headerIds.) Under auto-
// admission it also refuses a vehicle not on the roster when the roster
// is at its cap (Config.MaxVehicles; ErrRosterFull). The error is a
// *RefusedError.
func (m *Master) Check(wall time.Time, topic string, payload []byte) error {
	_, err := m.CheckMessage(wall, topic, payload)
	return err
}

// Checked is a vehicle's message that passed Check, decoded: the core
// hands it to IncomingChecked, which does not decode or check it again
// (a state is parsed once).
type Checked struct {
	topic string
	msg   message
}

// State is the state a Checked message carries, nil for another message.
// Its caller may trim it as it trims what it journals (the core must see
// live what it sees in replay), before IncomingChecked, and must not
// change it after.
func (c *Checked) State() *vda5050.State { return c.msg.state }

// CheckMessage is Check that returns the message it decoded.
func (m *Master) CheckMessage(wall time.Time, topic string, payload []byte) (*Checked, error) {
	_, man, serial, t, err := vda5050.ParseTopic(topic)
	if err != nil {
		return nil, &RefusedError{Vehicle: "?", Reason: RefusedTopic, Err: err}
	}
	if err := m.admissible(man, serial); err != nil {
		return nil, err
	}
	v := &vehicle{id: man + "/" + serial, e: Entry{Manufacturer: man, SerialNumber: serial}}
	msg, err := m.read(v, t, topic, payload)
	if err != nil {
		return nil, err
	}
	if err := m.onTime(v, msg, wall); err != nil {
		return nil, err
	}
	return &Checked{topic: topic, msg: msg}, nil
}

// onTime refuses a state or visualization whose header timestamp is more
// than MaxClockSkew from wall: a vehicle clock that is wrong, or a message
// recorded elsewhere and played back.
func (m *Master) onTime(v *vehicle, msg message, wall time.Time) error {
	var stamp string
	switch {
	case m.cfg.MaxClockSkew < 0:
		return nil
	case msg.state != nil:
		stamp = msg.state.Timestamp
	case msg.vis != nil:
		stamp = msg.vis.Timestamp
	default:
		return nil
	}
	at, err := vda5050.ParseTimestamp(stamp)
	if err != nil {
		return refuse(v, RefusedInvalid, "timestamp: %v", err)
	}
	if d := at.Sub(wall); d > m.cfg.MaxClockSkew || d < -m.cfg.MaxClockSkew {
		return refuse(v, RefusedTime, "timestamp %s is %s from fleetd's clock (%s); at most %s is allowed (vehicles.max_clock_skew)",
			stamp, d.Round(time.Second), vda5050.Timestamp(wall), m.cfg.MaxClockSkew)
	}
	return nil
}

// message is a vehicle's message that passed read: one of its fields is
// set, with the keys the reader ignored.
type message struct {
	state   *vda5050.State
	conn    *vda5050.Connection
	fact    *vda5050.Factsheet
	vis     *vda5050.Visualization
	ignored []string
}

// read decodes a message of topic type t from vehicle v and checks all
// that needs no state of the vehicle: its size, the protocol, its
// identity, its limits (states), and where it puts the vehicle (states and
// visualizations). Check and Incoming both start here.
func (m *Master) read(v *vehicle, t vda5050.Topic, topic string, payload []byte) (message, error) {
	if err := size(v, payload); err != nil {
		return message{}, err
	}
	var msg message
	var h vda5050.Header
	var err error
	switch t {
	case vda5050.TopicState:
		var st vda5050.State
		st, msg.ignored, err = vda5050.Read[vda5050.State](payload)
		msg.state, h = &st, st.Header
	case vda5050.TopicConnection:
		var c vda5050.Connection
		c, msg.ignored, err = vda5050.Read[vda5050.Connection](payload)
		msg.conn, h = &c, c.Header
	case vda5050.TopicFactsheet:
		var f vda5050.Factsheet
		f, msg.ignored, err = vda5050.Read[vda5050.Factsheet](payload)
		msg.fact, h = &f, f.Header
	case vda5050.TopicVisualization:
		var vis vda5050.Visualization
		vis, msg.ignored, err = vda5050.Read[vda5050.Visualization](payload)
		msg.vis, h = &vis, vis.Header
	default:
		return message{}, &RefusedError{Vehicle: v.id, Reason: RefusedTopic, Err: fmt.Errorf("topic %q is not one a vehicle publishes", topic)}
	}
	if err != nil {
		return message{}, &RefusedError{Vehicle: v.id, Reason: RefusedInvalid, Err: err}
	}
	return msg, m.admit(v, msg, h)
}

// admit checks what read checks of a decoded message beyond the
// protocol: its identity, its limits (states), and where it puts the
// vehicle (states and visualizations).
func (m *Master) admit(v *vehicle, msg message, h vda5050.Header) error {
	if err := identity(v, h); err != nil {
		return err
	}
	switch {
	case msg.state != nil:
		if !withinStateAfter(msg.state, v.st) {
			if err := bounded(v, reflect.ValueOf(msg.state).Elem(), ""); err != nil {
				return err
			}
		}
		return m.believable(v, msg.state)
	case msg.vis != nil && msg.vis.AgvPosition != nil:
		return m.believable(v, &vda5050.State{AgvPosition: msg.vis.AgvPosition})
	}
	return nil
}

// value takes a message that arrived as a value (see Master.Receive)
// instead of bytes: it is checked against the protocol (Validate), then
// as read checks a decoded one.
func (m *Master) value(v *vehicle, t vda5050.Topic, topic string, x any) (message, error) {
	var msg message
	var h vda5050.Header
	var err error
	switch x := x.(type) {
	case *vda5050.State:
		// a sender that shares what did not change with its last state
		// (sim/agv) has that checked once
		msg.state, h, err = x, x.Header, vda5050.ValidateStateAfter(x, v.st)
	case vda5050.State:
		msg.state, h, err = &x, x.Header, vda5050.ValidateState(&x)
	case vda5050.Connection:
		msg.conn, h, err = &x, x.Header, x.Validate()
	case vda5050.Factsheet:
		msg.fact, h, err = &x, x.Header, x.Validate()
	case vda5050.Visualization:
		msg.vis, h, err = &x, x.Header, x.Validate()
	default:
		return message{}, &RefusedError{Vehicle: v.id, Reason: RefusedInvalid, Err: fmt.Errorf("a %T is no vehicle message", x)}
	}
	if match := t == vda5050.TopicState && msg.state != nil || t == vda5050.TopicConnection && msg.conn != nil ||
		t == vda5050.TopicFactsheet && msg.fact != nil || t == vda5050.TopicVisualization && msg.vis != nil; !match {
		return message{}, &RefusedError{Vehicle: v.id, Reason: RefusedTopic, Err: fmt.Errorf("a %T on topic %q", x, topic)}
	}
	if err != nil {
		return message{}, &RefusedError{Vehicle: v.id, Reason: RefusedInvalid, Err: err}
	}
	return msg, m.admit(v, msg, h)
}

// size refuses a message too large to parse.
func size(v *vehicle, payload []byte) error {
	if len(payload) > MaxPayload {
		return refuse(v, RefusedLimits, "%d bytes, at most %d", len(payload), MaxPayload)
	}
	return nil
}

// within is bounded without building paths: false if bounded may refuse
// val, which then says why. A state, which comes with every vehicle
// event, is checked by hand (withinState); within is what that is tested
// against.
func within(val reflect.Value) bool {
	switch val.Kind() {
	case reflect.String:
		s := val.String()
		if len(s) > MaxText {
			return false
		}
		for _, r := range s {
			if (r < 0x20 || r == 0x7f) && r != '\t' && r != '\n' && r != '\r' || r >= 0x80 && (unicode.IsControl(r) || r == utf8.RuneError) {
				return false
			}
		}
	case reflect.Pointer, reflect.Interface:
		return val.IsNil() || within(val.Elem())
	case reflect.Slice:
		if val.Len() > MaxEntries {
			return false
		}
		for i := range val.Len() {
			if !within(val.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		if val.Len() > MaxEntries {
			return false
		}
		iter := val.MapRange()
		for iter.Next() {
			if !within(iter.Value()) {
				return false
			}
		}
	case reflect.Struct:
		for i := range val.NumField() {
			if !within(val.Field(i)) {
				return false
			}
		}
	}
	return true
}

// bounded refuses a decoded message with an array of more than MaxEntries
// entries, or a string longer than MaxText or with a control character
// (tab and line breaks aside) anywhere: ids and texts are shown to people
// and written to logs as they are.
func bounded(v *vehicle, val reflect.Value, path string) error {
	switch val.Kind() {
	case reflect.String:
		s := val.String()
		if len(s) > MaxText {
			return refuse(v, RefusedLimits, "%s: %d bytes of text, at most %d", path, len(s), MaxText)
		}
		for i, r := range s {
			if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || r == utf8.RuneError {
				return refuse(v, RefusedLimits, "%s: control or invalid character %U at byte %d", path, r, i)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !val.IsNil() {
			return bounded(v, val.Elem(), path)
		}
	case reflect.Slice:
		if val.Len() > MaxEntries {
			return refuse(v, RefusedLimits, "%s: %d entries, at most %d", path, val.Len(), MaxEntries)
		}
		for i := range val.Len() {
			if err := bounded(v, val.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if val.Len() > MaxEntries {
			return refuse(v, RefusedLimits, "%s: %d entries, at most %d", path, val.Len(), MaxEntries)
		}
		iter := val.MapRange()
		for iter.Next() {
			if err := bounded(v, iter.Value(), path+"."+fmt.Sprint(iter.Key())); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := val.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			p := t.Field(i).Name
			if path != "" {
				p = path + "." + p
			}
			if err := bounded(v, val.Field(i), p); err != nil {
				return err
			}
		}
	}
	return nil
}

// offNode reports a position too far from the node a state names as the
// last one passed: one of the two is wrong, and neither is believed. For
// a vehicle in the fleet this is a position fault (out of dispatch, for
// the operator to look at), not a silent move; a vehicle joining is
// placed by its position instead (see place).
func (m *Master) offNode(v *vehicle, st *vda5050.State) error {
	g, p := m.cfg.Graph, st.AgvPosition
	n, ok := g.Node(st.LastNodeID)
	if !ok || p == nil || !p.PositionInitialized {
		return nil
	}
	at := g.Nodes[n].XY
	if d := math.Hypot(p.X-at[0], p.Y-at[1]); d > m.reach(n) {
		return refuse(v, RefusedPosition, "agvPosition (%.1f, %.1f) is %.0f m from its lastNodeId %s, where at most %.0f m (the longest lane segment there and the allowed deviation) is possible",
			p.X, p.Y, d, st.LastNodeID, m.reach(n))
	}
	return nil
}

// foreignOrder reports a vehicle in the fleet driving an order fleetd did
// not send (its ids are <serial>-<epoch>-<n>, see orders.go): someone else
// commands it. An old order it merely still names while it stands (from
// before fleetd started afresh) is not one; at joining, a vehicle that
// drives another's order is stopped (see join).
func (m *Master) foreignOrder(v *vehicle, st *vda5050.State) bool {
	if !v.joined || st.OrderID == "" || (!st.Driving && len(st.NodeStates) == 0 && len(st.EdgeStates) == 0) {
		return false
	}
	if v.ord != nil && st.OrderID == v.ord.id {
		return false
	}
	return m.epoch == "" || !strings.HasPrefix(st.OrderID, v.id+"-"+m.epoch+"-")
}

// reach is how far from node n a vehicle that last passed it may be: the
// longest edge into or out of it, plus the allowed deviation and the
// placing tolerance, plus nodeSlack.
func (m *Master) reach(n int) float64 {
	if m.reaches == nil {
		g := m.cfg.Graph
		m.reaches = make([]float64, len(g.Nodes))
		for _, e := range g.Edges {
			m.reaches[e.From] = max(m.reaches[e.From], e.Length)
			m.reaches[e.To] = max(m.reaches[e.To], e.Length)
		}
	}
	return m.reaches[n] + m.cfg.Deviation + m.cfg.PlaceWithin + nodeSlack
}

// nodeSlack is what a position may be off beyond the geometry: odometry
// between two localisation fixes.
const nodeSlack = 10.0 // metres
