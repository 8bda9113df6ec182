package routing

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Defaults of TrafficConfig.
const (
	DefaultVehicleLength = 12.0  // metres: a shuttle carrying 2 TEU
	DefaultMinGap        = 5.0   // metres between a stopped shuttle and the one behind it
	DefaultGrantAhead    = 120.0 // metres of lane granted ahead of a shuttle
	// DefaultQueueAhead is how far beyond the grant-ahead distance a
	// shuttle is queued: QueueAhead defaults to GrantAhead plus this.
	DefaultQueueAhead = 80.0
)

// TrafficConfig sets the distances traffic control keeps. Zero fields take
// the defaults.
type TrafficConfig struct {
	VehicleLength float64 // metres, bumper to bumper
	MinGap        float64 // metres kept between shuttles, even when one stops dead
	GrantAhead    float64 // metres of route a shuttle may hold ahead of its last node
	// QueueAhead is how far ahead of its last node a shuttle is queued on
	// the resources of its route; the rest is queued as it drives on, so
	// queue order follows the order in which shuttles come near a
	// resource rather than the order in which they were planned. At least
	// GrantAhead; default GrantAhead + DefaultQueueAhead. math.Inf(1)
	// queues every route whole when it is planned, which is deadlock-free
	// on any lane graph; see the package documentation.
	QueueAhead float64
}

// Validate reports a configuration that cannot work.
func (c TrafficConfig) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"vehicle length", c.VehicleLength}, {"minimum gap", c.MinGap}, {"grant-ahead distance", c.GrantAhead}, {"queue-ahead distance", c.QueueAhead}} {
		if f.v < 0 || math.IsNaN(f.v) || (math.IsInf(f.v, 0) && f.name != "queue-ahead distance") {
			return fmt.Errorf("routing: %s %g m: it must be zero (the default) or positive", f.name, f.v)
		}
	}
	if d := c.withDefaults(); d.QueueAhead < d.GrantAhead {
		return fmt.Errorf("routing: queue-ahead distance %g m is shorter than the grant-ahead distance %g m", d.QueueAhead, d.GrantAhead)
	}
	return nil
}

func (c TrafficConfig) withDefaults() TrafficConfig {
	if c.VehicleLength == 0 {
		c.VehicleLength = DefaultVehicleLength
	}
	if c.MinGap == 0 {
		c.MinGap = DefaultMinGap
	}
	if c.GrantAhead == 0 {
		c.GrantAhead = DefaultGrantAhead
	}
	if c.QueueAhead == 0 {
		c.QueueAhead = c.GrantAhead + DefaultQueueAhead
	}
	return c
}

// Errors of traffic control.
var (
	ErrUnknownShuttle = errors.New("routing: unknown shuttle")
	ErrTaken          = errors.New("routing: place taken")
	ErrBlocked        = errors.New("routing: blocked")
	ErrBadProgress    = errors.New("routing: progress out of order")
)

// Traffic is the traffic controller: it plans each shuttle's route, queues
// the shuttle on every resource (node and block) of it, grants resources
// ahead of the shuttle in steps and releases them behind it. See the package
// documentation for the rules and why they are safe and deadlock-free.
//
// Traffic is a plain state machine: not safe for concurrent use; the
// controller's single goroutine owns it.
type Traffic struct {
	g         *Graph
	cfg       TrafficConfig
	clearance float64 // how far behind a shuttle it keeps what it passed
	res       []resource
	shuttles  map[string]*shuttle
	gen       uint32                // marks for searches over visits
	wgen      uint32                // marks for waiting sets
	waits     int                   // times a shuttle's next step was held by another (see Waits)
	guards    map[int][]*spillGuard // stretches entered towards a stop line close past them (spill.go), by first edge
}

// index returns where v stands in the queue, or -1.
func (r *resource) index(v *visit) int {
	if v.qi >= 0 && v.qi < len(r.queue) && r.queue[v.qi] == v {
		return v.qi
	}
	return -1
}

// insertAt puts v at position i of the queue.
func (r *resource) insertAt(i int, v *visit) {
	r.queue = slices.Insert(r.queue, i, v)
	for j := i; j < len(r.queue); j++ {
		r.queue[j].qi = j
	}
}

