package sim

import (
	"fmt"
	"math/rand"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
)

// This file plays operators at random, as the invariant harness wants
// them: while demand lasts, verbs at random times (Config.
// OperatorEventsPerHour) and lane closures (Config.LaneClosuresPerHour),
// each the event the HTTP API would submit for the verb. What an operator
// undoes later (a stop, a pause, taking a shuttle out of service, a
// closure) is undone at a random time after, also during a drain, and
// tried again each minute until the Controller takes it. The Controller
// refusing a verb that cannot take effect now (cancelling a move whose
// container is aboard, sending a busy shuttle to park) is expected: it is
// counted in OpsReport, not among the run's errors. Verbs and closures
// draw from their own random sources, seeded from the run's seed, so that
// a run stays repeatable; turning them on changes no draw of demand,
// customs or breakdowns (though what the fleet then does may change which
// of those draws come when).

// Verb is an operator's action in a run.
type Verb string

// The verbs, and the undoing ones.
const (
	VerbCancel     Verb = "cancel"
	VerbPriority   Verb = "priority"
	VerbEStop      Verb = "emergency_stop"
	VerbRelease    Verb = "emergency_release"
	VerbPause      Verb = "pause"
	VerbResume     Verb = "resume"
	VerbTakeOut    Verb = "take_out_of_service"
	VerbPutBack    Verb = "put_back_in_service"
	VerbCharge     Verb = "charge"
	VerbPark       Verb = "park"
	VerbAddShuttle Verb = "add_shuttle"
	VerbCloseLane  Verb = "close_lane"
	VerbReopenLane Verb = "reopen_lane"
)

// randomVerbs is how many verbs nextVerb draws among.
const randomVerbs = 8

// OpsReport counts the random operator verbs of a run.
type OpsReport struct {
	Asked    map[Verb]int `json:"asked"`    // submitted to the Controller, retries included
	Accepted map[Verb]int `json:"accepted"` // taken
	// OperatorRefusals counts the verbs the Controller refused, with the
	// first few as "time verb: error".
	OperatorRefusals int      `json:"operator_refusals"`
	Refusals         []string `json:"refusals,omitempty"`
	// NotAsked counts verbs drawn with nothing to apply them to (no move
	// open, the fleet at its cap, no free parking spot).
	NotAsked int `json:"not_asked"`
	// Undoing counts, by verb, the undoing verbs (resume, release, put
	// back, reopen) still to be asked when the run ended: a run without a
	// drain ends on the hour, and what was stopped shortly before stays so.
	Undoing map[Verb]int `json:"undoing,omitempty"`
	// UnsafeClosures counts closures drawn and not asked for: they would
	// have cut some bay, parking spot, charger or checkpoint off from
	// another it reaches with every lane open.
	UnsafeClosures int `json:"unsafe_closures"`
}

// maxRefusalsKept is how many refusals OpsReport describes.
const maxRefusalsKept = 10

// operator is the random operators of one run.
type operator struct {
	e       *engine
	verbs   *rand.Rand
	lanes   *rand.Rand
	check   *routing.Graph      // a private copy of the lane graph for closure checks
	places  []string            // nodes that must stay connected
	reach   map[string][]string // place -> places it reaches with every lane open
	laneIDs []string            // lanes that may be closed
	links   []string            // links of lanes that may be closed
	parking map[string]bool     // parking spots
	r       OpsReport
}

// Seeds of the operators' random sources, offsets from the run's seed
// (seed+1 was the Controller's, which draws none now; kept so that runs
// repeat from before).
const (
	verbSeed = 2
	laneSeed = 3
)

