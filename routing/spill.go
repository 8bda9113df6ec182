package routing

import "slices"

// Stop lines past a shared lane.
//
// Where a two-way stretch ends and a customs stop line follows it on the
// one-way lane, the queue at that stop line has room for as many
// shuttles as fit between the stretch's end and the line: the next one
// to come off the stretch stops with its tail on the stretch, at the
// junction where it ends, which the other direction's shuttles need to
// enter it. If the shuttle at the line then waits for something only the
// other direction can free (its inspection bay, taken by a refused
// container that must turn back into the other lane and leave over the
// stretch), nothing moves again. So such a stretch is entered towards
// that stop line only while fewer shuttles than fit there are on the
// stretch or between its end and the stop line: a shuttle waits before
// the stretch, clear of the junction, until one ahead has left the stop
// line (spillGuard).

// spillReach is how far past a two-way stretch's end a stop line is
// looked for.
const spillReach = 300.0

// spillGuard is one stretch end followed by a stop line: the stretch's
// first edge in one direction (the key it is found under), the first
// edge past its end towards the stop line, the resources of the
// stretch's blocks and of the lane from its end to the stop line (the
// line included), and room: how many shuttles may stand on that lane,
// each its clearance behind the one ahead, with their clearance off the
// stretch. A shuttle bound that way enters the stretch only while fewer
// others than room hold any of the resources.
type spillGuard struct {
	first int
	res   []int
	room  int
}

// buildGuards finds the spill guards of the graph.
func (t *Traffic) buildGuards() map[int][]*spillGuard {
	g := t.g
	twoWay := g.TwoWay
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
			var at []float64 // where the nodes past the end lie, from it
			dist, e := 0.0, z
			for {
				dist += g.Edges[e].Length
				n := g.Edges[e].To
				res = append(res, t.edgeRes(e), t.nodeRes(n))
				at = append(at, dist)
				if lines[n] {
					out[e0] = append(out[e0], &spillGuard{first: z, res: res, room: t.spillRoom(at)})
					break
				}
				if dist >= spillReach || len(g.Out(n)) != 1 || twoWay(g.Out(n)[0]) {
					break
				}
				e = g.Out(n)[0]
			}
		}
	}
	return out
}

// spillRoom is how many shuttles fit on a lane past a stretch's end whose
// nodes lie at, from the end, the last being the stop line: one at the
// line, and each next one at the first node its clearance behind the one
// ahead, as long as the stretch's end is more than its clearance behind
// it (else it holds the end). At least one.
func (t *Traffic) spillRoom(at []float64) int {
	n, prev := 1, at[len(at)-1]
	for i := len(at) - 2; i >= 0; i-- {
		if at[i] <= t.clearance {
			break
		}
		if at[i] <= prev-t.clearance {
			n, prev = n+1, at[i]
		}
	}
	return n
}

// spillBlock returns what keeps s from being granted the edge at step i
// and the node after it, as far as spill guards go: if that node is where
// a guarded stretch begins on s's route (or the edge is its first block)
// and s goes on past the stretch's end towards the stop line, and as many
// other shuttles as there is room for hold the guard's resources, the
// first of them found; nil otherwise.
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
	twoWay := t.g.TwoWay
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
		var seen []*shuttle
		var first *visit
		for _, ri := range gd.res {
			for _, v := range t.res[ri].queue {
				if v.granted && v.s != s && !slices.Contains(seen, v.s) {
					seen = append(seen, v.s)
					if first == nil {
						first = v
					}
				}
			}
		}
		if len(seen) >= gd.room {
			return first
		}
	}
	return nil
}
