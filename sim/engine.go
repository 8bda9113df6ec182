package sim

import (
	"container/heap"
	"fmt"
	"log/slog"
	"math"
	"math/rand"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/sim/demand"
	"github.com/borderfleet/borderfleet/vehicles"
)

// scheduled is one thing that happens at a virtual time.
type scheduled struct {
	at  time.Time
	seq int // ties go in the order they were scheduled: runs are repeatable
	fn  func()
}

// queue is the run's schedule: a container/heap of scheduled things by
// (at, seq). (at, seq) is unique: the heap pops them in the one order.
type queue []scheduled

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(scheduled)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = scheduled{} // let go of its func
	*q = old[:len(old)-1]
	return it
}

func (q *queue) push(it scheduled) { heap.Push(q, it) }
func (q *queue) pop() scheduled    { return heap.Pop(q).(scheduled) }

// engine is one run: a virtual clock, the controller and the vehicles.
type engine struct {
	cfg Config
	g   *routing.Graph
	ctl *fleet.Controller
	rng *rand.Rand
	dem *demand.Model // operators' demand and customs officers
	now time.Time
	end time.Time
	q   queue
	seq int
	vs  map[string]*vehicle // the engine's own vehicles (Config.VDA5050 off)
	// with Config.VDA5050 (see vda.go): the VDA 5050 vehicles, and the
	// fleet's side of the conversation with them
	avs         map[string]*vdaVehicle
	master      *vehicles.Master
	masterAt    time.Time // the Master's next tick scheduled, if any
	lag         *stateLag // states delayed on the way to the Master (tests); nil: none
	masterLog   *slog.Logger
	joinRefused []error // the joins the Controller refused
	ids         []string
	wake        time.Time // the controller's next wanted tick
	lastMove    time.Time // last time any vehicle made progress
	moves       map[fleet.Container]*demandMove
	stations    map[string]float64 // charger kW by station node
	standing    map[string]string  // node -> the vehicle standing there (stations left out)
	repairing   int                // vehicles broken down now
	repairS     float64            // seconds of the drain with a vehicle broken down (Liveness.RepairS)
	r           Report
	errs        int
	cancelled   int       // pending moves cancelled when demand stopped (Config.DrainCancelsPending)
	ended       time.Time // with a drain: when all had ended; zero until then
	ops         *operator // random operator verbs and lane closures; nil when off
	rec         *recorder // Options.Record; nil when off
	progress    func(done, total time.Duration)
}

func (e *engine) at(t time.Time, fn func()) {
	e.seq++
	e.q.push(scheduled{at: t, seq: e.seq, fn: fn})
}

// send hands an event to the controller and carries out its commands;
// an error is one of the run's.
func (e *engine) send(ev fleet.Event) {
	if err := e.handle(ev); err != nil {
		e.errs++
		if e.errs <= 5 {
			e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: %v", e.now.Format("15:04:05"), err))
		}
	}
}

// handle hands an event to the controller and carries out its commands,
// and returns the controller's error.
func (e *engine) handle(ev fleet.Event) error {
	rd, err := e.ctl.Handle(e.now, ev)
	cmds := rd.Commands
	if e.rec != nil {
		e.rec.handled(e, ev, cmds) // before the commands are carried out: they may reuse the slice
	}
	if e.master != nil {
		if len(cmds) > 0 {
			e.deliver(e.master.Commands(e.now, cmds))
			e.tickMasterLater()
		}
		cmds = nil
	}
	for _, c := range cmds {
		if v, ok := e.vs[c.Shuttle]; ok {
			v.command(e, c)
		}
	}
	if w := rd.Wake; !w.IsZero() && (e.wake.IsZero() || w.Before(e.wake) || !e.wake.After(e.now)) && w.After(e.now) {
		e.wake = w
		e.at(w, func() { e.send(fleet.Tick{}) })
	}
	return err
}

