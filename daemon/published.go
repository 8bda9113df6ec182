package daemon

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Published is the core as the daemon last published it for readers
// (the API, the metrics): an immutable copy, made after each input from
// the last one and what the input changed (copy on write), so that a
// reader never waits for the core and the core never waits for a reader.
// Get the latest with Daemon.Published; never change one.
//
// An input marks what it changed: the vehicle a message came from, the
// shuttles the Controller's steps gave commands to, changed the activity
// of, or whose moves changed (and, for moves, lanes, decisions and
// charger slots, the counts over the fleet). A publication copies the
// marked shuttles' rows, and shares the others' with the last one. An
// admission copies the new row; a restore or a takeover's resume copies
// the whole fleet, and so does a tick every fullEvery, so that a change
// no mark caught (none is known: TestPublishedIsTheCoreAfterEveryInput)
// would show within it.
type Published struct {
	// Version numbers the publications of this process, from 1, in
	// order.
	Version uint64
	// At is the core's clock at publication; Wall the real time (its
	// age tells whether the core still runs: it publishes after every
	// input and tick).
	At   time.Time
	Wall time.Time
	// MoveSeq is the Controller's change number (View.ChangedSince): the
	// moves changed after it are not in this publication's counts yet.
	MoveSeq uint64
	// MoveCounts are the moves by state, those archived included
	// (fleet.Controller.MoveCounts).
	MoveCounts map[fleet.MoveState]int
	// Gates are the containers waiting for customs, in the Controller's
	// order (fleet.Controller.GateQueue), each with its move's record.
	Gates []GateView
	// ClosedLanes are the lanes and links closed to new routes.
	ClosedLanes []string
	// Slots are the charger reservations of each station, earliest first.
	Slots map[string][]charging.Slot
	// Stats are the Controller's counts (LeadTimes and Illegal left out)
	// as of StatsAt: counting them costs the whole fleet, so they are
	// counted with each tick and each operator's or officer's request
	// (at most daemon.Config.TickEvery old), not with vehicles' messages.
	Stats   fleet.Stats
	StatsAt time.Time

	rows   [][]*ShuttleRow // in id order, rowChunk a chunk: a step copies only the chunks it changes
	roster *roster
	n      int
}

// GateView is a container waiting at a checkpoint, with what its move
// says of it there.
type GateView struct {
	fleet.GateWait
	// Arrived is when it reached the stop line (its clearance record),
	// zero if not known.
	Arrived time.Time
	// CanDecide: a decision on it here would be taken now
	// (fleet.Move.CanDecide).
	CanDecide bool
}

// ShuttleRow is one roster vehicle as published: what the vehicles'
// Master knows of it, and what the Controller makes of it once joined.
type ShuttleRow struct {
	vehicles.Vehicle
	// Known: the Controller knows the shuttle (it joined); State, CoreSoC,
	// Activity and Since are the Controller's.
	Known    bool
	State    fleet.ShuttleState
	CoreSoC  float64
	Activity fleet.Activity
	Since    time.Time
	// Move is the open move it carries out, if any.
	Move string
}

// rowChunk is how many rows a chunk holds: a step that changes one
// shuttle copies one chunk (and the list of chunks, 1/rowChunk of the
// fleet), not the fleet.
const rowChunk = 64

// Len is how many shuttles there are.
func (p *Published) Len() int { return p.n }

// Row is the i-th shuttle in id order.
func (p *Published) Row(i int) *ShuttleRow { return p.rows[i/rowChunk][i%rowChunk] }

// Shuttle is the shuttle of an id, if it is on the roster.
func (p *Published) Shuttle(id string) (*ShuttleRow, bool) {
	i, ok := p.roster.index[id]
	if !ok {
		return nil, false
	}
	return p.Row(i), true
}

// After is the place in id order of the first shuttle whose id sorts
// after id (Len if none): where a page that ended at id goes on.
func (p *Published) After(id string) int {
	return sort.Search(p.n, func(i int) bool { return p.Row(i).ID > id })
}

