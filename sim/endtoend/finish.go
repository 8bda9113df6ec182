package endtoend

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/sim"
)

// finish reads every move with its history at the end of the run and
// makes the report: the moves' figures as an in-process run counts them,
// and each safety count from what was measured.
func (r *runner) finish(ctx context.Context) (sim.Report, *sim.Recording, error) {
	c := r.cfg.Sim
	o := r.obs
	listed, err := r.cl.moves(ctx)
	if err != nil {
		return sim.Report{}, nil, fmt.Errorf("endtoend: the moves at the end: %w", err)
	}
	if err := o.counters(ctx, r.cl); err != nil {
		return sim.Report{}, nil, fmt.Errorf("endtoend: the counters at the end: %w", err)
	}
	var shuttles shuttleList
	if err := r.cl.get(ctx, "/v1/shuttles", &shuttles); err != nil {
		return sim.Report{}, nil, fmt.Errorf("endtoend: the shuttles at the end: %w", err)
	}
	rep := sim.Report{Shuttles: c.Shuttles, SimHours: c.Hours, Policy: c.Policy, Charging: c.Charging, Seed: c.Seed,
		MovesByState: map[string]int{}, ShuttlesByState: map[string]int{}, ShuttleHours: o.hours, ActivityHours: o.activity}
	var moves []*fleet.Move
	twice := 0
	// the run is its hours on fleetd's clock: the moves as they stood
	// then (the last poll may come up to a minute later)
	cut := o.rec.Start.Add(time.Duration(c.Hours * float64(time.Hour)))
	for _, lm := range listed {
		var m api.Move
		if err := r.cl.get(ctx, "/v1/moves/"+url.PathEscape(lm.ID), &m); err != nil {
			return sim.Report{}, nil, fmt.Errorf("endtoend: move %s at the end: %w", lm.ID, err)
		}
		fm := fleetMove(m)
		if fm.Created.After(cut) {
			continue
		}
		asOf(fm, cut)
		m.State = string(fm.State)
		moves = append(moves, fm)
		if rep.CountMove(fm) {
			rep.Errors = append(rep.Errors, fmt.Sprintf("move %s is %s on no shuttle", m.ID, m.State))
		}
		delivered := 0
		for _, h := range fm.History {
			if h.Changed() && h.To == fleet.MoveDelivered {
				delivered++
			}
		}
		if delivered > 1 {
			twice++
			rep.Errors = append(rep.Errors, fmt.Sprintf("move %s (%s) delivered %d times by its history", m.ID, m.Container, delivered))
		}
	}
	rep.MovesCreated = len(moves)
	rep.LostMoves += len(o.lost)
	have := map[string]bool{}
	for _, m := range listed {
		have[m.ID] = true
	}
	for key, id := range r.op.acked {
		if !have[id] && !o.lost[id] {
			rep.LostMoves++
			rep.Errors = append(rep.Errors, fmt.Sprintf("move %s (key %s) acknowledged by fleetd but not listed at the end", id, key))
		}
	}
	if n := len(r.op.due); n > 0 {
		rep.Errors = append(rep.Errors, fmt.Sprintf("%d moves asked for were never acknowledged (last answer refused or none)", n))
	}
	for _, v := range shuttles.Shuttles {
		if v.Joined {
			rep.ShuttlesByState[v.State]++
		}
	}
	tally := r.w.Tally()
	counts := r.w.Counts()
	rep.Conflicts = len(tally.Conflicts)
	rep.Errors = append(rep.Errors, tally.Conflicts...)
	rep.Errors = append(rep.Errors, tally.DoubleDrops...)
	rep.Errors = append(rep.Errors, tally.DoublePicks...)
	// a container delivered twice, by the wire (drops finished), the
	// moves' histories or fleetd's own count: the most any of them saw
	rep.DuplicateDeliveries = max(len(tally.DoubleDrops), twice, o.count("borderfleet_duplicate_drops_total"))
	rep.IllegalTransitions = o.count("borderfleet_illegal_transitions_total")
	if rep.IllegalTransitions > 0 {
		rep.Errors = append(rep.Errors, fmt.Sprintf("fleetd counted %d illegal transitions (its log says which)", rep.IllegalTransitions))
	}
	rep.MinSoC = o.minSoC
	depleted := map[string]bool{}
	for v := range o.depleted {
		depleted[v] = true
	}
	for v, b := range counts.MinBattery {
		rep.MinSoC = min(rep.MinSoC, b/100)
		if b <= 0 {
			depleted[v] = true
		}
	}
	rep.BatteryDepletions = len(depleted)
	rep.Deadlocks = o.deadlocks
	rep.Breakdowns = o.breaks
	rep.Errors = append(rep.Errors, o.notes...)
	rep.LoadedTrips = float64(rep.MovesDelivered) / rep.SimHours
	rec := o.rec
	for len(rec.Samples) > 0 && rec.Samples[len(rec.Samples)-1].T > cut.Sub(rec.Start) {
		rec.Samples = rec.Samples[:len(rec.Samples)-1]
	}
	kept := rec.Events[:0]
	for _, ev := range rec.Events {
		if ev.T <= cut.Sub(rec.Start) {
			kept = append(kept, ev)
		}
	}
	rec.Events = kept
	if n := len(rec.Samples); n > 0 && len(rec.Samples[n-1].SoC) > 0 {
		last := rec.Samples[n-1].SoC // as the API showed it last, per shuttle
		for _, soc := range last {
			rep.EndSoC += soc / float64(len(last))
		}
	}
	rec.AddMoves(moves)
	if n := len(rec.LeadTimesS); n > 0 {
		sum := 0.0
		for _, s := range rec.LeadTimesS {
			sum += s
		}
		rep.MeanLeadTimeS = sum / float64(n)
	}
	b, trips, err := sim.BoundOf(c)
	if err != nil {
		return sim.Report{}, nil, err
	}
	rep.Bound, rep.BoundLoadedTrips = b, trips
	if trips > 0 {
		rep.BoundRatio = rep.LoadedTrips / trips
	}
	r.figs.Samples, r.figs.MissedSamples = len(rec.Samples), o.missed
	r.figs.States, r.figs.Orders = counts.States, counts.Orders
	for _, n := range tally.Drops {
		r.figs.Drops += n
	}
	figs := r.figs
	rep.EndToEnd = &figs
	rep.WallSeconds = time.Since(r.start).Seconds()
	sort.SliceStable(rec.Events, func(i, j int) bool { return rec.Events[i].T < rec.Events[j].T })
	return rep, rec, nil
}

// fleetMove is the API's move as the fleet core keeps it, for the
// Recording's events.
func fleetMove(m api.Move) *fleet.Move {
	fm := fleet.NewMove(m.ID, fleet.Container(m.Container), m.Origin, m.Destination, m.Created)
	fm.State, fm.Shuttle, fm.PreCleared = fleet.MoveState(m.State), m.Shuttle, m.PreCleared
	for _, h := range m.History {
		fm.History = append(fm.History, fleet.MoveTransition{At: h.At, From: fleet.MoveState(h.From), To: fleet.MoveState(h.To),
			Cause: h.Cause, Decision: fleet.Verdict(h.Decision), Event: h.Event, Actor: h.Actor, Checkpoint: h.Checkpoint})
	}
	return fm
}

// asOf cuts a move's history at t: its entries up to t, and the state
// they leave it in.
func asOf(m *fleet.Move, t time.Time) {
	keep := 0
	for _, h := range m.History {
		if h.At.After(t) {
			break
		}
		keep++
	}
	m.History = m.History[:keep]
	m.State = fleet.MovePending
	for _, h := range m.History {
		if h.Changed() {
			m.State = h.To
		}
	}
}
