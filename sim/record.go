package sim

import (
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
)

// This file keeps what a recorded run saw (Options.Record): a sample of
// the fleet each simulated minute and the run's events with their times,
// for reports with time series and plots (package sim/report writes
// them). The recorder only reads the Controller and the vehicles: a run
// does the same with and without it. Off, it costs one nil check per
// event and per minute.

// Options are what a run reports beside its Report.
type Options struct {
	// Record keeps a Recording of the run.
	Record bool
	// Progress, if set, is called each simulated minute with the time
	// simulated so far and the most the run may simulate (its hours and
	// its drain). It must not block for long.
	Progress func(done, total time.Duration)

	// lag delays states on the way to the Master, and masterLog is the
	// Master's logger (tests of a fleet core that falls behind)
	lag       *stateLag
	masterLog *slog.Logger
}

// Recording is a run's time series and events (RunWith with
// Options.Record).
type Recording struct {
	Start time.Time `json:"start"`
	// Activities are the shuttle activities sampled, in column order
	// (fleet.ActivityKind words).
	Activities []string `json:"activities"`
	// Checkpoints are the stop lines, in site order.
	Checkpoints []string `json:"checkpoints"`
	// Stations are the charging stations, in site order.
	Stations []StationInfo `json:"stations"`
	// Shuttles are every shuttle the fleet had, in the order they joined.
	Shuttles []string `json:"shuttles"`
	// Samples: one a simulated minute.
	Samples []Sample `json:"samples"`
	// Events: every move and customs event, charging session, breakdown
	// and scenario lane closure, by time.
	Events []Event `json:"events"`
	// LeadTimesS are the lead times of the delivered moves (created to
	// delivered), in seconds, in the order of the moves.
	LeadTimesS []float64 `json:"lead_times_s"`
	// GateWaitsS are the waits at customs (arrival at a stop line to
	// leaving it or its inspection bay), in seconds, each stop a
	// container made, in the order of the moves.
	GateWaitsS []float64 `json:"gate_waits_s"`
}

// StationInfo is a charging station as a Recording needs it.
type StationInfo struct {
	ID        string  `json:"id"`
	Chargers  int     `json:"chargers"`
	GridCapKW float64 `json:"grid_cap_kw"`
}

// Sample is the fleet at one simulated minute.
type Sample struct {
	T time.Duration `json:"t"` // since the start
	// Activity counts the shuttles by activity (Recording.Activities).
	Activity []int `json:"activity"`
	// Queue counts the containers waiting for customs at each checkpoint
	// (Recording.Checkpoints): at the stop line or its inspection bay.
	Queue []int `json:"queue"`
	// ChargersInUse and GridKW are by station (Recording.Stations): the
	// sessions plugged in now and the grid power they draw.
	ChargersInUse []int     `json:"chargers_in_use"`
	GridKW        []float64 `json:"grid_kw"`
	// SoC is each shuttle's state of charge as the Controller last heard
	// it (Recording.Shuttles; shorter while the fleet has fewer).
	SoC []float64 `json:"soc"`
	// Moves by where they are: pending (on no shuttle), under way, and
	// ended (delivered, returned after a refusal, cancelled or failed).
	Pending   int `json:"pending"`
	UnderWay  int `json:"under_way"`
	Delivered int `json:"delivered"`
	Returned  int `json:"returned"`
}

// Event kinds.
const (
	EventMove   = "move"   // a move changed state
	EventGate   = "gate"   // at a checkpoint: arrival, decision, inspection, passing
	EventCharge = "charge" // a charging session began or ended
	EventFault  = "fault"  // a shuttle broke down or was repaired
	EventLane   = "lane"   // a scenario's lane closure: "closed" or "reopened"
)

// Event is one thing that happened in a recorded run.
type Event struct {
	T       time.Duration `json:"t"` // since the start
	Kind    string        `json:"kind"`
	Move    string        `json:"move,omitempty"`
	Shuttle string        `json:"shuttle,omitempty"`
	// What happened: the new state ("at_gate"), a decision ("release"),
	// or "start" and "end" of a charge or a fault.
	What string `json:"what"`
	// From is the state before, for a change of state.
	From string `json:"from,omitempty"`
	// Where: the checkpoint, or the node of a charge or fault.
	Where string `json:"where,omitempty"`
	// SoC at a charge's start or end.
	SoC float64 `json:"soc,omitempty"`
}

// activities is the order of the sampled activities.
var activities = []fleet.ActivityKind{fleet.ActivityMoving, fleet.ActivityHandling, fleet.ActivityWaitGate,
	fleet.ActivityWaitCustoms, fleet.ActivityWaitTraffic, fleet.ActivityWaitBay, fleet.ActivityWaitRoute, fleet.ActivityWaitCharger,
	fleet.ActivityCharging, fleet.ActivityAtGoal, fleet.ActivityIdle, fleet.ActivityFault, fleet.ActivityEStop,
	fleet.ActivityPaused, fleet.ActivityOffline, fleet.ActivityOutOfService, fleet.ActivityUnknown}

