package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// NodeKind says what a lane-graph node is.
type NodeKind string

// Node kinds.
const (
	NodeLaneEnd  NodeKind = "lane_end" // the end of a lane that joins no other
	NodeJunction NodeKind = "junction" // where lanes meet
	NodeBay      NodeKind = "bay"
	NodeStopLine NodeKind = "stop_line" // a checkpoint's stop line
	NodeCharger  NodeKind = "charger"   // a charging station
	NodeParking  NodeKind = "parking"
)

// Node is a place in the lane topology. Its ID is stable across loads of
// the same file: a place's node has the place's id; any other node is named
// "<lane>@<vertex>" after the first lane (by id) that has a vertex there.
// Node IDs become VDA 5050 nodeIds.
type Node struct {
	ID       string
	Kind     NodeKind
	Place    string   // id of the bay, checkpoint, station or spot here; "" otherwise
	Pos      Position // on the lane centre line
	Capacity int      // shuttles that may stand here at once: a station's chargers, else 1
}

// Link is a piece of one lane between two consecutive nodes along it. A
// two-way link may be driven either way but is one physical resource.
// Link IDs are "<lane>#<n>", n counting from 1 along the lane.
type Link struct {
	ID            string
	Lane          string
	From, To      int // node indexes, in the lane's drawing order
	Direction     Direction
	Length        float64 // metres
	SpeedLimitKmh float64 // the lane's limit, lowered by any zone it runs through
	XY            orb.LineString
}

// Network is the lane topology of a site: nodes where lanes end or meet and
// where places lie on lanes, and the links between them. It is geometry
// only; routing builds its directed, timed graph from it.
type Network struct {
	Nodes []Node
	Links []Link
	index map[string]int
	out   [][]arc // drivable arcs leaving each node
}

// arc is one drivable direction of a link.
type arc struct {
	link, to int
}

// NodeIndex returns the index of the node with the given id.
func (n *Network) NodeIndex(id string) (int, bool) {
	i, ok := n.index[id]
	return i, ok
}

// LaneKm is the total length of the links in kilometres.
func (n *Network) LaneKm() float64 {
	var m float64
	for _, l := range n.Links {
		m += l.Length
	}
	return m / 1000
}

// place is a point feature that must lie on a lane.
type place struct {
	id       string
	kind     NodeKind
	xy       orb.Point
	f        *feature
	onlyLane int // for a stop line, the lane it must be on; -1 for any
	capacity int
}

// split is a node on a lane, at fraction t of segment seg.
type split struct {
	seg  int
	t    float64
	node int
}

// netBuilder derives the Network from a loader's lanes and places.
type netBuilder struct {
	l      *loader
	tol    float64
	paths  []orb.LineString // cleaned lane paths, local frame
	orig   [][]int          // per lane: the file's index of each kept vertex
	root   map[[2]int]int   // (lane, vertex) -> its cluster
	ix     *segIndex
	net    *Network
	vnode  map[[2]int]int // (lane, vertex) -> node index, for vertices that are nodes
	splits [][]split      // per lane
}

func buildNetwork(l *loader) *Network {
	b := &netBuilder{l: l, tol: l.site.JoinTolerance, net: &Network{index: map[string]int{}}, vnode: map[[2]int]int{}, root: map[[2]int]int{}}
	b.paths = make([]orb.LineString, len(l.site.Lanes))
	b.orig = make([][]int, len(l.site.Lanes))
	for i, ln := range l.site.Lanes {
		b.paths[i], b.orig[i] = cleanPathIndex(ln.XY, b.tol)
	}
	b.ix = newSegIndex(b.paths, math.Max(25, 10*b.tol))
	b.vertexNodes()
	b.checkCrossings()
	b.placeNodes(l.places())
	b.links()
	b.adjacency()
	return b.net
}

// cleanPath drops vertices within tol of the previous kept one, keeping the
// last vertex. A path shorter than tol comes back with one vertex.
func cleanPath(ls orb.LineString, tol float64) orb.LineString {
	out, _ := cleanPathIndex(ls, tol)
	return out
}

// cleanPathIndex is cleanPath that also gives the original index of each
// kept vertex.
func cleanPathIndex(ls orb.LineString, tol float64) (orb.LineString, []int) {
	out := make(orb.LineString, 0, len(ls))
	idx := make([]int, 0, len(ls))
	for i, p := range ls {
		if i > 0 && distanceXY(out[len(out)-1], p) <= tol {
			if i == len(ls)-1 && len(out) > 1 {
				out[len(out)-1], idx[len(idx)-1] = p, i
			}
			continue
		}
		out, idx = append(out, p), append(idx, i)
	}
	return out, idx
}