// run advances the clock until the end or until nothing moves for too
// long. With a drain it goes on after demand stops, until every move has
// ended and every shuttle is at rest or the drain is over.
func (e *engine) run() {
	demandEnd := e.end
	e.end = demandEnd.Add(e.cfg.Drain)
	e.startOps()
	if e.cfg.DrainCancelsPending {
		// just after demandEnd: a move demand creates at demandEnd itself
		// is cancelled too
		e.at(demandEnd.Add(time.Nanosecond), e.cancelPending)
	}
	tick := time.Minute
	var every func()
	every = func() {
		e.send(fleet.Tick{})
		if e.master != nil {
			e.tickMaster()
		} else {
			e.reportBatteries()
		}
		for _, id := range e.ids {
			st, _, _ := e.ctl.ShuttleState(id)
			e.r.ShuttleHours[string(st)] += tick.Hours()
			e.r.ActivityHours[e.activity(id)] += tick.Hours()
		}
		if e.rec != nil {
			e.rec.sample(e)
		}
		if e.progress != nil {
			e.progress(e.now.Sub(e.cfg.StartTime), e.end.Sub(e.cfg.StartTime))
		}
		e.checkStall()
		if e.cfg.Drain > 0 && !e.now.Before(demandEnd) {
			if e.atRest() {
				e.ended = e.now
			} else if e.repairing > 0 && e.repairS < e.cfg.Drain.Seconds() {
				// the drain's bound counts the controller's time: a minute
				// with a shuttle broken down is added to it (at most the
				// drain again), for a repair holds up what stands behind
				e.repairS += tick.Seconds()
				e.end = e.end.Add(tick)
			}
		}
		if e.now.Before(e.end) {
			e.at(e.now.Add(tick), every)
		}
	}
	e.at(e.now.Add(tick), every)
	for len(e.q) > 0 && e.ended.IsZero() {
		it := e.q.pop()
		if it.at.After(e.end) {
			break
		}
		e.now = it.at
		it.fn()
		if e.r.Deadlocks > 0 {
			break
		}
	}
	if e.ended.IsZero() {
		e.now = e.end
	}
	e.report(demandEnd)
}

// reportBatteries has each standing vehicle drain its battery to now and
// report its state of charge when it moved by batteryStep from what it last
// did, as a VDA 5050 vehicle's periodic state would: a shuttle parked in
// the cold loses charge for hours with nothing else to report.
func (e *engine) reportBatteries() {
	for _, id := range e.ids {
		v := e.vs[id]
		if v == nil || v.busy {
			continue
		}
		v.idle(e)
		if math.Abs(v.told-v.soc) >= batteryStep {
			v.told = v.soc
			e.send(fleet.BatteryReported{Shuttle: v.id, SoC: v.soc})
		}
	}
}

// batteryStep is how far a standing vehicle's charge moves from what it
// last reported before it reports it again.
const batteryStep = 0.005

// activity names what a shuttle does in the report's shuttle hours by
// activity: the Controller's activity, and for one waiting in traffic
// what it waits for.
func (e *engine) activity(id string) string {
	a := e.ctl.Activity(id)
	if a.Kind != fleet.ActivityWaitTraffic {
		return a.String()
	}
	switch w := e.ctl.Traffic().WaitsFor(id); w.Kind {
	case routing.WaitHeld:
		if e.behindBreakdown(w) {
			return HeldBehindBreakdown
		}
		return a.String() + " (held)"
	case routing.WaitQueued:
		return a.String() + " (queued)"
	default: // by kind: the report adds up hours per name, not per shuttle or lane
		return a.String() + " (" + routing.Wait{Kind: w.Kind}.String() + ")"
	}
}

// HeldBehindBreakdown is the activity, in Report.ActivityHours, of a
// shuttle held in a queue that a broken-down shuttle heads.
const HeldBehindBreakdown = string(fleet.ActivityWaitTraffic) + " (held behind a breakdown)"

// behindBreakdown tells whether the queue a shuttle waits in (w is what it
// waits for) has a broken-down shuttle at its head: following who holds
// what each shuttle ahead needs, it ends at one that is in fault. The
// report counts that time apart, as a breakdown's cost to the others.
func (e *engine) behindBreakdown(w routing.Wait) bool {
	for range len(e.ids) { // a longer chain has gone round a cycle
		if w.Shuttle == "" {
			return false
		}
		switch e.ctl.Activity(w.Shuttle).Kind {
		case fleet.ActivityFault:
			return true
		case fleet.ActivityWaitTraffic:
			w = e.ctl.Traffic().WaitsFor(w.Shuttle)
		default:
			return false
		}
	}
	return false
}

