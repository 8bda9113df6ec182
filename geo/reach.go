package geo

import (
	"container/heap"
	"math"
	"sort"
)

// checkReach checks that the lanes connect everything: every centre can be
// reached from every other and every place can be reached and left.
//
// It splits the network into strongly connected parts that hold yard bays;
// the part with the most bays is the main one. A centre whose bays all lie
// in another part is reported once, as cut off; its own places are not
// reported again. Any other place outside the main part is reported on its
// own, as unreachable, a dead end, or both.
func (l *loader) checkReach() {
	net := l.site.Network
	var yard []int
	for _, b := range l.site.Bays {
		if n, ok := net.index[b.ID]; ok && b.Centre != "" {
			yard = append(yard, n)
		}
	}
	if len(yard) == 0 {
		return // no bay is on a lane: already reported
	}
	parts := net.parts(yard)
	main := parts[0]
	covered := make([]bool, len(net.Nodes)) // nodes explained by a centre's message
	for _, p := range parts[1:] {
		for i, c := range l.site.Centres {
			if !l.allBaysIn(c.ID, p.in) {
				continue
			}
			switch to, from := main.fwd[p.seed], p.fwd[main.seed]; {
			case !to && !from:
				l.centreF[i].errorf("is cut off: no lane path leads between its bays and the other centres' in either direction")
			case !to:
				l.centreF[i].errorf("is cut off: no lane path leads from the other centres to its bays")
			default:
				l.centreF[i].errorf("is cut off: no lane path leads from its bays to the other centres")
			}
			for n, in := range p.in {
				covered[n] = covered[n] || in
			}
		}
	}
	for _, pl := range l.places() {
		n, ok := net.index[pl.id]
		if !ok || main.in[n] || covered[n] {
			continue
		}
		switch reached, leaves := main.fwd[n], main.bwd[n]; {
		case !reached && !leaves:
			pl.f.errorf("is cut off: no lane path leads to it from the centres' bays, nor from it back to them")
		case !reached:
			pl.f.errorf("cannot be reached: no lane path leads to it from the centres' bays")
		default:
			pl.f.errorf("is a dead end: no lane path leads from it back to the centres' bays")
		}
	}
}

// allBaysIn reports whether every bay of a centre that is on a lane is in.
func (l *loader) allBaysIn(centre string, in []bool) bool {
	found := false
	for _, b := range l.site.BaysOf(centre) {
		n, ok := l.site.Network.index[b.ID]
		if !ok {
			continue
		}
		if !in[n] {
			return false
		}
		found = true
	}
	return found
}

// part is a strongly connected set of nodes, with what it reaches (fwd)
// and what reaches it (bwd).
type part struct {
	seed         int
	in, fwd, bwd []bool
	seeds        int // how many of the seeds it holds
}

// parts returns the strongly connected parts holding the seeds, the one
// with the most seeds first.
func (n *Network) parts(seeds []int) []part {
	in := n.reverse()
	covered := make([]bool, len(n.Nodes))
	var out []part
	for _, s := range seeds {
		if covered[s] {
			continue
		}
		p := part{seed: s, fwd: n.reach([]int{s}, n.out), bwd: n.reach([]int{s}, in), in: make([]bool, len(n.Nodes))}
		for i := range p.in {
			p.in[i] = p.fwd[i] && p.bwd[i]
		}
		for _, t := range seeds {
			if p.in[t] {
				covered[t] = true
				p.seeds++
			}
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].seeds > out[j].seeds })
	return out
}

// reverse returns the arcs entering each node, as arcs to their tails.
func (n *Network) reverse() [][]arc {
	in := make([][]arc, len(n.Nodes))
	for from, arcs := range n.out {
		for _, a := range arcs {
			in[a.to] = append(in[a.to], arc{a.link, from})
		}
	}
	return in
}

// reach marks every node reachable from the sources along adj.
func (n *Network) reach(sources []int, adj [][]arc) []bool {
	seen := make([]bool, len(n.Nodes))
	stack := append([]int(nil), sources...)
	for _, s := range sources {
		seen[s] = true
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, a := range adj[v] {
			if !seen[a.to] {
				seen[a.to] = true
				stack = append(stack, a.to)
			}
		}
	}
	return seen
}

// Distance returns the shortest driving distance in metres from any of the
// nodes from to any of the nodes to, following lane directions. ok is false
// when no path exists or an id is unknown. Routing plans by travel time; this
// is the site's geometric measure.
func (n *Network) Distance(from, to []string) (metres float64, ok bool) {
	target := map[int]bool{}
	for _, id := range to {
		if i, found := n.index[id]; found {
			target[i] = true
		}
	}
	dist := make([]float64, len(n.Nodes))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	q := &distQueue{}
	for _, id := range from {
		if i, found := n.index[id]; found {
			dist[i] = 0
			heap.Push(q, distItem{i, 0})
		}
	}
	for q.Len() > 0 {
		it := heap.Pop(q).(distItem)
		if it.d > dist[it.node] {
			continue
		}
		if target[it.node] {
			return it.d, true
		}
		for _, a := range n.out[it.node] {
			if d := it.d + n.Links[a.link].Length; d < dist[a.to] {
				dist[a.to] = d
				heap.Push(q, distItem{a.to, d})
			}
		}
	}
	return 0, false
}

type distItem struct {
	node int
	d    float64
}

type distQueue []distItem

func (q distQueue) Len() int           { return len(q) }
func (q distQueue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q distQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *distQueue) Push(x any)        { *q = append(*q, x.(distItem)) }
func (q *distQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