// SameRoster reports whether two publications list the same shuttles in
// the same places (then a row they share is the same pointer until it
// changes).
func (p *Published) SameRoster(old *Published) bool { return old != nil && old.roster == p.roster }

// Changed reports whether the i-th shuttle may differ from old's (a
// cheap test: rows are shared until they change).
func (p *Published) Changed(old *Published, i int) bool {
	return !p.SameRoster(old) || old.Row(i) != p.Row(i)
}

// ChangedChunk reports whether any of the RowChunk shuttles from the
// i-th (a multiple of RowChunk) may differ from old's: readers looking
// for changes skip the chunks that are shared.
func (p *Published) ChangedChunk(old *Published, i int) bool {
	if !p.SameRoster(old) {
		return true
	}
	a, b := p.rows[i/rowChunk], old.rows[i/rowChunk]
	return len(a) != len(b) || (len(a) > 0 && &a[0] != &b[0])
}

// RowChunk is how many shuttles ChangedChunk answers for at once.
const RowChunk = rowChunk

// roster is the shuttles' ids in order and their places, shared by the
// publications of one roster.
type roster struct {
	ids   []string
	index map[string]int
}

// pubState is what the daemon gathers between publications: what the
// inputs since the last one changed.
type pubState struct {
	last    *Published
	full    bool            // copy the whole fleet
	aggr    bool            // recount moves, gates, lanes, slots
	stats   bool            // recount the Controller's stats
	dirty   map[string]bool // shuttles to copy
	moveOf  map[string]string
	shuttle map[string]string // open move -> its shuttle
	version uint64
	fullAt  time.Time // when a tick last copied the whole fleet (wall time)
}

// markAll has the next publication copy the whole fleet.
func (d *Daemon) markAll() { d.pub.full = true }

// markShuttle has the next publication copy a shuttle (and recount).
func (d *Daemon) markShuttle(id string) {
	if d.pub.dirty == nil {
		d.pub.dirty = map[string]bool{}
	}
	d.pub.dirty[id] = true
}

// markTopic marks the vehicle of a VDA 5050 topic.
func (d *Daemon) markTopic(topic string) {
	key, _, ok := vehicleKey(topic)
	if !ok {
		return
	}
	man, serial, _ := strings.Cut(key, "/")
	if id, ok := d.m.VehicleID(man, serial); ok {
		d.markShuttle(id)
	}
}

// markStep notes what one of the Controller's steps changed: the
// shuttles it gave commands to or changed the activity of, the moves it
// changed (and their shuttles).
func (d *Daemon) markStep(rd fleet.Ready) {
	for _, c := range rd.Commands {
		d.markShuttle(c.Shuttle)
	}
	for _, id := range d.ctl.ActivityChanged() {
		d.markShuttle(id)
	}
	if len(rd.Commands) > 0 || len(rd.Changed) > 0 || len(rd.Archived) > 0 {
		d.pub.aggr = true // a move, a gate's queue, a charger's slot may have changed
	}
	if d.pub.shuttle == nil {
		d.pub.moveOf, d.pub.shuttle = map[string]string{}, map[string]string{}
	}
	for _, mv := range rd.Changed {
		old := d.pub.shuttle[mv.ID]
		now := mv.Shuttle
		if mv.State.Final() {
			now = ""
		}
		if old == now {
			continue
		}
		if old != "" {
			if d.pub.moveOf[old] == mv.ID {
				delete(d.pub.moveOf, old)
			}
			delete(d.pub.shuttle, mv.ID)
			d.markShuttle(old)
		}
		if now != "" {
			d.pub.moveOf[now], d.pub.shuttle[mv.ID] = mv.ID, now
			d.markShuttle(now)
		}
	}
}

// Published is the core as last published (see Published); nil before
// the daemon's first input.
func (d *Daemon) Published() *Published { return d.published.Load() }

