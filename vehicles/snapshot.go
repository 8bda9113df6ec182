package vehicles

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// This file exports and restores the Master's state, for a snapshot of
// the core: Restore of what Snapshot returned gives a Master that answers
// every later message, tick and command exactly as the original would
// (the same orders, ids, header ids and events). VDA 5050 messages kept
// (the last state, the factsheet, the order's nodes and edges) are
// stored in VDA 5050's own JSON; the rest in this file's types. The
// lane graph's extent and reaches and the parsed topics are worked out
// again.

// Snapshot is the Master's state.
type Snapshot struct {
	Now     time.Time             `json:"now"`
	Epoch   string                `json:"epoch,omitempty"`
	Ignored int64                 `json:"ignored,omitempty"`
	Unknown map[string]time.Time  `json:"unknown"`
	Headers []vda5050.HeaderCount `json:"headers"`
	Roster  []Entry               `json:"roster"` // in the order added
	Vehicle []VehicleSnapshot     `json:"vehicles"`
}

// VehicleSnapshot is the Master's record of one vehicle.
type VehicleSnapshot struct {
	ID        string               `json:"id"`
	Conn      string               `json:"conn,omitempty"`
	State     *vda5050.State       `json:"state,omitempty"`
	StateAt   time.Time            `json:"stateAt"`
	Pos       *vda5050.AgvPosition `json:"pos,omitempty"`
	Factsheet *vda5050.Factsheet   `json:"factsheet,omitempty"`
	FactAsked time.Time            `json:"factAsked"`
	SoC       float64              `json:"soc"`
	SoCTold   float64              `json:"socTold,omitempty"`
	Joined    bool                 `json:"joined,omitempty"`
	JoinRetry time.Time            `json:"joinRetry"`
	JoinFails int                  `json:"joinFails,omitempty"`
	Reasons   map[string]string    `json:"reasons"`
	Faulted   bool                 `json:"faulted,omitempty"`
	Seq       int                  `json:"seq"`
	Steps     map[int]string       `json:"steps"`
	At        int                  `json:"at"`
	Granted   int                  `json:"granted"`
	Act       *PendingAction       `json:"act,omitempty"`
	Order     *OrderSnapshot       `json:"order,omitempty"`
	Orders    int                  `json:"orders"`
	NeedNew   bool                 `json:"needNew,omitempty"`
	Cancel    string               `json:"cancel,omitempty"`
	CancelT   time.Time            `json:"cancelAt"`
	Cancels   int                  `json:"cancels,omitempty"`
	OrderAt   time.Time            `json:"orderAt"`
	PauseAct  *vda5050.Action      `json:"pauseAct,omitempty"`
	// PauseWanted, PausedOK, StillWanted: see vehicle (the pause the
	// Controller wants, whether the vehicle confirmed it, whether the
	// Controller still waits to hear it stands paused on its node)
	PauseWanted bool                  `json:"pauseWanted,omitempty"`
	PausedOK    bool                  `json:"pausedOK,omitempty"`
	StillWanted bool                  `json:"stillWanted,omitempty"`
	PauseAt     time.Time             `json:"pauseAt"`
	PauseTries  int                   `json:"pauseTries,omitempty"`
	FactAsks    int                   `json:"factAsks,omitempty"`
	Actions     map[string]SentAction `json:"actions"`
	Charge      *ChargeSnapshot       `json:"charge,omitempty"`
	Resyncs     int                   `json:"resyncs,omitempty"`
	Carries     []string              `json:"carries"`
	LoadsOff    int                   `json:"loadsOff,omitempty"`
	HeaderSeen  bool                  `json:"headerSeen,omitempty"`
	LastHeader  uint32                `json:"lastHeader"`
	LinkChange  bool                  `json:"linkChanged,omitempty"`
	// InstantSeen: it reports the states of instant actions
	InstantSeen bool           `json:"instantSeen,omitempty"`
	IgnoredBy   map[string]int `json:"ignored"`
}

// PendingAction is a node action the Controller asked for.
type PendingAction struct {
	Step      int     `json:"step"`
	Kind      string  `json:"kind"`
	Container string  `json:"container,omitempty"`
	Target    float64 `json:"target,omitempty"`
}

// SentAction is a node action in an order.
type SentAction struct {
	Kind    string        `json:"kind"`
	Pending PendingAction `json:"pending"`
	// Off, Redo: called off and kept until the vehicle reports it; to be
	// sent again unless it finished
	Off  bool `json:"off,omitempty"`
	Redo bool `json:"redo,omitempty"`
}

// ChargeSnapshot follows one charging session.
type ChargeSnapshot struct {
	Target   float64   `json:"target"`
	Started  bool      `json:"started,omitempty"`
	StopSent bool      `json:"stopSent,omitempty"`
	StopAt   time.Time `json:"stopAt"`
	StopID   string    `json:"stopId,omitempty"`
}