// deleteAt removes the visit at position i of the queue.
func (r *resource) deleteAt(i int) {
	r.queue = slices.Delete(r.queue, i, i+1)
	for j := i; j < len(r.queue); j++ {
		r.queue[j].qi = j
	}
}

// resource is a node (index < len(Nodes)) or a block.
type resource struct {
	queue    []*visit   // unreleased visits in grant order; granted ones lead
	capacity int        // shuttles at once: 1, or a station's chargers
	finals   []*shuttle // shuttles whose route ends (and who will stand) here
	later    int        // steps of routes over it not queued yet
}

// visit is one shuttle's use of one resource.
type visit struct {
	s       *shuttle
	step    int // global step index
	granted bool
	mark    uint32 // walks over the wait-for graph
	wait    uint32 // in the waiting set of generation wait (see waitSet)
	qi      int    // index in its resource's queue, kept by insertAt and deleteAt
}

// lent tells whether v is lent: granted to a stilled shuttle (Lend) at a
// node beyond where it stands, or on an edge after that node, so that
// others may pass over it meanwhile. The edge right ahead, where its
// front is, stays its own; it could not be granted to another anyway,
// for no grant takes an edge without the node at its end, and the node
// it stands on is not lent. A shuttle standing on its node with the
// nodes ahead lent is where it would be with no grant ahead, which others
// may pass in front of as any shuttle waiting at a node.
func (t *Traffic) lent(v *visit) bool {
	return v.granted && v.s.stilled && v.step > v.s.at+1
}

// waitSet is the set of visits that wait on one shuttle, as marks on the
// visits: no allocation per member.
type waitSet struct {
	gen uint32
	n   int
}

func (w waitSet) has(v *visit) bool { return w.n > 0 && v.wait == w.gen }

// step is one element of a shuttle's route: a node or an edge.
type step struct {
	node, edge int     // one of them is -1
	res        int     // resource index
	end        float64 // route metres at the end of the step
	hold       bool    // a node where the grant stops until ClearHold
	v          *visit
}

// shuttle is one vehicle's route state. Step indexes are global: they keep
// counting across re-plans, and steps before base are forgotten.
type shuttle struct {
	id       string
	steps    []step
	base     int    // global index of steps[0]
	granted  int    // last granted step: a node step, the end of authority
	queued   int    // last step with a visit in its queue: a node step
	stuck    string // why the last extend queued nothing, "" if it did
	at       int    // last node step reached
	released int    // first step not yet released
	finals   []int
	// first waiting step, for the waiting set of generation firstGen
	firstWait int
	firstGen  uint32
	// steps whose release a walk of generation doneGen has taken
	done    int
	doneGen uint32
	// blocked: its last grant was cut short because another shuttle
	// holds or comes first on the next step
	blocked bool
	// stilled: it stands still for a time nobody bounds (Lend); what it
	// was granted beyond where it stands is lent to others meanwhile
	stilled bool
	// the first hold ahead, as Position last found it (nextHold)
	hold holdCache
}

// holdCache is where a shuttle's first hold at or after step from is: the
// global index of its node step, or -1 if none. It stays true while the
// shuttle's steps and holds are unchanged (holdsChanged forgets it),
// and for any later from up to idx: the shuttle reaching nodes on its
// route only narrows the stretch it was found in.
type holdCache struct {
	ok        bool
	from, idx int
}

// nextHold returns the global index of the first node step at or after
// the one the shuttle is at that is a hold, or -1 if there is none.
func (s *shuttle) nextHold() int {
	if c := s.hold; c.ok && c.from <= s.at && (c.idx < 0 || s.at <= c.idx) {
		return c.idx
	}
	idx := -1
	for i := s.at; i <= s.last(); i += 2 {
		if s.step(i).hold {
			idx = i
			break
		}
	}
	s.hold = holdCache{ok: true, from: s.at, idx: idx}
	return idx
}

// holdsChanged forgets where the shuttle's first hold ahead is: its
// steps or their holds changed. Every change of either calls it.
func (s *shuttle) holdsChanged() { s.hold.ok = false }

