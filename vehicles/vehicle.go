package vehicles

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Reasons a vehicle is out of dispatch (keys of vehicle.reasons).
const (
	reasonLink     = "link"
	reasonStale    = "stale"
	reasonFatal    = "fatal"
	reasonMode     = "mode"
	reasonEStop    = "estop"
	reasonAction   = "action"
	reasonRejected = "rejected"
	reasonPosition = "position"
	reasonCancel   = "cancel"
	reasonOrder    = "order"
	reasonInstant  = "instant"
	reasonLoad     = "load"
	reasonFit      = "fit"
)

// vehicle is the Master's record of one vehicle.
type vehicle struct {
	e         Entry
	id        string
	conn      string // last connection state
	st        *vda5050.State
	stateAt   time.Time
	pos       *vda5050.AgvPosition
	factsheet *vda5050.Factsheet
	factAsked time.Time
	soc       float64
	socTold   float64              // the state of charge last passed on (batteryReport)
	failed    []fleet.ActionFailed // picks and drops this state reports failed, told after the fault
	joined    bool
	joinRetry time.Time
	joinFails int // joins refused in a row (see JoinFailed); 0 again with a command for it
	reasons   map[string]string
	faulted   bool // the Controller has been told
	seq       int  // for action ids

	// the lane granted by the Controller, by global step (see
	// routing.Plan.FirstStep); at is the last step reported reached
	steps   map[int]string
	at      int
	granted int
	act     *pending // an action not yet in a sent order

	ord     *order
	orders  int // orders made, for ids
	needNew bool
	cancel  string // id of a cancelOrder not yet FINISHED or FAILED
	cancelT time.Time
	cancels int       // times that cancelOrder was sent
	orderAt time.Time // the last order message sent to it
	// a startPause or stopPause not answered yet (see pause)
	pauseAct   *vda5050.Action
	pauseAt    time.Time
	pauseTries int
	// pauseWanted: the Controller's last pause command was startPause;
	// pausedOK: the vehicle confirmed it, and no state since showed it
	// unpaused (keepPaused); stillWanted: the Controller has not been
	// told yet that it stands paused on a node (fleet.PausedAtNode, see
	// tellStill)
	pauseWanted, pausedOK, stillWanted bool
	factAsks                           int              // factsheetRequests sent since it came online
	actions                            map[string]*sent // node actions sent and not yet over
	charge                             *chargeWatch
	resyncs                            int // orders rejected in a row
	// the loads fleetd put there (picks FINISHED, not dropped since), and
	// how many believed states in a row reported others (see checkLoads)
	carries  map[string]bool
	loadsOff int
	// instantSeen: the vehicle reports the states of instant actions (a
	// cancel is then over only when it says so, see cancelOver)
	instantSeen bool

	// what the next message must follow (see trust.go)
	headerSeen  bool
	lastHeader  uint32         // headerId of the last state believed
	linkChanged bool           // a connection message since that state
	ignored     map[string]int // ignored keys ("topic:path"), counted
}

// pending is a node action the Controller asked for.
type pending struct {
	step      int
	kind      string // the VDA 5050 action type: pick, drop, startCharging (see actionType)
	container string
	target    float64
}

// sent is a node action in an order, with what it takes to send it again.
type sent struct {
	kind string
	p    pending
	// off: a pick or drop called off by a cancel (the Controller's, or a
	// resync's), kept until the vehicle reports what became of it (see
	// calledOff); redo: a resync's, to be sent again unless it finished
	off, redo bool
}

// chargeWatch follows one charging session.
type chargeWatch struct {
	target   float64
	started  bool
	stopSent bool
	stopAt   time.Time
	stopID   string
}

func newVehicle(e Entry) *vehicle {
	return &vehicle{e: e, id: e.ID(), reasons: map[string]string{}, steps: map[int]string{}, actions: map[string]*sent{}, ignored: map[string]int{}, carries: map[string]bool{}}
}

func (v *vehicle) online() bool { return v.conn == vda5050.ConnectionOnline }

func (v *vehicle) nextID(what string) string {
	v.seq++
	return fmt.Sprintf("%s-%s-%d", v.id, what, v.seq)
}

