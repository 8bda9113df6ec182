package fleet

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/borderfleet/borderfleet/routing"
)

// Customs areas, and admission to them.
//
// Around a checkpoint the lanes of both directions and the turn-backs
// between them form short loops: at the default site, road-east from the
// turn-back before the export stop line to the one after it, that
// crossover, road-west back past the import stop line, and the other
// crossover. A container refused at one stop line turns back into the
// other direction's lane, behind the shuttles queued at the other stop
// line; one refused there turns back into the first lane. When both lanes
// of such a loop fill with shuttles that wait on each other's gates and
// turn-backs, no shuttle of the loop can move again: every one holds the
// next one's way, and nobody stands where another way is open (the
// randomized harness found this in every stall it reported). Traffic
// control cannot prevent it, because whether a shuttle at a stop line goes
// on or turns back is decided later, by an officer.
//
// So the loops are admission-controlled, as AGV zones are. A customs area
// is the union of every node on a loop of at most Tuning.CustomsLoopLength metres
// of lane through a stop line, merged across checkpoints whose loops
// share a node or lie so close that the entry of one would fall in the
// other (a stop line on no such loop needs no admission). It has as many
// places as its checkpoints have inspection bays. A laden shuttle that may still stop in the area for customs (its
// container is not released, pre-cleared or passed at some checkpoint of
// the area ahead) needs a place: it waits outside, at an entry (a node a
// vehicle's clearance before the first node of the area on its lane, and
// before any two-way stretch there), until one is free. Everything else
// (empty shuttles, released containers, refused ones on their way home
// through another country's area) drives in. A place is given back when
// the container no longer needs it (released there, or passed) or, for a
// refused container, once its shuttle has left the area.
//
// Why this suffices on such a loop: with at most as many undecided or
// refused containers inside as there are inspection bays, each can be
// pulled aside into a bay or turn back into a lane whose shuttles all go
// on (they are released, or empty), so every turn-back finds its way
// clear in the end, provided only one of them turns back at a time
// (turns.go); the harness measures it on generated sites. What it does
// not cover: an officer who refuses a container that was released
// when it drove in (it takes a place if one is free, and otherwise goes on
// without), and fleets large enough to fill the lanes between two areas.

// customsArea is one admission-controlled area around checkpoints.
type customsArea struct {
	checkpoints []string        // in site order
	nodes       map[string]bool // the nodes of its loops
	entries     map[string]bool // where a shuttle that needs a place waits
	places      int
	holders     []string          // shuttles with a place, in the order they got it
	bays        map[string]string // inspection bay -> the stop line it serves
	turning     []string          // refused shuttles turning back through it now (turns.go)
}

// name names an area by its checkpoints, for explanations.
func (a *customsArea) name() string { return strings.Join(a.checkpoints, ", ") }

func (a *customsArea) holds(id string) bool { return slices.Contains(a.holders, id) }

// take gives id a place if one is free.
func (a *customsArea) take(id string) bool {
	if a.holds(id) {
		return true
	}
	if len(a.holders) >= a.places {
		return false
	}
	a.holders = append(a.holders, id)
	return true
}

func (a *customsArea) give(id string) {
	if i := slices.Index(a.holders, id); i >= 0 {
		a.holders = slices.Delete(a.holders, i, i+1)
	}
}