func (s *shuttle) step(i int) *step { return &s.steps[i-s.base] }
func (s *shuttle) last() int        { return s.base + len(s.steps) - 1 }

// NewTraffic returns a traffic controller for a graph.
func NewTraffic(g *Graph, cfg TrafficConfig) (*Traffic, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	t := &Traffic{g: g, cfg: cfg, clearance: cfg.VehicleLength + cfg.MinGap, shuttles: map[string]*shuttle{}}
	t.res = make([]resource, len(g.Nodes)+len(g.Blocks))
	for i := range t.res {
		t.res[i].capacity = 1
		if i < len(g.Nodes) {
			t.res[i].capacity = max(1, g.Nodes[i].Capacity)
		}
	}
	t.guards = t.buildGuards()
	return t, nil
}

// Config returns the configuration in force, defaults filled in.
func (t *Traffic) Config() TrafficConfig { return t.cfg }

// Graph returns the lane graph traffic plans on.
func (t *Traffic) Graph() *Graph { return t.g }

func (t *Traffic) nodeRes(n int) int { return n }
func (t *Traffic) edgeRes(e int) int { return len(t.g.Nodes) + t.g.Edges[e].Resource }

// Place puts a shuttle that has no route at a node: on start-up, or when a
// vehicle is first seen. It holds that node until it drives away.
func (t *Traffic) Place(id, node string) error {
	if _, ok := t.shuttles[id]; ok {
		return fmt.Errorf("routing: shuttle %q is placed already", id)
	}
	n, ok := t.g.Node(node)
	if !ok {
		return fmt.Errorf("routing: place shuttle %q: no node %q", id, node)
	}
	r := &t.res[t.nodeRes(n)]
	if len(r.queue)+r.later >= r.capacity || len(r.finals) >= r.capacity {
		return fmt.Errorf("%w: shuttle %q cannot be placed at %q: %s", ErrTaken, id, node, t.describeUse(r))
	}
	s := &shuttle{id: id}
	s.steps = []step{{node: n, edge: -1, res: t.nodeRes(n)}}
	v := &visit{s: s, step: 0, granted: true}
	s.steps[0].v = v
	r.insertAt(len(r.queue), v)
	t.shuttles[id] = s
	t.markFinals(s)
	return nil
}

// describeUse names who uses a resource, for error messages.
func (t *Traffic) describeUse(r *resource) string {
	switch {
	case len(r.queue) > 0:
		return fmt.Sprintf("shuttle %q holds it or is routed through it", r.queue[0].s.id)
	case len(r.finals) > 0:
		return fmt.Sprintf("shuttle %q will stand there", r.finals[0].id)
	case r.later > 0:
		return "a shuttle is routed through it"
	}
	return "it is free"
}

// Plan is what Traffic.Plan returns.
type Plan struct {
	*Route
	// FirstStep is the global step index of the route's first node: a
	// route's i-th element (node 0, edge 1, node 2, ...) is global step
	// FirstStep+i, the number Progress and ClearHold take. The first node
	// is where the shuttle's authority ends now, so a VDA 5050 order
	// update stitches there.
	FirstStep int
}

// PlanOptions adjust one plan.
type PlanOptions struct {
	Limits
	// Holds lists nodes (a customs stop line, the entry of an
	// admission-controlled area) where the grant stops until ClearHold:
	// the shuttle waits there, and nothing of its route past one is
	// queued until then, not even when the route starts there.
	Holds []string
}

