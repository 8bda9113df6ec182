package sim

import (
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// Liveness is what a drained run says about the fleet's promise that
// every move ends: after demand stopped, did every move end (delivered,
// returned after a refusal, or cancelled) and every shuttle come to rest
// (idle or charging, with nothing left to drive), and how long did it
// take? Without a drain nothing is checked (DrainS 0). Ops reports the
// random operator verbs and lane closures of the run, if any.
type Liveness struct {
	DemandHours float64 `json:"demand_hours"` // demand ran this long
	DrainS      float64 `json:"drain_s"`      // the bound: at most this long after demand stopped; 0: not checked
	// RepairS is how much of the drain some shuttle was broken down (to
	// the minute), added to the bound, up to DrainS: a repair holds up
	// whatever waits behind the broken shuttle, which no controller can
	// help, and a shuttle breaks down when it moves after its time.
	RepairS float64 `json:"repair_s,omitempty"`
	// EndedS is how long after demand stopped every move had ended and
	// every shuttle was at rest (to the minute); -1 if not within DrainS
	// plus RepairS.
	EndedS float64 `json:"ended_s"`
	// OpenMoves are the moves not ended when the run stopped; the first
	// few as "id (state, shuttle)".
	OpenMoves   int      `json:"open_moves"`
	OpenMoveIDs []string `json:"open_move_ids,omitempty"`
	// BusyShuttles are the shuttles not at rest when the run stopped; the
	// first few as the Controller explains them.
	BusyShuttles   int      `json:"busy_shuttles"`
	BusyShuttleIDs []string `json:"busy_shuttle_ids,omitempty"`
	// DeliveredInDrain counts the moves delivered after demand stopped.
	DeliveredInDrain int `json:"delivered_in_drain"`
	// CancelledAtDrain counts the moves still pending when demand stopped
	// that the run cancelled then (Config.DrainCancelsPending); the drain
	// had the others, the moves under way, to end.
	CancelledAtDrain int `json:"cancelled_at_drain,omitempty"`

	Ops *OpsReport `json:"ops,omitempty"`
}

// Live tells whether a drained run ended as it must: every move ended and
// every shuttle at rest within the drain. A run without a drain (or with
// no Liveness at all) is not checked, and counts as live.
func (l *Liveness) Live() bool {
	return l == nil || l.DrainS == 0 || l.EndedS >= 0
}

// maxLivenessIDs is how many open moves and busy shuttles are named.
const maxLivenessIDs = 10

// openMoves lists the moves that have not ended.
func (e *engine) openMoves() []*fleet.Move {
	var out []*fleet.Move
	for _, m := range e.ctl.Moves() {
		if !m.State.Final() {
			out = append(out, m)
		}
	}
	return out
}

// busy lists the shuttles not at rest: at rest is idle with nothing left
// to drive (parked, or standing where its last task ended; waiting there
// for a charger slot too) or charging, in the Controller's eyes and the
// vehicle's.
func (e *engine) busy() []string {
	var out []string
	for _, id := range e.ids {
		st, _, _ := e.ctl.ShuttleState(id)
		a := e.ctl.Activity(id)
		busy, paused := e.vehicleBusy(id)
		idle := a.Kind == fleet.ActivityIdle || a.Kind == fleet.ActivityWaitCharger
		rest := (st == fleet.ShuttleIdle && idle && !busy) || (st == fleet.ShuttleCharging && a.Kind == fleet.ActivityCharging)
		if !rest || paused {
			out = append(out, id)
		}
	}
	return out
}

// vehicleBusy tells whether a vehicle, in its own eyes, has something
// to drive or do, and whether it is paused.
func (e *engine) vehicleBusy(id string) (busy, paused bool) {
	if v, ok := e.avs[id]; ok {
		return v.snap.Active || v.snap.OnEdge, v.snap.Paused
	}
	v := e.vs[id]
	return v.busy || len(v.steps) > 0, v.paused
}

// nodeOf is the node a vehicle stands on or last passed.
func (e *engine) nodeOf(id string) string {
	if v, ok := e.avs[id]; ok {
		return v.node
	}
	return e.vs[id].node
}

// atRest tells whether every move has ended, every shuttle is at rest and
// the operators have undone what they meant to undo.
func (e *engine) atRest() bool {
	return len(e.openMoves()) == 0 && len(e.busy()) == 0 && (e.ops == nil || len(e.ops.r.Undoing) == 0)
}

// report fills the run's Liveness (with a drain, or random operator
// verbs) once the run has stopped.
func (e *engine) report(demandEnd time.Time) {
	if e.cfg.Drain == 0 && e.ops == nil {
		return
	}
	l := &Liveness{DemandHours: e.cfg.Hours, DrainS: e.cfg.Drain.Seconds(), RepairS: e.repairS, EndedS: -1, CancelledAtDrain: e.cancelled}
	if e.ops != nil {
		l.Ops = &e.ops.r
	}
	e.r.Liveness = l
	if e.cfg.Drain == 0 {
		return
	}
	// with a drain the report covers the time simulated, drain included
	e.r.SimHours = e.now.Sub(e.cfg.StartTime).Hours()
	if !e.ended.IsZero() {
		l.EndedS = e.ended.Sub(demandEnd).Seconds()
	}
	for _, m := range e.ctl.Moves() {
		if h := m.History; m.State == fleet.MoveDelivered && len(h) > 0 && h[len(h)-1].At.After(demandEnd) {
			l.DeliveredInDrain++
		}
	}
	open := e.openMoves()
	l.OpenMoves = len(open)
	for _, m := range open[:min(len(open), maxLivenessIDs)] {
		l.OpenMoveIDs = append(l.OpenMoveIDs, fmt.Sprintf("%s (%s, %s)", m.ID, m.State, orNone(m.Shuttle)))
	}
	busy := e.busy()
	l.BusyShuttles = len(busy)
	for _, id := range busy[:min(len(busy), maxLivenessIDs)] {
		l.BusyShuttleIDs = append(l.BusyShuttleIDs, e.ctl.Explain(id))
	}
}

// cancelPending cancels every move still pending, as an operator closing
// the day would (Config.DrainCancelsPending). A refusal is one of the
// run's errors: a pending move carries no container and may always be
// cancelled.
func (e *engine) cancelPending() {
	var pending []*fleet.Move
	for _, m := range e.ctl.Moves() {
		if m.State == fleet.MovePending {
			pending = append(pending, m)
		}
	}
	for _, m := range pending {
		if m.State != fleet.MovePending {
			continue // dispatched meanwhile: under way
		}
		if err := e.handle(fleet.CancelRequested{Move: m.ID, By: "sim-operator", Reason: "demand stopped: the day's queue is cancelled"}); err != nil {
			e.errs++
			e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: cancelling pending move %s: %v", e.now.Format("15:04:05"), m.ID, err))
			continue
		}
		e.cancelled++
	}
}

func orNone(s string) string {
	if s == "" {
		return "no shuttle"
	}
	return s
}
