package routing

import (
	"errors"
	"fmt"
	"math"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/paulmach/orb"
)

// DefaultBlockLength is the longest block, in metres, when GraphConfig
// leaves it zero.
const DefaultBlockLength = 20.0

// GraphConfig sets how the lane graph is cut into blocks.
type GraphConfig struct {
	// BlockLength is the longest edge in metres: longer links are cut into
	// equal blocks no longer than this, so that shuttles can follow each
	// other closely and the base can be released in short steps.
	// Zero means DefaultBlockLength.
	BlockLength float64
}

// Validate reports a configuration that cannot work.
func (c GraphConfig) Validate() error {
	if c.BlockLength < 0 || math.IsNaN(c.BlockLength) || math.IsInf(c.BlockLength, 0) {
		return fmt.Errorf("routing: block length %g m: it must be positive (or zero for the default %g m)", c.BlockLength, DefaultBlockLength)
	}
	if c.BlockLength > 0 && c.BlockLength < 1 {
		return fmt.Errorf("routing: block length %g m is shorter than 1 m", c.BlockLength)
	}
	return nil
}

func (c GraphConfig) blockLength() float64 {
	if c.BlockLength == 0 {
		return DefaultBlockLength
	}
	return c.BlockLength
}

// Node is a place in the directed lane graph. Its ID is the VDA 5050 nodeId.
type Node struct {
	ID       string
	Kind     geo.NodeKind // the site node's kind; KindBlock for a block boundary
	Place    string       // the bay, checkpoint, station or parking spot here, if any
	XY       orb.Point    // metres in the site's local frame
	LonLat   orb.Point
	Capacity int // shuttles that may stand here at once
}

// KindBlock marks a node that only cuts a long link into blocks.
const KindBlock geo.NodeKind = "block"

// Edge is one direction of one block. Its ID is the VDA 5050 edgeId. The
// two directions of a two-way block share one Resource.
type Edge struct {
	ID       string
	From, To int // node indexes
	Link     string
	Lane     string
	Length   float64 // metres
	MaxSpeed float64 // metres per second: the lane's limit, capped by zones
	Resource int     // the physical block: index into Graph.Blocks
	Reverse  bool    // drives a two-way link against its drawing order
	XY       orb.LineString
}

// Block is one physical stretch of lane: one or two edges (directions).
type Block struct {
	Link   string
	Lane   string
	TwoWay bool
	Edges  []int // one edge, or two for a two-way block (forward first)
}

// Graph is the directed lane graph of a site: the site's lane topology with
// long links cut into blocks. It is read-only after NewGraph except for lane
// closures, and not safe for concurrent use.
type Graph struct {
	Nodes  []Node
	Edges  []Edge
	Blocks []Block
	MapID  string

	site   *geo.Site
	nodeIx map[string]int
	edgeIx map[string]int
	out    [][]int // edge indexes leaving each node
	closed map[string]bool
	// closedBlock counts the closures covering each block.
	closedBlock []int
	maxSpeed    float64 // fastest edge, for the A* heuristic
	// endOnly marks the nodes a route may start or end at but never
	// pass: charging stations (room for several shuttles) and customs
	// inspection bays (lay-bys where a shuttle stands for its container
	// to be looked at, not a way around a closed lane).
	endOnly []bool
}

// NewGraph builds the directed lane graph of a validated site.
func NewGraph(site *geo.Site, cfg GraphConfig) (*Graph, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if site == nil || site.Network == nil {
		return nil, errors.New("routing: site has no lane network")
	}
	g := &Graph{MapID: site.MapID, site: site, nodeIx: map[string]int{}, edgeIx: map[string]int{}, closed: map[string]bool{}}
	for _, n := range site.Network.Nodes {
		g.addNode(Node{ID: n.ID, Kind: n.Kind, Place: n.Place, XY: n.Pos.XY, LonLat: n.Pos.LonLat, Capacity: n.Capacity})
	}
	bl := cfg.blockLength()
	for _, l := range site.Network.Links {
		g.addLink(l, bl)
	}
	g.out = make([][]int, len(g.Nodes))
	for i, e := range g.Edges {
		g.out[e.From] = append(g.out[e.From], i)
		g.maxSpeed = math.Max(g.maxSpeed, e.MaxSpeed)
	}
	g.closedBlock = make([]int, len(g.Blocks))
	g.endOnly = make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		g.endOnly[i] = n.Capacity > 1
	}
	for _, cp := range site.Checkpoints {
		if i, ok := g.nodeIx[cp.InspectionBay]; ok {
			g.endOnly[i] = true
		}
	}
	return g, nil
}

func (g *Graph) addNode(n Node) int {
	g.Nodes = append(g.Nodes, n)
	g.nodeIx[n.ID] = len(g.Nodes) - 1
	return len(g.Nodes) - 1
}