// publishView publishes what changed since the last publication, if
// anything did. It runs on the daemon's goroutine.
func (d *Daemon) publishView() {
	ps := &d.pub
	if ps.last != nil && !ps.full && !ps.aggr && len(ps.dirty) == 0 && time.Since(ps.last.Wall) < heartbeat {
		return
	}
	ps.version++
	p := &Published{Version: ps.version, At: d.now(), Wall: time.Now()}
	switch {
	case ps.last == nil || ps.full:
		publishAll(p, ps, d.pubCore(), nil)
	case d.m.Len() != ps.last.n:
		// the roster grew (an admission): the rows of the others are kept
		publishAll(p, ps, d.pubCore(), ps.last)
	default:
		d.publishChanged(p)
	}
	ps.full, ps.aggr, ps.stats = false, false, false
	clear(ps.dirty)
	ps.last = p
	d.published.Store(p)
}

// NewPublished is a publication of a core made afresh (the daemon
// makes its own, copying only what changed): for fakes of the daemon in
// tests (see daemontest), and to check the daemon's against.
func NewPublished(version uint64, now time.Time, g *routing.Graph, ctl *fleet.Controller, m *vehicles.Master) *Published {
	p := &Published{Version: version, At: now, Wall: time.Now()}
	var ps pubState
	publishAll(p, &ps, pubCore{g: g, ctl: ctl, m: m}, nil)
	return p
}

// pubCore is what a publication is made from.
type pubCore struct {
	g      *routing.Graph
	ctl    *fleet.Controller
	m      *vehicles.Master
	arch   []*fleet.Move
	moveOf map[string]string
}

func (d *Daemon) pubCore() pubCore {
	return pubCore{g: d.cfg.Graph, ctl: d.ctl, m: d.m, arch: d.arch, moveOf: d.pub.moveOf}
}

// publishAll copies the whole fleet, and finds its open moves afresh;
// or, given the last publication (the roster grew), keeps its rows of
// the shuttles not marked, and copies the others.
func publishAll(p *Published, ps *pubState, c pubCore, last *Published) {
	if last == nil {
		ps.moveOf, ps.shuttle = map[string]string{}, map[string]string{}
		for _, mv := range slices.Concat(c.ctl.Moves(), c.arch) {
			if mv.Shuttle != "" && !mv.State.Final() {
				ps.moveOf[mv.Shuttle], ps.shuttle[mv.ID] = mv.ID, mv.Shuttle
			}
		}
	}
	c.moveOf = ps.moveOf
	row := c.row
	if last != nil {
		row = func(id string) *ShuttleRow {
			if old, ok := last.Shuttle(id); ok && !ps.dirty[id] {
				return old
			}
			return c.row(id)
		}
	}
	ids := c.m.IDs()
	if ps.last != nil && slices.Equal(ids, ps.last.roster.ids) {
		p.roster = ps.last.roster
	} else {
		p.roster = &roster{ids: ids, index: make(map[string]int, len(ids))}
		for i, id := range ids {
			p.roster.index[id] = i
		}
	}
	p.n = len(ids)
	p.rows = make([][]*ShuttleRow, 0, (len(ids)+rowChunk-1)/rowChunk)
	for i := 0; i < len(ids); i += rowChunk {
		chunk := make([]*ShuttleRow, 0, rowChunk)
		for _, id := range ids[i:min(i+rowChunk, len(ids))] {
			chunk = append(chunk, row(id))
		}
		p.rows = append(p.rows, chunk)
	}
	c.aggregates(p)
	if last == nil {
		c.stats(p)
	} else {
		p.Stats, p.StatsAt = last.Stats, last.StatsAt
	}
}

