package fleet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/routing"
)

// This file exports and restores the Controller's state, for a snapshot
// of the core (package daemon writes them, so that a recovery replays
// only the journal after one). Restore of what Snapshot returned gives a
// Controller that handles every later event exactly as the original
// would: the same commands, changes and wake-ups, the same state.
//
// What is stored is the state; what is worked out from it and from the
// configuration is worked out again: the reach, gate-time and energy
// tables (caches over the lanes open now), the centres of places, the
// inbound caps, the shuttles in id order, the moves by idempotency key,
// the ended moves in the order they leave (retention.go).
// The format is this file's types and their JSON names; the version of
// the whole snapshot is its writer's (package daemon).

// Snapshot is the Controller's state.
type Snapshot struct {
	Now          time.Time `json:"now"`
	Dirty        bool      `json:"dirty,omitempty"`
	LastDispatch time.Time `json:"lastDispatch"`
	// Seq is the count of changes of moves; ByChange lists the move ids
	// least recently changed first.
	Seq      uint64          `json:"seq"`
	ByChange []string        `json:"byChange"`
	Moves    []MoveSnapshot  `json:"moves"` // in creation order
	Shuttles []ShuttleRecord `json:"shuttles"`
	Bays     BaysSnapshot    `json:"bays"`
	// Decided: move -> checkpoint -> the decision taken, not yet applied.
	Decided map[string]map[string]CustomsDecision `json:"decided"`
	// Declared: container -> declarations filed with no open move.
	Declared map[string][]DeclarationSnapshot `json:"declared"`
	Dropped  map[string]int                   `json:"dropped"`
	Inbound  map[string]int                   `json:"inbound"`
	Counts   map[MoveState]int                `json:"counts"`
	Stats    StatsSnapshot                    `json:"stats"`
	// AreaHolders are the customs areas' holders, in the areas' order.
	AreaHolders [][]string `json:"areaHolders"`
	// AreaTurning are the shuttles turning back in each area (turns.go),
	// in the areas' order; absent in snapshots written before it existed.
	AreaTurning [][]string `json:"areaTurning,omitempty"`
	ClosedLanes []string   `json:"closedLanes"`

	Traffic  routing.TrafficSnapshot    `json:"traffic"`
	Charging charging.SchedulerSnapshot `json:"charging"`
}

// MoveSnapshot is a Move.
type MoveSnapshot struct {
	ID string `json:"id"`
	// Num is Move.Num; zero in snapshots written before it existed.
	Num            uint64                `json:"num,omitempty"`
	Container      string                `json:"container"`
	Origin         string                `json:"origin"`
	Destination    string                `json:"destination"`
	Priority       int                   `json:"priority,omitempty"`
	EarliestPickup time.Time             `json:"earliestPickup"`
	Deadline       time.Time             `json:"deadline"`
	Declaration    string                `json:"declaration,omitempty"`
	IdempotencyKey string                `json:"idempotencyKey,omitempty"`
	PreCleared     bool                  `json:"preCleared,omitempty"`
	PassedOver     []RejectionSnapshot   `json:"passedOver,omitempty"`
	State          MoveState             `json:"state"`
	Shuttle        string                `json:"shuttle,omitempty"`
	Created        time.Time             `json:"created"`
	History        []TransitionSnapshot  `json:"history"`
	Clearances     []ClearanceSnapshot   `json:"clearances,omitempty"`
	Declarations   []DeclarationSnapshot `json:"declarations,omitempty"`
	Seq            uint64                `json:"seq"`
}

// RejectionSnapshot is a Rejection.
type RejectionSnapshot struct {
	Shuttle string     `json:"shuttle"`
	Kind    RejectKind `json:"kind"`
	Detail  string     `json:"detail"`
}