// OrderSnapshot is the bookkeeping of the order a vehicle drives.
type OrderSnapshot struct {
	ID        string         `json:"id"`
	Seq0      int            `json:"seq0"`
	Nodes     []vda5050.Node `json:"nodes"` // from node Off on
	Edges     []vda5050.Edge `json:"edges"`
	Off       int            `json:"off,omitempty"` // nodes and edges dropped before Nodes[0] (trim)
	Update    uint32         `json:"update"`
	Decision  map[uint32]int `json:"decision"` // orderUpdateId -> the index of its last base node
	Confirmed int            `json:"confirmed"`
	SentAt    time.Time      `json:"sentAt"`
	Resynced  bool           `json:"resynced,omitempty"`
	Due       bool           `json:"due,omitempty"`
	DueFrom   int            `json:"dueFrom"`
	// Restitched, RejectSeen: updates it rejected while driving it, and
	// the send whose rejection was handled last (see restitch)
	Restitched int       `json:"restitched,omitempty"`
	RejectSeen time.Time `json:"rejectSeen"`
	Header     uint32    `json:"header,omitempty"` // the headerId of the last order message sent
}

func pendingSnapshot(p pending) PendingAction {
	return PendingAction{Step: p.step, Kind: p.kind, Container: p.container, Target: p.target}
}

func (p PendingAction) pending() pending {
	return pending{step: p.Step, kind: p.Kind, container: p.Container, target: p.Target}
}

// Snapshot exports the Master's state. It is taken between calls. It
// copies all but what the Master never changes: the VDA 5050 messages it
// keeps (a vehicle's last state, position, factsheet, pause action: each
// is replaced, never changed) and the nodes and edges of each order
// (which only grow: a new order, and trim, make new lists). So it may be encoded on
// another goroutine while the Master goes on.
func (m *Master) Snapshot() Snapshot {
	s := Snapshot{Now: m.now, Epoch: m.epoch, Ignored: m.ignoredN, Unknown: maps.Clone(m.unknown),
		Headers: m.hdr.Counts(), Roster: m.cfg.Roster.Entries(), Vehicle: make([]VehicleSnapshot, 0, len(m.vs))}
	for _, v := range m.vs {
		s.Vehicle = append(s.Vehicle, v.snapshot())
	}
	return s
}

func (v *vehicle) snapshot() VehicleSnapshot {
	vs := VehicleSnapshot{ID: v.id, Conn: v.conn, State: v.st, StateAt: v.stateAt, Pos: v.pos, Factsheet: v.factsheet,
		FactAsked: v.factAsked, SoC: v.soc, SoCTold: v.socTold, Joined: v.joined, JoinRetry: v.joinRetry, JoinFails: v.joinFails, Reasons: maps.Clone(v.reasons),
		Faulted: v.faulted, Seq: v.seq, Steps: maps.Clone(v.steps), At: v.at, Granted: v.granted, Orders: v.orders,
		NeedNew: v.needNew, Cancel: v.cancel, CancelT: v.cancelT, Cancels: v.cancels, OrderAt: v.orderAt,
		PauseAct: v.pauseAct, PauseAt: v.pauseAt, PauseTries: v.pauseTries, FactAsks: v.factAsks,
		PauseWanted: v.pauseWanted, PausedOK: v.pausedOK, StillWanted: v.stillWanted,
		Actions: map[string]SentAction{}, Resyncs: v.resyncs, Carries: []string{}, LoadsOff: v.loadsOff,
		HeaderSeen: v.headerSeen, LastHeader: v.lastHeader, LinkChange: v.linkChanged, InstantSeen: v.instantSeen, IgnoredBy: maps.Clone(v.ignored)}
	if v.act != nil {
		a := pendingSnapshot(*v.act)
		vs.Act = &a
	}
	if o := v.ord; o != nil {
		// capped: what the Master appends later lies beyond them
		vs.Order = &OrderSnapshot{ID: o.id, Seq0: o.seq0, Nodes: o.nodes[:len(o.nodes):len(o.nodes)],
			Edges: o.edges[:len(o.edges):len(o.edges)], Off: o.off, Update: o.update,
			Decision: make(map[uint32]int, len(o.decision)), Confirmed: o.confirmed, SentAt: o.sentAt, Resynced: o.resynced,
			Due: o.due, DueFrom: o.dueFrom, Restitched: o.restitched, RejectSeen: o.rejectSeen, Header: o.header}
		for u, k := range o.decision {
			vs.Order.Decision[uint32(u)] = k
		}
	}
	for id, a := range v.actions {
		vs.Actions[id] = SentAction{Kind: a.kind, Pending: pendingSnapshot(a.p), Off: a.off, Redo: a.redo}
	}
	if c := v.charge; c != nil {
		vs.Charge = &ChargeSnapshot{Target: c.target, Started: c.started, StopSent: c.stopSent, StopAt: c.stopAt, StopID: c.stopID}
	}
	for load, on := range v.carries {
		if on {
			vs.Carries = append(vs.Carries, load)
		}
	}
	slices.Sort(vs.Carries)
	return vs
}