// checkStall reports a deadlock when no vehicle has moved for an hour
// while moves are under way and no vehicle is being repaired.
//
// The hour counts from the last progress of a vehicle or the last time no
// move was under way (checked each minute), whichever is later: an idle
// fleet is not stalled, and a move dispatched after a quiet hour has its
// own hour to make progress.
func (e *engine) checkStall() {
	var under *fleet.Move
	for _, m := range e.ctl.Moves() {
		switch m.State {
		case fleet.MovePending, fleet.MoveDelivered, fleet.MoveReturned, fleet.MoveCancelled, fleet.MoveFailed:
		default:
			under = m
		}
		if under != nil {
			break
		}
	}
	if under == nil {
		e.lastMove = e.now
		return
	}
	if e.now.Sub(e.lastMove) < time.Hour || e.repairing > 0 {
		return // a broken-down shuttle may block a lane until it is repaired
	}
	e.r.Deadlocks++
	e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: nothing moved for an hour; move %s is %s", e.now.Format("15:04:05"), under.ID, under.State))
	e.explainStall()
}

// explainStall adds to the report what each shuttle that is not idle
// waits for, at most maxStallLines of them, and then in one line where
// the idle and charging ones stand: they hold places (parking spots,
// chargers) that a waiting shuttle may need.
func (e *engine) explainStall() {
	n := 0
	var resting []string
	for _, id := range e.ids {
		if a := e.ctl.Activity(id).Kind; a == fleet.ActivityIdle || a == fleet.ActivityCharging {
			if p, ok := e.ctl.Traffic().Position(id); ok {
				resting = append(resting, id+" at "+p.At)
			}
			continue
		}
		if n++; n <= maxStallLines {
			e.r.Errors = append(e.r.Errors, "  "+e.ctl.Explain(id))
		}
	}
	if len(resting) > 0 {
		e.r.Errors = append(e.r.Errors, "  idle or charging: "+strings.Join(resting, ", "))
	}
}

// maxStallLines is how many shuttles a stall report explains.
const maxStallLines = 40

// occupy moves a vehicle to a node and counts a conflict when another
// vehicle stands there already (stations, with several chargers, excepted).
func (e *engine) occupy(id string, at *string, node string) {
	if e.standing[*at] == id {
		delete(e.standing, *at)
	}
	*at = node
	if _, station := e.stations[node]; station {
		return
	}
	if other, taken := e.standing[node]; taken && other != id {
		e.r.Conflicts++
		if e.r.Conflicts <= 3 {
			e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: %s and %s on node %s", e.now.Format("15:04:05"), other, id, node))
		}
	}
	e.standing[node] = id
}

// vehicle is the simulated shuttle: it drives what it is granted, does its
// node actions, drains and charges its battery and sometimes breaks down.
type vehicle struct {
	id        string
	node      string
	soc       float64
	steps     []string // granted step ids not yet driven
	nextStep  int      // global index of steps[0]
	action    fleet.Action
	actionAt  int
	target    float64
	container fleet.Container
	laden     bool
	busy      bool // driving an edge or doing an action
	drained   time.Time
	told      float64 // the state of charge it last reported standing (reportBatteries)
	failAt    time.Time
	depleted  bool
	paused    bool // told to pause (startPause): it stops at the next node
	driving   bool // on an edge
	stillTold bool // it said it stands paused (PausedAtNode) since it was paused
	doing     *doing
}

// command takes a controller command.
func (v *vehicle) command(e *engine, c fleet.Command) {
	switch c.Kind {
	case fleet.CmdDrive:
		if len(v.steps) == 0 {
			v.nextStep = c.From + 1
		}
		v.steps = append(v.steps, c.Steps...)
		if c.Action != "" {
			v.action, v.actionAt, v.target, v.container = c.Action, c.To, c.TargetSoC, c.Container
			if !v.busy && len(v.steps) == 0 && c.To == v.nextStep-1 {
				if !v.paused {
					v.act(e) // the action is where the vehicle stands
				}
				return
			}
		}
		v.go_(e)
	case fleet.CmdCancel:
		// as vehicles.Master maps it: the action ahead is dropped, the
		// lane granted stays and is driven out (the vehicle only ever has
		// granted steps); an action under way is not one ahead
		v.action = ""
	case fleet.CmdPause:
		v.pause(e)
	case fleet.CmdResume:
		v.resume(e)
	case fleet.CmdStopCharging:
		v.stopCharging(e)
	}
}

// idle drains the auxiliaries since the last drain.
func (v *vehicle) idle(e *engine) {
	if !v.drained.IsZero() && e.now.After(v.drained) {
		v.use(e, e.cfg.Vehicle.IdleKWh(e.now.Sub(v.drained), e.cfg.AmbientC))
	}
	v.drained = e.now
}

