package routing

import (
	"container/heap"
	"math"
	"time"
)

// Reach is the fastest way from one node to another: metres and driving
// time at the lanes' limits.
type Reach struct {
	Metres   float64
	Duration time.Duration
	OK       bool
}

// From returns the fastest reach from node from to every node, one
// search for all (Dijkstra by travel time), honouring closures and the
// rule that stations are never driven through. It ignores traffic: it is
// for estimates, such as a dispatcher's costs.
func (g *Graph) From(from string, lim Limits) ([]Reach, bool) {
	s, ok := g.nodeIx[from]
	if !ok {
		return nil, false
	}
	secs := make([]float64, len(g.Nodes))
	out := make([]Reach, len(g.Nodes))
	for i := range secs {
		secs[i] = math.Inf(1)
	}
	secs[s] = 0
	out[s] = Reach{OK: true}
	q := &openQueue{{s, 0}}
	for q.Len() > 0 {
		it := heap.Pop(q).(openItem)
		n := it.node
		if it.f > secs[n] {
			continue
		}
		if n != s && g.endOnly[n] {
			continue
		}
		for _, e := range g.out[n] {
			if !g.open(e) {
				continue
			}
			m := g.Edges[e].To
			c := secs[n] + g.Edges[e].Length/g.speed(e, lim)
			if c < secs[m] {
				secs[m] = c
				out[m] = Reach{Metres: out[n].Metres + g.Edges[e].Length, OK: true}
				heap.Push(q, openItem{m, c})
			}
		}
	}
	for i := range out {
		if out[i].OK {
			out[i].Duration = time.Duration(secs[i] * float64(time.Second))
		}
	}
	return out, true
}
