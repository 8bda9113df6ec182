package fleet

import (
	"fmt"
	"time"
)

// Tuning holds every tuning value of the fleet core in one place, with its
// default. The values are not safety rules (those are in routing and in
// the admission to customs areas); they trade throughput against waiting
// and energy. A zero field takes its default, so a scenario or a config
// file sets only what it changes:
//
//	"tuning": {"bay_wait_weight": 2, "charge_max_wait_s": 300}
//
// sim reads it from a scenario's "tuning" object and fleetd from its config
// file's.
type Tuning struct {
	// DispatchEvery is how often pending moves are offered to free
	// shuttles even when nothing else happened; default 30 s.
	DispatchEvery Seconds `json:"dispatch_every_s,omitempty"`
	// Replan is how long a shuttle whose route could not be made, or that
	// found nothing to do, waits before it tries again; default 10 s.
	Replan Seconds `json:"replan_s,omitempty"`
	// Overtake is how often a shuttle held behind one that is elsewhere may
	// go first (routing.Traffic.Overtake); default 60 s.
	Overtake Seconds `json:"overtake_s,omitempty"`

	// InboundPerBay bounds the moves under way to a centre at once, per bay
	// of it; default 2. More fill the yard with shuttles that wait for a
	// bay, and a yard ring full of waiting shuttles stops those leaving it.
	InboundPerBay int `json:"inbound_per_bay,omitempty"`
	// ShortlistPerShuttle and ShortlistPerBay size the lookahead's
	// shortlist: the most urgent moves, this many per candidate shuttle,
	// and the most urgent this many from each bay; defaults 3 and 5.
	ShortlistPerShuttle int `json:"shortlist_per_shuttle,omitempty"`
	ShortlistPerBay     int `json:"shortlist_per_bay,omitempty"`
	// BayWaitWeight is what a second of expected waiting for a bay costs in
	// the lookahead, in seconds of driving; default 4.
	BayWaitWeight float64 `json:"bay_wait_weight,omitempty"`
	// PriorityWeight is what one point of a move's priority is worth in
	// the lookahead, in seconds of driving; default 600.
	PriorityWeight Seconds `json:"priority_weight_s,omitempty"`
	// LatenessWeight is what a second late past a move's deadline costs in
	// the lookahead, in seconds of driving; default 10.
	LatenessWeight float64 `json:"lateness_weight,omitempty"`

	// Standing is the time beyond its two handlings a shuttle is allowed to
	// stand (at gates, in inspection, in queues) in the dispatcher's check of
	// the energy a move takes; default 30 minutes.
	Standing Seconds `json:"standing_s,omitempty"`
	// KeepStanding is the standing allowed for in the charge a shuttle
	// keeps for its next move (the charging policy's NeedSoC); default 1 h.
	// It is the longer of the two, so that a shuttle charged to it still
	// passes the dispatcher's check after a long queue. Asked with the
	// dispatcher's 30 minutes instead, 50 shuttles on the default site
	// (seed 2) fell to 13 % against a reserve of 20 %.
	KeepStanding Seconds `json:"keep_standing_s,omitempty"`
	// ChargeWindow is how far past its arrival at a station a charging
	// slot may be booked; default 3 h.
	ChargeWindow Seconds `json:"charge_window_s,omitempty"`
	// ChargeMaxWait is the longest wait for a slot past its arrival that is
	// worth it; a later slot is given back and charging tried again later;
	// default 10 minutes.
	ChargeMaxWait Seconds `json:"charge_max_wait_s,omitempty"`

	// CustomsLoopLength bounds the loops through a stop line that make a
	// customs area (admission.go), in metres of lane; default 1000. Longer
	// cycles have room to drain.
	CustomsLoopLength float64 `json:"customs_loop_m,omitempty"`
}

// Seconds is a duration given in seconds in JSON.
type Seconds float64

// D is the duration.
func (s Seconds) D() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }

// DefaultTuning is the tuning every zero field takes.
func DefaultTuning() Tuning {
	return Tuning{
		DispatchEvery: 30, Replan: 10, Overtake: 60,
		InboundPerBay: 2, ShortlistPerShuttle: 3, ShortlistPerBay: 5,
		BayWaitWeight: 4, PriorityWeight: 600, LatenessWeight: 10,
		Standing: 30 * 60, KeepStanding: 60 * 60, ChargeWindow: 3 * 3600, ChargeMaxWait: 10 * 60,
		CustomsLoopLength: 1000,
	}
}

// withDefaults fills the zero fields.
func (t Tuning) withDefaults() Tuning {
	d := DefaultTuning()
	fill := func(v *Seconds, def Seconds) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&t.DispatchEvery, d.DispatchEvery)
	fill(&t.Replan, d.Replan)
	fill(&t.Overtake, d.Overtake)
	fill(&t.PriorityWeight, d.PriorityWeight)
	fill(&t.Standing, d.Standing)
	fill(&t.KeepStanding, d.KeepStanding)
	fill(&t.ChargeWindow, d.ChargeWindow)
	fill(&t.ChargeMaxWait, d.ChargeMaxWait)
	if t.InboundPerBay == 0 {
		t.InboundPerBay = d.InboundPerBay
	}
	if t.ShortlistPerShuttle == 0 {
		t.ShortlistPerShuttle = d.ShortlistPerShuttle
	}
	if t.ShortlistPerBay == 0 {
		t.ShortlistPerBay = d.ShortlistPerBay
	}
	if t.BayWaitWeight == 0 {
		t.BayWaitWeight = d.BayWaitWeight
	}
	if t.LatenessWeight == 0 {
		t.LatenessWeight = d.LatenessWeight
	}
	if t.CustomsLoopLength == 0 {
		t.CustomsLoopLength = d.CustomsLoopLength
	}
	return t
}

// Validate names the first value that is out of range, with its JSON name.
func (t Tuning) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"dispatch_every_s", float64(t.DispatchEvery)}, {"replan_s", float64(t.Replan)}, {"overtake_s", float64(t.Overtake)},
		{"inbound_per_bay", float64(t.InboundPerBay)}, {"shortlist_per_shuttle", float64(t.ShortlistPerShuttle)},
		{"shortlist_per_bay", float64(t.ShortlistPerBay)}, {"bay_wait_weight", t.BayWaitWeight},
		{"priority_weight_s", float64(t.PriorityWeight)}, {"lateness_weight", t.LatenessWeight},
		{"standing_s", float64(t.Standing)}, {"keep_standing_s", float64(t.KeepStanding)}, {"charge_window_s", float64(t.ChargeWindow)},
		{"charge_max_wait_s", float64(t.ChargeMaxWait)}, {"customs_loop_m", t.CustomsLoopLength},
	} {
		if f.v < 0 || f.v != f.v {
			return fmt.Errorf("tuning: %s is %v; it must be 0 (the default) or more", f.name, f.v)
		}
	}
	if t.ChargeWindow != 0 && t.ChargeMaxWait > t.ChargeWindow {
		return fmt.Errorf("tuning: charge_max_wait_s (%v) is longer than charge_window_s (%v)", float64(t.ChargeMaxWait), float64(t.ChargeWindow))
	}
	return nil
}
