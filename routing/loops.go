package routing

import (
	"container/heap"
	"math"
)

// Loops marks every node that lies on a directed cycle of at most maxLen
// metres of lane through one of the given nodes: the short loops a
// shuttle can drive around from there and back (at a customs checkpoint:
// the lanes of both directions between two turn-back crossovers). Lane
// closures are ignored: the loops are the site's. The result is indexed
// by node.
func (g *Graph) Loops(through []int, maxLen float64) []bool {
	in := g.In()
	on := make([]bool, len(g.Nodes))
	for _, s := range through {
		from := g.lengths(s, g.out, func(e int) int { return g.Edges[e].To })
		back := g.lengths(s, in, func(e int) int { return g.Edges[e].From })
		for n := range g.Nodes {
			if from[n]+back[n] <= maxLen {
				on[n] = true
			}
		}
	}
	return on
}

// In returns, for every node, the indexes of the edges that enter it.
func (g *Graph) In() [][]int {
	in := make([][]int, len(g.Nodes))
	for i, e := range g.Edges {
		in[e.To] = append(in[e.To], i)
	}
	return in
}

// lengths is Dijkstra by lane length from s over the edges adj lists,
// each leading to next(e); unreachable nodes get +Inf.
func (g *Graph) lengths(s int, adj [][]int, next func(e int) int) []float64 {
	d := make([]float64, len(g.Nodes))
	for i := range d {
		d[i] = math.Inf(1)
	}
	d[s] = 0
	q := openQueue{{s, 0}}
	for q.Len() > 0 {
		it := heap.Pop(&q).(openItem)
		if it.f > d[it.node] {
			continue
		}
		for _, e := range adj[it.node] {
			m := next(e)
			if c := it.f + g.Edges[e].Length; c < d[m] {
				d[m] = c
				heap.Push(&q, openItem{m, c})
			}
		}
	}
	return d
}