// Plan routes a shuttle from the end of its authority to goal, replacing
// whatever it had been routed over beyond that point, and queues it on every
// resource of the new route. It fails, changing nothing, when no route
// avoids the places other shuttles will stand at, when the goal is such a
// place or lies on another shuttle's route after this one, or when the new
// route would have to pass a shuttle that waits for this one.
func (t *Traffic) Plan(id, goal string, opt PlanOptions) (*Plan, error) {
	s, err := t.lookup(id)
	if err != nil {
		return nil, err
	}
	defer s.holdsChanged()
	gi, ok := t.g.Node(goal)
	if !ok {
		return nil, &NoRouteError{t.g.Nodes[s.step(s.granted).node].ID, goal, fmt.Sprintf("no node %q in map %s", goal, t.g.MapID)}
	}
	if r := &t.res[t.nodeRes(gi)]; t.othersFinal(r, s) >= r.capacity {
		return nil, fmt.Errorf("%w: goal %q: shuttle %q will stand there", ErrBlocked, goal, r.finals[0].id)
	}
	start := s.step(s.granted)
	route, err := t.g.route(t.g.Nodes[start.node].ID, goal, opt.Limits, func(e int) bool {
		return t.barred(e, s, gi)
	})
	if err != nil {
		return nil, err
	}
	holds := map[int]bool{}
	for _, h := range opt.Holds {
		n, ok := t.g.Node(h)
		if !ok {
			return nil, fmt.Errorf("routing: hold at unknown node %q", h)
		}
		holds[n] = true
	}
	steps := t.newSteps(s, route, holds)
	// a hold still pending where the new route starts stays; a new one is
	// added before the route is queued, so that nothing past it is (a
	// refused shuttle held in a lay-by had its way out queued, and the
	// lanes' traffic waited on a shuttle that was not going)
	st := s.step(s.granted)
	was := st.hold
	st.hold = st.hold || holds[start.node]
	if err := t.insert(s, steps); err != nil {
		st.hold = was
		return nil, err
	}
	return &Plan{Route: route, FirstStep: s.granted}, nil
}

// othersFinal counts the shuttles other than s that will stand at r.
func (t *Traffic) othersFinal(r *resource, s *shuttle) int {
	n := 0
	for _, f := range r.finals {
		if f != s {
			n++
		}
	}
	return n
}

// barred reports whether a new route of s may not use edge e: its block or
// its end node is where another shuttle will stand.
func (t *Traffic) barred(e int, s *shuttle, goal int) bool {
	if t.othersFinal(&t.res[t.edgeRes(e)], s) > 0 {
		return true
	}
	to := t.g.Edges[e].To
	r := &t.res[t.nodeRes(to)]
	if t.g.endOnly[to] {
		return to != goal // stations and inspection bays are never driven through
	}
	return t.othersFinal(r, s) > 0
}

// newSteps turns a route from s's authority end into steps after it.
func (t *Traffic) newSteps(s *shuttle, r *Route, holds map[int]bool) []step {
	pos := s.step(s.granted).end
	out := make([]step, 0, 2*len(r.edges))
	for _, e := range r.edges {
		pos += t.g.Edges[e].Length
		out = append(out, step{node: -1, edge: e, res: t.edgeRes(e), end: pos})
		to := t.g.Edges[e].To
		out = append(out, step{node: to, edge: -1, res: t.nodeRes(to), end: pos, hold: holds[to]})
	}
	return out
}

// insert replaces s's steps after its authority end with steps and queues
// a visit for each of those within the queue-ahead distance (the rest are
// queued by extend as the shuttle drives on). When nothing waits on what s
// holds, the new visits go last in every queue, which cannot close a cycle
// in the wait-for graph: nothing waits on them. Otherwise (a shuttle
// diverted at a customs gate with others queued behind it) each new visit
// goes ahead of every visit that waits, or will wait, on s, and the wait-for
// graph is searched for a cycle; if there is one, or a shuttle that waits on
// s holds part of the new route, or the new goal would stop a shuttle routed
// over it, insert undoes everything and fails.
func (t *Traffic) insert(s *shuttle, steps []step) error {
	waiting := t.waitingOn(s, false)
	if waiting.n > 0 {
		waiting = t.withTainted(waiting)
	}
	if err := t.heldByWaiting(s, steps, waiting); err != nil {
		return err
	}
	if ri, who := t.wouldStop(s, t.finalSet(append(slices.Clone(s.pending(s.granted)), steps...)), waiting); ri >= 0 {
		return fmt.Errorf("%w: the goal would stop %s, which is routed over %s", ErrBlocked, who, t.resName(ri))
	}
	oldQueued := s.queued
	oldSteps := slices.Clone(s.steps[s.granted+1-s.base:])
	oldFinals := slices.Clone(s.finals)
	removed := t.dropAfter(s, s.granted)
	t.clearFinals(s)
	for _, st := range steps {
		st.v = nil
		s.steps = append(s.steps, st)
		t.res[st.res].later++
	}
	added := t.queueUpTo(s, t.horizon(s), waiting)
	if waiting.n > 0 && t.cyclic(added) {
		t.dropAfter(s, s.granted)
		s.steps = append(s.steps, oldSteps...)
		for i := oldQueued + 1; i <= s.last(); i++ {
			t.res[s.step(i).res].later++
		}
		s.queued = oldQueued
		for i := len(removed) - 1; i >= 0; i-- {
			if removed[i].at >= 0 {
				t.res[removed[i].res].insertAt(removed[i].at, removed[i].v)
			}
		}
		s.finals = oldFinals
		for _, ri := range s.finals {
			t.res[ri].finals = append(t.res[ri].finals, s)
		}
		return fmt.Errorf("%w: shuttle %q cannot be routed ahead of the shuttles queued behind it without a deadlock", ErrBlocked, s.id)
	}
	t.markFinals(s)
	return nil
}

