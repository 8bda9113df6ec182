package geo

import (
	"container/heap"
	"math"
)

// checkReach checks that the lanes connect everything: every centre can be
// reached from every other and every place can be reached and left.
//
// It splits the network into strongly connected components, once; the one
// holding the most yard bays is the main one. A centre whose bays all lie in
// one other component is reported once, as cut off, and the places of that
// component are not reported again. Any other place outside the main
// component is reported on its own, as unreachable, a dead end, or both.
func (l *loader) checkReach() {
	net := l.site.Network
	comp, count := net.components()
	baysIn := make([]int, count)
	centreComp := map[string]int{} // centre -> its bays' component, or -1 if split
	for _, b := range l.site.Bays {
		n, ok := net.index[b.ID]
		if !ok || b.Centre == "" {
			continue
		}
		baysIn[comp[n]]++
		if c, seen := centreComp[b.Centre]; !seen {
			centreComp[b.Centre] = comp[n]
		} else if c != comp[n] {
			centreComp[b.Centre] = -1
		}
	}
	main := -1 // most bays; on a tie, the first bay's in file order
	for _, b := range l.site.Bays {
		if n, ok := net.index[b.ID]; ok && b.Centre != "" {
			if c := comp[n]; main < 0 || baysIn[c] > baysIn[main] {
				main = c
			}
		}
	}
	if main < 0 {
		return // no bay is on a lane: already reported
	}
	var seed int
	for n := range net.Nodes {
		if comp[n] == main {
			seed = n
			break
		}
	}
	fwd, bwd := net.reach([]int{seed}, net.out), net.reach([]int{seed}, net.reverse())
	covered := map[int]bool{} // components explained by a centre's message
	for i, c := range l.site.Centres {
		cc, ok := centreComp[c.ID]
		if !ok || cc < 0 || cc == main {
			continue
		}
		var probe int
		for n := range net.Nodes {
			if comp[n] == cc {
				probe = n
				break
			}
		}
		switch to, from := fwd[probe], bwd[probe]; {
		case !to && !from:
			l.centreF[i].errorf("is cut off: no lane path leads between its bays and the other centres' in either direction")
		case !to:
			l.centreF[i].errorf("is cut off: no lane path leads from the other centres to its bays")
		default:
			l.centreF[i].errorf("is cut off: no lane path leads from its bays to the other centres")
		}
		covered[cc] = true
	}
	for _, pl := range l.places() {
		n, ok := net.index[pl.id]
		if !ok || comp[n] == main || covered[comp[n]] {
			continue
		}
		switch reached, leaves := fwd[n], bwd[n]; {
		case !reached && !leaves:
			pl.f.errorf("is cut off: no lane path leads to it from the centres' bays, nor from it back to them")
		case !reached:
			pl.f.errorf("cannot be reached: no lane path leads to it from the centres' bays")
		default:
			pl.f.errorf("is a dead end: no lane path leads from it back to the centres' bays")
		}
	}
}

// components labels each node with its strongly connected component
// (Tarjan's algorithm, without recursion) and returns the labels and their
// count.
func (n *Network) components() ([]int, int) {
	N := len(n.Nodes)
	index, low, comp := make([]int, N), make([]int, N), make([]int, N)
	onStack := make([]bool, N)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	var stack []int
	type frame struct{ v, next int }
	counter, count := 0, 0
	for root := 0; root < N; root++ {
		if index[root] >= 0 {
			continue
		}
		calls := []frame{{root, 0}}
		index[root], low[root] = counter, counter
		counter++
		stack = append(stack, root)
		onStack[root] = true
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			if f.next < len(n.out[f.v]) {
				w := n.out[f.v][f.next].to
				f.next++
				switch {
				case index[w] < 0:
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					calls = append(calls, frame{w, 0})
				case onStack[w]:
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = count
					if w == v {
						break
					}
				}
				count++
			}
		}
	}
	return comp, count
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
