package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
)

// Snapshot is the "snapshot" event of the event stream: the fleet at one
// moment.
type Snapshot struct {
	At       time.Time       `json:"at"` // the core's clock
	Active   bool            `json:"active"`
	Moves    map[string]int  `json:"moves"` // moves by state
	Shuttles []ShuttleStatus `json:"shuttles"`
	// Gates are the containers waiting for customs, for operators and
	// admins; a viewer gets only GateCounts.
	Gates []GateWait `json:"gates"`
	// GateCounts: how many containers wait at each checkpoint.
	GateCounts map[string]int `json:"gate_counts"`
	Chargers   []Station      `json:"chargers"`
	// ClosedLanes are the lanes and links closed to new routes.
	ClosedLanes []string `json:"closed_lanes"`
}

// ShuttleStatus is one shuttle in a snapshot.
type ShuttleStatus struct {
	ID       string `json:"id"`
	State    string `json:"state,omitempty"`
	Activity string `json:"activity,omitempty"`
	// ActivityDetail, ActivitySince and Waiting are as in Shuttle.
	ActivityDetail string     `json:"activity_detail,omitempty"`
	ActivitySince  *time.Time `json:"activity_since,omitempty"`
	Waiting        *Waiting   `json:"waiting,omitempty"`
	SoC            float64    `json:"soc"`
	LastNode       string     `json:"last_node,omitempty"`
	Position       *Position  `json:"position,omitempty"`
	Move           string     `json:"move,omitempty"`
}

// moveMark is what the stream last sent of a move: its state, how many
// transitions it had, its priority and how many checkpoints its way has
// (a detour adds one without a transition).
type moveMark struct {
	state      fleet.MoveState
	n          int
	priority   int
	clearances int
}

// Delta is the "delta" event of the event stream: what changed since
// the event whose id is Since. Its shuttles are only those that changed
// (merge them by id into the last snapshot's); everything else is whole,
// as in a snapshot (it is small: by state, by checkpoint, by station).
type Delta struct {
	Snapshot
	Since uint64 `json:"since"`
}

// events is GET /v1/events, a Server-Sent Events stream of what the core
// publishes (it never waits for the core but to read the moves that
// changed): first a "snapshot" event (moves by state, those archived
// included, shuttles, the gate queue with each container's waiting time
// and whether a decision on it would be taken, chargers, closed lanes),
// then every SnapshotEvery a "delta" event: the same, but only the
// shuttles that changed since the last event. Snapshots and deltas carry
// an id (this server's epoch and the core's publication number, see
// eventID); a client that reconnects with
// Last-Event-ID gets, if that publication is still among the last
// sseHistory sent, a delta from it and the moves changed since it, else
// a fresh snapshot. Before each snapshot or delta come "move" events
// (the move with its history and clearance records) for every open move
// (before a first snapshot) or every move created or changed (state,
// history, priority or checkpoints) since the last event; they have no
// id of their own: a client that missed some gets them again from the
// last id it saw. The history is GET /v1/moves. A viewer's snapshot
// has only the number of containers at each gate, and its move events
// are ViewerMoves, sent when a move's state or priority changes. It ends
// when the client goes.
func (s *Server) events(w http.ResponseWriter, r *http.Request, who Token) error {
	rc := http.NewResponseController(w)
	var last *daemon.Published // what the client has
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		last = s.hist.get(s.eventVersion(id))
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	marks := map[string]moveMark{}
	var seq uint64 // the core's change number of the moves last sent
	first := last == nil
	if last != nil {
		seq = last.MoveSeq
	}
	t := time.NewTicker(s.cfg.SnapshotEvery)
	defer t.Stop()
	for {
		p := s.cfg.Fleet.Published()
		if p != nil {
			changed, err := s.changedMoves(r, p, marks, &seq, first, who)
			if err == nil {
				for _, m := range changed {
					if err := writeEvent(w, "", "move", m); err != nil {
						return nil // the client went
					}
				}
				name, ev := s.update(p, last, who)
				s.hist.put(p)
				if err := writeEvent(w, s.eventID(p.Version), name, ev); err != nil {
					return nil
				}
				if err := rc.Flush(); err != nil {
					return nil
				}
				first, last = false, p
			}
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-t.C:
		}
	}
}

