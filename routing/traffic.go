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
)

// TrafficConfig sets the distances traffic control keeps. Zero fields take
// the defaults.
type TrafficConfig struct {
	VehicleLength float64 // metres, bumper to bumper
	MinGap        float64 // metres kept between shuttles, even when one stops dead
	GrantAhead    float64 // metres of route a shuttle may hold ahead of its last node
}

// Validate reports a configuration that cannot work.
func (c TrafficConfig) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"vehicle length", c.VehicleLength}, {"minimum gap", c.MinGap}, {"grant-ahead distance", c.GrantAhead}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("routing: %s %g m: it must be zero (the default) or positive", f.name, f.v)
		}
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
	gen       uint32 // marks for searches over visits
}

// resource is a node (index < len(Nodes)) or a block.
type resource struct {
	queue    []*visit   // unreleased visits in grant order; granted ones lead
	capacity int        // shuttles at once: 1, or a station's chargers
	finals   []*shuttle // shuttles whose route ends (and who will stand) here
}

// visit is one shuttle's use of one resource.
type visit struct {
	s       *shuttle
	step    int // global step index
	granted bool
	mark    uint32
}

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
	base     int // global index of steps[0]
	granted  int // last granted step: a node step, the end of authority
	at       int // last node step reached
	released int // first step not yet released
	finals   []int
}

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
	if len(r.queue) >= r.capacity || len(r.finals) >= r.capacity {
		return fmt.Errorf("%w: shuttle %q cannot be placed at %q: %s", ErrTaken, id, node, t.describeUse(r))
	}
	s := &shuttle{id: id}
	s.steps = []step{{node: n, edge: -1, res: t.nodeRes(n)}}
	v := &visit{s: s, step: 0, granted: true}
	s.steps[0].v = v
	r.queue = append(r.queue, v)
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
	// Holds lists nodes (such as a customs stop line) where the grant
	// stops until ClearHold: the shuttle waits there.
	Holds []string
}

// Plan routes a shuttle from the end of its authority to goal, replacing
// whatever it had been routed over beyond that point, and queues it on every
// resource of the new route. It fails, changing nothing, when no route
// avoids the places other shuttles will stand at, when the goal is such a
// place or lies on another shuttle's route after this one, or when the new
// route would have to pass a shuttle that waits for this one.
func (t *Traffic) Plan(id, goal string, opt PlanOptions) (*Plan, error) {
	s, ok := t.shuttles[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownShuttle, id)
	}
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
	if err := t.insert(s, steps); err != nil {
		return nil, err
	}
	s.step(s.granted).hold = holds[start.node]
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
	if r.capacity > 1 {
		return to != goal // stations are never driven through
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

// insert replaces s's steps after its authority end with steps, queueing
// each new visit before every visit that already waits (directly or not) on
// what s holds, and otherwise last. That keeps the wait-for graph acyclic:
// see the package documentation. It changes nothing when it fails.
func (t *Traffic) insert(s *shuttle, steps []step) error {
	waiting := t.waitingOn(s)
	finalRes := t.finalSet(append(slices.Clone(s.pending(s.granted)), steps...))
	// dry run: every position must be free of conflicts
	for _, st := range steps {
		r := &t.res[st.res]
		for _, v := range r.queue {
			if v.s != s && v.granted && waiting[v] {
				return fmt.Errorf("%w: shuttle %q holds %s and waits for %q", ErrBlocked, v.s.id, t.resName(st.res), s.id)
			}
		}
	}
	for _, ri := range finalRes {
		for _, v := range t.res[ri].queue {
			if v.s != s && waiting[v] {
				return fmt.Errorf("%w: the goal would stop shuttle %q, which is routed over %s", ErrBlocked, v.s.id, t.resName(ri))
			}
		}
	}
	t.dropAfter(s, s.granted)
	t.clearFinals(s)
	for _, st := range steps {
		s.steps = append(s.steps, st)
		gi := s.last()
		v := &visit{s: s, step: gi}
		s.step(gi).v = v
		r := &t.res[st.res]
		at := len(r.queue)
		for i, u := range r.queue {
			if waiting[u] {
				at = i
				break
			}
		}
		r.queue = slices.Insert(r.queue, at, v)
	}
	t.markFinals(s)
	return nil
}

// waitingOn returns the visits that wait, directly or through others, on a
// resource s holds or has been granted, in the wait-for graph as it will be
// once s's ungranted steps are dropped.
//
// A visit waits for its shuttle's previous step, and for the release of the
// visit before it in its queue. A visit u is released when its shuttle
// reaches the first node the clearance past it, so what waits on u's release
// waits on that node's visit w. The walk over-approximates this: on reaching
// a node visit w it takes the queue successors of every step of w's shuttle
// released by w at the latest. The result is closed under waiting, which is
// what Insert needs.
func (t *Traffic) waitingOn(s *shuttle) map[*visit]bool {
	t.gen++
	gen := t.gen
	dropped := func(v *visit) bool { return v.s == s && v.step > s.granted }
	out := map[*visit]bool{}
	var stack []*visit
	push := func(v *visit) {
		if v != nil && v.mark != gen && !dropped(v) {
			v.mark = gen
			if v.s != s {
				out[v] = true
			}
			stack = append(stack, v)
		}
	}
	// queueNext pushes the first visit after u in u's queue.
	queueNext := func(u *visit) {
		q := t.res[u.s.step(u.step).res].queue
		if i := slices.Index(q, u); i >= 0 {
			for _, x := range q[i+1:] {
				if !dropped(x) {
					push(x)
					return
				}
			}
		}
	}
	done := map[*shuttle]int{} // per shuttle: steps whose release was walked
	releasedBy := func(w *visit) {
		o := w.s
		here := o.step(w.step)
		if here.node < 0 {
			return
		}
		j, ok := done[o]
		if !ok {
			j = o.released
		}
		for ; j < w.step && o.step(j).end+t.clearance <= here.end; j++ {
			queueNext(o.step(j).v)
		}
		done[o] = j
	}
	for i := s.released; i <= s.granted; i++ {
		push(s.step(i).v)
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v.step < v.s.last() {
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

// dropAfter removes s's steps after global index i from the queues.
func (t *Traffic) dropAfter(s *shuttle, i int) {
	for j := i + 1; j <= s.last(); j++ {
		t.unqueue(s.step(j))
	}
	s.steps = s.steps[:i+1-s.base]
}

func (t *Traffic) unqueue(st *step) {
	r := &t.res[st.res]
	if i := slices.Index(r.queue, st.v); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
}

// resName names a resource for messages.
func (t *Traffic) resName(ri int) string {
	if ri < len(t.g.Nodes) {
		return fmt.Sprintf("node %q", t.g.Nodes[ri].ID)
	}
	b := t.g.Blocks[ri-len(t.g.Nodes)]
	return fmt.Sprintf("edge %q", t.g.Edges[b.Edges[0]].ID)
}
