package fleet

import (
	"container/list"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// Config is what a Controller needs. Zero fields take the defaults noted.
type Config struct {
	Graph    *routing.Graph
	Traffic  routing.TrafficConfig
	Vehicle  charging.Vehicle // default charging.DefaultVehicle()
	Charging charging.Policy  // default charging.Opportunity{}
	Dispatch string           // "lookahead" (default) or "greedy"
	Handling time.Duration    // time to load or unload at a bay; default 5 minutes
	AmbientC float64          // for the energy model
	// Horizon is how far ahead the lookahead dispatcher counts on shuttles
	// that are busy now; default 15 minutes.
	Horizon time.Duration
	// HoldWithoutDeclaration holds a container at a gate of a country it
	// has no customs declaration for, whatever was decided (pre-cleared,
	// released), until one is filed; default off.
	HoldWithoutDeclaration bool
	// Tuning holds the tuning values (tuning.go); zero fields take their
	// defaults.
	Tuning Tuning
	// Retention is how long, by the events' clock, an ended move
	// (delivered, returned, cancelled, failed) stays in the Controller
	// after it ended; then it leaves it, in Ready.Archived (retention.go).
	// Zero (the default) keeps every move; negative is an error.
	Retention time.Duration
}

func (c Config) withDefaults() Config {
	if c.Vehicle.BatteryKWh == 0 {
		c.Vehicle = charging.DefaultVehicle()
	}
	if c.Charging == nil {
		c.Charging = charging.Opportunity{}
	}
	if c.Dispatch == "" {
		c.Dispatch = "lookahead"
	}
	if c.Handling == 0 {
		c.Handling = 5 * time.Minute
	}
	if c.Horizon == 0 {
		c.Horizon = 15 * time.Minute
	}
	return c
}

// Validate names the first setting that is out of range: the vehicle,
// the tuning, the retention and the dispatch policy. It needs no lane
// graph, so that a command can check a configuration before it starts
// anything (NewController checks the graph too).
func (c Config) Validate() error {
	c = c.withDefaults()
	if err := c.Vehicle.Validate(); err != nil {
		return err
	}
	if err := c.Tuning.Validate(); err != nil {
		return err
	}
	if c.Retention < 0 {
		return fmt.Errorf("fleet: retention %v is negative (want 0 to keep every move, or how long an ended move stays)", c.Retention)
	}
	if c.Dispatch != "greedy" && c.Dispatch != "lookahead" {
		return fmt.Errorf("fleet: unknown dispatch policy %q (want greedy or lookahead)", c.Dispatch)
	}
	return nil
}

// shuttleRec is the controller's record of one shuttle.
type shuttleRec struct {
	id      string
	sm      *Shuttle
	node    string // last node reached
	soc     float64
	move    *Move
	job              // the task, and the route made for it (task.go)
	sent    int      // global step up to which drive commands went out
	stops   []string // stop lines still ahead on the route
	gate    *gateStop
	slot    int // charging slot, 0 if none
	target  float64
	retryAt time.Time // when to try a route that could not be made again
	planErr error     // why the last route for a task could not be made; nil once one is
	idleAt  time.Time // when idle, when to look for charging or parking again
	// chargeWait is the station an idle shuttle must charge at and got
	// no slot at yet (chargeIfDue); "" if none
	chargeWait string
	overtook   time.Time // when it last tried to overtake in a queue
	// outOfService: an operator took it out of service; it stays out
	// (through faults and repairs) until put back
	outOfService bool
	// stilled: a broken-down shuttle paused so that the lane it holds
	// ahead may be lent to others (breakdown.go)
	stilled stillState
	// act is its activity at the end of the last step, actSince when
	// that activity began (activity.go)
	act      Activity
	actSince time.Time
}

// gateStop is a shuttle standing at a customs stop line.
type gateStop struct {
	checkpoint geo.Checkpoint
	until      time.Time // it may pass from then on; zero while awaiting customs
}

// Stats counts what the Controller has seen, for reports.
type Stats struct {
	MovesCreated       int
	Deliveries         int
	Returns            int
	DuplicateDrops     int
	IllegalTransitions int
	Illegal            []string        // the first few illegal transitions, described
	LeadTimes          []time.Duration // created to delivered
	PlanFailures       int
	TrafficWaits       int                // reservation conflicts traffic control resolved (routing.Traffic.Waits)
	DispatchRejections map[RejectKind]int // shuttles passed over for a move, by why
}

// Controller is the fleet's deterministic core: events in, commands out.
// Time comes in with each event; nothing in it reads a clock, sleeps or
// starts a goroutine. One goroutine owns it.
type Controller struct {
	cfg         Config
	tuning      Tuning // cfg.Tuning with its defaults
	g           *routing.Graph
	site        *geo.Site
	tr          *routing.Traffic
	sched       *charging.Scheduler
	moves       map[string]*Move
	order       []*Move // in creation order
	byKey       map[string]*Move
	shuttles    map[string]*shuttleRec
	actChanged  []string // shuttles whose activity changed in the last step (ActivityChanged)
	ids         []string
	recs        []*shuttleRec // the shuttles in id order
	bays        bayBook
	decided     map[string]map[string]CustomsDecision // move -> checkpoint -> decision
	declared    map[Container][]Declaration           // filed for a container with no open move, for its next
	reach       map[string][]routing.Reach            // from node -> every node
	stations    map[string]geo.ChargingStation        // by node id
	dropped     map[string]int                        // move -> drops seen
	gateTimes   map[[2]string]time.Duration           // {from, to} -> release times on the way
	energy      map[[2]string]moveKWh                 // {origin, destination} -> energy of a move
	full        map[string]fullMsg                    // centre -> why it takes no more moves, by count
	centres     map[string]string                     // place node -> its centre, made on first use
	inbound     map[string]int                        // centre -> moves under way to it, counted at dispatch
	inboundCap  map[string]int                        // centre -> maxInbound, made on first use
	out         []Command
	changed     []*Move           // moves created or changed since the last Ready, in order, once each
	seq         uint64            // changes of moves so far (touch)
	byChange    list.List         // the moves, least recently changed first
	counts      map[MoveState]int // moves by state, those archived included
	ended       []*Move           // the ended moves still here, in the order they ended (retention.go)
	archived    []*Move           // the moves that left in the step under way, for Ready.Archived
	stepIllegal []string          // the illegal transitions of the step under way, for Ready.Illegal
	stats       Stats
	// dispatch runs when something changed (dirty) or every Tuning.DispatchEvery
	dirty        bool
	lastDispatch time.Time
	now          time.Time      // of the event being handled
	need         float64        // needSoC, worked out once
	must         mustCache      // mustSoC's last answer
	areas        []*customsArea // admission-controlled loops at checkpoints (admission.go)
}

// NewController builds a controller for a site's lane graph.
func NewController(cfg Config) (*Controller, error) {
	cfg = cfg.withDefaults()
	if cfg.Graph == nil {
		return nil, errors.New("fleet: config has no lane graph")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tr, err := routing.NewTraffic(cfg.Graph, cfg.Traffic)
	if err != nil {
		return nil, err
	}
	site := cfg.Graph.Site()
	var stations []charging.Station
	byNode := map[string]geo.ChargingStation{}
	for _, s := range site.Stations {
		stations = append(stations, charging.Station{ID: s.ID, Chargers: s.Chargers, ChargerKW: s.ChargerPowerKW, GridCapKW: s.GridCapKW})
		byNode[s.ID] = s
	}
	sched, err := charging.NewScheduler(stations, charging.SchedulerConfig{})
	if err != nil {
		return nil, err
	}
	tc := tr.Config()
	tuning := cfg.Tuning.withDefaults()
	return &Controller{cfg: cfg, tuning: tuning, g: cfg.Graph, site: site, tr: tr, sched: sched,
		areas: newCustomsAreas(cfg.Graph, tc.VehicleLength+tc.MinGap, tc.VehicleLength+tc.MinGap+tc.GrantAhead, tuning.CustomsLoopLength),
		moves: map[string]*Move{}, byKey: map[string]*Move{}, shuttles: map[string]*shuttleRec{},
		bays: newBayBook(), decided: map[string]map[string]CustomsDecision{},
		reach: map[string][]routing.Reach{}, stations: byNode, dropped: map[string]int{}, gateTimes: map[[2]string]time.Duration{}, energy: map[[2]string]moveKWh{}, full: map[string]fullMsg{}, inbound: map[string]int{},
		stats: Stats{DispatchRejections: map[RejectKind]int{}}, counts: map[MoveState]int{}}, nil
}

// Stats returns what the controller has counted so far.
func (c *Controller) Stats() Stats {
	s := c.stats
	for _, r := range c.shuttles {
		s.IllegalTransitions += r.sm.Illegal
	}
	s.TrafficWaits = c.tr.Waits()
	return s
}

// Moves returns every move in creation order (those that left it after
// Config.Retention not included).
func (c *Controller) Moves() []*Move { return c.order }

// ShuttleState returns a shuttle's state and state of charge.
func (c *Controller) ShuttleState(id string) (ShuttleState, float64, bool) {
	r, ok := c.shuttles[id]
	if !ok {
		return "", 0, false
	}
	return r.sm.State(), r.soc, true
}

// Traffic exposes the traffic controller, read-only by convention, for
// checks and displays.
func (c *Controller) Traffic() *routing.Traffic { return c.tr }

// Ready is everything one event leads to, in one value (as etcd raft's
// Ready): the commands for the vehicles, the moves it created or changed,
// and when the Controller next needs a Tick if nothing else happens.
type Ready struct {
	Commands []Command
	// Changed are the moves created or changed, in the order they were
	// first changed, once each (for the audit trail); the caller must not
	// change them.
	Changed []*Move
	// Wake is the next time the Controller needs a Tick even if nothing
	// else happens (a gate's release time); zero if none.
	Wake time.Time
	// Archived are the ended moves that left the Controller in this step
	// (Config.Retention), in the order of their numbers: the caller keeps
	// them elsewhere if they are to be read again. The caller must not
	// change them.
	Archived []*Move
	// Illegal describes the state changes the move, task and shuttle
	// machines refused in this step (at most maxIllegalKept): each one is a
	// defect in the core, for the caller to log where an operator sees it.
	Illegal []string
}

// Handle applies one event at time now and returns what it leads to. An
// event the fleet's state refuses returns an error and changes nothing
// but the time: what the step after it did is in the Ready all the same.
func (c *Controller) Handle(now time.Time, ev Event) (Ready, error) {
	c.out = c.out[:0]
	c.now = now
	var err error
	switch e := ev.(type) {
	case ShuttleJoined:
		err = c.joined(e)
	case NodeReached:
		err = c.nodeReached(now, e)
	case BatteryReported:
		err = c.batteryReported(e)
	case ActionDone:
		err = c.actionDone(now, e)
	case ActionFailed:
		err = c.actionFailed(now, e)
	case FaultReported:
		err = c.fault(now, e)
	case FaultCleared:
		err = c.recovered(e)
	case PausedAtNode:
		err = c.pausedAtNode(e)
	case MoveRequested:
		err = c.moveRequested(now, e)
	case CustomsDecision:
		err = c.customsDecision(now, e)
	case DeclarationFiled:
		err = c.fileDeclaration(now, e)
	case SealRead:
		err = c.sealRead(now, e)
	case PauseRequested:
		err = c.pause(e.Shuttle, true)
	case ResumeRequested:
		err = c.pause(e.Shuttle, false)
	case CancelRequested:
		err = c.cancelMove(now, e)
	case PriorityChanged:
		err = c.changePriority(e)
	case ChargeRequested:
		err = c.chargeNow(now, e)
	case ParkRequested:
		err = c.parkNow(e)
	case EmergencyStopRequested:
		err = c.emergencyStop(e.Shuttle, true)
	case EmergencyReleaseRequested:
		err = c.emergencyStop(e.Shuttle, false)
	case OutOfServiceRequested:
		err = c.setService(e.Shuttle, false)
	case InServiceRequested:
		err = c.setService(e.Shuttle, true)
	case LaneClosed:
		err = c.closeLane(e)
	case LaneReopened:
		err = c.reopenLane(e)
	case Tick:
	default:
		err = fmt.Errorf("fleet: unknown event %T", ev)
	}
	switch ev.(type) {
	case ShuttleJoined, ActionDone, ActionFailed, FaultReported, FaultCleared, PausedAtNode, MoveRequested, PauseRequested, ResumeRequested,
		CancelRequested, PriorityChanged, ChargeRequested, ParkRequested, EmergencyStopRequested, EmergencyReleaseRequested,
		OutOfServiceRequested, InServiceRequested, LaneClosed, LaneReopened:
		c.dirty = true
	}
	c.step(now)
	c.prune(now)
	c.stampActivities(now)
	rd := Ready{Commands: slices.Clone(c.out), Changed: c.takeChanged(), Wake: c.nextWake(), Archived: c.archived, Illegal: c.stepIllegal}
	c.archived, c.stepIllegal = nil, nil
	return rd, err
}

func (c *Controller) shuttle(id string) (*shuttleRec, error) {
	r, ok := c.shuttles[id]
	if !ok {
		return nil, fmt.Errorf("fleet: unknown shuttle %q", id)
	}
	return r, nil
}

func (c *Controller) joined(e ShuttleJoined) error {
	if _, dup := c.shuttles[e.Shuttle]; dup {
		return fmt.Errorf("fleet: shuttle %q joined twice", e.Shuttle)
	}
	if n := len(c.site.Parking); n > 0 && len(c.shuttles) >= n {
		return fmt.Errorf("%w: shuttle %q cannot join: the site has %d parking spots and %d shuttles already; one more would have nowhere to stand off the lanes, and laden shuttles waiting for bays at parking spots would wait on idle ones at those bays for good",
			ErrSiteFull, e.Shuttle, n, len(c.shuttles))
	}
	if err := c.tr.Place(e.Shuttle, e.Node); err != nil {
		return err
	}
	r := &shuttleRec{id: e.Shuttle, sm: NewShuttle(e.Shuttle), node: e.Node, soc: e.SoC, job: job{goalStep: -1}}
	c.fire(r, EvConnect)
	c.shuttles[e.Shuttle] = r
	c.ids = append(c.ids, e.Shuttle)
	sort.Strings(c.ids)
	c.recs = c.recs[:0]
	for _, id := range c.ids {
		c.recs = append(c.recs, c.shuttles[id])
	}
	return nil
}

// task applies the outcome of a change of a shuttle's task: one the task
// table does not allow, or a laden task without a container aboard, is
// counted with the illegal transitions.
func (c *Controller) task(r *shuttleRec, err error) {
	if err == nil && r.job.task.laden() && (r.move == nil || !r.move.Laden()) {
		err = fmt.Errorf("%w: %s without a container aboard", ErrIllegalTask, r.job.task)
	}
	if err != nil {
		c.stats.IllegalTransitions++
		c.noteIllegal(fmt.Errorf("shuttle %s: %w", r.id, err))
	}
}

// fire applies a shuttle event; an illegal one is counted by the machine
// and the first few are kept for reports.
func (c *Controller) fire(r *shuttleRec, ev ShuttleEvent) {
	if err := r.sm.Fire(ev); err != nil {
		c.noteIllegal(err)
	}
}

// noteIllegal keeps the first few illegal transitions for reports, and
// those of this step for the caller's log.
func (c *Controller) noteIllegal(err error) {
	if len(c.stats.Illegal) < maxIllegalKept {
		c.stats.Illegal = append(c.stats.Illegal, err.Error())
	}
	if len(c.stepIllegal) < maxIllegalKept {
		c.stepIllegal = append(c.stepIllegal, err.Error())
	}
}

// maxIllegalKept is how many illegal transitions Stats describes.
const maxIllegalKept = 10

func (c *Controller) moveRequested(now time.Time, e MoveRequested) error {
	if e.IdempotencyKey != "" {
		if m, ok := c.byKey[e.IdempotencyKey]; ok {
			if m.Origin != e.Origin || m.Destination != e.Destination || string(m.Container) != e.Container {
				return fmt.Errorf("%w %q was used for another move (%s)", ErrKeyConflict, e.IdempotencyKey, m.ID)
			}
			return nil
		}
	}
	if _, dup := c.moves[e.ID]; dup {
		return fmt.Errorf("fleet: move %q exists already", e.ID)
	}
	cont, err := ParseContainer(e.Container)
	if err != nil {
		return err
	}
	if err := checkPriority(e.Priority); err != nil {
		return err
	}
	for _, b := range []string{e.Origin, e.Destination} {
		if bay, ok := c.site.Bay(b); !ok || bay.Centre == "" {
			return fmt.Errorf("fleet: move %s: %q is not a yard bay of the site", e.ID, b)
		}
	}
	if e.Origin == e.Destination {
		return fmt.Errorf("fleet: move %s goes from bay %q to itself", e.ID, e.Origin)
	}
	for _, o := range c.order {
		if o.Container == cont && !o.State.Final() {
			return conflict("container %s has an open move, %s (%s); a second may be asked for once it is over", cont, o.ID, o.State)
		}
	}
	m := NewMove(e.ID, cont, e.Origin, e.Destination, now)
	m.Num = uint64(c.stats.MovesCreated) + 1
	m.Priority, m.EarliestPickup, m.Deadline = e.Priority, e.EarliestPickup, e.Deadline
	m.Declaration, m.IdempotencyKey, m.PreCleared = e.Declaration, e.IdempotencyKey, e.PreCleared
	m.originCentre, m.destCentre = c.centreOf(m.Origin), c.centreOf(m.Destination)
	c.way(m)
	c.takeDeclarations(now, m)
	c.moves[m.ID] = m
	c.order = append(c.order, m)
	c.counts[m.State]++
	c.touch(m)
	if m.IdempotencyKey != "" {
		c.byKey[m.IdempotencyKey] = m
	}
	c.stats.MovesCreated++
	return nil
}

// reachFrom returns the fastest reach from a node to every node, cached:
// routes between places do not change while the lanes stay open.
func (c *Controller) reachFrom(node string) []routing.Reach {
	if r, ok := c.reach[node]; ok {
		return r
	}
	r, _ := c.g.From(node, routing.Limits{})
	c.reach[node] = r
	return r
}

// reachBetween is the fastest reach between two nodes.
func (c *Controller) reachBetween(a, b string) routing.Reach {
	i, ok := c.g.Node(b)
	if !ok {
		return routing.Reach{}
	}
	r := c.reachFrom(a)
	if r == nil {
		return routing.Reach{}
	}
	return r[i]
}

// centreOf returns the centre a node's place belongs to ("" if none).
func (c *Controller) centreOf(node string) string {
	if c.centres == nil {
		c.centres = map[string]string{}
		for _, b := range c.site.Bays {
			c.centres[b.ID] = b.Centre
		}
		for _, p := range c.site.Parking {
			c.centres[p.ID] = p.Centre
		}
		for _, s := range c.site.Stations {
			c.centres[s.ID] = s.Centre
		}
	}
	return c.centres[node]
}

// step does what time and the last event allow: gates, plans, dispatch,
// charging, parking, and grants.
func (c *Controller) step(now time.Time) {
	for _, r := range c.recs {
		if r.stilled != stillNone && r.inService() {
			c.unstill(r) // repaired: its lane back before it is given work (breakdown.go)
		}
	}
	c.gateTimers(now)
	c.expireSlots(now)
	for _, r := range c.recs {
		if !r.inService() || now.Before(r.retryAt) {
			continue
		}
		switch {
		case r.replan:
			c.planTask(now, r)
			if r.replan {
				r.retryAt = now.Add(c.tuning.Replan.D())
			}
		case r.task == taskStage && r.then == taskDeliver && r.gate == nil:
			// on its way to wait for its bay: go straight there once it may
			if c.bayReady(r.move.Destination, r.move) {
				c.route(r, r.move.Destination, taskDeliver)
			}
			r.retryAt = now.Add(c.tuning.Replan.D())
		case c.layByLater(r): // a refused shuttle stuck at a stop line (returns.go)
		}
	}
	if c.dirty || now.Sub(c.lastDispatch) >= c.tuning.DispatchEvery.D() {
		c.dispatch(now)
		c.dirty, c.lastDispatch = false, now
	}
	stagger := c.staggerOnce(now)
	for _, r := range c.idleOrder(now) {
		c.idleWork(now, r, stagger)
	}
	c.givePlaces()
	c.trackTurns()
	for _, r := range c.recs {
		c.grant(now, r)
		if r.goalStep >= 0 && now.Sub(r.overtook) >= c.tuning.Overtake.D() {
			if p, _ := c.tr.Position(r.id); p.Granted == p.AtStep && !p.Arrived && c.tr.Overtake(r.id) {
				c.grant(now, r)
			}
			r.overtook = now
		}
	}
}

// nextWake is the next time the controller needs a Tick even if nothing
// else happens (a gate's release time); zero if none.
func (c *Controller) nextWake() time.Time {
	var t time.Time
	for _, r := range c.recs {
		if g := r.gate; g != nil && !g.until.IsZero() && (t.IsZero() || g.until.Before(t)) {
			t = g.until
		}
	}
	return t
}