// held: something other than a rejected order keeps the vehicle from
// driving (a rejection is mended by the new order flush sends).
func (v *vehicle) held() bool {
	for k := range v.reasons {
		if k != reasonRejected {
			return true
		}
	}
	return false
}

func (v *vehicle) reasonList() []string {
	var out []string
	for _, r := range v.reasons {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// loadsGrace is how many believed states in a row may report other loads
// than fleetd put there before the vehicle is held: a vehicle may show a
// load a state after it reports the pick FINISHED.
const loadsGrace = 3

// checkLoads holds a vehicle in the fleet out of dispatch while the loads
// it reports are not the ones fleetd put there (picked and not dropped):
// a container nobody loaded through fleetd (a shuttle that joins laden, a
// load put on by hand), or one that left it without a drop. Either way the
// fleet would dispatch it wrongly: as free to pick while it carries, or as
// carrying what is gone. It is not believed and not cleared by an
// operator: the hold ends when the vehicle reports the right loads (after
// someone takes off what does not belong), or, where only loads fleetd
// put there are missing, when an operator confirms they are gone
// (ClearFault). A vehicle that omits loads
// (the spec's "cannot tell") is not checked, nor one with a pick or drop
// under way.
func (m *Master) checkLoads(v *vehicle, st *vda5050.State) {
	if !v.joined || st.Loads == nil {
		return
	}
	for _, a := range v.actions {
		if a.kind == vda5050.ActionPick || a.kind == vda5050.ActionDrop {
			return
		}
	}
	diff := loadsDiffer(v.carries, st.Loads)
	if diff == "" {
		v.loadsOff = 0
		delete(v.reasons, reasonLoad)
		return
	}
	if v.loadsOff++; v.loadsOff >= loadsGrace {
		if _, held := v.reasons[reasonLoad]; !held {
			m.cfg.Log.Warn("vehicle reports loads fleetd did not put there; out of dispatch until they match", "shuttle", v.id, "problem", diff)
		}
		v.reasons[reasonLoad] = diff
	}
}

// loadsAgree: loads, as many as carries, have the same ids as carries
// (all named, no two alike, each carried) or are not all named.
func loadsAgree(carries map[string]bool, loads []vda5050.Load) bool {
	for _, l := range loads {
		if l.LoadID == "" {
			return true // compared by number only
		}
	}
	for i, l := range loads {
		if !carries[l.LoadID] {
			return false
		}
		for _, k := range loads[:i] {
			if k.LoadID == l.LoadID {
				return false
			}
		}
	}
	return true
}

// loadsDiffer says how reported loads differ from the containers fleetd
// put there, "" if they agree. Loads without a loadId are compared by
// number only.
func loadsDiffer(carries map[string]bool, loads []vda5050.Load) string {
	if len(loads) == len(carries) && loadsAgree(carries, loads) {
		return "" // as below, without sorting: this runs on every state
	}
	want := slices.Sorted(maps.Keys(carries))
	var got []string
	named := true
	for _, l := range loads {
		got = append(got, l.LoadID)
		named = named && l.LoadID != ""
	}
	slices.Sort(got)
	if len(got) == len(want) && (!named || slices.Equal(got, want)) {
		return ""
	}
	show := func(ids []string) string {
		if len(ids) == 0 {
			return "none"
		}
		return fmt.Sprintf("%.120q", strings.Join(ids, ", "))
	}
	return fmt.Sprintf("it reports loads %s, fleetd put %s there", show(got), show(want))
}

// loadsGone takes an operator's word that loads fleetd put on a vehicle
// and that it no longer reports are gone (taken off by hand, after a
// breakdown); a load it reports that fleetd did not put there is not
// cleared so: it must come off first.
func (m *Master) loadsGone(v *vehicle) {
	if _, held := v.reasons[reasonLoad]; !held || v.st == nil {
		return
	}
	reported := map[string]bool{}
	for _, l := range v.st.Loads {
		if l.LoadID == "" || !v.carries[l.LoadID] {
			return
		}
		reported[l.LoadID] = true
	}
	for c := range v.carries {
		if !reported[c] {
			m.cfg.Log.Warn("operator confirmed a load is no longer on the vehicle", "shuttle", v.id, "container", c)
			delete(v.carries, c)
		}
	}
	delete(v.reasons, reasonLoad)
	v.loadsOff = 0
}

// connection handles a connection message.
func (m *Master) connection(v *vehicle, c vda5050.Connection) {
	was := v.conn
	v.conn = c.ConnectionState
	if c.ConnectionState != vda5050.ConnectionOnline {
		v.reasons[reasonLink] = "connection " + c.ConnectionState
		m.settle(v)
		return
	}
	if was != vda5050.ConnectionOnline {
		v.factAsks = 0
		// back (or new): ask where it is; the link reason goes with the
		// next state
		m.instant(v, vda5050.Action{ActionType: vda5050.ActionStateRequest, ActionID: v.nextID("state"), BlockingType: vda5050.BlockingNone})
		if v.factsheet == nil {
			m.requestFactsheet(v)
		}
	}
}

// state handles a state message.
func (m *Master) state(v *vehicle, st *vda5050.State) {
	v.st, v.stateAt = st, m.now
	v.soc = st.BatteryState.BatteryCharge / 100
	if st.AgvPosition != nil {
		v.pos = st.AgvPosition
	}
	delete(v.reasons, reasonStale)
	if v.conn == "" {
		v.conn = vda5050.ConnectionOnline // a state is proof of a link
	}
	if v.online() {
		delete(v.reasons, reasonLink)
	}
	if !v.joined {
		if m.now.Before(v.joinRetry) {
			return
		}
		m.join(v)
		if !v.joined {
			return
		}
	}
	if m.foreignOrder(v, st) {
		// someone else drives it: believe nothing of its progress, and
		// leave it to the operator (ClearFault) to take it back
		v.reasons[reasonOrder] = fmt.Sprintf("it drives order %.60q, which fleetd did not send", st.OrderID)
		m.settle(v)
		return
	}
	if o := v.ord; o != nil && st.OrderID != o.id && o.confirmed >= 0 && !v.needNew && v.cancel == "" && settled(st) {
		// it took our order and has lost it (a restart, manual mode):
		// give it its lane again from where it stands
		m.cfg.Log.Warn("vehicle no longer has its order; sending its lane again", "shuttle", v.id, "order", o.id, "reported", st.OrderID)
		m.resync(v, false)
		m.lostPause(v) // and its pause with it, most likely
	}
	if o := v.ord; o != nil && st.OrderID == o.id {
		if int(st.OrderUpdateID) > o.confirmed {
			o.confirmed = int(st.OrderUpdateID)
			if o.confirmed == int(o.update) {
				delete(v.reasons, reasonRejected)
				v.resyncs, o.restitched = 0, 0
			}
		}
		m.progress(v, o.seq0+int(st.LastNodeSequenceID))
		o.trim(v.at)
		m.sendDue(v) // an update held back while it was far from its decision point
	}
	m.actionStates(v, st)
	m.checkLoads(v, st)
	m.cancelOver(v, st)
	if v.cancel == "" && settled(st) {
		m.forgetOff(v)
	}
	m.pauseAnswered(v, st)
	if v.pauseWanted && v.pauseAct == nil && st.Paused != nil && !*st.Paused {
		m.lostPause(v) // restarted, or back from manual mode
	}
	m.tellStill(v, st)
	m.faultsOf(v, st)
	m.batteryReport(v)
	m.settle(v)
	for _, f := range v.failed {
		m.emit(f)
	}
	v.failed = v.failed[:0]
	m.flush(v)
}

// batteryReport passes a vehicle's state of charge on to the Controller
// when it has moved by batteryStep since it last did: a shuttle that
// stands (parked, queued, waiting) reports nothing else, and its battery
// drains all the same.
func (m *Master) batteryReport(v *vehicle) {
	if v.st.BatteryState.Charging || math.Abs(v.soc-v.socTold) < batteryStep {
		return // charging ends with its ActionDone, at the target
	}
	v.socTold = v.soc
	m.emit(fleet.BatteryReported{Shuttle: v.id, SoC: v.soc})
}

// batteryStep is how far a vehicle's reported charge moves before the
// Controller is told (1 %: a state of charge is reported in percent).
const batteryStep = 0.01

// join places a vehicle on the lane graph from what it reports.
func (m *Master) join(v *vehicle) {
	st := v.st
	node, why := m.place(st)
	if node == "" {
		v.joinRetry = m.now.Add(10 * time.Second)
		m.cfg.Log.Warn("vehicle cannot be placed on the lane graph; not admitted to dispatch", "shuttle", v.id, "why", why)
		return
	}
	v.joined, v.faulted = true, false
	v.steps = map[int]string{0: node}
	v.at, v.granted, v.ord, v.act, v.needNew = 0, 0, nil, nil, false
	m.emit(fleet.ShuttleJoined{Shuttle: v.id, Node: node, SoC: v.soc})
	v.socTold = v.soc
	if st.OrderID != "" && (len(st.NodeStates) > 0 || st.Driving) {
		// an order from someone else (or from before a restart): stop it
		m.sendCancel(v)
	}
}

// place finds the node a vehicle stands at: its lastNodeId where its
// position agrees, or the node nearest its position within PlaceWithin.
func (m *Master) place(st *vda5050.State) (string, string) {
	g := m.cfg.Graph
	p := st.AgvPosition
	if p != nil && p.MapID != "" && p.MapID != g.MapID {
		return "", fmt.Sprintf("it reports map %q, the site's is %q", p.MapID, g.MapID)
	}
	if i, ok := g.Node(st.LastNodeID); ok && st.LastNodeID != "" {
		if p == nil || !p.PositionInitialized || math.Hypot(p.X-g.Nodes[i].XY[0], p.Y-g.Nodes[i].XY[1]) <= m.cfg.PlaceWithin {
			return st.LastNodeID, ""
		}
	}
	if p == nil || !p.PositionInitialized {
		return "", "it reports neither a node of the lane graph nor an initialized position"
	}
	best, bestD := "", math.Inf(1)
	for _, n := range g.Nodes {
		if d := math.Hypot(p.X-n.XY[0], p.Y-n.XY[1]); d < bestD {
			best, bestD = n.ID, d
		}
	}
	if bestD > m.cfg.PlaceWithin {
		return "", fmt.Sprintf("its position (%.1f, %.1f) is %.1f m from the nearest node %s (allowed %.1f m)", p.X, p.Y, bestD, best, m.cfg.PlaceWithin)
	}
	return best, ""
}

// progress reports every node passed up to step.
func (m *Master) progress(v *vehicle, step int) {
	at := v.at
	for s := v.at + 2; s <= step && s <= v.granted; s += 2 {
		v.at = s
		m.emit(fleet.NodeReached{Shuttle: v.id, Step: s, SoC: v.soc})
		v.socTold = v.soc
	}
	for s := at; s < v.at; s++ {
		delete(v.steps, s) // no step behind at is kept (see drive)
	}
}

// actionStates turns finished node actions into ActionDone and failed
// ones into a fault.
func (m *Master) actionStates(v *vehicle, st *vda5050.State) {
	for _, as := range st.ActionStates {
		if as.ActionID == v.cancel && (as.ActionStatus == vda5050.StatusFinished || as.ActionStatus == vda5050.StatusFailed) {
			v.cancel, v.cancels = "", 0
			continue
		}
		if c := v.charge; c != nil && as.ActionID == c.stopID && as.ActionStatus == vda5050.StatusFailed {
			c.stopSent = false // try again
		}
		if instantTypes[as.ActionType] {
			v.instantSeen = true
		}
		a, ok := v.actions[as.ActionID]
		if !ok {
			continue
		}
		if a.off {
			m.calledOff(v, as, a)
			continue
		}
		switch as.ActionStatus {
		case vda5050.StatusFinished:
			delete(v.actions, as.ActionID)
			switch a.kind {
			case vda5050.ActionPick, vda5050.ActionDrop:
				m.actionFinished(v, a)
			case vda5050.ActionStartCharging:
				if v.charge != nil {
					v.charge.started = true
				}
			}
		case vda5050.StatusFailed:
			delete(v.actions, as.ActionID)
			v.reasons[reasonAction] = fmt.Sprintf("%s failed: %s", a.kind, as.ResultDescription)
			switch a.kind {
			case vda5050.ActionStartCharging:
				v.charge = nil
			case vda5050.ActionPick, vda5050.ActionDrop:
				// told after the fault (settle): a pick or drop under way
				// at a fault is the vehicle's to finish, and this one did
				// not happen
				v.failed = append(v.failed, fleet.ActionFailed{Shuttle: v.id, Action: fleetAction(a.kind), Reason: as.ResultDescription})
			}
		}
	}
	c := v.charge
	if c == nil {
		return
	}
	if st.BatteryState.Charging {
		c.started = true
	}
	switch {
	case c.started && !st.BatteryState.Charging:
		v.charge = nil
		for id, a := range v.actions {
			if a.kind == vda5050.ActionStartCharging {
				delete(v.actions, id) // the session is over, whatever it reports later
			}
		}
		m.emit(fleet.ActionDone{Shuttle: v.id, Action: fleet.ActionCharge, SoC: v.soc})
		v.socTold = v.soc
	case c.started && v.soc >= c.target-1e-3 && (!c.stopSent || m.now.Sub(c.stopAt) >= m.cfg.ResendAfter):
		m.stopCharging(v) // again if it still charges: the first may have been lost
	}
}

// instantTypes are the instant actions fleetd sends.
var instantTypes = map[string]bool{vda5050.ActionCancelOrder: true, vda5050.ActionStartPause: true, vda5050.ActionStopPause: true,
	vda5050.ActionStateRequest: true, vda5050.ActionFactsheetRequest: true, vda5050.ActionStopCharging: true}

// callOff calls off the node actions sent to a vehicle, as a cancelOrder
// does (redo: to be sent again, a resync's). A pick or drop is not
// forgotten: a vehicle cannot stop one under way, and one may have
// finished in a state fleetd has not read yet; the container is then
// aboard (or off) whatever fleetd meant. It is kept until the vehicle
// reports it (calledOff), or reports no longer having it (forgetOff).
// Forgetting it made the load record wrong: a pick that finished after a
// cancel was ignored, and the vehicle carried a container fleetd said it
// had not put there (and a resync sent the pick again).
func (m *Master) callOff(v *vehicle, redo bool) {
	for id, a := range v.actions {
		if a.kind == vda5050.ActionPick || a.kind == vda5050.ActionDrop {
			a.off, a.redo = true, a.redo || redo
			continue
		}
		if redo && a.p.step >= v.at && (v.act == nil || a.p.step > v.act.step) {
			p := a.p
			v.act = &p
		}
		delete(v.actions, id)
	}
}

// calledOff reads what a vehicle reports of a pick or drop called off.
// Finished, it happened: the load record follows it (and a resync's goes
// to the Controller as done, as it was never called off there); one the
// Controller called off is logged, and the loads check holds the vehicle
// for an operator (the Controller gave the move up). Failed, it did not:
// a resync's is sent again.
func (m *Master) calledOff(v *vehicle, as vda5050.ActionState, a *sent) {
	switch as.ActionStatus {
	case vda5050.StatusFinished:
		delete(v.actions, as.ActionID)
		if a.redo {
			m.actionFinished(v, a)
			if v.act != nil && v.act.step == a.p.step && v.act.kind == a.kind {
				v.act = nil // done: not to be sent again
			}
			return
		}
		m.cfg.Log.Error("vehicle finished a "+a.kind+" that was called off; fleetd did not record it as done, and holds the vehicle until its loads match",
			"shuttle", v.id, "container", a.p.container, "action", as.ActionID)
	case vda5050.StatusFailed:
		delete(v.actions, as.ActionID)
		if a.redo {
			m.redo(v, a)
		}
	}
}

// forgetOff settles the picks and drops called off that a vehicle
// standing still after its cancel does not report at all: it never had
// them (the order that carried them was lost or rejected). A resync's
// are sent again.
func (m *Master) forgetOff(v *vehicle) {
	for id, a := range v.actions {
		if !a.off {
			continue
		}
		if slices.ContainsFunc(v.st.ActionStates, func(as vda5050.ActionState) bool { return as.ActionID == id }) {
			continue // reported, and settled: calledOff has it
		}
		delete(v.actions, id)
		if a.redo {
			m.redo(v, a)
		}
	}
}

// redo makes a called-off action the one to send again with the next
// order, if it is still ahead.
func (m *Master) redo(v *vehicle, a *sent) {
	if a.p.step >= v.at && (v.act == nil || a.p.step > v.act.step) {
		p := a.p
		v.act = &p
	}
}

// actionFinished records a pick or drop the vehicle finished, and tells
// the Controller.
func (m *Master) actionFinished(v *vehicle, a *sent) {
	if a.kind == vda5050.ActionPick {
		v.carries[a.p.container] = true
	} else {
		delete(v.carries, a.p.container)
	}
	m.emit(fleet.ActionDone{Shuttle: v.id, Action: fleetAction(a.kind), SoC: v.soc})
}

func (m *Master) stopCharging(v *vehicle) {
	v.charge.stopSent, v.charge.stopAt = true, m.now
	v.charge.stopID = v.nextID("stopCharging")
	m.instant(v, vda5050.Action{ActionType: vda5050.ActionStopCharging, ActionID: v.charge.stopID, BlockingType: vda5050.BlockingNone})
}

// rejections are the error types a vehicle reports for an order it does
// not take.
var rejections = map[string]bool{"validationError": true, "orderError": true, "orderUpdateError": true}

// faultsOf reads the reasons to keep a vehicle out of dispatch from its
// state.
func (m *Master) faultsOf(v *vehicle, st *vda5050.State) {
	var fatal, rejected []string
	latest := false // a rejection is of the last order message sent
	for _, e := range st.Errors {
		desc := e.ErrorType
		if e.ErrorDescription != "" {
			desc += ": " + e.ErrorDescription
		}
		switch {
		case e.ErrorLevel == vda5050.LevelFatal:
			fatal = append(fatal, desc)
		case rejections[e.ErrorType] && v.ord != nil && namesOrder(e, v.ord.id):
			rejected = append(rejected, desc)
			latest = latest || namesHeader(e, v.ord.header)
		}
	}
	// the texts are made only when on: this runs on every state
	set := func(key string, on bool, text func() string) {
		if on {
			v.reasons[key] = text()
		} else if len(v.reasons) > 0 {
			delete(v.reasons, key)
		}
	}
	set(reasonFatal, len(fatal) > 0, func() string { return "FATAL " + strings.Join(fatal, "; ") })
	set(reasonMode, st.OperatingMode != vda5050.ModeAutomatic && st.OperatingMode != vda5050.ModeSemiautomatic,
		func() string { return "operating mode " + st.OperatingMode })
	set(reasonEStop, st.SafetyState.EStop != vda5050.EStopNone && st.SafetyState.EStop != "", func() string { return "emergency stop " + st.SafetyState.EStop })
	if o := v.ord; len(rejected) > 0 && o != nil && o.confirmed >= 0 && st.OrderID == o.id && o.confirmed < int(o.update) &&
		!o.resynced && o.restitched < maxRestitch {
		// it drives our order and did not take an update of it: it holds
		// an older one (one sent was lost on the way). Nothing to cancel:
		// the update goes again stitched where it confirmed.
		if latest && o.rejectSeen != o.sentAt {
			o.rejectSeen = o.sentAt
			o.restitched++
			m.cfg.Log.Warn("vehicle rejected an order update; sending it again from the update it confirmed", "shuttle", v.id,
				"order", o.id, "confirmed", o.confirmed, "update", o.update, "errors", rejected)
			m.restitch(v)
		}
		return
	}
	if o := v.ord; len(rejected) > 0 && o != nil && o.confirmed < int(o.update) && !o.resynced {
		// it kept an older order (or none): stop it and start again from
		// where it stands with what it was granted, a few times at most
		o.resynced = true
		v.reasons[reasonRejected] = "order rejected: " + strings.Join(rejected, "; ")
		v.resyncs++
		if v.resyncs > maxResyncs {
			v.reasons[reasonRejected] += fmt.Sprintf(" (%d times; left for an operator)", maxResyncs)
			v.reasons[reasonAction] = v.reasons[reasonRejected] // held until cleared
			m.cfg.Log.Error("vehicle keeps rejecting its orders; out of dispatch until an operator clears it", "shuttle", v.id, "errors", rejected)
			return
		}
		m.cfg.Log.Warn("vehicle rejected an order; re-sending its lane as a new order", "shuttle", v.id, "errors", rejected)
		m.resync(v, true)
	}
}

// maxResyncs is how many orders in a row a vehicle may reject before it
// is left for an operator.
const maxResyncs = 3

// maxRestitch is how many updates of one order a vehicle that drives it
// may reject before it is stopped and given its lane as a new order
// (resync): the update is sent again from the update it confirmed, which
// it takes unless fleetd's record of the order and the vehicle's differ.
const maxRestitch = 3

// restitch sends an order update the vehicle rejected again at once,
// stitched at its decision point as of the update it confirmed (see
// stitch), with every grant made since; once minOrderInterval lets it.
func (m *Master) restitch(v *vehicle) {
	o := v.ord
	o.sentAt = m.now.Add(-m.cfg.ResendAfter) // a resend is due now
	o.rejectSeen = o.sentAt
	m.resend(v)
}

// namesHeader: a rejection names the order message with headerId h, or
// names no headerId (then it is taken to be about the last one sent).
func namesHeader(e vda5050.Error, h uint32) bool {
	for _, r := range e.ErrorReferences {
		if r.ReferenceKey == "headerId" {
			return r.ReferenceValue == strconv.FormatUint(uint64(h), 10)
		}
	}
	return true
}

// namesOrder: a rejection that names an order names ours (one that names
// none is taken to be about the last order sent).
func namesOrder(e vda5050.Error, order string) bool {
	for _, r := range e.ErrorReferences {
		if r.ReferenceKey == "orderId" {
			return r.ReferenceValue == order
		}
	}
	return true
}

// resync starts the vehicle's lane again as a new order from where it
// stands, with the node action still to do; cancel first stops what it
// drives now.
func (m *Master) resync(v *vehicle, cancel bool) {
	m.callOff(v, true)
	v.charge = nil
	if cancel {
		m.sendCancel(v)
	}
	v.needNew = true
}

// settle tells the Controller when a vehicle leaves or rejoins dispatch.
func (m *Master) settle(v *vehicle) {
	if !v.joined {
		return
	}
	switch {
	case len(v.reasons) > 0 && !v.faulted:
		v.faulted = true
		_, link := v.reasons[reasonLink]
		_, stale := v.reasons[reasonStale]
		m.emit(fleet.FaultReported{Shuttle: v.id, Reason: strings.Join(v.reasonList(), "; "), Unreachable: link || stale})
	case len(v.reasons) == 0 && v.faulted:
		v.faulted = false
		m.emit(fleet.FaultCleared{Shuttle: v.id})
	}
}

// ClearFault lets an operator put a vehicle back into dispatch after a
// failed action, repeated rejections or a position that did not match:
// it returns the FaultCleared to hand to the Controller, or an error
// naming what still keeps the vehicle out (a broken link, a FATAL error,
// manual mode...: those clear when the vehicle's reports do).
func (m *Master) ClearFault(now time.Time, id string) ([]fleet.Event, error) {
	v, ok := m.byID[id]
	if !ok {
		return nil, fmt.Errorf("vehicles: no vehicle %q", id)
	}
	m.begin(now)
	delete(v.reasons, reasonAction)
	delete(v.reasons, reasonPosition)
	delete(v.reasons, reasonRejected)
	delete(v.reasons, reasonCancel)
	delete(v.reasons, reasonOrder)
	delete(v.reasons, reasonInstant)
	delete(v.reasons, reasonFit) // the next message is checked again
	m.loadsGone(v)
	v.resyncs = 0
	if len(v.reasons) > 0 {
		return nil, fmt.Errorf("vehicles: %s is still out of dispatch: %s", id, strings.Join(v.reasonList(), "; "))
	}
	if v.joined && v.ord != nil {
		v.needNew = true // start afresh from where it stands
	}
	if v.faulted {
		m.settle(v)
	} else {
		m.emit(fleet.FaultCleared{Shuttle: v.id}) // the Controller may hold a fault of its own
	}
	evs, _, _ := m.end()
	return evs, nil
}