// publishChanged copies the last publication's list of chunks, and the
// chunks of the shuttles marked.
func (d *Daemon) publishChanged(p *Published) {
	last := d.pub.last
	p.roster, p.n = last.roster, last.n
	p.rows = slices.Clone(last.rows)
	core := d.pubCore()
	copied := map[int]bool{}
	for id := range d.pub.dirty {
		i, ok := p.roster.index[id]
		if !ok {
			continue
		}
		c := i / rowChunk
		if !copied[c] {
			p.rows[c] = slices.Clone(p.rows[c])
			copied[c] = true
		}
		p.rows[c][i%rowChunk] = core.row(id)
	}
	p.Stats, p.StatsAt = last.Stats, last.StatsAt
	if d.pub.stats {
		core.stats(p)
	}
	if d.pub.aggr {
		core.aggregates(p)
		return
	}
	p.MoveSeq, p.MoveCounts, p.Gates, p.ClosedLanes, p.Slots = last.MoveSeq, last.MoveCounts, last.Gates, last.ClosedLanes, last.Slots
}

// row copies one shuttle.
func (c pubCore) row(id string) *ShuttleRow {
	v, _ := c.m.Vehicle(id)
	r := &ShuttleRow{Vehicle: v, Move: c.moveOf[id]}
	if st, soc, ok := c.ctl.ShuttleState(id); ok {
		r.Known, r.State, r.CoreSoC = true, st, soc
		r.Activity, r.Since = c.ctl.ActivitySince(id)
	}
	return r
}

// aggregates copies what is counted over the fleet.
func (c pubCore) aggregates(p *Published) {
	_, p.MoveSeq = c.ctl.ChangedSince(^uint64(0))
	p.MoveCounts = c.ctl.MoveCounts()
	q := c.ctl.GateQueue()
	p.Gates = make([]GateView, 0, len(q))
	for _, g := range q {
		gv := GateView{GateWait: g}
		if mv, ok := c.ctl.Move(g.Move); ok {
			gv.CanDecide = mv.CanDecide(g.Checkpoint) == nil
			for _, cl := range mv.Clearances {
				if cl.Checkpoint == g.Checkpoint && !cl.Arrived.IsZero() {
					gv.Arrived = cl.Arrived
				}
			}
		}
		p.Gates = append(p.Gates, gv)
	}
	p.ClosedLanes = slices.Clone(c.ctl.ClosedLanes())
	p.Slots = map[string][]charging.Slot{}
	for _, st := range c.g.Site().Stations {
		p.Slots[st.ID] = c.ctl.ChargerSlots(st.ID)
	}
}

// stats copies the Controller's stats.
func (c pubCore) stats(p *Published) {
	p.Stats, p.StatsAt = c.ctl.Stats(), p.At
	p.Stats.DispatchRejections = maps.Clone(p.Stats.DispatchRejections)
	p.Stats.LeadTimes, p.Stats.Illegal = nil, nil
}

// heartbeat: a publication older than this is made again when the
// daemon's goroutine next comes by (every tick, or a standby's poll of
// the journal) even if nothing changed, so that its age (Published.Wall)
// tells readers whether the core still runs.
const heartbeat = time.Second

// fullEvery is how often, at most, a tick copies the whole fleet
// afresh (real time): anything a step changed that no mark caught shows
// within it.
const fullEvery = 10 * time.Second

// markTick: a tick copies what it changed (its marks), and the whole
// fleet once every fullEvery; it recounts in any case.
func (d *Daemon) markTick() {
	d.pub.aggr, d.pub.stats = true, true
	if now := d.wall(); now.Sub(d.pub.fullAt) >= fullEvery {
		d.pub.full, d.pub.fullAt = true, now
	}
}

// Share makes p share with old (an earlier publication) the roster, the
// rows that are equal and the chunks whose rows all are, as the daemon's
// own publications do: for fakes of the daemon that publish afresh each
// time (see daemontest), so that their readers see what changed as they
// would the daemon's. It costs the whole fleet; it returns p.
func (p *Published) Share(old *Published) *Published {
	if old == nil || !slices.Equal(p.roster.ids, old.roster.ids) {
		return p
	}
	p.roster = old.roster
	for c, chunk := range p.rows {
		same := true
		for i, r := range chunk {
			if o := old.rows[c][i]; reflect.DeepEqual(r, o) {
				chunk[i] = o
			} else {
				same = false
			}
		}
		if same {
			p.rows[c] = old.rows[c]
		}
	}
	return p
}