// addLink cuts a site link into equal blocks no longer than bl and adds an
// edge per block and direction. Boundary nodes are named "<link>+<k>",
// edges "<link>/<k>" and, against the drawing order, "<link>/<k>:r".
func (g *Graph) addLink(l geo.Link, bl float64) {
	n := max(1, int(math.Ceil(l.Length/bl-1e-3))) // a link up to 0.1 % longer stays one block
	from := g.nodeIx[g.site.Network.Nodes[l.From].ID]
	last := g.nodeIx[g.site.Network.Nodes[l.To].ID]
	pieces := cutLine(l.XY, n)
	speed := l.SpeedLimitKmh / 3.6
	for k := 1; k <= n; k++ {
		to := last
		if k < n {
			p := pieces[k-1][len(pieces[k-1])-1]
			to = g.addNode(Node{ID: fmt.Sprintf("%s+%d", l.ID, k), Kind: KindBlock, XY: p,
				LonLat: g.site.Frame.ToWGS84(p), Capacity: 1})
		}
		b := len(g.Blocks)
		blk := Block{Link: l.ID, Lane: l.Lane, TwoWay: l.Direction == geo.TwoWay}
		e := Edge{ID: fmt.Sprintf("%s/%d", l.ID, k), From: from, To: to, Link: l.ID, Lane: l.Lane,
			Length: lengthOf(pieces[k-1]), MaxSpeed: speed, Resource: b, XY: pieces[k-1]}
		blk.Edges = append(blk.Edges, g.addEdge(e))
		if blk.TwoWay {
			r := e
			r.ID, r.From, r.To, r.Reverse, r.XY = e.ID+":r", to, from, true, reversed(e.XY)
			blk.Edges = append(blk.Edges, g.addEdge(r))
		}
		g.Blocks = append(g.Blocks, blk)
		from = to
	}
}

func (g *Graph) addEdge(e Edge) int {
	g.Edges = append(g.Edges, e)
	g.edgeIx[e.ID] = len(g.Edges) - 1
	return len(g.Edges) - 1
}

// Node returns the index of the node with the given id.
func (g *Graph) Node(id string) (int, bool) {
	i, ok := g.nodeIx[id]
	return i, ok
}

// Edge returns the index of the edge with the given id.
func (g *Graph) Edge(id string) (int, bool) {
	i, ok := g.edgeIx[id]
	return i, ok
}

// TwoWay tells whether edge e (an index; false for -1, no edge) drives a
// two-way block, which both directions share.
func (g *Graph) TwoWay(e int) bool { return e >= 0 && g.Blocks[g.Edges[e].Resource].TwoWay }

// Out returns the indexes of the edges leaving node n.
func (g *Graph) Out(n int) []int { return g.out[n] }

// Site returns the site the graph was built from.
func (g *Graph) Site() *geo.Site { return g.site }

// ErrUnknownLane is returned when a closure names no lane or link.
var ErrUnknownLane = errors.New("routing: unknown lane")

// Close closes a lane (by lane id) or one link of it (by link id) to new
// routes. Shuttles already routed over it keep their routes until the
// caller re-plans them (see Traffic.RoutedOver). Closing twice is harmless.
func (g *Graph) Close(id string) error { return g.setClosed(id, true) }

// Reopen undoes Close.
func (g *Graph) Reopen(id string) error { return g.setClosed(id, false) }

// Closed lists the closed lanes and links.
func (g *Graph) Closed() []string {
	var out []string
	for id := range g.closed {
		out = append(out, id)
	}
	sortStrings(out)
	return out
}

func (g *Graph) setClosed(id string, closed bool) error {
	var blocks []int
	for i, b := range g.Blocks {
		if b.Lane == id || b.Link == id {
			blocks = append(blocks, i)
		}
	}
	if len(blocks) == 0 {
		return fmt.Errorf("%w %q", ErrUnknownLane, id)
	}
	if g.closed[id] == closed {
		return nil
	}
	delta := 1
	if closed {
		g.closed[id] = true
	} else {
		delete(g.closed, id)
		delta = -1
	}
	for _, b := range blocks {
		g.closedBlock[b] += delta
	}
	return nil
}

// open reports whether edge e may be used by new routes.
func (g *Graph) open(e int) bool { return g.closedBlock[g.Edges[e].Resource] == 0 }

// cutLine cuts a line string into n pieces of equal length.
func cutLine(ls orb.LineString, n int) []orb.LineString {
	total := lengthOf(ls)
	out := make([]orb.LineString, 0, n)
	cur := orb.LineString{ls[0]}
	target, walked := total/float64(n), 0.0
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		seg := dist(a, b)
		for len(out) < n-1 && walked+seg >= target-1e-9 {
			t := (target - walked) / seg
			p := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
			cur = append(cur, p)
			out = append(out, cur)
			cur = orb.LineString{p}
			seg -= target - walked
			a, walked = p, 0
		}
		walked += seg
		if b != cur[len(cur)-1] {
			cur = append(cur, b)
		}
	}
	return append(out, cur)
}

func dist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

func lengthOf(ls orb.LineString) float64 {
	var m float64
	for i := 1; i < len(ls); i++ {
		m += dist(ls[i-1], ls[i])
	}
	return m
}

func reversed(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[len(ls)-1-i] = p
	}
	return out
}