// startOps starts the random operators, if the run has any.
func (e *engine) startOps() {
	if e.cfg.OperatorEventsPerHour <= 0 && e.cfg.LaneClosuresPerHour <= 0 {
		return
	}
	o := &operator{e: e, verbs: rand.New(rand.NewSource(e.cfg.Seed + verbSeed)),
		lanes: rand.New(rand.NewSource(e.cfg.Seed + laneSeed)),
		r:     OpsReport{Asked: map[Verb]int{}, Accepted: map[Verb]int{}}, parking: map[string]bool{}}
	for _, p := range e.cfg.Site.Parking {
		o.parking[p.ID] = true
	}
	e.ops = o
	if e.cfg.OperatorEventsPerHour > 0 {
		o.after(o.verbs, e.cfg.OperatorEventsPerHour, o.nextVerb)
	}
	if e.cfg.LaneClosuresPerHour > 0 {
		if err := o.prepareClosures(); err != nil {
			e.r.Errors = append(e.r.Errors, err.Error())
			return
		}
		o.after(o.lanes, e.cfg.LaneClosuresPerHour, o.nextClosure)
	}
}

// after schedules fn at the next arrival of a Poisson process of rate
// per hour, while demand lasts; fn schedules the one after.
func (o *operator) after(rng *rand.Rand, perHour float64, fn func()) {
	e := o.e
	at := e.now.Add(time.Duration(rng.ExpFloat64() / perHour * float64(time.Hour)))
	if at.After(e.demandEnd()) {
		return
	}
	e.at(at, func() {
		fn()
		o.after(rng, perHour, fn)
	})
}

// ask submits a verb's event; a refusal is counted, not an error of the
// run.
func (o *operator) ask(v Verb, ev fleet.Event) bool {
	o.r.Asked[v]++
	if err := o.e.handle(ev); err != nil {
		o.refused(v, err)
		return false
	}
	o.r.Accepted[v]++
	return true
}

// undo asks for a verb after a while, and each minute again until the
// Controller takes it. Until then the operator's day is not over: a drain
// does not end with a shuttle still stopped, paused or out of service, or
// a lane still closed, by them (OpsReport.Undoing).
func (o *operator) undo(after time.Duration, v Verb, ev fleet.Event) {
	if o.r.Undoing == nil {
		o.r.Undoing = map[Verb]int{}
	}
	o.r.Undoing[v]++
	o.retry(after, v, ev)
}

func (o *operator) retry(after time.Duration, v Verb, ev fleet.Event) {
	o.e.at(o.e.now.Add(after), func() {
		if o.moot(ev) || o.ask(v, ev) {
			if o.r.Undoing[v]--; o.r.Undoing[v] == 0 {
				delete(o.r.Undoing, v)
			}
			return
		}
		o.retry(time.Minute, v, ev)
	})
}

// moot: what an undoing verb would undo is gone already: a resume for a
// shuttle no longer paused (a fault, or an emergency stop and its release,
// ended the pause; the Controller refuses a resume of a shuttle that is
// not paused, and would for good).
func (o *operator) moot(ev fleet.Event) bool {
	r, ok := ev.(fleet.ResumeRequested)
	if !ok {
		return false
	}
	st, _, known := o.e.ctl.ShuttleState(r.Shuttle)
	return known && st != fleet.ShuttlePaused && st != fleet.ShuttleEStop
}

// between draws a duration evenly from lo to hi.
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int63n(int64(hi-lo)+1))
}

// by is who the random operators are in the audit trail.
const by = "sim-operator"

