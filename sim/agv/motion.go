package agv

import (
	"math"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/paulmach/orb"
)

// maxLeg caps the time one edge takes (an absurd length or maxSpeed).
const maxLeg = 1000 * time.Hour

// emptySoC is the state of charge taken as empty (rounding of event times).
const emptySoC = 1e-9

// advance moves vehicle time on by dt, handling every event on the way in
// order, so that a coarse wake-up at a large time scale still traverses
// every node and finishes every action at its time.
func (v *Vehicle) advance(dt time.Duration) {
	stuck := 0
	for range 1_000_000 {
		step := dt
		if ev, ok := v.nextEvent(); ok && ev < step {
			step = ev
		}
		if stuck = stuck + 1; step > 0 {
			stuck = 0
		} else if stuck > 100 {
			v.log.Error("an event does not clear; vehicle time skips", "skipped", dt)
			return
		}
		v.apply(step)
		dt -= step
		v.fire()
		v.settle()
		if dt <= 0 {
			return
		}
	}
}

// halted: nothing may move or progress.
func (v *Vehicle) halted() bool { return v.s.paused || v.s.broken || v.s.depleted }

// moving: on an edge and not halted (paused, with PauseAtNode, it
// drives the edge to its end).
func (v *Vehicle) moving() bool { return v.s.leg != nil && v.legRuns() }

// legRuns: the edge being driven goes on.
func (v *Vehicle) legRuns() bool {
	return !v.s.broken && !v.s.depleted && (!v.s.paused || v.cfg.PauseAtNode)
}

// nextEvent is the vehicle time until the next thing happens by itself.
func (v *Vehicle) nextEvent() (time.Duration, bool) {
	next, ok := time.Duration(math.MaxInt64), false
	at := func(d time.Duration) {
		ok = true
		next = min(next, max(d, 0))
	}
	if v.moving() {
		at(v.s.leg.total - v.s.leg.done)
	}
	if !v.halted() {
		for _, a := range v.s.actions {
			if a.status == vda5050.StatusRunning && a.left > 0 {
				at(a.left)
			}
		}
	}
	if c := v.s.charge; c != nil {
		at(v.cfg.Model.ChargeTime(c.from, 1, c.kw) - (v.s.clock - c.start))
	}
	if v.s.broken {
		at(v.s.repair)
	}
	if v.s.linkDown && !v.s.restoring {
		at(v.s.outage)
	}
	if v.cfg.MTBF > 0 && !v.s.broken && !v.cfg.BreakOnArrival {
		at(v.s.nextBreak)
	}
	if v.cfg.LinkLossMTBF > 0 && !v.s.linkDown {
		at(v.s.nextLoss)
	}
	if kw := v.drawKW(); kw > 0 && !v.s.depleted {
		h := v.s.soc * v.cfg.Model.BatteryKWh / kw
		at(time.Duration(math.Ceil(h * float64(time.Hour))))
	}
	return next, ok
}

// drawKW is the power the vehicle takes out of its battery now.
func (v *Vehicle) drawKW() float64 {
	switch {
	case v.s.charge != nil:
		return 0 // the charger feeds the auxiliaries
	case v.moving():
		l := v.s.leg
		return v.cfg.Model.DriveKWh(charging.Leg{Metres: l.speed * 3600, Duration: time.Hour, Laden: v.laden()}, v.cfg.AmbientC)
	default:
		return v.cfg.Model.AuxPower(v.cfg.AmbientC)
	}
}

func (v *Vehicle) laden() bool { return len(v.s.loads) > 0 }