// wouldStop finds where s, standing for good on the resources finals, would
// stop another shuttle for good: one that waits on s is queued there, or
// one is routed over it and not queued there yet (it would queue behind
// s). It returns the resource and names the shuttle; -1 if none.
//
// A station is not such a place while it has a stall for every shuttle that
// will stand there, s among them: stations are never driven through, so
// every other shuttle routed over one either stands there for good too (and
// has its stall) or stands there now and leaves, which frees its stall.
func (t *Traffic) wouldStop(s *shuttle, finals []int, waiting waitSet) (int, string) {
	for _, ri := range finals {
		if r := &t.res[ri]; r.capacity > 1 && t.othersFinal(r, s) < r.capacity {
			continue
		}
		for _, v := range t.res[ri].queue {
			if v.s != s && waiting.has(v) {
				return ri, fmt.Sprintf("shuttle %q", v.s.id)
			}
		}
		if t.res[ri].later > s.laterOn(ri) {
			return ri, "a shuttle"
		}
	}
	return -1, ""
}

// queueAfter visits what waits for v's release in v's queue: on a node with
// room for one, the visit right behind it; at a station, every later visit
// of another shuttle, since which of those ahead of it leave first is not
// known (a shuttle standing there for good may never leave).
func (t *Traffic) queueAfter(v *visit, visit func(*visit)) {
	r := &t.res[v.s.step(v.step).res]
	i := r.index(v)
	if i < 0 {
		return
	}
	if r.capacity == 1 {
		if i+1 < len(r.queue) {
			visit(r.queue[i+1])
		}
		return
	}
	for _, w := range r.queue[i+1:] {
		if w.s != v.s {
			visit(w)
		}
	}
}

// releaseAt returns the global index of the node step at which step u of o
// is released: the first node the clearance past it, or the first station
// after it; -1 if o's route ends before that.
func (t *Traffic) releaseAt(o *shuttle, u int) int {
	end := o.step(u).end + t.clearance
	for j := u + 1; j <= o.last(); j++ {
		st := o.step(j)
		if st.node >= 0 && (st.end >= end || t.res[st.res].capacity > 1) {
			return j
		}
	}
	return -1
}

// successors visits what waits directly on v: its shuttle's next step, and
// the visits queued behind each step that v's arrival releases (at the last
// queued step, behind each step not released by then, v's own included: a
// shuttle that cannot queue on leaves none of them. Leaving v's own out
// let shuttles queue in crossed orders on a junction and the lane after
// it behind one stopped there, and stand for good:
// TestLastQueuedStepIsWaitedOn).
//
// A granted visit waits for nothing any more (its shuttle holds the
// resource), so it is never a successor: a shuttle that turns in a two-way
// dead end has its way out queued behind its own way in on the same
// blocks, and taking that for a wait closed a cycle through the shuttle
// itself, which refused every extension of its route.
func (t *Traffic) successors(v *visit, report func(*visit)) {
	visit := func(w *visit) {
		if !w.granted {
			report(w)
		}
	}
	o := v.s
	if v.step < o.queued {
		visit(o.step(v.step + 1).v)
	}
	if o.step(v.step).node < 0 {
		return
	}
	for u := v.step; u >= o.released; u-- {
		at := t.releaseAt(o, u)
		if at >= 0 && at < v.step {
			break
		}
		// a release at a step not queued yet is charged to the last
		// queued one: what waits on it waits on the rest of the route
		if at == v.step || ((at < 0 || at > o.queued) && v.step == o.queued) {
			t.queueAfter(o.step(u).v, visit)
		}
	}
}

