package routing

import "slices"

// Stop lines close past a shared lane.
//
// Where a two-way stretch ends and a customs stop line follows it on the
// one-way lane closer than two clearances, the queue at that stop line
// has room for one shuttle: the next one to come off the stretch stops
// with its tail on the stretch, or at the junction where the stretch
// ends, which the other direction's shuttles need to enter it. If the
// shuttle at the line then waits for something only the other direction
// can free (its inspection bay, taken by a refused container that must
// turn back into the other lane and leave over the stretch), nothing
// moves again. So such a stretch is entered towards that stop line only
// while nobody else is on the stretch or between its end and the stop
// line: a shuttle waits before the stretch, clear of the junction, until
// the one ahead has left the stop line (spillGuard).

// spillGuard is one stretch end followed closely by a stop line: the
// stretch's first edge in one direction (the key it is found under), the
// first edge past its end towards the stop line, and the resources a
// shuttle bound that way must find held by nobody else before it enters
// the stretch: the stretch's blocks, and the lane from its end to the
// stop line, the stop line included.
type spillGuard struct {
	first int
	res   []int
}

// buildGuards finds the spill guards of the graph.
func (t *Traffic) buildGuards() map[int][]*spillGuard {
	g := t.g
	twoWay := func(e int) bool { return g.Blocks[g.Edges[e].Resource].TwoWay }
	lines := map[int]bool{}
	for _, cp := range g.Site().Checkpoints {
		if n, ok := g.Node(cp.ID); ok {
			lines[n] = true
		}
	}
	if len(lines) == 0 {
		return nil
	}
	in := g.In()
	room := 3 * t.clearance
	out := map[int][]*spillGuard{}
	for e0 := range g.Edges {
		if !twoWay(e0) {
			continue
		}
		start := true // no two-way block leads into e0's start but its own
		for _, ie := range in[g.Edges[e0].From] {
			if twoWay(ie) && g.Edges[ie].Resource != g.Edges[e0].Resource {
				start = false
			}
		}
		if !start {
			continue
		}
		stretch := []int{t.edgeRes(e0)}
		cur, ok := e0, true
		for ok {
			next := -1
			for _, oe := range g.Out(g.Edges[cur].To) {
				if twoWay(oe) && g.Edges[oe].Resource != g.Edges[cur].Resource {
					if next >= 0 {
						ok = false // a fork within the stretch: no guard
					}
					next = oe
				}
			}
			if next < 0 || !ok || len(stretch) > len(g.Edges) {
				break
			}
			cur = next
			stretch = append(stretch, t.edgeRes(cur))
		}
		if !ok {
			continue
		}
		end := g.Edges[cur].To
		for _, z := range g.Out(end) {
			if twoWay(z) {
				continue
			}
			res := slices.Clone(stretch)
			dist, e := 0.0, z
			for {
				dist += g.Edges[e].Length
				n := g.Edges[e].To
				res = append(res, t.edgeRes(e), t.nodeRes(n))
				if lines[n] {
					if dist < room {
						out[e0] = append(out[e0], &spillGuard{first: z, res: res})
					}
					break
				}
				if dist >= room || len(g.Out(n)) != 1 || twoWay(g.Out(n)[0]) {
					break
				}
				e = g.Out(n)[0]
			}
		}
	}
	return out
}

// spillBlock returns what keeps s from being granted the edge at step i
// and the node after it, as far as spill guards go: if that node is where
// a guarded stretch begins on s's route (or the edge is its first block)
// and s goes on past the stretch's end towards the stop line, the first
// visit of another shuttle granted any of the guard's resources; nil if
// there is none, or no guard applies.
func (t *Traffic) spillBlock(s *shuttle, i int) *visit {
	if len(t.guards) == 0 || i+1 > s.last() {
		return nil
	}
	k := -1 // the step of the stretch's first edge
	switch {
	case len(t.guards[s.step(i).edge]) > 0:
		k = i
	case i+2 <= s.last() && len(t.guards[s.step(i+2).edge]) > 0:
		k = i + 2
	default:
		return nil
	}
	gs := t.guards[s.step(k).edge]
	twoWay := func(e int) bool { return e >= 0 && t.g.Blocks[t.g.Edges[e].Resource].TwoWay }
	for k <= s.last() && twoWay(s.step(k).edge) {
		k += 2
	}
	if k > s.last() {
		return nil
	}
	for _, gd := range gs {
		if gd.first != s.step(k).edge {
			continue
		}
		for _, ri := range gd.res {
			for _, v := range t.res[ri].queue {
				if v.granted && v.s != s {
					return v
				}
			}
		}
	}
	return nil
}