// recorder builds a Recording as a run goes.
type recorder struct {
	rec     Recording
	act     map[fleet.ActivityKind]int
	cps     map[string]int
	last    map[string]fleet.ShuttleState // shuttle -> state last seen
	touched []string
}

func newRecorder(cfg Config) *recorder {
	r := &recorder{act: map[fleet.ActivityKind]int{}, cps: map[string]int{}, last: map[string]fleet.ShuttleState{}}
	r.rec = *NewRecording(cfg)
	for i, a := range activities {
		r.act[a] = i
	}
	for i, cp := range cfg.Site.Checkpoints {
		r.cps[cp.ID] = i
	}
	return r
}

// NewRecording is an empty Recording of a run of cfg: its start, the
// activities, checkpoints and stations its samples count by. A run not
// made by RunWith (an end-to-end run, package sim/endtoend) fills it in
// with samples and events of its own, and its moves by AddMoves.
func NewRecording(cfg Config) *Recording {
	cfg = cfg.withDefaults()
	rec := &Recording{Start: cfg.StartTime}
	for _, a := range activities {
		rec.Activities = append(rec.Activities, string(a))
	}
	for _, cp := range cfg.Site.Checkpoints {
		rec.Checkpoints = append(rec.Checkpoints, cp.ID)
	}
	for _, st := range cfg.Site.Stations {
		rec.Stations = append(rec.Stations, StationInfo{ID: st.ID, Chargers: st.Chargers, GridCapKW: st.GridCapKW})
	}
	return rec
}

// handled notes the charging sessions and breakdowns an event and its
// commands began or ended: it looks at the shuttles they name.
func (r *recorder) handled(e *engine, ev fleet.Event, cmds []fleet.Command) {
	r.touched = r.touched[:0]
	switch x := ev.(type) {
	case fleet.NodeReached:
		r.touched = append(r.touched, x.Shuttle)
	case fleet.ActionDone:
		r.touched = append(r.touched, x.Shuttle)
	case fleet.FaultReported:
		r.touched = append(r.touched, x.Shuttle)
	case fleet.FaultCleared:
		r.touched = append(r.touched, x.Shuttle)
	case fleet.ShuttleJoined:
		r.touched = append(r.touched, x.Shuttle)
	}
	for _, c := range cmds {
		r.touched = append(r.touched, c.Shuttle)
	}
	for _, id := range r.touched {
		st, soc, ok := e.ctl.ShuttleState(id)
		if !ok {
			continue
		}
		was, seen := r.last[id]
		if seen && was == st {
			continue
		}
		if !seen {
			r.rec.Shuttles = append(r.rec.Shuttles, id)
		}
		r.last[id] = st
		t := e.now.Sub(r.rec.Start)
		for _, k := range []struct {
			state fleet.ShuttleState
			kind  string
		}{{fleet.ShuttleCharging, EventCharge}, {fleet.ShuttleFault, EventFault}} {
			switch {
			case st == k.state && was != k.state:
				r.rec.Events = append(r.rec.Events, Event{T: t, Kind: k.kind, Shuttle: id, What: "start", Where: e.nodeOf(id), SoC: soc})
			case was == k.state && st != k.state && seen:
				r.rec.Events = append(r.rec.Events, Event{T: t, Kind: k.kind, Shuttle: id, What: "end", Where: e.nodeOf(id), SoC: soc})
			}
		}
	}
}

// lane notes a scenario's lane closure or reopening (nothing when not
// recording).
func (r *recorder) lane(e *engine, lane, what string) {
	if r == nil {
		return
	}
	r.rec.Events = append(r.rec.Events, Event{T: e.now.Sub(r.rec.Start), Kind: EventLane, What: what, Where: lane})
}

// sample takes the fleet's minute.
func (r *recorder) sample(e *engine) {
	s := Sample{T: e.now.Sub(r.rec.Start), Activity: make([]int, len(activities)), Queue: make([]int, len(r.rec.Checkpoints)),
		ChargersInUse: make([]int, len(r.rec.Stations)), GridKW: make([]float64, len(r.rec.Stations))}
	for _, id := range e.ids {
		s.Activity[r.act[e.ctl.Activity(id).Kind]]++
	}
	for _, g := range e.ctl.GateQueue() {
		if i, ok := r.cps[g.Checkpoint]; ok {
			s.Queue[i]++
		}
	}
	for i, st := range r.rec.Stations {
		for _, sl := range e.ctl.ChargerSlots(st.ID) {
			if kw := drawAt(sl, e.now); sl.CheckedIn && kw > 0 {
				s.ChargersInUse[i]++
				s.GridKW[i] += kw
			}
		}
	}
	s.SoC = make([]float64, len(r.rec.Shuttles))
	for i, id := range r.rec.Shuttles {
		_, soc, _ := e.ctl.ShuttleState(id)
		s.SoC[i] = soc
	}
	for st, n := range e.ctl.MoveCounts() {
		switch st {
		case fleet.MovePending:
			s.Pending += n
		case fleet.MoveDelivered:
			s.Delivered += n
		case fleet.MoveReturned:
			s.Returned += n
		case fleet.MoveCancelled, fleet.MoveFailed:
		default:
			s.UnderWay += n
		}
	}
	r.rec.Samples = append(r.rec.Samples, s)
}