// Restore makes a Master in the state of a snapshot. cfg is the
// configuration the snapshot's Master was made with; the vehicles
// admitted since (the snapshot's roster beyond cfg.Roster's) are added to
// cfg.Roster.
func Restore(cfg Config, s Snapshot) (*Master, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	// check everything before the roster is touched: a snapshot that does
	// not fit leaves cfg.Roster as it was
	have := m.cfg.Roster.Entries()
	if len(s.Roster) < len(have) {
		return nil, fmt.Errorf("vehicles: restore: the snapshot's roster has %d vehicles, the configured one %d", len(s.Roster), len(have))
	}
	serials := map[string]bool{}
	for i, e := range s.Roster {
		if i < len(have) && (have[i].ID() != e.ID() || have[i].Manufacturer != e.Manufacturer) {
			return nil, fmt.Errorf("vehicles: restore: roster entry %d is %s/%s in the snapshot, %s/%s configured",
				i, e.Manufacturer, e.SerialNumber, have[i].Manufacturer, have[i].SerialNumber)
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("vehicles: restore: %w", err)
		}
		if serials[e.SerialNumber] {
			return nil, fmt.Errorf("vehicles: restore: %w: %s", ErrDuplicate, e.SerialNumber)
		}
		serials[e.SerialNumber] = true
	}
	if len(s.Vehicle) != len(serials) {
		return nil, fmt.Errorf("vehicles: restore: %d vehicles in the snapshot, %d on its roster", len(s.Vehicle), len(serials))
	}
	for _, vs := range s.Vehicle {
		if !serials[vs.ID] {
			return nil, fmt.Errorf("vehicles: restore: vehicle %q is not on the roster", vs.ID)
		}
	}
	for _, e := range s.Roster[len(have):] {
		if err := m.Admit(e); err != nil {
			return nil, fmt.Errorf("vehicles: restore: %w", err)
		}
	}
	m.now, m.epoch, m.ignoredN = s.Now, s.Epoch, s.Ignored
	m.unknown = maps.Clone(s.Unknown)
	if m.unknown == nil {
		m.unknown = map[string]time.Time{}
	}
	m.hdr.SetCounts(s.Headers)
	for _, vs := range s.Vehicle {
		m.byID[vs.ID].restore(vs)
	}
	return m, nil
}

func (v *vehicle) restore(vs VehicleSnapshot) {
	v.conn, v.st, v.stateAt, v.pos, v.factsheet = vs.Conn, vs.State, vs.StateAt, vs.Pos, vs.Factsheet
	v.factAsked, v.soc, v.joined, v.joinRetry, v.joinFails = vs.FactAsked, vs.SoC, vs.Joined, vs.JoinRetry, vs.JoinFails
	v.socTold = vs.SoCTold
	v.faulted, v.seq, v.at, v.granted, v.orders = vs.Faulted, vs.Seq, vs.At, vs.Granted, vs.Orders
	v.needNew, v.cancel, v.cancelT, v.cancels, v.orderAt = vs.NeedNew, vs.Cancel, vs.CancelT, vs.Cancels, vs.OrderAt
	v.pauseAct, v.pauseAt, v.pauseTries, v.factAsks = vs.PauseAct, vs.PauseAt, vs.PauseTries, vs.FactAsks
	v.pauseWanted, v.pausedOK, v.stillWanted = vs.PauseWanted, vs.PausedOK, vs.StillWanted
	v.resyncs, v.loadsOff, v.headerSeen, v.lastHeader, v.linkChanged = vs.Resyncs, vs.LoadsOff, vs.HeaderSeen, vs.LastHeader, vs.LinkChange
	v.instantSeen = vs.InstantSeen
	for k, r := range vs.Reasons {
		v.reasons[k] = r
	}
	for k, id := range vs.Steps {
		v.steps[k] = id
	}
	for k, n := range vs.IgnoredBy {
		v.ignored[k] = n
	}
	if vs.Act != nil {
		p := vs.Act.pending()
		v.act = &p
	}
	if o := vs.Order; o != nil {
		v.ord = &order{id: o.ID, seq0: o.Seq0, nodes: o.Nodes, edges: o.Edges, off: o.Off, update: o.Update,
			confirmed: o.Confirmed, sentAt: o.SentAt, resynced: o.Resynced, due: o.Due, dueFrom: o.DueFrom,
			restitched: o.Restitched, rejectSeen: o.RejectSeen, header: o.Header}
		for u, k := range o.Decision {
			if int(u) >= len(v.ord.decision) {
				v.ord.decision = append(v.ord.decision, make([]int, int(u)+1-len(v.ord.decision))...)
			}
			v.ord.decision[u] = k
		}
	}
	for id, a := range vs.Actions {
		v.actions[id] = &sent{kind: a.Kind, p: a.Pending.pending(), off: a.Off, redo: a.Redo}
	}
	if c := vs.Charge; c != nil {
		v.charge = &chargeWatch{target: c.Target, started: c.Started, stopSent: c.StopSent, stopAt: c.StopAt, stopID: c.StopID}
	}
	for _, load := range vs.Carries {
		v.carries[load] = true
	}
}
