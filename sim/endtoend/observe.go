package endtoend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/sim"
)

// observer builds the run's Recording and safety counts from what the
// HTTP API shows each simulated minute.
type observer struct {
	rec      *sim.Recording
	act      map[string]int // activity -> column
	cps      map[string]int // checkpoint -> column
	stations map[string]int // station -> column
	started  bool
	at       time.Time // fleetd's clock at the last poll

	state    map[string]string  // shuttle -> state at the last poll
	node     map[string]string  // shuttle -> last node at the last poll
	shuttles map[string]int     // shuttle -> column in Sample.SoC
	minSoC   float64            // lowest SoC the API showed
	depleted map[string]bool    // shuttles whose SoC reached 0
	seen     map[string]string  // move -> state when last listed
	lost     map[string]bool    // moves listed once and missing later
	hours    map[string]float64 // shuttle hours by state
	activity map[string]float64 // shuttle hours by activity
	breaks   int

	// deadlock: no shuttle moved for an hour while moves were under way
	// and none was broken down (sim's rule)
	lastProgress time.Time
	deadlocks    int
	notes        []string

	// fleetd's counters, summed over its restarts: base holds what the
	// killed ones had counted, last what the running one has
	base, last map[string]float64
	missed     int
}

// counted are fleetd's counters the report reads.
var counted = []string{"borderfleet_duplicate_drops_total", "borderfleet_illegal_transitions_total"}

func newObserver(cfg sim.Config) *observer {
	o := &observer{rec: sim.NewRecording(cfg), act: map[string]int{}, cps: map[string]int{}, stations: map[string]int{},
		state: map[string]string{}, node: map[string]string{}, shuttles: map[string]int{}, minSoC: 1, depleted: map[string]bool{},
		seen: map[string]string{}, lost: map[string]bool{}, hours: map[string]float64{}, activity: map[string]float64{},
		base: map[string]float64{}, last: map[string]float64{}}
	for i, a := range o.rec.Activities {
		o.act[a] = i
	}
	for i, cp := range o.rec.Checkpoints {
		o.cps[cp] = i
	}
	for i, st := range o.rec.Stations {
		o.stations[st.ID] = i
	}
	return o
}

// now is the time simulated so far, on fleetd's clock.
func (o *observer) now() time.Duration {
	if !o.started {
		return 0
	}
	return o.at.Sub(o.rec.Start)
}

// poll takes the fleet's minute: the customs queue (and fleetd's clock
// with it), the shuttles, the chargers, the moves and the counters.
func (o *observer) poll(ctx context.Context, cl *client) error {
	var q api.Queue
	if err := cl.get(ctx, "/v1/customs/queue", &q); err != nil {
		o.missed++
		return err
	}
	var sh shuttleList
	var ch struct {
		Stations []api.Station `json:"stations"`
	}
	if err := cl.get(ctx, "/v1/shuttles", &sh); err != nil {
		o.missed++
		return err
	}
	if err := cl.get(ctx, "/v1/chargers", &ch); err != nil {
		o.missed++
		return err
	}
	moves, err := cl.moves(ctx)
	if err != nil {
		o.missed++
		return err
	}
	if err := o.counters(ctx, cl); err != nil {
		o.missed++
		return err
	}
	if !o.started {
		o.started, o.rec.Start, o.lastProgress = true, q.At, q.At
	}
	if q.At.Before(o.at) {
		q.At = o.at // fleetd's clock carries on from its journal after a restart; never back
	}
	step := q.At.Sub(o.at).Hours()
	if o.at.IsZero() {
		step = 0
	}
	o.at = q.At
	t := o.now()
	s := sim.Sample{T: t, Activity: make([]int, len(o.rec.Activities)), Queue: make([]int, len(o.rec.Checkpoints)),
		ChargersInUse: make([]int, len(o.rec.Stations)), GridKW: make([]float64, len(o.rec.Stations))}
	moved, broken := false, false
	slices.SortFunc(sh.Shuttles, func(a, b api.Shuttle) int { return cmp.Compare(a.ID, b.ID) })
	for _, v := range sh.Shuttles {
		if !v.Joined {
			continue
		}
		if _, ok := o.shuttles[v.ID]; !ok {
			o.shuttles[v.ID] = len(o.rec.Shuttles)
			o.rec.Shuttles = append(o.rec.Shuttles, v.ID)
		}
		i, ok := o.act[v.Activity]
		if !ok {
			i = o.act[string(fleet.ActivityUnknown)]
		}
		s.Activity[i]++
		o.hours[v.State] += step
		o.activity[v.Activity] += step
		o.minSoC = min(o.minSoC, v.SoC)
		if v.SoC <= 0 && !o.depleted[v.ID] {
			o.depleted[v.ID] = true
			o.notes = append(o.notes, fmt.Sprintf("%s: %s's battery at %.1f %%", clock(t), v.ID, 100*v.SoC))
		}
		moved = moved || v.Driving || (o.node[v.ID] != "" && o.node[v.ID] != v.LastNode)
		broken = broken || v.State == string(fleet.ShuttleFault)
		o.changed(t, v)
		o.node[v.ID] = v.LastNode
	}
	s.SoC = make([]float64, len(o.rec.Shuttles))
	for _, v := range sh.Shuttles {
		if i, ok := o.shuttles[v.ID]; ok {
			s.SoC[i] = v.SoC
		}
	}
	for _, g := range q.Queue {
		if i, ok := o.cps[g.Checkpoint]; ok {
			s.Queue[i]++
		}
	}
	for _, st := range ch.Stations {
		i, ok := o.stations[st.ID]
		if !ok {
			continue
		}
		for _, rv := range st.Reservations {
			// the slot's power while it is plugged in: the API does not
			// show the taper of its profile
			if rv.CheckedIn && !q.At.Before(rv.Start) && q.At.Before(rv.End) {
				s.ChargersInUse[i]++
				s.GridKW[i] += rv.PowerKW
			}
		}
	}
	listed := map[string]bool{}
	underWay := false
	for _, m := range moves {
		listed[m.ID] = true
		o.seen[m.ID] = m.State
		switch fleet.MoveState(m.State) {
		case fleet.MovePending:
			s.Pending++
		case fleet.MoveDelivered:
			s.Delivered++
		case fleet.MoveReturned:
			s.Returned++
		case fleet.MoveCancelled, fleet.MoveFailed:
		default:
			s.UnderWay++
			underWay = true
		}
	}
	for id, st := range o.seen {
		if !listed[id] && !o.lost[id] {
			o.lost[id] = true
			o.notes = append(o.notes, fmt.Sprintf("%s: move %s (last %s) no longer listed by the API", clock(t), id, st))
		}
	}
	o.stall(q.At, moved || !underWay, broken)
	o.rec.Samples = append(o.rec.Samples, s)
	return nil
}

