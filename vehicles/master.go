package vehicles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Config is what a Master needs. Zero fields take the defaults noted.
type Config struct {
	// Graph is the lane graph the vehicles drive on. Required.
	Graph *routing.Graph
	// Roster lists the vehicles the fleet may drive. Required (it may be
	// empty when AutoAdmit is on).
	Roster *Roster
	// Interface is the first level of the topics; default "uagv".
	Interface string
	// AutoAdmit puts a vehicle that is not on the roster on it when it
	// first reports; off, it is reported and left alone.
	AutoAdmit bool
	// MaxVehicles caps the roster that auto-admission fills: a vehicle
	// not on the roster that reports when it holds this many is refused
	// (ErrRosterFull, reason RefusedFull) before anything is journaled.
	// Default (0): the site's parking spots; negative: no cap. Entries
	// put on the roster otherwise (configuration, the API) are not capped.
	MaxVehicles int
	// ResendAfter: an order or cancel that no state confirms is sent again
	// after this long; default 5 s.
	ResendAfter time.Duration
	// FactsheetEvery: a factsheetRequest that no factsheet answers is sent
	// again after this long, maxInstantTries times in all; default 30 s.
	// Like ResendAfter it is on the core's clock, so a daemon whose clock
	// runs faster than real time scales it too.
	FactsheetEvery time.Duration
	// Deviation is the allowedDeviationXY of order nodes, in metres;
	// default 0.5.
	Deviation float64
	// PlaceWithin is how far from a node a vehicle may report its position
	// to be placed there on joining; default 2 m.
	PlaceWithin float64
	// MaxClockSkew is how far a state's or visualization's header
	// timestamp may be from the wall clock when it arrives (Check); default
	// 5 minutes, negative: not checked. Connection and factsheet messages
	// are not checked: a last will carries the time of the connect, and a
	// retained factsheet the time it was made.
	MaxClockSkew time.Duration
	// ValuesOnly leaves Outgoing.Payload empty (Msg carries the message)
	// unless the vehicle's factsheet limits the message length, which
	// takes the bytes to check: for an in-process link that hands values
	// over (a simulation on a virtual clock), where encoding every order
	// would be wasted. Every other check is made as before.
	ValuesOnly bool
	// UpdateWithin holds back an order update that extends a vehicle's
	// base while the vehicle has more than UpdateWithin nodes of the base
	// it was sent ahead of the last node it reported: the update goes out
	// with the state that reports it nearer, carrying every grant made
	// meanwhile, so that a vehicle granted a node at a time gets a few at
	// once (VDA 5050 lets an update release any part of the lane). 0 (the
	// default) sends each update at once. Where messages take no time (a
	// simulation on a virtual clock) 1 is enough for a vehicle never to
	// stop for want of a base; over a real link it must cover what a
	// vehicle drives while a state and an update travel.
	UpdateWithin int
	// Log gets what a person should know (unknown vehicles, rejections);
	// nil discards.
	Log *slog.Logger
}