// apply lets step pass without events.
func (v *Vehicle) apply(step time.Duration) {
	if step <= 0 {
		return
	}
	v.s.clock += step
	m := v.cfg.Model
	switch {
	case v.s.charge != nil:
		c := v.s.charge
		v.s.soc = m.SoCAfter(c.from, v.s.clock-c.start, c.kw)
	case v.s.depleted:
	case v.moving():
		l := v.s.leg
		d := min(step, l.total-l.done)
		v.use(m.DriveKWh(charging.Leg{Metres: l.speed * d.Seconds(), Duration: d, Laden: v.laden()}, v.cfg.AmbientC))
		v.use(m.IdleKWh(step-d, v.cfg.AmbientC))
		l.done += d
	default:
		v.use(m.IdleKWh(step, v.cfg.AmbientC))
	}
	if !v.halted() {
		for _, a := range v.s.actions {
			if a.status == vda5050.StatusRunning && a.left > 0 {
				a.left -= step
			}
		}
	}
	if v.s.broken {
		v.s.repair -= step
	} else {
		v.s.nextBreak -= step
	}
	if v.s.linkDown {
		if !v.s.restoring {
			v.s.outage -= step
		}
	} else {
		v.s.nextLoss -= step
	}
}

func (v *Vehicle) use(kwh float64) {
	v.s.soc -= kwh / v.cfg.Model.BatteryKWh
	if v.s.soc < emptySoC {
		v.s.soc = 0
	}
}

// fire handles the events that are due.
func (v *Vehicle) fire() {
	if l := v.s.leg; l != nil && v.legRuns() && l.done >= l.total {
		v.arrive()
	}
	if !v.halted() {
		for _, a := range v.s.actions {
			if a.status == vda5050.StatusRunning && a.left <= 0 {
				v.finish(a)
			}
		}
	}
	if c := v.s.charge; c != nil && (v.s.soc >= 1 || v.s.clock-c.start >= v.cfg.Model.ChargeTime(c.from, 1, c.kw)) {
		v.s.soc = 1
		v.stopCharging()
	}
	if v.s.broken && v.s.repair <= 0 {
		v.repaired()
	}
	if v.s.linkDown && !v.s.restoring && !v.s.restore && v.s.outage <= 0 {
		v.s.restore = true
	}
	if v.cfg.MTBF > 0 && !v.s.broken && v.s.nextBreak <= 0 && !v.cfg.BreakOnArrival {
		v.breakDown(0)
	}
	if v.cfg.LinkLossMTBF > 0 && !v.s.linkDown && v.s.nextLoss <= 0 {
		v.s.nextLoss = v.draw(v.cfg.LinkLossMTBF)
		v.loseLink(0)
	}
	switch {
	case !v.s.depleted && v.s.soc <= 0:
		v.s.depleted, v.s.dirty = true, true
		v.log.Warn("battery empty", "node", v.s.lastNode)
	case v.s.depleted && v.s.soc > 0:
		v.s.depleted, v.s.dirty = false, true
	}
}

// settle starts what may start now: actions, then the next edge; and
// notes changes that must be reported.
func (v *Vehicle) settle() {
	v.startActions()
	v.finishCancel()
	v.tryDrive()
	if d := v.moving(); d != v.s.wasDriving {
		v.s.wasDriving, v.s.dirty = d, true
	}
	if n := v.newBaseRequest(); n != v.s.wasNBR {
		v.s.wasNBR, v.s.dirty = n, true
	}
}

// tryDrive enters the next edge if it is released and nothing holds the
// vehicle.
func (v *Vehicle) tryDrive() {
	if v.s.leg != nil || v.halted() || len(v.s.edges) == 0 || len(v.s.nodes) == 0 || v.blocked() {
		return
	}
	e, n := v.s.edges[0], v.s.nodes[0]
	if !e.Released || !n.Released {
		return
	}
	if v.s.charge != nil {
		v.stopCharging() // driving off unplugs
	}
	// one leg at a time: its memory is the vehicle's (arrive is done with
	// the last before the next begins)
	l := &v.s.legBuf
	*l = leg{edge: e, speed: v.cfg.TopSpeedKmh / 3.6}
	if i, ok := v.graph.Edge(e.EdgeID); ok {
		ge := v.graph.Edges[i]
		if v.graph.Nodes[ge.From].ID == e.StartNodeID && v.graph.Nodes[ge.To].ID == e.EndNodeID {
			l.path, l.length = ge.XY, ge.Length
			if e.MaxSpeed == nil && ge.MaxSpeed > 0 {
				l.speed = math.Min(l.speed, ge.MaxSpeed)
			}
		}
	}
	if l.path == nil {
		// not a lane of the map: straight to the node
		to, _ := v.nodeXY(n.Node)
		l.path, l.length = orb.LineString{v.s.pos, to}, dist(v.s.pos, to)
	}
	if e.Length != nil {
		l.length = *e.Length
	}
	if e.MaxSpeed != nil && *e.MaxSpeed > 0 {
		l.speed = math.Min(l.speed, *e.MaxSpeed)
	}
	l.total = time.Duration(math.Min(l.length/l.speed, maxLeg.Seconds()) * float64(time.Second))
	v.s.leg = l
	v.s.dirty = true
}