// nextVerb draws a verb and asks for it.
func (o *operator) nextVerb() {
	rng := o.verbs
	switch rng.Intn(randomVerbs) {
	case 0:
		o.cancel()
	case 1:
		if m := o.openMove(false); m != "" {
			o.ask(VerbPriority, fleet.PriorityChanged{Move: m, Priority: rng.Intn(21) - 10, By: by})
		}
	case 2:
		id := o.anyShuttle()
		if o.ask(VerbEStop, fleet.EmergencyStopRequested{Shuttle: id}) {
			o.undo(between(rng, time.Minute, 10*time.Minute), VerbRelease, fleet.EmergencyReleaseRequested{Shuttle: id})
		}
	case 3:
		id := o.anyShuttle()
		if o.ask(VerbPause, fleet.PauseRequested{Shuttle: id}) {
			o.undo(between(rng, time.Minute, 10*time.Minute), VerbResume, fleet.ResumeRequested{Shuttle: id})
		}
	case 4:
		id := o.anyShuttle()
		if o.ask(VerbTakeOut, fleet.OutOfServiceRequested{Shuttle: id}) {
			o.undo(between(rng, 10*time.Minute, time.Hour), VerbPutBack, fleet.InServiceRequested{Shuttle: id})
		}
	case 5:
		o.ask(VerbCharge, fleet.ChargeRequested{Shuttle: o.freeShuttle()})
	case 6:
		o.ask(VerbPark, fleet.ParkRequested{Shuttle: o.freeShuttle()})
	default:
		o.addShuttle()
	}
}

// cancel cancels an open move: half the time one a shuttle is on its way
// to pick up (if any), the case that matters most.
func (o *operator) cancel() {
	m := o.openMove(o.verbs.Intn(2) == 0)
	if m == "" {
		o.r.NotAsked++
		return
	}
	o.ask(VerbCancel, fleet.CancelRequested{Move: m, By: by, Reason: "simulated"})
}

// openMove draws a move that has not ended, one assigned to a shuttle
// and not picked up yet if onShuttle and there is one; "" if none is
// open.
func (o *operator) openMove(onShuttle bool) string {
	var all, on []string
	for _, m := range o.e.ctl.Moves() {
		if m.State.Final() {
			continue
		}
		all = append(all, m.ID)
		if m.State == fleet.MoveAssigned || m.State == fleet.MoveToPickup {
			on = append(on, m.ID)
		}
	}
	if onShuttle && len(on) > 0 {
		all = on
	}
	if len(all) == 0 {
		return ""
	}
	return all[o.verbs.Intn(len(all))]
}

func (o *operator) anyShuttle() string {
	return o.e.ids[o.verbs.Intn(len(o.e.ids))]
}

// freeShuttle draws a shuttle idle or on its way to park, and not on a
// parking spot, if there is one, else any: the ones an operator would
// send to charge or park.
func (o *operator) freeShuttle() string {
	var free []string
	for _, id := range o.e.ids {
		st, _, _ := o.e.ctl.ShuttleState(id)
		if (st == fleet.ShuttleIdle || st == fleet.ShuttleToParking) && !o.parking[o.e.nodeOf(id)] {
			free = append(free, id)
		}
	}
	if len(free) == 0 {
		return o.anyShuttle()
	}
	return free[o.verbs.Intn(len(free))]
}

// addShuttle brings a new shuttle to a free parking spot of a centre, as
// a vehicle added to the roster joins where it stands, while the fleet is
// under its cap and smaller than the site's parking (the Controller
// refuses a shuttle beyond that, fleet.ErrSiteFull, and an operator does
// not bring one).
func (o *operator) addShuttle() {
	e := o.e
	spots := e.cfg.Site.Parking
	if len(e.ids) >= e.cfg.shuttleCap() || len(e.ids) >= len(spots) {
		o.r.NotAsked++
		return
	}
	spot := ""
	for _, i := range o.verbs.Perm(len(spots)) {
		if p := spots[i]; p.Centre != "" && e.standing[p.ID] == "" && e.ctl.Traffic().Free(p.ID) {
			spot = p.ID
			break
		}
	}
	if spot == "" {
		o.r.NotAsked++
		return
	}
	if e.master != nil {
		o.addVDAShuttle(spot)
		return
	}
	v := &vehicle{id: fmt.Sprintf("shuttle-%02d", len(e.ids)+1), node: spot, soc: e.cfg.StartSoC, told: e.cfg.StartSoC, nextStep: 1, drained: e.now,
		failAt: e.now.Add(time.Duration(o.verbs.ExpFloat64() * float64(e.cfg.MTBF)))}
	e.vs[v.id] = v
	e.occupy(v.id, &v.node, spot)
	e.ids = append(e.ids, v.id)
	if !o.ask(VerbAddShuttle, fleet.ShuttleJoined{Shuttle: v.id, Node: spot, SoC: v.soc}) {
		delete(e.vs, v.id)
		delete(e.standing, spot)
		e.ids = e.ids[:len(e.ids)-1]
	}
}