// changed notes a shuttle's charging sessions and breakdowns as they
// begin and end (to the minute).
func (o *observer) changed(t time.Duration, v api.Shuttle) {
	was, seen := o.state[v.ID]
	o.state[v.ID] = v.State
	if seen && was == v.State {
		return
	}
	for _, k := range []struct{ state, kind string }{{string(fleet.ShuttleCharging), sim.EventCharge}, {string(fleet.ShuttleFault), sim.EventFault}} {
		switch {
		case v.State == k.state && was != k.state:
			o.rec.Events = append(o.rec.Events, sim.Event{T: t, Kind: k.kind, Shuttle: v.ID, What: "start", Where: v.LastNode, SoC: v.SoC})
			if k.kind == sim.EventFault {
				o.breaks++
			}
		case seen && was == k.state && v.State != k.state:
			o.rec.Events = append(o.rec.Events, sim.Event{T: t, Kind: k.kind, Shuttle: v.ID, What: "end", Where: v.LastNode, SoC: v.SoC})
		}
	}
}

// stall counts a deadlock when no shuttle has moved for an hour while
// moves are under way and none is broken down, as an in-process run
// does.
func (o *observer) stall(now time.Time, progress, broken bool) {
	if progress || broken {
		o.lastProgress = now
		return
	}
	if now.Sub(o.lastProgress) >= time.Hour {
		o.deadlocks++
		o.notes = append(o.notes, fmt.Sprintf("%s: nothing moved for an hour while moves were under way", clock(now.Sub(o.rec.Start))))
		o.lastProgress = now
	}
}

// counters reads fleetd's counters; one lower than before means fleetd
// started again without restarted being called (it ended by itself).
func (o *observer) counters(ctx context.Context, cl *client) error {
	m, err := cl.metrics(ctx)
	if err != nil {
		return err
	}
	for _, k := range counted {
		if m[k] < o.last[k] {
			o.base[k] += o.last[k]
		}
		o.last[k] = m[k]
	}
	return nil
}

// restarted is called when fleetd is killed: what it counted is kept.
func (o *observer) restarted() {
	for _, k := range counted {
		o.base[k] += o.last[k]
		o.last[k] = 0
	}
}

// count is a counter summed over fleetd's lives.
func (o *observer) count(name string) int { return int(o.base[name] + o.last[name]) }

// status is a progress line's figures.
func (o *observer) status() string {
	if len(o.rec.Samples) == 0 {
		return "no sample yet"
	}
	s := o.rec.Samples[len(o.rec.Samples)-1]
	return fmt.Sprintf("%d shuttles, moves %d pending, %d under way, %d delivered", len(o.rec.Shuttles), s.Pending, s.UnderWay, s.Delivered)
}

func clock(t time.Duration) string {
	return fmt.Sprintf("t=%s", t.Round(time.Second))
}