// cyclic reports whether the wait-for graph has a cycle through any of the
// given visits (it had none before they were queued).
func (t *Traffic) cyclic(from []*visit) bool {
	const (
		grey  = 1
		black = 2
	)
	color := map[*visit]int{}
	type frame struct {
		v    *visit
		next []*visit
	}
	expand := func(v *visit) frame {
		f := frame{v: v}
		t.successors(v, func(w *visit) { f.next = append(f.next, w) })
		return f
	}
	for _, root := range from {
		if color[root] != 0 {
			continue
		}
		color[root] = grey
		stack := []frame{expand(root)}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if len(top.next) == 0 {
				color[top.v] = black
				stack = stack[:len(stack)-1]
				continue
			}
			w := top.next[0]
			top.next = top.next[1:]
			switch color[w] {
			case grey:
				return true
			case 0:
				color[w] = grey
				stack = append(stack, expand(w))
			}
		}
	}
	return false
}

// withTainted adds to the waiting set every visit whose release comes only
// after its shuttle's first waiting step: what queues behind it would wait
// on s too.
func (t *Traffic) withTainted(w waitSet) waitSet {
	for _, o := range t.shuttles {
		if o.firstGen != w.gen {
			continue
		}
		for u := o.released; u < o.firstWait; u++ {
			if at := t.releaseAt(o, u); at < 0 || at >= o.firstWait {
				if v := o.step(u).v; v.wait != w.gen {
					v.wait = w.gen
					w.n++
				}
			}
		}
	}
	return w
}

// waitingOn returns the visits that wait, directly or through others, on a
// resource s holds or has been granted, in the wait-for graph as it will be
// once s's ungranted steps are dropped (keepQueued false, for a new route)
// or as it is (keepQueued true, to queue more of the same route).
//
// A visit waits for its shuttle's previous step, and for the release of the
// visit before it in its queue. A visit u is released when its shuttle
// reaches the first node the clearance past it, so what waits on u's release
// waits on that node's visit w; where that node is not queued yet, on the
// last queued visit (u itself, if it is the last). The walk
// over-approximates this: on reaching a node visit w it takes the queue
// successors of every step of w's shuttle released by w at the latest. The result is closed under waiting, which is
// what Insert needs.
func (t *Traffic) waitingOn(s *shuttle, keepQueued bool) waitSet {
	return t.waitingOnPast(s, keepQueued, false)
}