// newCustomsAreas finds the customs areas of a lane graph; clearance is
// how far before an area its entries lie (a vehicle's length and gap),
// passing the longest passing place between two two-way stretches that
// traffic queues as one (routing: the clearance and the grant-ahead
// distance; no entry lies in one), loopLength the longest loop that makes
// one (in metres of lane: longer cycles, around a whole corridor or
// through both yards, have room to drain).
// Loops that share a node make one area, and so do two areas so close
// that the entry of one would lie in the other or within a clearance of
// it: a shuttle waiting for a place must stand in nobody's loop.
func newCustomsAreas(g *routing.Graph, clearance, passing, loopLength float64) []*customsArea {
	site := g.Site()
	var cps []int      // checkpoint indexes with a node
	var loops [][]bool // per checkpoint, the nodes of its loops
	for i, cp := range site.Checkpoints {
		n, ok := g.Node(cp.ID)
		if !ok {
			continue
		}
		l := g.Loops([]int{n}, loopLength)
		on := 0
		for _, x := range l {
			if x {
				on++
			}
		}
		if on > 1 { // a stop line on no short loop needs no admission
			cps = append(cps, i)
			loops = append(loops, l)
		}
	}
	group := make([]int, len(loops))
	for i := range group {
		group[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if group[i] != i {
			group[i] = find(group[i])
		}
		return group[i]
	}
	union := func(i, j int) bool {
		if a, b := find(i), find(j); a != b {
			group[max(a, b)] = min(a, b)
			return true
		}
		return false
	}
	owner := make([]int, len(g.Nodes)) // node -> a loop it is on, -1 if none
	for n := range owner {
		owner[n] = -1
		for i, l := range loops {
			if l[n] {
				if owner[n] >= 0 {
					union(owner[n], i)
				} else {
					owner[n] = i
				}
			}
		}
	}
	for i, l := range loops { // inspection bays belong to their checkpoint's loop
		if b, ok := g.Node(site.Checkpoints[cps[i]].InspectionBay); ok {
			l[b] = true
			if owner[b] >= 0 {
				union(owner[b], i)
			} else {
				owner[b] = i
			}
		}
	}
	in := g.In()
	entries := map[int]map[int]bool{} // group -> entry nodes
	for changed := true; changed; {
		changed = false
		clear(entries)
		for n, o := range owner {
			if o < 0 {
				continue
			}
			for _, e := range in[n] {
				from := g.Edges[e].From
				if owner[from] >= 0 && find(owner[from]) == find(o) {
					continue
				}
				at, hit := entryBefore(g, in, from, n, g.Edges[e].Length, clearance, passing, owner)
				if hit >= 0 {
					changed = union(hit, o) || changed
					continue
				}
				if entries[find(o)] == nil {
					entries[find(o)] = map[int]bool{}
				}
				entries[find(o)][at] = true
			}
		}
	}
	var areas []*customsArea
	byRoot := map[int]*customsArea{}
	for i, ci := range cps {
		root := find(i)
		a := byRoot[root]
		if a == nil {
			a = &customsArea{nodes: map[string]bool{}, entries: map[string]bool{}, bays: map[string]string{}}
			byRoot[root] = a
			areas = append(areas, a)
			for n := range entries[root] {
				a.entries[g.Nodes[n].ID] = true
			}
		}
		cp := site.Checkpoints[ci]
		a.checkpoints = append(a.checkpoints, cp.ID)
		if cp.InspectionBay != "" {
			a.places++
			a.bays[cp.InspectionBay] = cp.ID
		}
		for n, on := range loops[i] {
			if on {
				a.nodes[g.Nodes[n].ID] = true
			}
		}
	}
	for _, a := range areas {
		a.places = max(a.places, 1)
	}
	return areas
}

// entryBefore walks back from node n, which lies ahead metres before an
// area (before its node next), to where a shuttle may wait for a place:
// at least clearance before the area, on a one-way lane and not at a
// junction (it would stand in the way of shuttles leaving the area or
// crossing its lane). It stops early at a merge or a station. If the way
// back runs into a loop (owner >= 0) before that, it returns that loop as
// hit (the two areas are one), else hit is -1.
//
// Nor does it stop in a passing place: a divided stretch of at most
// passing metres between two two-way stretches. Traffic queues such a
// run as one (routing/queue.go, pastTwoWay), so that nobody waits between
// the two stretches; a shuttle held there for a place would, and the
// shuttles behind it would stand on the junction that those coming the
// other way need to leave the passing place: both directions then wait on
// each other for good (the harness found it on a generated site, shared
// stretches either side of a 45 m passing place before a customs area).
// The walk goes on back across the first two-way stretch instead.
func entryBefore(g *routing.Graph, in [][]int, n, next int, ahead, clearance, passing float64, owner []int) (at, hit int) {
	twoWay := g.TwoWay
	since := math.Inf(1) // metres walked back since the last two-way block
	for _, e := range g.Out(n) {
		if g.Edges[e].To == next && twoWay(e) {
			since = 0
		}
	}
	cand, left := -1, 0.0 // a stop just past a two-way stretch, and how much farther back another one would void it
	for {
		if owner[n] >= 0 {
			if cand >= 0 {
				return cand, -1
			}
			return -1, owner[n]
		}
		// the edges that lead into n from behind (not back from next, on
		// a two-way block); the one to follow unless n is a merge, a
		// station or a lane's start
		from, back := -1, -1
		for _, e := range in[n] {
			if g.Edges[e].From == next {
				continue
			}
			if twoWay(e) {
				back = e
			}
			if from >= 0 || g.Nodes[n].Capacity > 1 {
				from = -1
				break
			}
			from = e
		}
		switch {
		case cand >= 0 && left < 0:
			return cand, -1
		case cand >= 0 && back >= 0:
			cand, from = -1, back // a passing place: on across the stretch behind it
		case cand >= 0 && from < 0:
			return cand, -1
		case cand >= 0:
		case from < 0:
			return n, -1 // where it stops early
		case ahead >= clearance && !twoWay(from) && len(g.Out(n)) == 1:
			if since > passing {
				return n, -1 // a plain node of a one-way lane clear of the area
			}
			cand, left = n, passing-since
		}
		if twoWay(from) {
			since = 0
		} else {
			since += g.Edges[from].Length
		}
		if cand >= 0 {
			left -= g.Edges[from].Length
		}
		next, n, ahead = n, g.Edges[from].From, ahead+g.Edges[from].Length
	}
}

// needsPlace tells whether a shuttle's container may still stop in an area
// for customs: laden, on its way (not back), and not released, pre-cleared
// or passed at a checkpoint of the area on its way.
func (c *Controller) needsPlace(r *shuttleRec, a *customsArea) bool {
	m := r.move
	if m == nil || !m.Laden() || r.returning() || m.State == MoveToDropoff || m.State == MoveReturning {
		return false
	}
	for i := range m.Clearances {
		cl := &m.Clearances[i]
		if !slices.Contains(a.checkpoints, cl.Checkpoint) {
			continue
		}
		switch cl.Status(m.PreCleared) {
		case ClearancePassed, ClearanceReleased, ClearancePreCleared:
		default:
			return true
		}
	}
	return false
}

// entryHolds are the entries a new route of a shuttle must wait at: those
// of every area it needs a place in and has none.
func (c *Controller) entryHolds(r *shuttleRec) []string {
	var out []string
	for _, a := range c.areas {
		if !a.holds(r.id) && c.needsPlace(r, a) {
			for e := range a.entries {
				out = append(out, e)
			}
		}
	}
	slices.Sort(out)
	return out
}

// admit lets a shuttle past the entry it is held at next: at once if it
// needs no place there, and once its authority reaches the entry if it
// gets one.
func (c *Controller) admit(r *shuttleRec) {
	for range 4 { // entries of several areas in a row
		p, ok := c.tr.Position(r.id)
		if !ok || p.Hold == "" {
			return
		}
		a := c.areaEntered(p.Hold)
		if a == nil {
			return
		}
		if c.needsPlace(r, a) && (p.Authority != p.Hold || !a.take(r.id)) {
			return
		}
		if c.tr.ClearHold(r.id, p.Hold) != nil {
			return
		}
	}
}

// holdsPlace tells whether a shuttle has a place in a customs area.
func (c *Controller) holdsPlace(r *shuttleRec) bool {
	for _, a := range c.areas {
		if a.holds(r.id) {
			return true
		}
	}
	return false
}

// areaEntered returns the area whose entry node is, or nil.
func (c *Controller) areaEntered(node string) *customsArea {
	for _, a := range c.areas {
		if a.entries[node] {
			return a
		}
	}
	return nil
}

// givePlaces takes back the places no longer needed: a container released
// or passed there, a refused one whose shuttle has left the area. A
// shuttle inside an area that came to need a place (its release was
// changed to a refusal after it drove in) takes one if one is free.
func (c *Controller) givePlaces() {
	for _, a := range c.areas {
		for _, id := range slices.Clone(a.holders) {
			r := c.shuttles[id]
			if r == nil || !c.needsPlace(r, a) && !(r.returning() && a.nodes[r.node]) {
				a.give(id)
			}
		}
		for _, r := range c.recs {
			if a.nodes[r.node] && !a.holds(r.id) && c.needsPlace(r, a) {
				a.take(r.id)
			}
		}
	}
}

// admissionWait says what area a shuttle waits for a place in, "" if none:
// at the area's entry, or at the bay it was loaded at (waitsAtBay); or,
// refused and in a lay-by, for its turn to turn back (turns.go).
func (c *Controller) admissionWait(r *shuttleRec) string {
	a := c.waitsAtEntry(r)
	if a == nil {
		a = c.waitsAtBay(r)
	}
	if a == nil {
		if t := c.turnWait(r); t != nil {
			return fmt.Sprintf("its turn to turn back in the customs area of %s (turning: %s)", t.name(), strings.Join(t.turning, ", "))
		}
		return ""
	}
	return fmt.Sprintf("a place in the customs area of %s (%d, held by %s)", a.name(), a.places, strings.Join(a.holders, ", "))
}

// waitsAtEntry returns the area at whose entry a shuttle waits for a place,
// nil if none.
func (c *Controller) waitsAtEntry(r *shuttleRec) *customsArea {
	p, ok := c.tr.Position(r.id)
	if !ok || p.Hold == "" || p.Authority != p.Hold {
		return nil
	}
	if a := c.areaEntered(p.Hold); a != nil && c.needsPlace(r, a) && !a.holds(r.id) {
		return a
	}
	return nil
}

// waitsAtBay returns the customs area a laden shuttle waits for a place in
// at the bay it was loaded at, nil if it may leave: while the area ahead,
// where it would need a place, has none free, it would wait at the
// area's entry on the lane and hold up every shuttle behind it there,
// released containers and empty shuttles too; at the bay it holds up only
// the bay (on the default site, 20 seeds: 0.84 of the bound against 0.82).
// It leaves once a place is free, or its container is released there; the
// place is taken at the entry as before, so a place is never held for the
// drive. While it waits it reserves nothing beyond the bay (holdAtBay).
func (c *Controller) waitsAtBay(r *shuttleRec) *customsArea {
	if !loadedAtOrigin(r) {
		return nil
	}
	p, ok := c.tr.Position(r.id)
	if !ok || p.Granted != p.AtStep {
		return nil
	}
	if a := c.areaAhead(r, p); a != nil && c.needsPlace(r, a) && !a.holds(r.id) && len(a.holders) >= a.places {
		return a
	}
	return nil
}

// areaAhead returns the area whose entry a shuttle's route reaches
// first, nil if none.
func (c *Controller) areaAhead(r *shuttleRec, p routing.Position) *customsArea {
	for i := p.AtStep; i <= p.GoalStep; i += 2 {
		if n, ok := c.tr.Step(r.id, i); ok {
			if a := c.areaEntered(n); a != nil {
				return a
			}
		}
	}
	return nil
}

// holdAtBay keeps a laden shuttle at the bay it was loaded at while it
// waits there for a place in the area ahead (waitsAtBay), reserving
// nothing of the lanes beyond (routing: Withhold): a shuttle queued
// behind it at the bay's exit (to a neighbouring bay on the same stub, or
// round a yard ring it would block) would wait on it, and that wait is
// invisible to traffic's wait-for graph: the shuttles that hold the places
// it waits for were stuck in the yard behind that queue (harness case
// sim/soak/testdata/deadlock-waiting-at-a-bay-for-a-place.json). It tells
// whether the shuttle waits; one that may go has such a hold cleared.
func (c *Controller) holdAtBay(r *shuttleRec) bool {
	if c.waitsAtBay(r) != nil {
		_ = c.tr.Withhold(r.id)
		return true
	}
	if loadedAtOrigin(r) {
		if p, ok := c.tr.Position(r.id); ok && p.Hold == p.At && p.At == r.move.Origin {
			_ = c.tr.ClearHold(r.id, p.At) // no other hold stands at a centre's bay
		}
	}
	return false
}

// loadedAtOrigin tells whether a shuttle stands, on its way to deliver,
// at the bay its container was loaded at.
func loadedAtOrigin(r *shuttleRec) bool {
	return r.task == taskDeliver && r.move != nil && r.node == r.move.Origin
}