// vertexNodes clusters lane vertices within tolerance and makes a node of
// every cluster that holds a lane end or vertices of two lanes (or two
// visits of one lane).
func (b *netBuilder) vertexNodes() {
	type vref struct{ lane, v int }
	var refs []vref
	grid := map[[2]int][]int{}
	cell := func(p orb.Point) [2]int {
		return [2]int{int(math.Floor(p[0] / b.tol)), int(math.Floor(p[1] / b.tol))}
	}
	for li, ls := range b.paths {
		if len(ls) < 2 {
			continue
		}
		for vi, p := range ls {
			grid[cell(p)] = append(grid[cell(p)], len(refs))
			refs = append(refs, vref{li, vi})
		}
	}
	uf := newUnionFind(len(refs))
	for i, r := range refs {
		p := b.paths[r.lane][r.v]
		k := cell(p)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, j := range grid[[2]int{k[0] + dx, k[1] + dy}] {
					q := refs[j]
					if j > i && distanceXY(p, b.paths[q.lane][q.v]) <= b.tol {
						uf.union(i, j)
					}
				}
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range refs {
		r := uf.find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	for i, r := range refs {
		b.root[[2]int{r.lane, r.v}] = uf.find(i)
	}
	merged := map[int]bool{} // lanes already reported
	for _, root := range roots {
		ms := members[root]
		ends := false
		for _, m := range ms {
			r := refs[m]
			ends = ends || r.v == 0 || r.v == len(b.paths[r.lane])-1
			if next := [2]int{r.lane, r.v + 1}; b.root[next] == root && r.v+1 < len(b.paths[r.lane]) && !merged[r.lane] {
				merged[r.lane] = true
				b.l.laneF[r.lane].errorf("positions %d and %d meet at one junction near %s (vertices of lanes within %g m of each other join): move them apart",
					b.orig[r.lane][r.v], b.orig[r.lane][r.v+1], b.lonLat(b.paths[r.lane][r.v]), b.tol)
			}
		}
		if !ends && len(ms) < 2 {
			continue
		}
		// the representative: the first lane by id, its first vertex here
		best := ms[0]
		for _, m := range ms[1:] {
			if lessVertex(b.l.site.Lanes[refs[m].lane].ID, refs[m].v, b.l.site.Lanes[refs[best].lane].ID, refs[best].v) {
				best = m
			}
		}
		rep := refs[best]
		kind := NodeJunction
		if len(ms) == 1 {
			kind = NodeLaneEnd
		}
		id := fmt.Sprintf("%s@%d", b.l.site.Lanes[rep.lane].ID, b.orig[rep.lane][rep.v])
		n := b.addNode(Node{ID: id, Kind: kind, Pos: b.pos(b.paths[rep.lane][rep.v]), Capacity: 1})
		for _, m := range ms {
			b.vnode[[2]int{refs[m].lane, refs[m].v}] = n
		}
	}
	b.checkOnOtherLanes()
}

func lessVertex(laneA string, va int, laneB string, vb int) bool {
	if laneA != laneB {
		return laneA < laneB
	}
	return va < vb
}

// checkOnOtherLanes reports every lane vertex that lies on another lane
// where that lane has no vertex of its own junction: the two would look
// joined but are not.
func (b *netBuilder) checkOnOtherLanes() {
	reported := map[[2]int]bool{}
	for li, ls := range b.paths {
		if len(ls) < 2 {
			continue
		}
		for vi, p := range ls {
			here := b.root[[2]int{li, vi}]
			b.ix.nearPoint(p, b.tol, func(r segRef) {
				if r.lane == li || reported[[2]int{li, r.lane}] {
					return
				}
				a, c := b.ix.segment(r)
				if planar.DistanceFromSegment(a, c, p) > b.tol ||
					b.root[[2]int{r.lane, r.seg}] == here || b.root[[2]int{r.lane, r.seg + 1}] == here {
					return
				}
				reported[[2]int{li, r.lane}] = true
				other := b.l.site.Lanes[r.lane].ID
				what := "passes through"
				if vi == 0 || vi == len(ls)-1 {
					what = "ends on"
				}
				b.l.laneF[li].errorf("%s lane %q at %s, which has no vertex there: lanes join only where vertices meet (within %g m); add a vertex to %q there",
					what, other, b.lonLat(p), b.tol, other)
			})
		}
	}
}

// checkCrossings reports lanes that cross without a shared vertex.
func (b *netBuilder) checkCrossings() {
	reported := map[[2]int]bool{}
	for li, ls := range b.paths {
		for si := 0; si+1 < len(ls); si++ {
			a1, a2 := ls[si], ls[si+1]
			b.ix.nearSegment(segRef{li, si}, func(r segRef) {
				if r.lane < li || (r.lane == li && r.seg <= si+1) || reported[[2]int{li, r.lane}] {
					return
				}
				c1, c2 := b.ix.segment(r)
				if !crossProperly(a1, a2, c1, c2) {
					return
				}
				x := intersection(a1, a2, c1, c2)
				for _, e := range []orb.Point{a1, a2, c1, c2} {
					if distanceXY(e, x) <= b.tol {
						return // they meet at a vertex of one: joined, or reported as a dangling end
					}
				}
				reported[[2]int{li, r.lane}] = true
				other := b.l.site.Lanes[r.lane].ID
				if r.lane == li {
					b.l.laneF[li].errorf("crosses itself at %s without a vertex there", b.lonLat(x))
					return
				}
				b.l.laneF[li].errorf("crosses lane %q at %s without a shared vertex: lanes join only where vertices meet; add a vertex to both there",
					other, b.lonLat(x))
			})
		}
	}
}

// places lists the point features that must lie on lanes.
func (l *loader) places() []place {
	s := l.site
	var out []place
	for i, x := range s.Bays {
		out = append(out, place{x.ID, NodeBay, x.Pos.XY, l.bayF[i], -1, 1})
	}
	for i, x := range s.Checkpoints {
		only := -2 // unknown lane: skip the on-lane check, the reference is reported
		for li, ln := range s.Lanes {
			if ln.ID == x.Lane {
				only = li
			}
		}
		out = append(out, place{x.ID, NodeStopLine, x.StopLine.XY, l.checkF[i], only, 1})
	}
	for i, x := range s.Stations {
		out = append(out, place{x.ID, NodeCharger, x.Pos.XY, l.stationF[i], -1, max(1, x.Chargers)})
	}
	for i, x := range s.Parking {
		out = append(out, place{x.ID, NodeParking, x.Pos.XY, l.parkF[i], -1, 1})
	}
	return out
}

// placeNodes puts each place on a lane: onto a vertex within tolerance, or
// onto a new split point of the nearest segment within tolerance.
func (b *netBuilder) placeNodes(ps []place) {
	b.splits = make([][]split, len(b.paths))
	taken := map[int]string{} // node -> place id
	for _, p := range ps {
		if p.onlyLane == -2 {
			continue
		}
		keep := func(lane int) bool { return len(b.paths[lane]) >= 2 && (p.onlyLane < 0 || lane == p.onlyLane) }
		r, _, ok := b.ix.nearest(p.xy, b.tol, keep)
		if !ok {
			b.reportOffLane(p, keep)
			continue
		}
		a, c := b.ix.segment(r)
		proj, t := project(a, c, p.xy)
		var n int
		switch {
		case distanceXY(proj, a) <= b.tol:
			n = b.vertexNode(r.lane, r.seg)
		case distanceXY(proj, c) <= b.tol:
			n = b.vertexNode(r.lane, r.seg+1)
		default:
			n = b.splitNode(r, t, proj)
		}
		if other, dup := taken[n]; dup {
			p.f.errorf("is at the same lane position as %q (within %g m): each place needs its own spot", other, b.tol)
			continue
		}
		taken[n] = p.id
		b.claim(n, p)
	}
}

// splitNode returns the node at fraction t of segment r, reusing a split
// already within tolerance of it.
func (b *netBuilder) splitNode(r segRef, t float64, xy orb.Point) int {
	for _, s := range b.splits[r.lane] {
		if distanceXY(b.net.Nodes[s.node].Pos.XY, xy) <= b.tol {
			return s.node
		}
	}
	n := b.addNode(Node{Pos: b.pos(xy), Capacity: 1})
	b.splits[r.lane] = append(b.splits[r.lane], split{r.seg, t, n})
	return n
}

// vertexNode returns the node at a lane vertex, making one if the vertex
// was a plain bend.
func (b *netBuilder) vertexNode(lane, v int) int {
	if n, ok := b.vnode[[2]int{lane, v}]; ok {
		return n
	}
	n := b.addNode(Node{Pos: b.pos(b.paths[lane][v]), Capacity: 1})
	b.vnode[[2]int{lane, v}] = n
	return n
}

// claim gives node n to place p: its id, kind and capacity.
func (b *netBuilder) claim(n int, p place) {
	node := &b.net.Nodes[n]
	if node.ID != "" {
		delete(b.net.index, node.ID)
	}
	node.ID, node.Kind, node.Place, node.Capacity = p.id, p.kind, p.id, p.capacity
	b.net.index[p.id] = n
}

func (b *netBuilder) reportOffLane(p place, keep func(int) bool) {
	best, bestD := -1, math.Inf(1)
	for li, ls := range b.paths {
		if keep(li) {
			if d := planar.DistanceFrom(ls, p.xy); d < bestD {
				best, bestD = li, d
			}
		}
	}
	what := "is not on any lane"
	if p.onlyLane >= 0 {
		what = fmt.Sprintf("its stop line is not on its lane %q", b.l.site.Lanes[p.onlyLane].ID)
	}
	if best < 0 {
		p.f.errorf("%s: there is no usable lane", what)
		return
	}
	p.f.errorf("%s: the nearest point of lane %q is %.1f m away (join tolerance %g m)",
		what, b.l.site.Lanes[best].ID, bestD, b.tol)
}

func (b *netBuilder) addNode(n Node) int {
	b.net.Nodes = append(b.net.Nodes, n)
	i := len(b.net.Nodes) - 1
	if n.ID != "" {
		b.net.index[n.ID] = i
	}
	return i
}

func (b *netBuilder) pos(xy orb.Point) Position {
	return Position{LonLat: b.l.site.Frame.ToWGS84(xy), XY: xy}
}

func (b *netBuilder) lonLat(xy orb.Point) string { return fmtLonLat(b.l.site.Frame.ToWGS84(xy)) }

// links cuts each lane at its nodes.
func (b *netBuilder) links() {
	for li, ls := range b.paths {
		if len(ls) < 2 {
			continue
		}
		cuts := append([]split(nil), b.splits[li]...)
		for vi := range ls {
			if n, ok := b.vnode[[2]int{li, vi}]; ok {
				cuts = append(cuts, split{vi, 0, n})
			}
		}
		sort.Slice(cuts, func(i, j int) bool {
			if cuts[i].seg != cuts[j].seg {
				return cuts[i].seg < cuts[j].seg
			}
			return cuts[i].t < cuts[j].t
		})
		lane := b.l.site.Lanes[li]
		for k := 0; k+1 < len(cuts); k++ {
			from, to := cuts[k], cuts[k+1]
			path := orb.LineString{b.net.Nodes[from.node].Pos.XY}
			last := to.seg
			if to.t == 0 {
				last-- // the node stands for that vertex
			}
			for v := from.seg + 1; v <= last; v++ {
				path = append(path, ls[v])
			}
			path = append(path, b.net.Nodes[to.node].Pos.XY)
			path = cleanPath(path, 0)
			link := Link{
				ID: fmt.Sprintf("%s#%d", lane.ID, len(b.net.Links)+1), Lane: lane.ID,
				From: from.node, To: to.node, Direction: lane.Direction,
				Length: lengthXY(path), XY: path,
			}
			link.SpeedLimitKmh = b.l.speedAlong(lane.SpeedLimitKmh, path)
			b.net.Links = append(b.net.Links, link)
		}
	}
	// number links per lane from 1
	count := map[string]int{}
	for i := range b.net.Links {
		l := &b.net.Links[i]
		count[l.Lane]++
		l.ID = fmt.Sprintf("%s#%d", l.Lane, count[l.Lane])
	}
}

// speedAlong lowers a lane's limit to that of any zone the path enters:
// a vertex inside the zone, or a segment crossing its boundary.
func (l *loader) speedAlong(limit float64, path orb.LineString) float64 {
	pb := path.Bound()
	for _, z := range l.site.Zones {
		if z.SpeedLimitKmh <= 0 || z.SpeedLimitKmh >= limit || len(z.XY) == 0 || !usableRing(z.XY[0]) ||
			!pb.Intersects(z.XY.Bound()) {
			continue
		}
		if pathEnters(z.XY, path) {
			limit = z.SpeedLimitKmh
		}
	}
	return limit
}

// pathEnters reports whether a path has a point inside a polygon, or a
// segment that crosses one of its rings.
func pathEnters(pg orb.Polygon, path orb.LineString) bool {
	for _, p := range path {
		if strictlyInside(pg, p, overlapEps) {
			return true
		}
	}
	for i := 0; i+1 < len(path); i++ {
		mid := orb.Point{(path[i][0] + path[i+1][0]) / 2, (path[i][1] + path[i+1][1]) / 2}
		if strictlyInside(pg, mid, overlapEps) {
			return true
		}
		for _, r := range pg {
			for j := 0; j+1 < len(r); j++ {
				if crossProperly(path[i], path[i+1], r[j], r[j+1]) {
					return true
				}
			}
		}
	}
	return false
}

func (b *netBuilder) adjacency() {
	n := b.net
	n.out = make([][]arc, len(n.Nodes))
	for i, l := range n.Links {
		n.out[l.From] = append(n.out[l.From], arc{i, l.To})
		if l.Direction == TwoWay {
			n.out[l.To] = append(n.out[l.To], arc{i, l.From})
		}
	}
}

// unionFind is a disjoint-set forest with path halving.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) { u[u.find(a)] = u.find(b) }
