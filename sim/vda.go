package sim

import (
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/sim/agv"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// This file holds the simulation's vehicles when Config.VDA5050 is on:
// sim/agv shuttles, the same VDA 5050 vehicles shuttle-sim runs over
// MQTT, stepped on the run's virtual clock (agv's Start, Step and Next). The Controller's commands reach them only as orders and
// instant actions made by vehicles.Master, and what they do reaches the
// Controller only as the events Master makes of their states: every
// simulated day exercises order stitching, action states, cancels,
// pauses and charging sessions as the daemon does them. The link between
// them is in memory and hands messages over as values (Master.Receive,
// Outgoing.Msg), so that no JSON round trip is made per state; each
// message is still validated and checked as one from the wire. A state
// shares with the vehicle's last one the lists that did not change, and
// the Master checks only what is new (vda5050.ValidateStateAfter). The
// Master holds an order update back until the vehicle is within a node of
// its decision point (vehicles.Config.UpdateWithin): messages take no time
// here, so no vehicle stops for it, and the grants of a few nodes go as
// one update, acknowledged by one state.
//
// The engine is also the world's referee: it watches each state a
// vehicle publishes to count conflicts (two vehicles on one node) and play
// customs at stop lines, and reads the vehicles' true state (agv.Snapshot)
// for breakdowns, the battery and whether they are at rest. The vehicles
// keep the engine's own model where the bound in bound.go assumes it:
// breakdowns with exponential MTBF and MTTR that come only on arriving at
// a node, so only while driving (agv.Config.BreakOnArrival); a pause that
// stops a shuttle at its next node and holds an action under way
// (agv.Config.PauseAtNode); handling times, speeds and the energy model
// from Config. A message the Master refuses is an error of the run.

// manufacturer names the simulated vehicles in topics and on the roster.
const manufacturer = "borderfleet"

// vdaVehicle is one simulated VDA 5050 shuttle and what the referee
// knows of it.
type vdaVehicle struct {
	id     string
	av     *agv.Vehicle
	topics map[vda5050.Topic]string
	node   string    // the node it stands on or last passed
	wakeAt time.Time // its next step scheduled; zero if none
	wakeN  int       // generation of wakeAt: an older scheduled step is void
	broken bool      // broken down, as of its last step
	laden  bool
	// container aboard, if laden
	container fleet.Container
	depleted  bool
	snap      agv.Snapshot
}

// link is a vehicle's Link: what it publishes goes to the Master at once.
type link struct {
	e *engine
	v *vdaVehicle
}

// Publish hands a vehicle's message to the Master, and the events the
// Master makes of it to the Controller.
func (l link) Publish(t vda5050.Topic, msg any) error {
	e, v := l.e, l.v
	if st, ok := msg.(*vda5050.State); ok {
		e.watch(v, st)
		if e.lag != nil {
			if e.lag.drop > 0 && e.lag.rng.Float64() < e.lag.drop {
				return nil
			}
			e.at(e.now.Add(e.lag.by), func() { l.receive(t, msg) })
			return nil
		}
	}
	l.receive(t, msg)
	return nil
}

// stateLag delays (and drops some of) the states on the way to the
// Master, as a fleet core that falls behind its inbox does: a test's
// stand-in for an overloaded fleetd.
type stateLag struct {
	by   time.Duration
	drop float64 // share dropped
	// period: vehicles report state this often, driving or not (as
	// shuttle-sim's do), so that a state dropped is followed by another
	period time.Duration
	rng    *rand.Rand
	within int // vehicles.Config.UpdateWithin (the daemon's: 0)
}

// receive hands a message to the Master, and the events it makes to the
// Controller.
func (l link) receive(t vda5050.Topic, msg any) {
	e, v := l.e, l.v
	evs, outs, err := e.master.Receive(e.now, v.topics[t], msg)
	if err != nil {
		e.errs++
		if e.errs <= 5 {
			e.r.Errors = append(e.r.Errors, fmt.Sprintf("%s: %s: %v", e.now.Format("15:04:05"), v.id, err))
		}
	}
	e.deliver(outs)
	if len(outs) > 0 {
		e.tickMasterLater() // what it sent may want a resend
	}
	e.fromMaster(evs)
}

// fromMaster hands the Master's events to the Controller; a join the
// Controller refuses the Master tries again.
func (e *engine) fromMaster(evs []fleet.Event) {
	for _, ev := range evs {
		switch ev.(type) {
		case fleet.NodeReached, fleet.ActionDone, fleet.FaultCleared:
			e.lastMove = e.now
		}
		if j, ok := ev.(fleet.ShuttleJoined); ok {
			if err := e.handle(ev); err != nil {
				e.master.JoinFailed(j.Shuttle, err)
				e.joinRefused = append(e.joinRefused, err)
			}
			continue
		}
		e.send(ev)
	}
}

// deliver hands the Master's messages to the vehicles; each takes them
// in a step at the same virtual time.
func (e *engine) deliver(outs []vehicles.Outgoing) {
	for _, o := range outs {
		v, ok := e.avs[o.Vehicle]
		if !ok {
			continue
		}
		v.av.HandleValue(o.Kind, o.Msg, o.Payload)
		e.poke(v, e.now)
	}
}

// poke schedules a step of a vehicle at t, unless one comes sooner.
func (e *engine) poke(v *vdaVehicle, t time.Time) {
	if !v.wakeAt.IsZero() && !v.wakeAt.After(t) && !v.wakeAt.Before(e.now) {
		return
	}
	v.wakeN++
	v.wakeAt = t
	n := v.wakeN
	e.at(t, func() {
		if v.wakeN != n {
			return
		}
		v.wakeAt = time.Time{}
		e.stepVDA(v)
	})
}

// stepVDA brings a vehicle to now and schedules its next step.
func (e *engine) stepVDA(v *vdaVehicle) {
	v.av.Step(e.now)
	e.stepped(v)
}

// stepped notes what a step did to the vehicle and schedules its next.
func (e *engine) stepped(v *vdaVehicle) {
	s := v.av.Snapshot()
	v.snap = s
	if s.SoC < e.r.MinSoC {
		e.r.MinSoC = s.SoC
	}
	if s.Depleted && !v.depleted {
		e.r.BatteryDepletions++
	}
	v.depleted = s.Depleted
	switch {
	case s.Broken && !v.broken:
		e.r.Breakdowns++
		e.repairing++
	case !s.Broken && v.broken:
		e.repairing--
		e.lastMove = e.now
	}
	v.broken = s.Broken
	if next := v.av.Next(e.now); next.Before(e.end.Add(time.Minute)) {
		e.poke(v, next)
	}
}

// watch referees a state: a vehicle on a new node occupies it, and
// customs see a laden container at a stop line.
func (e *engine) watch(v *vdaVehicle, st *vda5050.State) {
	v.laden = len(st.Loads) > 0
	if v.laden {
		v.container = fleet.Container(st.Loads[0].LoadID)
	}
	if st.LastNodeID == v.node {
		return
	}
	e.occupy(v.id, &v.node, st.LastNodeID)
	e.observe(v.laden, v.container, st.LastNodeID)
}

// tickMaster lets the Master do what time alone brings (resends, order
// updates held back by a vehicle's minOrderInterval).
func (e *engine) tickMaster() {
	evs, outs := e.master.Tick(e.now)
	e.deliver(outs)
	e.fromMaster(evs)
	e.tickMasterLater()
}

// tickMasterLater schedules the Master's next tick when it wants one.
// It is asked after the Master sent something (a resend may come due)
// and after it took commands (an update may wait for the vehicle's
// minOrderInterval), not after every state: NextTick looks at every
// vehicle. What a state alone starts waits at most for the minute tick.
func (e *engine) tickMasterLater() {
	t := e.master.NextTick()
	if t.IsZero() || !t.After(e.now) || (!e.masterAt.IsZero() && !e.masterAt.After(t) && e.masterAt.After(e.now)) {
		return
	}
	e.masterAt = t
	e.at(t, func() {
		if e.masterAt.Equal(t) {
			e.masterAt = time.Time{}
		}
		e.tickMaster()
	})
}

// newVDAVehicle makes a shuttle standing at node, its faults drawn from
// seed; startVDA starts it.
func (e *engine) newVDAVehicle(id, node string, soc float64, seed int64) (*vdaVehicle, error) {
	v := &vdaVehicle{id: id, topics: map[vda5050.Topic]string{}}
	for _, t := range []vda5050.Topic{vda5050.TopicState, vda5050.TopicConnection, vda5050.TopicFactsheet, vda5050.TopicVisualization} {
		v.topics[t] = vda5050.TopicName(vda5050.DefaultInterface, manufacturer, id, t)
	}
	period := -time.Duration(1)
	if e.lag != nil {
		period = e.lag.period
	}
	mtbf := e.cfg.MTBF
	if e.cfg.NoBreakdowns {
		mtbf = 0
	}
	av, err := agv.New(agv.Config{Manufacturer: manufacturer, SerialNumber: id, Site: e.cfg.Site, Graph: e.g,
		StartNode: node, StartSoC: soc, TopSpeedKmh: e.cfg.TopSpeedKmh, Handling: e.cfg.Handling,
		Model: e.cfg.Vehicle, AmbientC: e.cfg.AmbientC, StatePeriod: period, IdleStatePeriod: max(period, 0), VisualizationPeriod: -1,
		MTBF: mtbf, MTTR: e.cfg.MTTR, BreakOnArrival: true, PauseAtNode: true, Seed: seed}, link{e, v}, nil)
	if err != nil {
		return nil, err
	}
	v.av = av
	return v, nil
}

// startVDA puts a made vehicle in the world: it stands on its node and
// starts talking; a roster vehicle joins the fleet with its first state,
// through the Master.
func (e *engine) startVDA(v *vdaVehicle) {
	e.avs[v.id] = v
	e.occupy(v.id, &v.node, v.av.Snapshot().LastNode)
	v.av.Start(e.now)
	e.stepped(v)
}

// vehicleSeed seeds the i-th vehicle's own random source (its
// breakdowns and repairs) from the run's seed.
func vehicleSeed(seed int64, i int) int64 { return seed*7919 + int64(i) + 1 }

// startFleet puts the run's shuttles on the roster and in the world, one
// on each spot, and starts them: each joins through the Master.
func (e *engine) startFleet(spots []string) error {
	cfg := e.cfg
	entries := make([]vehicles.Entry, cfg.Shuttles)
	for i := range entries {
		entries[i] = vehicles.Entry{Manufacturer: manufacturer, SerialNumber: fmt.Sprintf("shuttle-%02d", i+1)}
	}
	roster, err := vehicles.NewRoster(entries...)
	if err != nil {
		return err
	}
	within := 1
	if e.lag != nil {
		within = e.lag.within
	}
	if e.master, err = vehicles.New(vehicles.Config{Graph: e.g, Roster: roster, ValuesOnly: true, UpdateWithin: within, Log: e.masterLog}); err != nil {
		return err
	}
	e.avs = map[string]*vdaVehicle{}
	for i, en := range entries {
		// the run's source gives what the engine's own model draws here
		// (a first breakdown time per shuttle), so that demand and
		// customs draw the same on both paths until a first breakdown
		first := e.rng.ExpFloat64()
		v, err := e.newVDAVehicle(en.SerialNumber, spots[i], cfg.StartSoC, vehicleSeed(cfg.Seed, i)^int64(math.Float64bits(first)))
		if err != nil {
			return err
		}
		e.ids = append(e.ids, v.id)
		e.startVDA(v)
	}
	return nil
}

// addVDAShuttle adds a shuttle on a free spot as an operator does: on the
// roster, and it joins with its first state through the Master.
func (o *operator) addVDAShuttle(spot string) {
	e := o.e
	id := fmt.Sprintf("shuttle-%02d", len(e.ids)+1)
	v, err := e.newVDAVehicle(id, spot, e.cfg.StartSoC, o.verbs.Int63())
	if err == nil {
		err = e.master.Admit(vehicles.Entry{Manufacturer: manufacturer, SerialNumber: id})
	}
	o.r.Asked[VerbAddShuttle]++
	if err != nil {
		o.refused(VerbAddShuttle, err)
		return
	}
	refused := len(e.joinRefused)
	e.ids = append(e.ids, id)
	e.startVDA(v)
	if len(e.joinRefused) > refused {
		o.refused(VerbAddShuttle, e.joinRefused[len(e.joinRefused)-1])
		return
	}
	o.r.Accepted[VerbAddShuttle]++
}
