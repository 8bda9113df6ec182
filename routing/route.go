package routing

import (
	"container/heap"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// ErrNoRoute is matched by every *NoRouteError.
var ErrNoRoute = errors.New("routing: no route")

// NoRouteError says between which places no route was found, and why.
type NoRouteError struct {
	From, To string
	Reason   string
}

func (e *NoRouteError) Error() string {
	return fmt.Sprintf("routing: no route from %q to %q: %s", e.From, e.To, e.Reason)
}

// Unwrap lets errors.Is match ErrNoRoute.
func (e *NoRouteError) Unwrap() error { return ErrNoRoute }

// Limits are one vehicle's limits for one route, such as a lower top speed
// when laden.
type Limits struct {
	// MaxSpeed in metres per second; zero means only the lanes' limits apply.
	MaxSpeed float64
}

// Route is a path through the lane graph: node and edge ids in driving
// order (the VDA 5050 nodeIds and edgeIds), with geometry.
type Route struct {
	Nodes    []string
	Edges    []string
	Length   float64       // metres
	Duration time.Duration // driving time at the lanes' and vehicle's limits
	XY       orb.LineString
	LonLat   orb.LineString

	nodes, edges []int
}

// NodeIndexes and EdgeIndexes give the route as graph indexes.
func (r *Route) NodeIndexes() []int { return r.nodes }

// EdgeIndexes gives the route's edges as graph indexes.
func (r *Route) EdgeIndexes() []int { return r.edges }

// Route finds the fastest route between two nodes by travel time, with
// A* and a straight-line heuristic at the fastest speed in the graph,
// honouring lane closures. Nodes with room for several shuttles (charging
// stations) may start or end a route but are never driven through.
func (g *Graph) Route(from, to string, lim Limits) (*Route, error) {
	return g.route(from, to, lim, nil)
}

// route is Route with some edges and nodes barred (for traffic).
func (g *Graph) route(from, to string, lim Limits, barred func(edge int) bool) (*Route, error) {
	s, ok := g.nodeIx[from]
	if !ok {
		return nil, &NoRouteError{from, to, fmt.Sprintf("no node %q in map %s", from, g.MapID)}
	}
	t, ok := g.nodeIx[to]
	if !ok {
		return nil, &NoRouteError{from, to, fmt.Sprintf("no node %q in map %s", to, g.MapID)}
	}
	usable := func(e int) bool { return g.open(e) && (barred == nil || !barred(e)) }
	edges, ok := g.search(s, t, lim, usable)
	if !ok {
		return nil, &NoRouteError{from, to, g.whyNot(s, t, lim, barred)}
	}
	return g.makeRoute(s, edges, lim), nil
}

// whyNot explains a failed search by searching again with fewer rules.
func (g *Graph) whyNot(s, t int, lim Limits, barred func(int) bool) string {
	all := func(int) bool { return true }
	if _, ok := g.search(s, t, lim, all); !ok {
		return "the lanes do not connect them"
	}
	if barred != nil {
		if _, ok := g.search(s, t, lim, g.open); ok {
			return "every path is blocked by shuttles that will stand on it (see the traffic state)"
		}
	}
	return "every path uses a closed lane (closed: " + strings.Join(g.Closed(), ", ") + ")"
}

func (g *Graph) makeRoute(s int, edges []int, lim Limits) *Route {
	r := &Route{nodes: []int{s}, edges: edges}
	r.Nodes = append(r.Nodes, g.Nodes[s].ID)
	r.XY = orb.LineString{g.Nodes[s].XY}
	var secs float64
	for _, e := range edges {
		ed := g.Edges[e]
		r.nodes = append(r.nodes, ed.To)
		r.Nodes = append(r.Nodes, g.Nodes[ed.To].ID)
		r.Edges = append(r.Edges, ed.ID)
		r.Length += ed.Length
		secs += ed.Length / g.speed(e, lim)
		r.XY = append(r.XY, ed.XY[1:]...)
	}
	r.Duration = time.Duration(secs * float64(time.Second))
	r.LonLat = make(orb.LineString, len(r.XY))
	for i, p := range r.XY {
		r.LonLat[i] = g.site.Frame.ToWGS84(p)
	}
	return r
}

// speed is the speed on edge e for a vehicle with limits lim.
func (g *Graph) speed(e int, lim Limits) float64 {
	v := g.Edges[e].MaxSpeed
	if lim.MaxSpeed > 0 && lim.MaxSpeed < v {
		v = lim.MaxSpeed
	}
	return v
}

// TravelTime is the time to drive edge e within lim.
func (g *Graph) TravelTime(e int, lim Limits) time.Duration {
	return time.Duration(g.Edges[e].Length / g.speed(e, lim) * float64(time.Second))
}

// searchSpace is the per-search scratch, reused through a pool.
type searchSpace struct {
	stamp []uint32
	gen   uint32
	cost  []float64
	via   []int32 // edge into each node
	open  openQueue
}

var spaces = sync.Pool{New: func() any { return &searchSpace{} }}

// search runs A* from s to t over usable edges and returns the edges.
func (g *Graph) search(s, t int, lim Limits, usable func(int) bool) ([]int, bool) {
	if s == t {
		return nil, true
	}
	sp := spaces.Get().(*searchSpace)
	defer spaces.Put(sp)
	if len(sp.stamp) != len(g.Nodes) {
		*sp = searchSpace{stamp: make([]uint32, len(g.Nodes)), cost: make([]float64, len(g.Nodes)), via: make([]int32, len(g.Nodes))}
	}
	sp.gen++
	if sp.gen == 0 { // wrapped: clear
		clear(sp.stamp)
		sp.gen = 1
	}
	vmax := g.maxSpeed
	if lim.MaxSpeed > 0 && lim.MaxSpeed < vmax {
		vmax = lim.MaxSpeed
	}
	goal := g.Nodes[t].XY
	h := func(n int) float64 { return dist(g.Nodes[n].XY, goal) / vmax }
	sp.open = sp.open[:0]
	sp.stamp[s], sp.cost[s], sp.via[s] = sp.gen, 0, -1
	heap.Push(&sp.open, openItem{s, h(s)})
	for sp.open.Len() > 0 {
		it := heap.Pop(&sp.open).(openItem)
		n := it.node
		if it.f > sp.cost[n]+h(n)+1e-9 {
			continue // stale
		}
		if n == t {
			return sp.path(g, t), true
		}
		if n != s && g.endOnly[n] {
			continue // a station is an end, never a way through
		}
		for _, e := range g.out[n] {
			if !usable(e) {
				continue
			}
			m := g.Edges[e].To
			c := sp.cost[n] + g.Edges[e].Length/g.speed(e, lim)
			if sp.stamp[m] != sp.gen || c < sp.cost[m]-1e-12 {
				sp.stamp[m], sp.cost[m], sp.via[m] = sp.gen, c, int32(e)
				heap.Push(&sp.open, openItem{m, c + h(m)})
			}
		}
	}
	return nil, false
}

func (sp *searchSpace) path(g *Graph, t int) []int {
	var rev []int
	for n := t; sp.via[n] >= 0; n = g.Edges[sp.via[n]].From {
		rev = append(rev, int(sp.via[n]))
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

type openItem struct {
	node int
	f    float64
}

type openQueue []openItem

func (q openQueue) Len() int           { return len(q) }
func (q openQueue) Less(i, j int) bool { return q[i].f < q[j].f }
func (q openQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *openQueue) Push(x any)        { *q = append(*q, x.(openItem)) }
func (q *openQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func sortStrings(s []string) { sort.Strings(s) }