// Validate says what is wrong with a config.
func (c Config) Validate() error {
	if c.Graph == nil {
		return errors.New("vehicles: config has no lane graph")
	}
	if c.Roster == nil {
		return errors.New("vehicles: config has no roster")
	}
	if c.ResendAfter < 0 || c.FactsheetEvery < 0 || c.Deviation < 0 || c.PlaceWithin < 0 || c.UpdateWithin < 0 {
		return errors.New("vehicles: negative ResendAfter, FactsheetEvery, Deviation, PlaceWithin or UpdateWithin")
	}
	if c.Interface != "" && strings.ContainsAny(c.Interface, "/+#$") {
		return fmt.Errorf("vehicles: interface name %q may not contain / + # or $", c.Interface)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Interface == "" {
		c.Interface = vda5050.DefaultInterface
	}
	if c.ResendAfter == 0 {
		c.ResendAfter = 5 * time.Second
	}
	if c.FactsheetEvery == 0 {
		c.FactsheetEvery = DefaultFactsheetEvery
	}
	if c.Deviation == 0 {
		c.Deviation = 0.5
	}
	if c.PlaceWithin == 0 {
		c.PlaceWithin = 2
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = DefaultMaxClockSkew
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// DefaultMaxClockSkew is Config.MaxClockSkew's default: far above what a
// vehicle with a synchronised clock and a broker in between show, far below
// a clock that is wrong or a message replayed from another day.
const DefaultMaxClockSkew = 5 * time.Minute

// Outgoing is a message to publish.
type Outgoing struct {
	Topic    string // the full MQTT topic
	Kind     vda5050.Topic
	Vehicle  string // the shuttle id
	QoS      byte
	Retained bool
	Payload  []byte // JSON
	// Msg is the message Payload encodes (a *vda5050.Order or
	// *vda5050.InstantActions), for an in-process link that hands it
	// over as a value; it must not be changed.
	Msg any
}

// Master is the fleet's side of the VDA 5050 conversation with every
// vehicle. It is deterministic and not safe for concurrent use: one
// goroutine owns it (with the Controller).
type Master struct {
	cfg      Config
	hdr      vda5050.Headers
	byID     map[string]*vehicle
	ids      []string   // sorted
	vs       []*vehicle // by ids, as ids
	unknown  map[string]time.Time
	evs      []fleet.Event
	out      []Outgoing
	now      time.Time
	epoch    string             // in order ids: the time of the first order, base 36
	box      *[4]float64        // the lane graph's extent, see extent
	reaches  []float64          // by node, see reach
	ignoredN int64              // keys ignored, see IgnoredKeys
	topics   map[string]topicOf // topics of roster vehicles, parsed

	refusedFull  map[string]struct{} // vehicles refused for a full roster, logged (see admissible)
	joinsRefused atomic.Int64        // see JoinsRefused
}

// topicOf is a parsed topic (vda5050.ParseTopic) of a roster vehicle.
type topicOf struct {
	iface, manufacturer, serial string
	t                           vda5050.Topic
}

// New makes a Master.
func New(cfg Config) (*Master, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Master{cfg: cfg.withDefaults(), byID: map[string]*vehicle{}, unknown: map[string]time.Time{}}
	for _, e := range cfg.Roster.Entries() {
		m.addVehicle(e)
	}
	return m, nil
}

func (m *Master) addVehicle(e Entry) *vehicle {
	v := newVehicle(e)
	m.byID[v.id] = v
	m.ids = append(m.ids, v.id)
	sort.Strings(m.ids)
	m.vs = m.vs[:0]
	for _, id := range m.ids {
		m.vs = append(m.vs, m.byID[id])
	}
	return v
}

// Admit puts a vehicle on the roster while running (from the API).
func (m *Master) Admit(e Entry) error {
	if err := m.cfg.Roster.Add(e); err != nil {
		return err
	}
	m.addVehicle(e)
	delete(m.unknown, e.Manufacturer+"/"+e.SerialNumber)
	return nil
}

// Added puts a vehicle on the roster on an operator's word and asks it
// for its state and factsheet, so that it joins the fleet with its next
// state rather than whenever it would next report.
func (m *Master) Added(now time.Time, e Entry) ([]Outgoing, error) {
	m.begin(now)
	if err := m.Admit(e); err != nil {
		return nil, err
	}
	v := m.byID[e.ID()]
	v.factAsked = now
	m.instant(v, vda5050.Action{ActionType: vda5050.ActionStateRequest, ActionID: v.nextID("state"), BlockingType: vda5050.BlockingNone},
		vda5050.Action{ActionType: vda5050.ActionFactsheetRequest, ActionID: v.nextID("factsheet"), BlockingType: vda5050.BlockingNone})
	_, out, _ := m.end()
	return out, nil
}

// Subscription is a topic filter to subscribe to, with its QoS.
type Subscription struct {
	Filter string
	QoS    byte
}

// Subscriptions are the topic filters the fleet listens to: state,
// connection (QoS 1, as the spec has it), factsheet and visualization of
// every vehicle.
func (m *Master) Subscriptions() []Subscription {
	var out []Subscription
	for _, t := range []vda5050.Topic{vda5050.TopicState, vda5050.TopicConnection, vda5050.TopicFactsheet, vda5050.TopicVisualization} {
		s := Subscription{Filter: vda5050.Subscription(m.cfg.Interface, t)}
		if t == vda5050.TopicConnection {
			s.QoS = 1
		}
		out = append(out, s)
	}
	return out
}

// ErrUnknownVehicle: a message came from a vehicle not on the roster.
var ErrUnknownVehicle = errors.New("vehicles: vehicle not on the roster")

// Incoming takes a message that arrived at now on topic. It returns the
// Controller events it means, in order, and the messages to publish. A
// message that cannot be understood is an error that names what is wrong
// and changes nothing.
func (m *Master) Incoming(now time.Time, topic string, payload []byte) ([]fleet.Event, []Outgoing, error) {
	return m.incoming(now, topic, func(v *vehicle, t vda5050.Topic) (message, error) { return m.read(v, t, topic, payload) })
}

// Receive is Incoming for a message that arrives as a value rather than
// bytes: a vda5050.State, Connection, Factsheet or Visualization, as an
// in-process link to simulated vehicles hands them over (on a virtual
// clock, a JSON round trip per state would be most of a simulated day).
// A state may come as a *vda5050.State, which is not copied: the Master
// keeps it as the vehicle's last, and the sender must not change it; the
// lists it shares with the last state believed (the same elements in
// memory, as sim/agv shares what did not change) were checked with that
// state and are not checked again (vda5050.ValidateStateAfter).
// The message goes the same way as one that arrived as bytes, decoding
// aside: it is validated against the protocol, its identity, limits,
// order and position checked, and believed or refused the same.
func (m *Master) Receive(now time.Time, topic string, msg any) ([]fleet.Event, []Outgoing, error) {
	return m.incoming(now, topic, func(v *vehicle, t vda5050.Topic) (message, error) { return m.value(v, t, topic, msg) })
}

// IncomingChecked is Incoming for a message that CheckMessage decoded and
// checked: what read checks of a message without the vehicle's state
// (the protocol, identity, limits, map and site) is not checked again;
// the rest (the order of headerIds, the position against its node, the
// vehicle's own record) is, as for Incoming.
func (m *Master) IncomingChecked(now time.Time, c *Checked) ([]fleet.Event, []Outgoing, error) {
	return m.incoming(now, c.topic, func(*vehicle, vda5050.Topic) (message, error) { return c.msg, nil })
}

func (m *Master) incoming(now time.Time, topic string, read func(*vehicle, vda5050.Topic) (message, error)) ([]fleet.Event, []Outgoing, error) {
	m.begin(now)
	p, known := m.topics[topic]
	if !known {
		var err error
		if p.iface, p.manufacturer, p.serial, p.t, err = vda5050.ParseTopic(topic); err != nil {
			return nil, nil, err
		}
	}
	if p.iface != m.cfg.Interface {
		return nil, nil, fmt.Errorf("vehicles: topic %q: interface %q is not ours (%q)", topic, p.iface, m.cfg.Interface)
	}
	v, err := m.vehicleFor(now, p.manufacturer, p.serial)
	if err != nil {
		return nil, nil, err
	}
	if !known && len(m.topics) < 8*len(m.byID)+64 {
		// a topic of a vehicle on the roster comes again and again: it is
		// parsed once
		if m.topics == nil {
			m.topics = map[string]topicOf{}
		}
		m.topics[topic] = p
	}
	t := p.t
	msg, err := read(v, t)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case msg.state != nil:
		st := msg.state // the Master keeps it as the vehicle's last state
		reset, err := sequence(v, st.Header)
		if err != nil {
			return nil, nil, err
		}
		if err := m.offNode(v, st); err != nil && v.joined {
			v.reasons[reasonPosition] = err.(*RefusedError).Err.Error()
			m.settle(v)
			evs, out, _ := m.end()
			return evs, out, err
		}
		if reset {
			m.cfg.Log.Info("vehicle counts headerId from the start again (a new session)", "shuttle", v.id, "headerId", st.HeaderID, "was", v.lastHeader)
		}
		v.headerSeen, v.lastHeader, v.linkChanged = true, st.HeaderID, false
		m.ignoredKeys(v, t, msg.ignored)
		m.state(v, st)
	case msg.conn != nil:
		m.ignoredKeys(v, t, msg.ignored)
		v.linkChanged = true
		m.connection(v, *msg.conn)
	case msg.fact != nil:
		m.ignoredKeys(v, t, msg.ignored)
		v.factsheet = msg.fact
		m.checkFactsheet(v)
	case msg.vis != nil:
		if p := msg.vis.AgvPosition; p != nil {
			v.pos = p
		}
	}
	return m.end()
}

// ignoredKeys logs, once per vehicle, topic and key, the keys of a
// message that fleetd does not know and ignored (vendor extensions, keys
// of another version of the spec), and counts every one.
func (m *Master) ignoredKeys(v *vehicle, t vda5050.Topic, keys []string) {
	for _, k := range keys {
		k = string(t) + ":" + k
		if v.ignored[k] == 0 && len(v.ignored) < maxIgnoredKeys {
			m.cfg.Log.Info("vehicle sends a key fleetd does not know; ignored", "shuttle", v.id, "key", k)
		}
		if v.ignored[k] > 0 || len(v.ignored) < maxIgnoredKeys {
			v.ignored[k]++
		}
		m.ignoredN++
	}
}

// maxIgnoredKeys is how many distinct ignored keys are remembered per
// vehicle (and logged); more are counted only.
const maxIgnoredKeys = 64

// IgnoredKeys counts the keys of vehicle messages fleetd did not know and
// ignored, since start.
func (m *Master) IgnoredKeys() int64 { return m.ignoredN }

func (m *Master) vehicleFor(now time.Time, manufacturer, serial string) (*vehicle, error) {
	if e, ok := m.cfg.Roster.Lookup(manufacturer, serial); ok {
		return m.byID[e.ID()], nil
	}
	key := manufacturer + "/" + serial
	if m.cfg.AutoAdmit {
		if err := m.Admit(Entry{Manufacturer: manufacturer, SerialNumber: serial}); err != nil {
			return nil, err
		}
		m.cfg.Log.Info("vehicle admitted", "manufacturer", manufacturer, "serial", serial)
		return m.byID[serial], nil
	}
	if _, seen := m.unknown[key]; !seen && len(m.unknown) >= maxUnknown {
		return nil, fmt.Errorf("%w: %s", ErrUnknownVehicle, key)
	}
	if _, seen := m.unknown[key]; !seen {
		m.cfg.Log.Warn("a vehicle not on the roster reports; left alone (add it to the roster, or turn auto-admit on)",
			"manufacturer", manufacturer, "serial", serial)
	}
	m.unknown[key] = now
	return nil, fmt.Errorf("%w: %s", ErrUnknownVehicle, key)
}

// maxUnknown is how many unknown vehicles are remembered.
const maxUnknown = 1000

// Unknown lists vehicles that reported without being on the roster
// ("manufacturer/serial"), with when they were last heard.
func (m *Master) Unknown() map[string]time.Time {
	out := make(map[string]time.Time, len(m.unknown))
	for k, t := range m.unknown {
		out[k] = t
	}
	return out
}

// Commands turns the Controller's commands into messages.
func (m *Master) Commands(now time.Time, cmds []fleet.Command) []Outgoing {
	m.begin(now)
	for _, c := range cmds {
		v, ok := m.byID[c.Shuttle]
		if !ok || !v.joined {
			m.cfg.Log.Error("a command for a vehicle that is not in the fleet", "shuttle", c.Shuttle, "kind", c.Kind)
			continue
		}
		v.joinFails = 0 // the Controller drives it: its join went through
		switch c.Kind {
		case fleet.CmdDrive:
			m.drive(v, c)
		case fleet.CmdCancel:
			m.cancel(v)
		case fleet.CmdPause:
			m.pause(v, true)
		case fleet.CmdResume:
			m.pause(v, false)
		case fleet.CmdStopCharging:
			if v.charge != nil && !v.charge.stopSent {
				m.stopCharging(v)
			}
		}
	}
	_, out, _ := m.end()
	return out
}

// Tick does what time alone brings: resends, and orders waiting for a
// vehicle to settle. (Whether a vehicle has gone silent is a matter of
// real time on the wire: the daemon watches it and calls Silent.)
func (m *Master) Tick(now time.Time) ([]fleet.Event, []Outgoing) {
	m.begin(now)
	for _, v := range m.vs {
		if v.online() {
			m.sendDue(v)
			m.resend(v)
			m.pauseAgain(v)
			if v.factsheet == nil && v.factAsks < maxInstantTries && now.Sub(v.factAsked) > m.cfg.FactsheetEvery {
				m.requestFactsheet(v)
				if v.factAsks == maxInstantTries {
					m.cfg.Log.Warn("vehicle does not answer factsheetRequest; not asked again until it reconnects", "shuttle", v.id, "tries", v.factAsks)
				}
			}
		}
		if !v.joined && v.st != nil && now.After(v.joinRetry) {
			m.join(v)
		}
		m.settle(v)
		m.flush(v)
	}
	evs, out, _ := m.end()
	return evs, out
}

// NextTick is the earliest time at which Tick would do something that
// no message brings sooner: an order update held back by the vehicle's
// minOrderInterval, a resend of an order, cancel, pause or resume no
// state confirmed, a factsheet asked for again, a join tried again. It is
// zero when there is none, and may be no later than the last call's time
// when what is due waits for a message. (A daemon ticks every second anyway; a
// simulation on a virtual clock ticks at NextTick, as raft's Ready says
// when to call again.)
func (m *Master) NextTick() time.Time {
	var next time.Time
	at := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, v := range m.vs {
		if !v.joined && v.st != nil {
			at(v.joinRetry.Add(time.Nanosecond))
		}
		if !v.online() {
			continue
		}
		if o := v.ord; o != nil {
			if o.due && !m.ahead(v) {
				if o.confirmed < int(o.update) {
					at(maxTime(o.sentAt.Add(m.cfg.ResendAfter), m.orderFree(v))) // or with the state that confirms the last
				} else {
					at(m.orderFree(v))
				}
			}
			if v.cancel == "" && !v.needNew && o.confirmed < int(o.update) {
				at(maxTime(o.sentAt.Add(m.cfg.ResendAfter), m.orderFree(v)))
			}
		}
		if v.needNew {
			if f := m.orderFree(v); f.After(m.now) {
				at(f) // a new order held back; one that waits for the vehicle to settle goes with its state
			}
		}
		if v.cancel != "" {
			at(v.cancelT.Add(m.cfg.ResendAfter))
		}
		if v.pauseAct != nil {
			at(v.pauseAt.Add(m.cfg.ResendAfter))
		}
		if c := v.charge; c != nil && c.stopSent {
			at(c.stopAt.Add(m.cfg.ResendAfter))
		}
		if v.factsheet == nil && v.factAsks < maxInstantTries {
			at(v.factAsked.Add(m.cfg.FactsheetEvery + time.Nanosecond))
		}
	}
	return next
}

// orderFree is when the vehicle's minOrderInterval lets the next order go.
func (m *Master) orderFree(v *vehicle) time.Time {
	if v.factsheet == nil || v.orderAt.IsZero() {
		return m.now
	}
	return v.orderAt.Add(time.Duration(v.factsheet.ProtocolLimits.Timing.MinOrderInterval * float64(time.Second)))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Silent takes a vehicle that has sent nothing for too long out of
// dispatch, until its next state. silence says for how long, for people.
func (m *Master) Silent(now time.Time, manufacturer, serial string, silence time.Duration) []fleet.Event {
	m.begin(now)
	if e, ok := m.cfg.Roster.Lookup(manufacturer, serial); ok {
		v := m.byID[e.ID()]
		v.reasons[reasonStale] = fmt.Sprintf("no state for %s", silence.Round(time.Second))
		m.settle(v)
	}
	evs, _, _ := m.end()
	return evs
}

// Resumed is called when a fleet takes over (after a restart or a
// failover): it asks every vehicle it knows for its state.
func (m *Master) Resumed(now time.Time) []Outgoing {
	m.begin(now)
	for _, id := range m.ids {
		if v := m.byID[id]; v.conn != "" {
			m.instant(v, vda5050.Action{ActionType: vda5050.ActionStateRequest, ActionID: v.nextID("state"), BlockingType: vda5050.BlockingNone})
		}
	}
	_, out, _ := m.end()
	return out
}

// JoinFailed tells the Master that the Controller refused a vehicle's
// ShuttleJoined; it tries again later.
//
// It tries again after 10 s, or, refused because the site is full
// (fleet.ErrSiteFull), after a wait that doubles with each refusal in a
// row up to 10 minutes. The first refusal of a row is logged as a
// warning, the others at debug level; all are counted (JoinsRefused).
func (m *Master) JoinFailed(id string, err error) {
	if v, ok := m.byID[id]; ok {
		v.joined = false
		v.joinFails++
		wait := joinBackoff(v.joinFails, err)
		v.joinRetry = m.now.Add(wait)
		m.joinsRefused.Add(1)
		level := slog.LevelDebug
		if v.joinFails == 1 {
			level = slog.LevelWarn
		}
		m.cfg.Log.Log(context.Background(), level, "vehicle could not join the fleet; trying again later", "shuttle", id, "in", wait, "refusals", v.joinFails, "err", err)
	}
}

func (m *Master) begin(now time.Time) {
	m.now = now
	m.evs, m.out = m.evs[:0], m.out[:0]
}

func (m *Master) end() ([]fleet.Event, []Outgoing, error) {
	evs := append([]fleet.Event(nil), m.evs...)
	out := append([]Outgoing(nil), m.out...)
	return evs, out, nil
}

func (m *Master) emit(ev fleet.Event) { m.evs = append(m.evs, ev) }

// validator is every message type of package vda5050.
type validator interface{ Validate() error }

// publish stamps, checks and queues a message to a vehicle. A message that
// does not validate is a bug here: it is logged and not sent.
func (m *Master) publish(v *vehicle, t vda5050.Topic, hdr *vda5050.Header, msg validator) {
	m.hdr.Stamp(hdr, v.e.Manufacturer, v.e.SerialNumber, t, m.now)
	if err := msg.Validate(); err != nil {
		m.cfg.Log.Error("not sending an invalid message", "shuttle", v.id, "topic", t, "err", err)
		return
	}
	var b []byte
	if !m.cfg.ValuesOnly || (v.factsheet != nil && v.factsheet.ProtocolLimits.MaxStringLens.MsgLen > 0) {
		var err error
		if b, err = json.Marshal(msg); err != nil {
			m.cfg.Log.Error("not sending a message that does not encode", "shuttle", v.id, "topic", t, "err", err)
			return
		}
	}
	topic := vda5050.TopicName(m.cfg.Interface, v.e.Manufacturer, v.e.SerialNumber, t)
	if err := fits(v.factsheet, topic, len(b), msg); err != nil {
		// it would refuse it, or worse, misread it: an operator must see
		// to the vehicle type, the site or the roster (see fit.go)
		if v.reasons[reasonFit] == "" {
			m.cfg.Log.Error("not sending what the vehicle's factsheet says it cannot take; out of dispatch", "shuttle", v.id, "topic", t, "err", err)
		}
		// (the next Tick or state tells the Controller: publish also runs
		// within Commands, which returns no events)
		v.reasons[reasonFit] = fmt.Sprintf("cannot send it this %s: %v", t, err)
		return
	}
	m.out = append(m.out, Outgoing{Topic: topic, Kind: t, Vehicle: v.id, Payload: b, Msg: msg})
}

// instant sends instant actions; the asks (stateRequest,
// factsheetRequest) only to a vehicle whose factsheet does not leave them
// out.
func (m *Master) instant(v *vehicle, actions ...vda5050.Action) {
	if v.factsheet != nil {
		actions = slices.DeleteFunc(slices.Clone(actions), func(a vda5050.Action) bool {
			return asks[a.ActionType] && !supports(v.factsheet, a.ActionType, vda5050.ScopeInstant)
		})
		if len(actions) == 0 {
			return
		}
	}
	msg := &vda5050.InstantActions{Actions: actions}
	m.publish(v, vda5050.TopicInstantActions, &msg.Header, msg)
}

func (m *Master) requestFactsheet(v *vehicle) {
	v.factAsked = m.now
	v.factAsks++
	m.instant(v, vda5050.Action{ActionType: vda5050.ActionFactsheetRequest, ActionID: v.nextID("factsheet"), BlockingType: vda5050.BlockingNone})
}

// maxInstantTries is how often an instant action that the vehicle does not
// answer is sent (every ResendAfter for pause and resume, every
// FactsheetEvery for factsheetRequest): it may have arrived before the
// vehicle subscribed.
const maxInstantTries = 4

// DefaultFactsheetEvery is Config.FactsheetEvery's default.
const DefaultFactsheetEvery = 30 * time.Second

// pause sends startPause (or stopPause) and keeps track of it until the
// vehicle's state shows it paused (or not), its action state ends it, or
// maxInstantTries sends went unanswered (then it is for the operator).
func (m *Master) pause(v *vehicle, on bool) {
	kind, what := vda5050.ActionStopPause, "resume"
	if on {
		kind, what = vda5050.ActionStartPause, "pause"
	}
	v.pauseAct = &vda5050.Action{ActionType: kind, ActionID: v.nextID(what), BlockingType: vda5050.BlockingHard}
	v.pauseTries, v.pauseAt = 1, m.now
	v.pauseWanted, v.pausedOK, v.stillWanted = on, false, on
	m.instant(v, *v.pauseAct)
}

// pauseAgain sends a pause or resume that no state answered again, and
// hands the vehicle to the operator after maxInstantTries.
func (m *Master) pauseAgain(v *vehicle) {
	a := v.pauseAct
	if a == nil || m.now.Sub(v.pauseAt) < m.cfg.ResendAfter {
		return
	}
	if v.pauseTries >= maxInstantTries {
		v.reasons[reasonInstant] = fmt.Sprintf("%s %s unanswered after %d tries", a.ActionType, a.ActionID, v.pauseTries)
		v.pauseAct = nil
		m.settle(v)
		return
	}
	v.pauseTries++
	v.pauseAt = m.now
	m.instant(v, *a)
}

// pauseAnswered ends the pause conversation when a state answers it.
func (m *Master) pauseAnswered(v *vehicle, st *vda5050.State) {
	a := v.pauseAct
	if a == nil {
		return
	}
	want := a.ActionType == vda5050.ActionStartPause
	if st.Paused != nil && *st.Paused == want {
		v.pauseAct, v.pausedOK = nil, want
		return
	}
	for _, as := range st.ActionStates {
		if as.ActionID != a.ActionID {
			continue
		}
		switch as.ActionStatus {
		case vda5050.StatusFinished:
			v.pauseAct, v.pausedOK = nil, want
		case vda5050.StatusFailed:
			v.pauseAct = nil
			v.reasons[reasonInstant] = fmt.Sprintf("%s failed: %s", a.ActionType, as.ResultDescription)
		}
	}
}

// lostPause asks a vehicle the Controller wants paused to pause again:
// a state showed it unpaused, or it lost its order (a restart, manual
// mode). Until it confirms, no order goes to it (ordersHeld), for it would
// drive it, maybe onto lane lent to others while it stood (fleet's
// breakdown.go).
func (m *Master) lostPause(v *vehicle) {
	if !v.pauseWanted {
		return
	}
	m.cfg.Log.Warn("vehicle told to pause is not paused; asking again", "shuttle", v.id)
	m.pause(v, true)
}

// ordersHeld tells whether orders to a vehicle wait: the Controller wants
// it paused and it has not confirmed it is.
func (v *vehicle) ordersHeld() bool { return v.pauseWanted && !v.pausedOK }

// tellStill tells the Controller, once per startPause, that the vehicle
// stands paused on the node the fleet has it at (fleet.PausedAtNode):
// it confirmed the pause, and this very state shows it paused, in
// automatic mode, not driving, with the sequence id of that node and its
// position on it within the allowed deviation. VDA 5050 lets a paused
// vehicle stop between nodes, and a vehicle that reports no position or
// no pause flag may have; then nothing is told, for the Controller lends
// the lane ahead of a paused broken-down shuttle to others only while it
// stands on a node.
func (m *Master) tellStill(v *vehicle, st *vda5050.State) {
	o := v.ord
	if !v.stillWanted || !v.pausedOK || st.Paused == nil || !*st.Paused || st.Driving ||
		(st.OperatingMode != vda5050.ModeAutomatic && st.OperatingMode != vda5050.ModeSemiautomatic) ||
		st.LastNodeID == "" || st.LastNodeID != v.steps[v.at] || (o != nil && st.OrderID == o.id && o.seq0+int(st.LastNodeSequenceID) != v.at) {
		return
	}
	p := st.AgvPosition
	n, ok := m.cfg.Graph.Node(st.LastNodeID)
	if !ok || p == nil || !p.PositionInitialized {
		return
	}
	if at := m.cfg.Graph.Nodes[n].XY; math.Hypot(p.X-at[0], p.Y-at[1]) > m.cfg.Deviation {
		return
	}
	v.stillWanted = false
	m.emit(fleet.PausedAtNode{Shuttle: v.id, Step: v.at})
}

// checkFactsheet warns when a vehicle says it cannot do what the fleet
// asks of it.
func (m *Master) checkFactsheet(v *vehicle) {
	have := map[string]bool{}
	for _, a := range v.factsheet.ProtocolFeatures.AgvActions {
		have[a.ActionType] = true
	}
	for _, need := range []string{vda5050.ActionPick, vda5050.ActionDrop, vda5050.ActionStartCharging, vda5050.ActionStopCharging, vda5050.ActionCancelOrder} {
		if !have[need] {
			m.cfg.Log.Warn("vehicle's factsheet does not list an action the fleet uses", "shuttle", v.id, "action", need)
		}
	}
	for _, w := range paramMismatches(v.e, v.factsheet) {
		m.cfg.Log.Warn("vehicle's factsheet and its roster entry disagree on action parameters", "shuttle", v.id, "problem", w)
	}
}

// paramMismatches compares the action parameters a vehicle's factsheet
// declares for the actions fleetd sends with what fleetd sends it: a
// required one nobody sets, and a configured one it does not declare.
func paramMismatches(e Entry, f *vda5050.Factsheet) []string {
	var out []string
	for _, a := range f.ProtocolFeatures.AgvActions {
		switch a.ActionType {
		case vda5050.ActionPick, vda5050.ActionDrop, vda5050.ActionStartCharging:
		default:
			continue
		}
		declared := map[string]bool{}
		for _, p := range a.ActionParameters {
			declared[p.Key] = true
			if _, set := e.ActionParameters[a.ActionType][p.Key]; !p.IsOptional && !set && !fleetParams[p.Key] {
				out = append(out, fmt.Sprintf("%s needs parameter %q, which nobody sets: add it to the roster entry's actionParameters.%s", a.ActionType, p.Key, a.ActionType))
			}
		}
		if len(a.ActionParameters) == 0 {
			continue // it declares none: it may take any
		}
		for k := range e.ActionParameters[a.ActionType] {
			if !declared[k] {
				out = append(out, fmt.Sprintf("%s: the roster entry sets parameter %q, which the factsheet does not declare", a.ActionType, k))
			}
		}
	}
	sort.Strings(out)
	return out
}

// Vehicle is what the Master knows of one vehicle, for displays.
type Vehicle struct {
	Entry
	ID         string
	Connection string   // last connection state; "" before any
	Joined     bool     // in the fleet
	Reasons    []string // why it is out of dispatch, if it is
	SoC        float64
	LastNode   string
	OrderID    string
	Driving    bool
	X, Y       float64 // last reported position, local frame
	HasPos     bool
	Loads      []string
	StateAt    time.Time
	// Factsheet is what the vehicle's factsheet says, nil before one came.
	Factsheet *FactsheetInfo
	// IgnoredKeys are the keys of its messages fleetd does not know and
	// ignored ("topic:path"), for integrators.
	IgnoredKeys []string
}

// FactsheetInfo is the part of a vehicle's factsheet people ask about.
type FactsheetInfo struct {
	SeriesName       string
	AgvClass         string
	MinOrderInterval float64  // seconds
	MinStateInterval float64  // seconds
	Actions          []string // action types it supports, sorted
	// Warnings are where its action parameters and the roster entry's
	// disagree (see paramMismatches).
	Warnings []string
}

// Vehicles lists every roster vehicle in id order.
func (m *Master) Vehicles() []Vehicle {
	out := make([]Vehicle, 0, len(m.ids))
	for _, id := range m.ids {
		out = append(out, m.info(m.byID[id]))
	}
	return out
}

// IDs are the roster vehicles' ids in order (as Vehicles lists them).
func (m *Master) IDs() []string { return slices.Clone(m.ids) }

// Len is how many vehicles the roster has.
func (m *Master) Len() int { return len(m.ids) }

// Vehicle is what the Master knows of one roster vehicle, by id.
func (m *Master) Vehicle(id string) (Vehicle, bool) {
	v, ok := m.byID[id]
	if !ok {
		return Vehicle{}, false
	}
	return m.info(v), true
}

// VehicleID is the id of the roster vehicle with a manufacturer and
// serial number (as in its topics), if there is one.
func (m *Master) VehicleID(manufacturer, serial string) (string, bool) {
	e, ok := m.cfg.Roster.Lookup(manufacturer, serial)
	if !ok {
		return "", false
	}
	if _, ok := m.byID[e.ID()]; !ok {
		return "", false
	}
	return e.ID(), true
}

// info is what the Master knows of v, copied.
func (m *Master) info(v *vehicle) Vehicle {
	info := Vehicle{Entry: v.e, ID: v.id, Connection: v.conn, Joined: v.joined, SoC: v.soc, Reasons: v.reasonList(), StateAt: v.stateAt}
	if f := v.factsheet; f != nil {
		fi := &FactsheetInfo{SeriesName: f.TypeSpecification.SeriesName, AgvClass: f.TypeSpecification.AgvClass,
			MinOrderInterval: f.ProtocolLimits.Timing.MinOrderInterval, MinStateInterval: f.ProtocolLimits.Timing.MinStateInterval}
		for _, a := range f.ProtocolFeatures.AgvActions {
			fi.Actions = append(fi.Actions, a.ActionType)
		}
		sort.Strings(fi.Actions)
		fi.Warnings = paramMismatches(v.e, f)
		info.Factsheet = fi
	}
	for k := range v.ignored {
		info.IgnoredKeys = append(info.IgnoredKeys, k)
	}
	sort.Strings(info.IgnoredKeys)
	if v.st != nil {
		info.LastNode, info.OrderID, info.Driving = v.st.LastNodeID, v.st.OrderID, v.st.Driving
		for _, l := range v.st.Loads {
			info.Loads = append(info.Loads, l.LoadID)
		}
	}
	if v.pos != nil {
		info.X, info.Y, info.HasPos = v.pos.X, v.pos.Y, true
	}
	return info
}
