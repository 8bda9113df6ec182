package sim

import (
	"math"
	"sort"

	"github.com/borderfleet/borderfleet/routing"
)

// lanes works out the lane term: each direction's shuttles one behind the
// other at its mean speed, with the two-way segments that directions
// share each carrying its capacity over all of them.
func (b *Bound) lanes(g *routing.Graph, dirs []*DirectionBound, lim routing.Limits, shuttles int) {
	caps := make([]float64, len(dirs))
	for k, d := range dirs {
		if d.inDemand() && d.DriveS > 0 {
			d.Lane = 3600 * d.RouteLengthM / d.DriveS / b.ClearanceM
			caps[k] = d.Lane
		}
	}
	var shared []sharedCap
	for _, comp := range components(g, contested(g, dirs)) {
		seg := segment(g, comp, dirs, lim, b.ClearanceM, shuttles)
		b.SharedSegments = append(b.SharedSegments, seg)
		if len(seg.dirs) > 0 {
			shared = append(shared, sharedCap{seg.Capacity, seg.dirs})
		}
	}
	b.Lane = finite(together(caps, shared))
}

// contested lists the two-way blocks that the demand's routes drive both
// ways.
func contested(g *routing.Graph, dirs []*DirectionBound) map[int]bool {
	ways := map[int]*[2]bool{}
	for _, d := range dirs {
		if !d.inDemand() {
			continue
		}
		for _, r := range d.routes {
			for _, e := range r.EdgeIndexes() {
				ed := g.Edges[e]
				if !g.Blocks[ed.Resource].TwoWay {
					continue
				}
				if ways[ed.Resource] == nil {
					ways[ed.Resource] = &[2]bool{}
				}
				if ed.Reverse {
					ways[ed.Resource][1] = true
				} else {
					ways[ed.Resource][0] = true
				}
			}
		}
	}
	out := map[int]bool{}
	for res, w := range ways {
		if w[0] && w[1] {
			out[res] = true
		}
	}
	return out
}

// components groups blocks into maximal runs: blocks that meet at a node
// are in one run. Runs come in block order.
func components(g *routing.Graph, blocks map[int]bool) [][]int {
	byNode := map[int][]int{}
	var all []int
	for res := range blocks {
		e := g.Edges[g.Blocks[res].Edges[0]]
		byNode[e.From] = append(byNode[e.From], res)
		byNode[e.To] = append(byNode[e.To], res)
		all = append(all, res)
	}
	sort.Ints(all)
	seen := map[int]bool{}
	var out [][]int
	for _, first := range all {
		if seen[first] {
			continue
		}
		seen[first] = true
		comp := []int{first}
		for i := 0; i < len(comp); i++ {
			e := g.Edges[g.Blocks[comp[i]].Edges[0]]
			for _, res := range append(byNode[e.From], byNode[e.To]...) {
				if !seen[res] {
					seen[res] = true
					comp = append(comp, res)
				}
			}
		}
		sort.Ints(comp)
		out = append(out, comp)
	}
	return out
}

// segment measures a run of shared two-way blocks (see SharedSegment).
func segment(g *routing.Graph, comp []int, dirs []*DirectionBound, lim routing.Limits, clearanceM float64, shuttles int) SharedSegment {
	in := map[int]bool{}
	lanes := map[string]bool{}
	seg := SharedSegment{LengthM: math.Inf(1)}
	for _, res := range comp {
		in[res] = true
		lanes[g.Blocks[res].Lane] = true
		e := g.Edges[g.Blocks[res].Edges[0]]
		seg.SpeedMPS = math.Max(seg.SpeedMPS, speedOn(e, lim))
	}
	for l := range lanes {
		seg.Lanes = append(seg.Lanes, l)
	}
	sort.Strings(seg.Lanes)
	for k, d := range dirs {
		if d.inDemand() && seg.measure(g, in, d) {
			seg.dirs = append(seg.dirs, k)
			seg.Directions = append(seg.Directions, d.Name())
		}
	}
	seg.LengthM = finite(seg.LengthM)
	seg.HeadwayS = clearanceM / seg.SpeedMPS
	seg.ClearanceS = (seg.LengthM + clearanceM) / seg.SpeedMPS
	if onlyWayBack(g, in, dirs, seg.dirs) {
		seg.PlatoonMax = shuttles
	}
	seg.Capacity = perHour(seg.HeadwayS)
	if m := float64(seg.PlatoonMax); m > 0 {
		seg.Capacity = 3600 * m / ((m-1)*seg.HeadwayS + seg.ClearanceS)
	}
	return seg
}

// measure shortens the segment to the least a route of d drives of it,
// and tells whether every route of d drives it.
func (seg *SharedSegment) measure(g *routing.Graph, in map[int]bool, d *DirectionBound) bool {
	every := true
	for _, r := range d.routes {
		m, on := 0.0, false
		for _, e := range r.EdgeIndexes() {
			if in[g.Edges[e].Resource] {
				m += g.Edges[e].Length
				on = true
			}
		}
		if on {
			seg.LengthM = math.Min(seg.LengthM, m)
		}
		every = every && on
	}
	return every
}

// speedOn is the speed on an edge: its limit, capped by the vehicle's.
func speedOn(e routing.Edge, lim routing.Limits) float64 {
	if lim.MaxSpeed > 0 && lim.MaxSpeed < e.MaxSpeed {
		return lim.MaxSpeed
	}
	return e.MaxSpeed
}

// onlyWayBack tells whether, for each of the directions, no way leads
// from its destination back to its origin without the blocks in.
func onlyWayBack(g *routing.Graph, in map[int]bool, dirs []*DirectionBound, idx []int) bool {
	if len(idx) == 0 {
		return false
	}
	for _, k := range idx {
		r := dirs[k].routes[0].NodeIndexes()
		if reachable(g, r[len(r)-1], r[0], in) {
			return false
		}
	}
	return true
}

// reachable tells whether node to can be reached from node from without
// the barred blocks.
func reachable(g *routing.Graph, from, to int, barred map[int]bool) bool {
	seen := map[int]bool{from: true}
	todo := []int{from}
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if n == to {
			return true
		}
		for _, e := range g.Out(n) {
			m := g.Edges[e].To
			if !barred[g.Edges[e].Resource] && !seen[m] {
				seen[m] = true
				todo = append(todo, m)
			}
		}
	}
	return false
}