func (v *vehicle) use(e *engine, kwh float64) {
	v.soc -= kwh / e.cfg.Vehicle.BatteryKWh
	if v.soc < e.r.MinSoC {
		e.r.MinSoC = v.soc
	}
	if v.soc <= 0 && !v.depleted {
		v.depleted = true
		e.r.BatteryDepletions++
	}
}

// go_ drives the next granted edge, if it may.
func (v *vehicle) go_(e *engine) {
	if v.busy || v.paused || len(v.steps) < 2 {
		return
	}
	v.idle(e)
	edge, node := v.steps[0], v.steps[1]
	ei, ok := e.g.Edge(edge)
	if !ok {
		e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: %s got unknown edge %q", e.now.Format("15:04:05"), v.id, edge))
		return
	}
	ed := e.g.Edges[ei]
	speed := math.Min(ed.MaxSpeed, e.cfg.TopSpeedKmh/3.6)
	dt := time.Duration(ed.Length / speed * float64(time.Second))
	v.busy, v.driving = true, true
	step := v.nextStep + 1
	v.steps, v.nextStep = v.steps[2:], v.nextStep+2
	e.at(e.now.Add(dt), func() {
		v.driving = false
		// a vehicle that breaks down here stays busy: it takes no command
		// until it is repaired
		broken := !e.cfg.NoBreakdowns && !e.now.Before(v.failAt)
		v.busy = broken
		v.use(e, e.cfg.Vehicle.DriveKWh(charging.Leg{Metres: ed.Length, Duration: dt, Laden: v.laden}, e.cfg.AmbientC))
		v.drained = e.now
		e.occupy(v.id, &v.node, node)
		e.lastMove = e.now
		e.send(fleet.NodeReached{Shuttle: v.id, Step: step, SoC: v.soc})
		e.observe(v.laden, v.container, node)
		if broken {
			v.breakDown(e, step)
			if v.paused {
				v.tellStill(e)
			}
			return
		}
		v.arrived(e, step)
	})
}

// arrived starts the node action due here, or drives on.
func (v *vehicle) arrived(e *engine, step int) {
	if v.paused {
		v.tellStill(e)
		return // it stands here until resumed
	}
	if v.action != "" && v.actionAt == step {
		v.act(e)
		return
	}
	v.go_(e)
}

func (v *vehicle) act(e *engine) {
	action := v.action
	v.action = ""
	v.busy = true
	v.idle(e)
	switch action {
	case fleet.ActionPick, fleet.ActionDrop:
		v.start(e, action, e.cfg.Handling, func() {
			v.idle(e)
			v.busy = false
			v.laden = action == fleet.ActionPick
			e.lastMove = e.now
			e.send(fleet.ActionDone{Shuttle: v.id, Action: action, SoC: v.soc})
			v.go_(e)
		})
	case fleet.ActionCharge:
		kw := e.stations[v.node]
		d := e.cfg.Vehicle.ChargeTime(v.soc, v.target, kw)
		target := math.Max(v.soc, v.target)
		v.start(e, action, d, func() {
			v.drained = e.now // the charger feeds the auxiliaries
			v.soc = target
			v.busy = false
			e.lastMove = e.now
			e.send(fleet.ActionDone{Shuttle: v.id, Action: fleet.ActionCharge, SoC: v.soc})
			v.go_(e)
		})
	default:
		v.busy = false
	}
}

// breakDown stops the vehicle for a repair time at the node of step.
// Repaired, it goes on with its order as a VDA 5050 vehicle does: the
// action due where it stands (a pick or drop at the bay it broke down at,
// unless called off), then the lane it was granted.
func (v *vehicle) breakDown(e *engine, step int) {
	v.busy = true
	e.r.Breakdowns++
	e.repairing++
	e.send(fleet.FaultReported{Shuttle: v.id, Reason: "simulated breakdown"})
	repair := time.Duration(e.rng.ExpFloat64() * float64(e.cfg.MTTR))
	e.at(e.now.Add(repair), func() {
		e.repairing--
		v.idle(e)
		v.busy = false
		v.failAt = e.now.Add(time.Duration(e.rng.ExpFloat64() * float64(e.cfg.MTBF)))
		e.lastMove = e.now
		e.send(fleet.FaultCleared{Shuttle: v.id})
		v.arrived(e, step)
	})
}