// arrive ends the edge and traverses its end node.
func (v *Vehicle) arrive() {
	l := v.s.leg
	v.s.leg = nil
	v.s.pos = l.path[len(l.path)-1]
	if n := len(l.path); n >= 2 {
		v.s.theta = heading(l.path[n-2], l.path[n-1])
	}
	v.s.edges = v.s.edges[1:]
	st := v.s.nodes[0]
	v.s.nodes = v.s.nodes[1:]
	v.traverse(st)
	if v.cfg.BreakOnArrival && v.cfg.MTBF > 0 && !v.s.broken && v.s.nextBreak <= 0 {
		v.breakDown(0) // before the node's actions start (settle)
	}
}

// traverse makes st the last node and lets its actions start.
func (v *Vehicle) traverse(st *stop) {
	v.s.lastNode, v.s.lastSeq = st.NodeID, st.SequenceID
	for _, a := range st.acts {
		a.triggered = true
	}
	v.s.dirty = true
}

// nodeXY is where a node of an order is: its nodePosition, else the map's.
func (v *Vehicle) nodeXY(n vda5050.Node) (orb.Point, bool) {
	if p := n.NodePosition; p != nil {
		return orb.Point{p.X, p.Y}, true
	}
	if i, ok := v.graph.Node(n.NodeID); ok {
		return v.graph.Nodes[i].XY, true
	}
	return orb.Point{}, false
}

// pose is where the vehicle is now and which way it faces, interpolated
// along the edge it drives.
func (v *Vehicle) pose() (orb.Point, float64) {
	l := v.s.leg
	if l == nil || l.total <= 0 {
		return v.s.pos, v.s.theta
	}
	return along(l.path, float64(l.done)/float64(l.total))
}

// along is the point a share f of the way along a path, and the heading there.
func along(path orb.LineString, f float64) (orb.Point, float64) {
	if len(path) < 2 {
		return path[0], 0
	}
	total := 0.0
	for i := 1; i < len(path); i++ {
		total += dist(path[i-1], path[i])
	}
	want := math.Max(0, math.Min(1, f)) * total
	for i := 1; i < len(path); i++ {
		d := dist(path[i-1], path[i])
		if want <= d || i == len(path)-1 {
			t := 0.0
			if d > 0 {
				t = math.Min(1, want/d)
			}
			a, b := path[i-1], path[i]
			return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, heading(a, b)
		}
		want -= d
	}
	return path[len(path)-1], 0
}

func dist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

func heading(a, b orb.Point) float64 { return math.Atan2(b[1]-a[1], b[0]-a[0]) }

// baseLeft is the distance in metres to the decision point.
func (v *Vehicle) baseLeft() float64 {
	m, first, prev := 0.0, 0, v.s.pos
	if l := v.s.leg; l != nil && len(v.s.nodes) > 0 {
		m = l.length * (1 - float64(l.done)/float64(max(l.total, 1)))
		first = 1
		prev, _ = v.nodeXY(v.s.nodes[0].Node)
	}
	for i := first; i < len(v.s.nodes) && v.s.nodes[i].Released; i++ {
		p, _ := v.nodeXY(v.s.nodes[i].Node)
		if e := v.s.edges[i]; e.Length != nil {
			m += *e.Length
		} else {
			m += dist(prev, p)
		}
		prev = p
	}
	return m
}

// newBaseRequest: the order has a horizon and the base is running out.
func (v *Vehicle) newBaseRequest() bool {
	if len(v.s.nodes) == 0 || v.s.nodes[len(v.s.nodes)-1].Released {
		return false
	}
	return v.baseLeft() <= v.cfg.NewBaseDistance
}