// update is the event that brings a client that has last (nil: nothing)
// to p: a snapshot, or a delta of the shuttles that changed.
func (s *Server) update(p, last *daemon.Published, who Token) (string, any) {
	viewer := who.Role == RoleViewer
	snap := Snapshot{At: p.At, Active: s.cfg.Fleet.Active(), Moves: map[string]int{}, Gates: []GateWait{}, GateCounts: map[string]int{},
		Shuttles: []ShuttleStatus{}}
	for st, n := range p.MoveCounts {
		snap.Moves[string(st)] = n
	}
	for _, g := range p.Gates {
		snap.GateCounts[g.Checkpoint]++
	}
	if !viewer {
		snap.Gates = publishedGates(p)
	}
	snap.Chargers = s.publishedStations(p)
	snap.ClosedLanes = nonNil(slices.Clone(p.ClosedLanes))
	delta := last != nil && p.SameRoster(last)
	for i := 0; i < p.Len(); i++ {
		if delta && i%daemon.RowChunk == 0 && !p.ChangedChunk(last, i) {
			i += daemon.RowChunk - 1
			continue
		}
		if delta && !p.Changed(last, i) {
			continue
		}
		snap.Shuttles = append(snap.Shuttles, statusOf(s.shuttleOf(p.Row(i))))
	}
	if delta {
		return "delta", Delta{Snapshot: snap, Since: last.Version}
	}
	return "snapshot", snap
}

// statusOf is a shuttle as a snapshot shows it.
func statusOf(sh Shuttle) ShuttleStatus {
	return ShuttleStatus{ID: sh.ID, State: sh.State, Activity: sh.Activity, ActivityDetail: sh.ActivityDetail,
		ActivitySince: sh.ActivitySince, Waiting: sh.Waiting, SoC: sh.SoC, LastNode: sh.LastNode, Position: sh.Position, Move: sh.Move}
}

// changedMoves reads the moves to send: on the first call the open moves
// (a new client gets what is under way, not the history), then those
// changed since marks. It reads the core only when p says moves changed
// after change number *seq, and then only the moves the core changed
// after it (on the first call, the moves the core keeps: those open and
// those ended within its retention), so that it costs what changed, not
// every move ever made; and marks keep only the open moves sent (an ended
// move, once sent, is forgotten: should it change again it is news), so
// they do not grow with the history either. For a viewer: the changed
// moves as a viewer sees them (viewerMove), marked by what a viewer sees.
func (s *Server) changedMoves(r *http.Request, p *daemon.Published, marks map[string]moveMark, seq *uint64, first bool, who Token) ([]any, error) {
	if !first && p.MoveSeq <= *seq {
		return nil, nil
	}
	viewer := who.Role == RoleViewer
	var changed []any
	err := s.read(r.Context(), func(_ time.Time, core coreView) {
		var moves []*fleet.Move
		moves, *seq = core.ChangedSince(*seq)
		for _, mv := range moves {
			if first && mv.State.Final() {
				continue
			}
			mark := moveMark{mv.State, len(mv.History), mv.Priority, len(mv.Clearances)}
			if viewer {
				mark = moveMark{state: mv.State, n: viewerChanges(mv), priority: mv.Priority}
			}
			if old, ok := marks[mv.ID]; ok && old == mark {
				continue
			}
			if mv.State.Final() {
				delete(marks, mv.ID)
			} else {
				marks[mv.ID] = mark
			}
			changed = append(changed, moveFor(who, mv, true))
		}
	})
	return changed, err
}

// eventID is the id of the event that brings a client to publication v:
// the server's epoch and v, so that an id from another fleetd process
// (one restarted, or the other of a failover pair: their publications
// count from 1 each) is never taken for one of this one's.
func (s *Server) eventID(v uint64) string { return s.epoch + "-" + strconv.FormatUint(v, 10) }

// eventVersion is the publication of an event id of this server, 0 if
// it is none.
func (s *Server) eventVersion(id string) uint64 {
	epoch, v, ok := strings.Cut(id, "-")
	if !ok || epoch != s.epoch {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// sseHistory is how many publications the event stream keeps for
// clients that reconnect (Last-Event-ID): at one event a second per
// stream, about a minute's worth with one client.
const sseHistory = 64

// history is the publications last sent on any event stream, by id.
type history struct {
	mu    sync.Mutex
	byID  map[uint64]*daemon.Published
	order []uint64
}

func (h *history) put(p *daemon.Published) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byID == nil {
		h.byID = map[uint64]*daemon.Published{}
	}
	if _, ok := h.byID[p.Version]; ok {
		return
	}
	h.byID[p.Version] = p
	h.order = append(h.order, p.Version)
	if len(h.order) > sseHistory {
		delete(h.byID, h.order[0])
		h.order = slices.Delete(h.order, 0, 1)
	}
}

func (h *history) get(v uint64) *daemon.Published {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byID[v]
}

// writeEvent writes one SSE event with a JSON payload on one data line.
func writeEvent(w io.Writer, id, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: event %s: %w", name, err)
	}
	if id != "" {
		_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", id, name, b)
	} else {
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	}
	return err
}