// TransitionSnapshot is a MoveTransition.
type TransitionSnapshot struct {
	At         time.Time `json:"at"`
	From       MoveState `json:"from"`
	To         MoveState `json:"to"`
	Cause      string    `json:"cause,omitempty"`
	Decision   Verdict   `json:"decision,omitempty"`
	Event      string    `json:"event,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Checkpoint string    `json:"checkpoint,omitempty"`
}

// ClearanceSnapshot is a Clearance.
type ClearanceSnapshot struct {
	Checkpoint string            `json:"checkpoint"`
	Country    string            `json:"country"`
	Decisions  []DecidedSnapshot `json:"decisions,omitempty"`
	Arrived    time.Time         `json:"arrived"`
	Inspected  time.Time         `json:"inspected"`
	Passed     time.Time         `json:"passed"`
	Refused    time.Time         `json:"refused"`
	Readings   []ReadingSnapshot `json:"readings,omitempty"`
	SealAlert  string            `json:"sealAlert,omitempty"`
	Held       string            `json:"held,omitempty"`
}

// DecidedSnapshot is a Decided.
type DecidedSnapshot struct {
	At       time.Time `json:"at"`
	Decision Verdict   `json:"decision"`
	Officer  string    `json:"officer,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// ReadingSnapshot is a SealReading.
type ReadingSnapshot struct {
	At       time.Time   `json:"at"`
	By       string      `json:"by,omitempty"`
	Seals    []SealState `json:"seals,omitempty"`
	Problems []string    `json:"problems,omitempty"`
}

// DeclarationSnapshot is a Declaration.
type DeclarationSnapshot struct {
	Container   string    `json:"container"`
	Country     string    `json:"country"`
	Reference   string    `json:"reference"`
	Declarant   string    `json:"declarant,omitempty"`
	Goods       string    `json:"goods,omitempty"`
	GrossMassKg float64   `json:"grossMassKg,omitempty"`
	Seals       []string  `json:"seals,omitempty"`
	By          string    `json:"by,omitempty"`
	Filed       time.Time `json:"filed"`
}

// ShuttleRecord is the Controller's record of one shuttle: its state
// machine, its task and route, its charging slot.
type ShuttleRecord struct {
	ID      string       `json:"id"`
	State   ShuttleState `json:"state"`
	Paused  ShuttleState `json:"paused,omitempty"`
	Stopped ShuttleState `json:"stopped,omitempty"`
	Illegal int          `json:"illegal,omitempty"`
	Node    string       `json:"node"`
	SoC     float64      `json:"soc"`
	Move    string       `json:"move,omitempty"`
	// the task (by name, as explanations print it) and its route
	Task     string `json:"task"`
	Then     string `json:"then"`
	Goal     string `json:"goal,omitempty"`
	GoalStep int    `json:"goalStep"`
	Acted    bool   `json:"acted,omitempty"`
	Arrived  bool   `json:"arrived,omitempty"`
	Replan   bool   `json:"replan,omitempty"`

	Sent  int      `json:"sent"`
	Stops []string `json:"stops,omitempty"`
	// Gate is the checkpoint it stands at, GateUntil when it may pass.
	Gate         string    `json:"gate,omitempty"`
	GateUntil    time.Time `json:"gateUntil"`
	Slot         int       `json:"slot,omitempty"`
	Target       float64   `json:"target,omitempty"`
	RetryAt      time.Time `json:"retryAt"`
	PlanErr      string    `json:"planErr,omitempty"`
	IdleAt       time.Time `json:"idleAt"`
	Overtook     time.Time `json:"overtook"`
	OutOfService bool      `json:"outOfService,omitempty"`
	ChargeWait   string    `json:"chargeWait,omitempty"`
	// Stilled: paused after a breakdown, its lane ahead lent ("lent") or
	// to be once it confirms ("asked"); see breakdown.go.
	Stilled string `json:"stilled,omitempty"`
	// ActivitySince is when its activity at the snapshot began (its
	// activity is worked out again from the rest).
	ActivitySince time.Time `json:"activitySince"`
}

// BaysSnapshot is the bay book, moves by id.
type BaysSnapshot struct {
	Pick map[string]string                    `json:"pick"` // bay -> move
	Drop map[string][]string                  `json:"drop"` // bay -> moves, sorted
	Win  map[string]map[string]WindowSnapshot `json:"win"`  // move -> bay -> window
}

// WindowSnapshot is when a booking is expected to use its bay.
type WindowSnapshot struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// StatsSnapshot is the Controller's own counts (Stats adds the shuttles'
// and traffic's).
type StatsSnapshot struct {
	MovesCreated       int                `json:"movesCreated"`
	Deliveries         int                `json:"deliveries"`
	Returns            int                `json:"returns"`
	DuplicateDrops     int                `json:"duplicateDrops"`
	IllegalTransitions int                `json:"illegalTransitions"`
	Illegal            []string           `json:"illegal,omitempty"`
	LeadTimes          []int64            `json:"leadTimesNs,omitempty"`
	PlanFailures       int                `json:"planFailures"`
	TrafficWaits       int                `json:"trafficWaits"`
	DispatchRejections map[RejectKind]int `json:"dispatchRejections"`
}

// Snapshot exports the Controller's state. It is taken between events
// (Handle has returned).
func (c *Controller) Snapshot() Snapshot {
	s := Snapshot{Now: c.now, Dirty: c.dirty, LastDispatch: c.lastDispatch, Seq: c.seq, ByChange: []string{},
		Moves: make([]MoveSnapshot, 0, len(c.order)), Shuttles: make([]ShuttleRecord, 0, len(c.recs)),
		Decided: map[string]map[string]CustomsDecision{}, Declared: map[string][]DeclarationSnapshot{},
		Dropped: maps.Clone(c.dropped), Inbound: maps.Clone(c.inbound), Counts: maps.Clone(c.counts), ClosedLanes: c.g.Closed(), AreaHolders: make([][]string, len(c.areas)),
		Traffic: c.tr.Snapshot(), Charging: c.sched.Snapshot(), Bays: c.bays.snapshot()}
	if s.ClosedLanes == nil {
		s.ClosedLanes = []string{}
	}
	for e := c.byChange.Front(); e != nil; e = e.Next() {
		s.ByChange = append(s.ByChange, e.Value.(*Move).ID)
	}
	for _, m := range c.order {
		s.Moves = append(s.Moves, moveSnapshot(m))
	}
	for _, r := range c.recs {
		s.Shuttles = append(s.Shuttles, shuttleRecord(r))
	}
	for id, byCP := range c.decided {
		s.Decided[id] = maps.Clone(byCP)
	}
	for cont, ds := range c.declared {
		s.Declared[string(cont)] = declarationSnapshots(ds)
	}
	for i, a := range c.areas {
		if len(a.turning) > 0 {
			if s.AreaTurning == nil {
				s.AreaTurning = make([][]string, len(c.areas))
			}
			s.AreaTurning[i] = slices.Clone(a.turning)
		}
		s.AreaHolders[i] = slices.Clone(a.holders)
		if s.AreaHolders[i] == nil {
			s.AreaHolders[i] = []string{}
		}
	}
	st := c.stats
	s.Stats = StatsSnapshot{MovesCreated: st.MovesCreated, Deliveries: st.Deliveries, Returns: st.Returns,
		DuplicateDrops: st.DuplicateDrops, IllegalTransitions: st.IllegalTransitions, Illegal: slices.Clone(st.Illegal),
		PlanFailures: st.PlanFailures, TrafficWaits: st.TrafficWaits, DispatchRejections: maps.Clone(st.DispatchRejections)}
	for _, d := range st.LeadTimes {
		s.Stats.LeadTimes = append(s.Stats.LeadTimes, int64(d))
	}
	return s
}

func moveSnapshot(m *Move) MoveSnapshot {
	ms := MoveSnapshot{ID: m.ID, Num: m.Num, Container: string(m.Container), Origin: m.Origin, Destination: m.Destination,
		Priority: m.Priority, EarliestPickup: m.EarliestPickup, Deadline: m.Deadline, Declaration: m.Declaration,
		IdempotencyKey: m.IdempotencyKey, PreCleared: m.PreCleared, State: m.State, Shuttle: m.Shuttle,
		Created: m.Created, Seq: m.seq, History: make([]TransitionSnapshot, len(m.History)),
		Declarations: declarationSnapshots(m.Declarations)}
	for _, r := range m.PassedOver {
		ms.PassedOver = append(ms.PassedOver, RejectionSnapshot{Shuttle: r.Shuttle, Kind: r.Kind, Detail: r.Detail})
	}
	for i, h := range m.History {
		ms.History[i] = TransitionSnapshot{At: h.At, From: h.From, To: h.To, Cause: h.Cause, Decision: h.Decision,
			Event: h.Event, Actor: h.Actor, Checkpoint: h.Checkpoint}
	}
	for _, cl := range m.Clearances {
		cs := ClearanceSnapshot{Checkpoint: cl.Checkpoint, Country: cl.Country, Arrived: cl.Arrived, Inspected: cl.Inspected,
			Passed: cl.Passed, Refused: cl.Refused, SealAlert: cl.SealAlert, Held: cl.Held}
		for _, d := range cl.Decisions {
			cs.Decisions = append(cs.Decisions, DecidedSnapshot{At: d.At, Decision: d.Decision, Officer: d.Officer, Reason: d.Reason})
		}
		for _, r := range cl.Readings {
			cs.Readings = append(cs.Readings, ReadingSnapshot{At: r.At, By: r.By, Seals: slices.Clone(r.Seals), Problems: slices.Clone(r.Problems)})
		}
		ms.Clearances = append(ms.Clearances, cs)
	}
	return ms
}

func declarationSnapshots(ds []Declaration) []DeclarationSnapshot {
	var out []DeclarationSnapshot
	for _, d := range ds {
		out = append(out, DeclarationSnapshot{Container: string(d.Container), Country: d.Country, Reference: d.Reference,
			Declarant: d.Declarant, Goods: d.Goods, GrossMassKg: d.GrossMassKg, Seals: slices.Clone(d.Seals), By: d.By, Filed: d.Filed})
	}
	return out
}

func declarations(ds []DeclarationSnapshot) []Declaration {
	var out []Declaration
	for _, d := range ds {
		out = append(out, Declaration{Container: Container(d.Container), Country: d.Country, Reference: d.Reference,
			Declarant: d.Declarant, Goods: d.Goods, GrossMassKg: d.GrossMassKg, Seals: slices.Clone(d.Seals), By: d.By, Filed: d.Filed})
	}
	return out
}

func shuttleRecord(r *shuttleRec) ShuttleRecord {
	sr := ShuttleRecord{ID: r.id, State: r.sm.State(), Paused: r.sm.paused, Stopped: r.sm.stopped, Illegal: r.sm.Illegal,
		Node: r.node, SoC: r.soc, Task: r.job.task.String(), Then: r.job.then.String(), Goal: r.job.goal,
		GoalStep: r.job.goalStep, Acted: r.job.acted, Arrived: r.job.arrived, Replan: r.job.replan,
		Sent: r.sent, Stops: slices.Clone(r.stops), Slot: r.slot, Target: r.target, RetryAt: r.retryAt, IdleAt: r.idleAt,
		Overtook: r.overtook, OutOfService: r.outOfService, ChargeWait: r.chargeWait, Stilled: string(r.stilled), ActivitySince: r.actSince}
	if r.move != nil {
		sr.Move = r.move.ID
	}
	if r.gate != nil {
		sr.Gate, sr.GateUntil = r.gate.checkpoint.ID, r.gate.until
	}
	if r.planErr != nil {
		sr.PlanErr = r.planErr.Error()
	}
	return sr
}

func (b bayBook) snapshot() BaysSnapshot {
	s := BaysSnapshot{Pick: map[string]string{}, Drop: map[string][]string{}, Win: map[string]map[string]WindowSnapshot{}}
	for bay, m := range b.pick {
		s.Pick[bay] = m.ID
	}
	for bay, ms := range b.drop {
		ids := []string{}
		for m, on := range ms {
			if on {
				ids = append(ids, m.ID)
			}
		}
		sort.Strings(ids)
		s.Drop[bay] = ids
	}
	for m, ws := range b.win {
		out := map[string]WindowSnapshot{}
		for bay, w := range ws {
			out[bay] = WindowSnapshot{From: w.from, To: w.to}
		}
		s.Win[m.ID] = out
	}
	return s
}

// taskNamed is the task of a name taskNames gives.
func taskNamed(name string) (task, error) {
	for t, n := range taskNames {
		if n == name {
			return task(t), nil
		}
	}
	return 0, fmt.Errorf("fleet: restore: unknown task %q", name)
}

// Restore makes a Controller in the state of a snapshot. cfg is the
// configuration the snapshot's Controller was made with; its Graph is
// that of a new Controller (Restore sets its lane closures to the
// snapshot's).
func Restore(cfg Config, s Snapshot) (*Controller, error) {
	c, err := NewController(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.restore(s); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Controller) restore(s Snapshot) error {
	if err := c.g.SetClosed(s.ClosedLanes); err != nil {
		return fmt.Errorf("fleet: restore: %w", err)
	}
	if err := c.tr.Restore(s.Traffic); err != nil {
		return err
	}
	if err := c.sched.Restore(s.Charging); err != nil {
		return err
	}
	c.now, c.dirty, c.lastDispatch, c.seq = s.Now, s.Dirty, s.LastDispatch, s.Seq
	for i, ms := range s.Moves {
		m := restoreMove(ms)
		if m.Num == 0 {
			// written before moves had numbers, when every move stayed:
			// the i-th of the last len(s.Moves) made
			m.Num = uint64(max(0, s.Stats.MovesCreated-len(s.Moves))+i) + 1
		}
		if _, dup := c.moves[m.ID]; dup {
			return fmt.Errorf("fleet: restore: move %q twice", m.ID)
		}
		m.originCentre, m.destCentre = c.centreOf(m.Origin), c.centreOf(m.Destination)
		c.moves[m.ID] = m
		c.order = append(c.order, m)
		if m.IdempotencyKey != "" {
			c.byKey[m.IdempotencyKey] = m
		}
	}
	move := func(id string) (*Move, error) {
		m, ok := c.moves[id]
		if !ok {
			return nil, fmt.Errorf("fleet: restore: unknown move %q", id)
		}
		return m, nil
	}
	for _, id := range s.ByChange {
		m, err := move(id)
		if err != nil {
			return err
		}
		if m.elem != nil {
			return fmt.Errorf("fleet: restore: move %q twice in the change order", id)
		}
		m.elem = c.byChange.PushBack(m)
	}
	for _, sr := range s.Shuttles {
		r, err := c.restoreShuttle(sr, move)
		if err != nil {
			return err
		}
		if _, dup := c.shuttles[r.id]; dup {
			return fmt.Errorf("fleet: restore: shuttle %q twice", r.id)
		}
		c.shuttles[r.id] = r
		c.ids = append(c.ids, r.id)
	}
	sort.Strings(c.ids)
	for _, id := range c.ids {
		c.recs = append(c.recs, c.shuttles[id])
	}
	if err := c.bays.restore(s.Bays, move); err != nil {
		return err
	}
	for id, byCP := range s.Decided {
		c.decided[id] = byCP
	}
	for cont, ds := range s.Declared {
		if c.declared == nil {
			c.declared = map[Container][]Declaration{}
		}
		c.declared[Container(cont)] = declarations(ds)
	}
	for k, v := range s.Dropped {
		c.dropped[k] = v
	}
	for k, v := range s.Inbound {
		c.inbound[k] = v
	}
	for k, v := range s.Counts {
		c.counts[k] = v
	}
	c.restoreEnded()
	if len(s.AreaHolders) != len(c.areas) {
		return fmt.Errorf("fleet: restore: %d customs areas, the site has %d", len(s.AreaHolders), len(c.areas))
	}
	for i, h := range s.AreaHolders {
		c.areas[i].holders = slices.Clone(h)
		if len(h) == 0 {
			c.areas[i].holders = nil
		}
	}
	if s.AreaTurning != nil && len(s.AreaTurning) != len(c.areas) {
		return fmt.Errorf("fleet: restore: turning shuttles for %d customs areas, the site has %d", len(s.AreaTurning), len(c.areas))
	}
	for i, a := range c.areas {
		a.turning = nil
		if s.AreaTurning != nil && len(s.AreaTurning[i]) > 0 {
			a.turning = slices.Clone(s.AreaTurning[i])
		}
	}
	st := s.Stats
	c.stats = Stats{MovesCreated: st.MovesCreated, Deliveries: st.Deliveries, Returns: st.Returns,
		DuplicateDrops: st.DuplicateDrops, IllegalTransitions: st.IllegalTransitions, Illegal: st.Illegal,
		PlanFailures: st.PlanFailures, TrafficWaits: st.TrafficWaits, DispatchRejections: st.DispatchRejections}
	if c.stats.DispatchRejections == nil {
		c.stats.DispatchRejections = map[RejectKind]int{}
	}
	for _, d := range st.LeadTimes {
		c.stats.LeadTimes = append(c.stats.LeadTimes, time.Duration(d))
	}
	for _, r := range c.recs { // the activity it had at the snapshot goes on
		r.act = c.Activity(r.id)
	}
	return nil
}

func restoreMove(ms MoveSnapshot) *Move {
	m := &Move{ID: ms.ID, Num: ms.Num, Container: Container(ms.Container), Origin: ms.Origin, Destination: ms.Destination,
		Priority: ms.Priority, EarliestPickup: ms.EarliestPickup, Deadline: ms.Deadline, Declaration: ms.Declaration,
		IdempotencyKey: ms.IdempotencyKey, PreCleared: ms.PreCleared, State: ms.State, Shuttle: ms.Shuttle,
		Created: ms.Created, seq: ms.Seq, Declarations: declarations(ms.Declarations)}
	for _, r := range ms.PassedOver {
		m.PassedOver = append(m.PassedOver, Rejection{Shuttle: r.Shuttle, Kind: r.Kind, Detail: r.Detail})
	}
	for _, h := range ms.History {
		m.History = append(m.History, MoveTransition{At: h.At, From: h.From, To: h.To, Cause: h.Cause, Decision: h.Decision,
			Event: h.Event, Actor: h.Actor, Checkpoint: h.Checkpoint})
	}
	for _, cs := range ms.Clearances {
		cl := Clearance{Checkpoint: cs.Checkpoint, Country: cs.Country, Arrived: cs.Arrived, Inspected: cs.Inspected,
			Passed: cs.Passed, Refused: cs.Refused, SealAlert: cs.SealAlert, Held: cs.Held}
		for _, d := range cs.Decisions {
			cl.Decisions = append(cl.Decisions, Decided{At: d.At, Decision: d.Decision, Officer: d.Officer, Reason: d.Reason})
		}
		for _, r := range cs.Readings {
			cl.Readings = append(cl.Readings, SealReading{At: r.At, By: r.By, Seals: slices.Clone(r.Seals), Problems: slices.Clone(r.Problems)})
		}
		m.Clearances = append(m.Clearances, cl)
	}
	return m
}

func (c *Controller) restoreShuttle(sr ShuttleRecord, move func(string) (*Move, error)) (*shuttleRec, error) {
	sm := NewShuttle(sr.ID)
	if sr.State != "" {
		sm.m.SetState(string(sr.State))
	}
	sm.paused, sm.stopped, sm.Illegal = sr.Paused, sr.Stopped, sr.Illegal
	t, err := taskNamed(sr.Task)
	if err != nil {
		return nil, err
	}
	then, err := taskNamed(sr.Then)
	if err != nil {
		return nil, err
	}
	r := &shuttleRec{id: sr.ID, sm: sm, node: sr.Node, soc: sr.SoC, sent: sr.Sent, stops: slices.Clone(sr.Stops),
		slot: sr.Slot, target: sr.Target, retryAt: sr.RetryAt, idleAt: sr.IdleAt, overtook: sr.Overtook,
		outOfService: sr.OutOfService, chargeWait: sr.ChargeWait, stilled: stillState(sr.Stilled), actSince: sr.ActivitySince,
		job: job{task: t, then: then, goal: sr.Goal, goalStep: sr.GoalStep, acted: sr.Acted, arrived: sr.Arrived, replan: sr.Replan}}
	switch r.stilled {
	case stillNone, stillAsked, stillLent:
	default:
		return nil, fmt.Errorf("shuttle %s: stilled is %q; want \"\", %q or %q", sr.ID, sr.Stilled, stillAsked, stillLent)
	}
	if sr.Move != "" {
		if r.move, err = move(sr.Move); err != nil {
			return nil, err
		}
	}
	if sr.Gate != "" {
		cp, ok := c.checkpoint(sr.Gate)
		if !ok {
			return nil, fmt.Errorf("fleet: restore: shuttle %q at unknown checkpoint %q", sr.ID, sr.Gate)
		}
		r.gate = &gateStop{checkpoint: cp, until: sr.GateUntil}
	}
	if sr.PlanErr != "" {
		r.planErr = errors.New(sr.PlanErr)
	}
	return r, nil
}

func (b bayBook) restore(s BaysSnapshot, move func(string) (*Move, error)) error {
	for bay, id := range s.Pick {
		m, err := move(id)
		if err != nil {
			return err
		}
		b.pick[bay] = m
	}
	for bay, ids := range s.Drop {
		set := map[*Move]bool{}
		for _, id := range ids {
			m, err := move(id)
			if err != nil {
				return err
			}
			set[m] = true
		}
		b.drop[bay] = set
	}
	for id, ws := range s.Win {
		m, err := move(id)
		if err != nil {
			return err
		}
		out := map[string]window{}
		for bay, w := range ws {
			out[bay] = window{from: w.From, to: w.To}
		}
		b.win[m] = out
	}
	return nil
}