// waitingOnPast is waitingOn; with pastLent, nothing waits on a visit
// lent by a stilled shuttle (Lend): it asks what waits on s once the
// shuttles queued behind its lent visits have passed them (passThrough).
func (t *Traffic) waitingOnPast(s *shuttle, keepQueued, pastLent bool) waitSet {
	t.gen++
	t.wgen++
	gen := t.gen
	out := waitSet{gen: t.wgen}
	own := s.granted
	if keepQueued {
		own = s.queued
	}
	dropped := func(v *visit) bool { return v.s == s && v.step > own }
	var stack []*visit
	push := func(v *visit) {
		if v != nil && v.mark != gen && !dropped(v) {
			v.mark = gen
			if v.s != s {
				v.wait = out.gen
				out.n++
				if o := v.s; o.firstGen != out.gen || v.step < o.firstWait {
					o.firstGen, o.firstWait = out.gen, v.step
				}
			}
			stack = append(stack, v)
		}
	}
	// queueNext pushes the visit that waits for u's release in u's queue.
	queueNext := func(u *visit) {
		if pastLent && t.lent(u) {
			return
		}
		r := &t.res[u.s.step(u.step).res]
		i := r.index(u)
		if i < 0 {
			return
		}
		for _, x := range r.queue[i+1:] {
			if dropped(x) || x.s == u.s {
				continue
			}
			push(x)
			if r.capacity == 1 {
				return
			}
		}
	}
	releasedBy := func(w *visit) {
		o := w.s
		here := o.step(w.step)
		if here.node < 0 {
			return
		}
		if o.doneGen != gen { // steps of o whose release was walked
			o.doneGen, o.done = gen, o.released
		}
		for ; o.done <= w.step && (w.step == o.queued || o.step(o.done).end+t.clearance <= here.end); o.done++ {
			queueNext(o.step(o.done).v)
		}
	}
	// fast path: with nothing queued behind what s holds, nothing waits on it
	behind := false
	for i := s.released; i <= own && !behind; i++ {
		v := s.step(i).v
		r := &t.res[s.step(i).res]
		if j := r.index(v); j >= 0 {
			for _, x := range r.queue[j+1:] {
				if x.s != s {
					behind = true
					break
				}
			}
		}
	}
	if !behind {
		return out
	}
	for i := s.released; i <= own; i++ {
		push(s.step(i).v)
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v.step < v.s.queued {
			push(v.s.step(v.step + 1).v)
		}
		releasedBy(v)
		if v.s == s || v.granted {
			// what s holds, and what a waiting shuttle holds, is released
			// only later: what queues behind it waits too
			queueNext(v)
		}
	}
	return out
}

// finalSet returns the resources a shuttle keeps while it stands at the end
// of route (its unreleased steps, in order): the goal node and what lies
// within the clearance behind it; only the node for a station, whose stalls
// are off the lane.
func (t *Traffic) finalSet(route []step) []int {
	goal := route[len(route)-1]
	out := []int{goal.res}
	if t.res[goal.res].capacity > 1 {
		return out
	}
	for i := len(route) - 2; i >= 0 && route[i].end+t.clearance > goal.end; i-- {
		out = append(out, route[i].res)
	}
	return out
}

// pending returns s's steps from the first unreleased one to global index i.
func (s *shuttle) pending(i int) []step {
	return s.steps[s.released-s.base : i+1-s.base]
}

func (t *Traffic) markFinals(s *shuttle) {
	s.finals = t.finalSet(s.pending(s.last()))
	for _, ri := range s.finals {
		t.res[ri].finals = append(t.res[ri].finals, s)
	}
}

func (t *Traffic) clearFinals(s *shuttle) {
	for _, ri := range s.finals {
		r := &t.res[ri]
		if i := slices.Index(r.finals, s); i >= 0 {
			r.finals = slices.Delete(r.finals, i, i+1)
		}
	}
	s.finals = nil
}

// unqueued records where a visit stood in its queue, to put it back.
type unqueued struct {
	res, at int
	v       *visit
}

// dropAfter removes s's steps after global index i from the queues (or
// from the count of unqueued steps) and says where they were.
func (t *Traffic) dropAfter(s *shuttle, i int) []unqueued {
	var out []unqueued
	for j := i + 1; j <= s.last(); j++ {
		st := s.step(j)
		if st.v == nil {
			t.res[st.res].later--
			out = append(out, unqueued{st.res, -1, nil})
			continue
		}
		out = append(out, unqueued{st.res, t.unqueue(st), st.v})
	}
	s.steps = s.steps[:i+1-s.base]
	s.queued = min(s.queued, i)
	return out
}

// unqueue removes a step's visit from its queue and returns where it was;
// -1 if it had none.
func (t *Traffic) unqueue(st *step) int {
	if st.v == nil {
		return -1
	}
	r := &t.res[st.res]
	i := r.index(st.v)
	if i >= 0 {
		r.deleteAt(i)
	}
	return i
}

// resName names a resource for messages.
func (t *Traffic) resName(ri int) string {
	if ri < len(t.g.Nodes) {
		return fmt.Sprintf("node %q", t.g.Nodes[ri].ID)
	}
	b := t.g.Blocks[ri-len(t.g.Nodes)]
	return fmt.Sprintf("edge %q", t.g.Edges[b.Edges[0]].ID)
}