// drawAt is the grid power a charging slot draws at t.
func drawAt(sl charging.Slot, t time.Time) float64 {
	if t.Before(sl.Start) || !t.Before(sl.End) {
		return 0
	}
	at := sl.Start
	for _, seg := range sl.Profile {
		at = at.Add(seg.Duration)
		if t.Before(at) {
			return seg.KW
		}
	}
	return 0
}

// finish adds the moves' histories, the lead times and the gate waits,
// and orders the events by time.
func (r *recorder) finish(e *engine) *Recording {
	r.rec.AddMoves(e.ctl.Moves())
	return &r.rec
}

// AddMoves adds the moves' histories to the events, and their lead
// times and waits at customs, and orders the events by time (the
// events already there first at equal times).
func (rec *Recording) AddMoves(moves []*fleet.Move) {
	var evs []Event
	for _, m := range moves {
		var arrived time.Time
		on := shuttlesOf(m)
		for i, h := range m.History {
			ev := Event{T: h.At.Sub(rec.Start), Kind: EventMove, Move: m.ID, Shuttle: on[i], What: string(h.To), From: string(h.From), Where: h.Checkpoint}
			switch {
			case h.Decision != "":
				ev.Kind, ev.What, ev.From = EventGate, string(h.Decision), ""
			case h.Event != "":
				ev.Kind, ev.What, ev.From = EventGate, h.Event, ""
			case h.Checkpoint != "":
				ev.Kind = EventGate
			}
			if h.Changed() && h.From == h.To {
				continue
			}
			evs = append(evs, ev)
			if !h.Changed() {
				continue
			}
			atCustoms := func(s fleet.MoveState) bool { return s == fleet.MoveAtGate || s == fleet.MoveInspection }
			switch {
			case atCustoms(h.To) && !atCustoms(h.From):
				arrived = h.At
			case atCustoms(h.From) && !atCustoms(h.To) && !arrived.IsZero():
				rec.GateWaitsS = append(rec.GateWaitsS, h.At.Sub(arrived).Seconds())
				arrived = time.Time{}
			}
			if h.To == fleet.MoveDelivered {
				rec.LeadTimesS = append(rec.LeadTimesS, h.At.Sub(m.Created).Seconds())
			}
		}
	}
	// the shuttles' events were taken in time order; the moves' are
	// merged in, each kept in its own order at equal times
	evs = append(rec.Events, evs...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].T < evs[j].T })
	rec.Events = evs
}

// shuttlesOf is the shuttle each entry of a move's history is about:
// the one an entry names as its actor ("shuttle ID"), and for the
// entries of the same assignment that name none (assigned, to_pickup,
// at_gate, ...) the one the assignment's other entries name, or for the
// last assignment the move's shuttle; "" for an earlier assignment no
// entry of which names a shuttle.
func shuttlesOf(m *fleet.Move) []string {
	out := make([]string, len(m.History))
	start := 0 // the first entry of the present assignment
	fill := func(end int, id string) {
		for j := start; j < end; j++ {
			if out[j] == "" {
				out[j] = id
			}
		}
	}
	named := ""
	for i, h := range m.History {
		if id, ok := strings.CutPrefix(h.Actor, "shuttle "); ok {
			out[i], named = id, id
		}
		if h.Changed() && h.To == fleet.MovePending {
			fill(i, named) // the assignment before ended here (the entry keeps the actor it names)
			start, named = i+1, ""
		}
	}
	if named == "" {
		named = m.Shuttle // the move's shuttle now, if any
	}
	fill(len(out), named)
	return out
}

// MeanSoC is the mean state of charge over the shuttles in the sample.
func (s Sample) MeanSoC() float64 {
	if len(s.SoC) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, v := range s.SoC {
		sum += v
	}
	return sum / float64(len(s.SoC))
}

// ActivityIndex is the column of an activity in Sample.Activity, -1 if
// it is not sampled.
func (r *Recording) ActivityIndex(a string) int {
	return slices.Index(r.Activities, a)
}
