package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

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

// events is GET /v1/events, a Server-Sent Events stream: a "snapshot"
// event every SnapshotEvery (the first at once: moves by state, those
// archived included, shuttles, the gate queue with each container's
// waiting time and whether a decision on it would be taken, chargers,
// closed lanes), and before each a "move" event (the move with its
// history and clearance records) for every open move (before the first)
// and then every move created or changed (state, history, priority or
// checkpoints) since the last snapshot; the history is GET /v1/moves. A
// viewer's snapshot has only the number of containers at each gate, and
// its move events are ViewerMoves, sent when a move's state or priority
// changes. It ends when the client goes.
func (s *Server) events(w http.ResponseWriter, r *http.Request, who Token) error {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	marks := map[string]moveMark{}
	var seq uint64 // the core's change number at the last snapshot
	first, id := true, 0
	t := time.NewTicker(s.cfg.SnapshotEvery)
	defer t.Stop()
	for {
		snap, changed, err := s.snapshot(r, marks, &seq, first, who)
		if err == nil {
			first = false
			for _, m := range changed {
				id++
				if err := writeEvent(w, id, "move", m); err != nil {
					return nil // the client went
				}
			}
			id++
			if err := writeEvent(w, id, "snapshot", snap); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-t.C:
		}
	}
}

// snapshot reads the fleet, and the moves to send: on the first call
// the open moves (a new client gets what is under way, not the history),
// then those changed since marks. It looks only at the moves the core
// changed after change number *seq (on the first call, at the moves the
// core keeps: those open and those ended within its retention), so a
// snapshot costs what changed, not every move ever made; and marks keep
// only the open moves sent (an ended move, once sent, is forgotten:
// should it change again it is news), so they do not grow with the
// history either. For a viewer: no containers at the gates (their number
// per checkpoint only), and the changed moves as a viewer sees them
// (viewerMove), marked by what a viewer sees.
func (s *Server) snapshot(r *http.Request, marks map[string]moveMark, seq *uint64, first bool, who Token) (Snapshot, []any, error) {
	viewer := who.Role == RoleViewer
	snap := Snapshot{Active: s.cfg.Fleet.Active(), Moves: map[string]int{}, Gates: []GateWait{}, GateCounts: map[string]int{}}
	var changed []any
	err := s.read(r.Context(), func(now time.Time, core coreView) {
		snap.At = now
		for st, n := range core.MoveCounts() {
			snap.Moves[string(st)] = n
		}
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
		for _, sh := range s.shuttlesOf(core) {
			snap.Shuttles = append(snap.Shuttles, ShuttleStatus{ID: sh.ID, State: sh.State, Activity: sh.Activity,
				ActivityDetail: sh.ActivityDetail, ActivitySince: sh.ActivitySince, Waiting: sh.Waiting, SoC: sh.SoC,
				LastNode: sh.LastNode, Position: sh.Position, Move: sh.Move})
		}
		for _, g := range core.GateQueue() {
			snap.GateCounts[g.Checkpoint]++
		}
		if !viewer {
			snap.Gates = gateWaits(core)
		}
		snap.Chargers = s.stations(now, core)
		snap.ClosedLanes = nonNil(core.ClosedLanes())
	})
	return snap, changed, err
}

// writeEvent writes one SSE event with a JSON payload on one data line.
func writeEvent(w io.Writer, id int, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: event %s: %w", name, err)
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", id, name, b)
	return err
}