// refused counts a verb the Controller refused.
func (o *operator) refused(v Verb, err error) {
	o.r.OperatorRefusals++
	if len(o.r.Refusals) < maxRefusalsKept {
		o.r.Refusals = append(o.r.Refusals, fmt.Sprintf("%s %s: %v", o.e.now.Format("15:04:05"), v, err))
	}
}

// prepareClosures makes the private graph closures are checked on, and
// notes which places reach which with every lane open.
func (o *operator) prepareClosures() error {
	s := o.e.cfg.Site
	g, err := routing.NewGraph(s, routing.GraphConfig{})
	if err != nil {
		return fmt.Errorf("sim: lane closures: %w", err)
	}
	o.check = g
	for _, l := range s.Lanes {
		o.laneIDs = append(o.laneIDs, l.ID)
	}
	for _, b := range g.Blocks {
		if b.Link != "" && !slices.Contains(o.links, b.Link) {
			o.links = append(o.links, b.Link)
		}
	}
	for _, b := range s.Bays {
		o.places = append(o.places, b.ID)
	}
	for _, p := range s.Parking {
		o.places = append(o.places, p.ID)
	}
	for _, st := range s.Stations {
		o.places = append(o.places, st.ID)
	}
	for _, cp := range s.Checkpoints {
		o.places = append(o.places, cp.ID)
	}
	o.reach = o.reachable()
	return nil
}

// reachable lists, for each place, the places it reaches on the private
// graph as it is closed now.
func (o *operator) reachable() map[string][]string {
	out := map[string][]string{}
	for _, p := range o.places {
		if qs := o.reachableFrom(p); qs != nil {
			out[p] = qs
		}
	}
	return out
}

// reachableFrom lists the places p reaches on the private graph as it is
// closed now.
func (o *operator) reachableFrom(p string) []string {
	from, ok := o.check.From(p, routing.Limits{})
	if !ok {
		return nil
	}
	var out []string
	for _, q := range o.places {
		if i, ok := o.check.Node(q); ok && q != p && from[i].OK {
			out = append(out, q)
		}
	}
	return out
}

// safe tells whether closing a lane or link, on top of the closures in
// force, leaves every place reaching every place it reaches with every
// lane open. It stops at the first place that reaches fewer.
func (o *operator) safe(id string) bool {
	for _, c := range o.check.Closed() {
		_ = o.check.Reopen(c)
	}
	for _, c := range append(o.e.ctl.ClosedLanes(), id) {
		_ = o.check.Close(c)
	}
	for p, qs := range o.reach {
		if len(o.reachableFrom(p)) != len(qs) {
			return false
		}
	}
	return true
}

// nextClosure closes a random open lane (or, half the time, one link of
// a lane), if that cuts no place off, and reopens it 5 to 60 minutes
// later.
func (o *operator) nextClosure() {
	closed := o.e.ctl.ClosedLanes()
	ids := o.laneIDs
	if o.lanes.Intn(2) == 0 && len(o.links) > 0 {
		ids = o.links
	}
	id := ids[o.lanes.Intn(len(ids))]
	if slices.Contains(closed, id) {
		o.r.NotAsked++
		return
	}
	if !o.safe(id) {
		o.r.UnsafeClosures++
		return
	}
	if o.ask(VerbCloseLane, fleet.LaneClosed{Lane: id, By: by}) {
		o.undo(between(o.lanes, 5*time.Minute, time.Hour), VerbReopenLane, fleet.LaneReopened{Lane: id, By: by})
	}
}
