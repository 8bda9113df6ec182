package routing

import (
	"fmt"
	"math"
	"slices"
)

// Grant is how far a shuttle may drive: global step indexes, both nodes.
type Grant struct {
	From, To int // the authority ended at From and now ends at To
}

// Extended reports whether the grant moved.
func (g Grant) Extended() bool { return g.To > g.From }

// Grant extends a shuttle's authority as far as it can: step by step along
// its route, while the next edge and node are first in their queues (a
// station: among the first as many as it has chargers), up to GrantAhead
// metres beyond the last node the shuttle reached, and never past a hold.
// The controller releases the VDA 5050 base exactly this far.
func (t *Traffic) Grant(id string) (Grant, error) {
	s, err := t.lookup(id)
	if err != nil {
		return Grant{}, err
	}
	g := Grant{From: s.granted, To: s.granted}
	t.extend(s)
	limit := s.step(s.at).end + t.cfg.GrantAhead
	for s.granted+2 <= s.queued {
		here := s.step(s.granted)
		if here.hold {
			break
		}
		edge, node := s.step(s.granted+1), s.step(s.granted+2)
		if node.end > limit && s.granted > s.at {
			break // at least one edge ahead is always allowed
		}
		okEdge, lentEdge := t.mayGrant(edge.v, true)
		okNode, lentNode := t.mayGrant(node.v, true)
		if okEdge && okNode && t.spillBlock(s, s.granted+1) != nil {
			okNode = false
		}
		if okEdge && okNode && (lentEdge || lentNode) {
			if t.passLent(s) {
				s.blocked = false
				continue
			}
			okEdge = false
		}
		if !okEdge || !okNode {
			if !s.blocked {
				s.blocked = true // cut short by another's reservation
				t.waits++
			}
			break
		}
		edge.v.granted, node.v.granted = true, true
		s.granted += 2
		s.blocked = false
	}
	g.To = s.granted
	return g, nil
}

// Waits counts the reservation conflicts traffic control resolved so
// far: the times a shuttle's authority was cut short, within the
// GrantAhead it would have been given, because the next lane segment or
// node was reserved by another shuttle (held, or another first in its
// queue). Each counts once, until its authority grows again.
func (t *Traffic) Waits() int { return t.waits }

// grantable reports whether a visit may be granted: fewer earlier visits
// of other shuttles in its queue than the resource has room for. A shuttle
// that turns back over a block it has just left is alone there.
func (t *Traffic) grantable(v *visit) bool {
	ok, _ := t.mayGrant(v, false)
	return ok
}

// mayGrant is grantable; with pastLent, visits lent by stilled shuttles
// (Lend) are not counted, and viaLent tells whether one was passed over:
// then the grant must take the shuttle past the lent visits at once
// (passThrough).
func (t *Traffic) mayGrant(v *visit, pastLent bool) (ok, viaLent bool) {
	r := &t.res[v.s.step(v.step).res]
	i := r.index(v)
	if i < 0 {
		return false, false
	}
	ahead := 0
	for _, u := range r.queue[:i] {
		if u.s == v.s {
			continue
		}
		if pastLent && t.lent(u) {
			viaLent = true
			continue
		}
		if ahead++; ahead >= r.capacity {
			return false, viaLent
		}
	}
	return true, viaLent
}

// passLent grants s, whose next step is lent by a stilled shuttle, past
// what is lent (passThrough), and reports whether it did. Where what a
// stilled shuttle is queued for beyond its authority comes first, s goes
// ahead of it, as Overtake would, if it is then granted past what is lent
// and the wait-for graph stays acyclic; otherwise nothing changes.
func (t *Traffic) passLent(s *shuttle) bool {
	from := s.granted
	to := t.passThrough(s)
	var log promotion
	if to < 0 {
		log = t.promoteOver(s, s.granted+1, s.queued, func(v *visit) bool { return v.s.stilled })
		if len(log) == 0 {
			return false
		}
		if to = t.passThrough(s); to < 0 {
			t.demote(log)
			return false
		}
	}
	for i := from + 1; i <= to; i++ {
		s.step(i).v.granted = true
	}
	s.granted = to
	if len(log) > 0 && t.cyclic(log.visits()) {
		for i := from + 1; i <= to; i++ {
			s.step(i).v.granted = false
		}
		s.granted = from
		t.demote(log)
		return false
	}
	return true
}

// passThrough is how far s, whose next step is lent by a stilled shuttle,
// must be granted so as not to stop on what is lent: step by step from its
// authority end, each grantable with lent visits passed over, to the first
// node the clearance past the last lent step. -1 if it cannot be granted
// that far now (a step is not grantable, a hold or the end of its route
// comes first), or if what s is queued for beyond waits on a lender: s
// might then stand, at its next wait, on the way the lender must take once
// it goes on. So whoever passes what is lent is off it without waiting for
// anyone, and a lender that reclaims it (Reclaim) only waits for them to
// drive off it.
func (t *Traffic) passThrough(s *shuttle) int {
	clearAt := math.Inf(-1)
	var lenders []*shuttle
	for i := s.granted; i+2 <= s.queued; i += 2 {
		if s.step(i).hold {
			return -1
		}
		for _, st := range []*step{s.step(i + 1), s.step(i + 2)} {
			ok, viaLent := t.mayGrant(st.v, true)
			if !ok {
				return -1
			}
			if viaLent {
				clearAt = st.end + t.clearance
				for _, u := range t.res[st.res].queue {
					if t.lent(u) && u.s != s && !slices.Contains(lenders, u.s) {
						lenders = append(lenders, u.s)
					}
				}
			}
		}
		if s.step(i+2).end < clearAt {
			continue
		}
		for _, o := range lenders {
			w := t.waitingOnPast(o, true, true)
			for j := i + 3; j <= s.queued; j++ {
				if w.has(s.step(j).v) {
					return -1
				}
			}
		}
		return i + 2
	}
	return -1
}

// Lend stills a shuttle that stands where it is for a time nobody bounds
// (a broken-down vehicle that has confirmed it is paused at the node it
// last reached): what it has been granted beyond that node is lent to the
// shuttles queued behind it there, which may pass over it (passThrough)
// while it stands. Its route, its authority and its places in the queues
// stay as they are: the vehicle has been told to drive on, and will once
// it goes on; it queues nothing more meanwhile. What it is queued for
// beyond its authority, a shuttle passing over what it lent goes ahead of
// (passLent) where the queues stay free of cycles. (Dropping those visits
// and queueing them again later, behind everyone, broke that: the
// property tests found a shuttle that could never queue its way on.)
// Reclaim ends it.
func (t *Traffic) Lend(id string) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	s.stilled = true
	return nil
}

// Reclaim takes back what a stilled shuttle lent: true once no other
// shuttle holds any of it (those that passed over it have driven off it;
// what another stilled shuttle was granted there and lends in turn does
// not count), and the shuttle may then go on as granted; false while one
// still does. True for a shuttle that lent nothing.
func (t *Traffic) Reclaim(id string) (bool, error) {
	s, err := t.lookup(id)
	if err != nil {
		return false, err
	}
	if !s.stilled {
		return true, nil
	}
	if t.onLent(s) != nil {
		return false, nil
	}
	s.stilled = false
	return true, nil
}

// onLent returns a visit of another shuttle that keeps a stilled s from
// taking back what it lent: granted on a resource s lent that has no room
// left for s, or granted there after s's visit to a shuttle now stilled
// too (it passed over s's lane and broke down before it was off it; it
// reclaims first: s, on its way, would stop where that one must pass,
// and wait for it there: harness case 7 of -soak.seed 7). Another stilled
// shuttle's lent grant there before s's does not count: it is not where
// that one stands. Nil if none.
func (t *Traffic) onLent(s *shuttle) *visit {
	for i := s.at + 1; i <= s.granted; i++ {
		r := &t.res[s.step(i).res]
		var others []*visit
		mine := false
		for _, u := range r.queue {
			if u.s == s {
				mine = true
				continue
			}
			if u.granted && mine && u.s.stilled {
				// a stilled shuttle that passed over s's lane and stopped
				// before it was off it: it goes on first, for its grant
				// reaches past s's, and s would stand in its way
				return u
			}
			if u.granted && !t.lent(u) {
				others = append(others, u)
			}
		}
		if len(others) >= r.capacity {
			return others[0]
		}
	}
	return nil
}

// lookup returns the shuttle id, or ErrUnknownShuttle naming it.
func (t *Traffic) lookup(id string) (*shuttle, error) {
	s, ok := t.shuttles[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownShuttle, id)
	}
	return s, nil
}

// Stilled tells whether a shuttle has lent what it was granted (Lend) and
// not reclaimed it yet.
func (t *Traffic) Stilled(id string) bool {
	s, ok := t.shuttles[id]
	return ok && s.stilled
}

// Progress records that a shuttle reached the node at global step index
// step (the VDA 5050 lastNodeSequenceId plus the plan's FirstStep) and
// releases what it has left behind by more than the clearance (vehicle
// length plus minimum gap). At a station everything behind is released: the
// shuttle stands in a stall off the lane.
func (t *Traffic) Progress(id string, stepIdx int) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	if stepIdx < s.at || stepIdx > s.granted || stepIdx%2 != 0 {
		return fmt.Errorf("%w: shuttle %q reported step %d, but it stands at %d and may drive to %d",
			ErrBadProgress, id, stepIdx, s.at, s.granted)
	}
	s.at = stepIdx
	// a stilled shuttle that moves has not stood still: what it lent is
	// its own again, and nobody more is granted over it (a vehicle that
	// lost its pause, say after a restart, drove its order on)
	s.stilled = false
	here := s.step(s.at)
	station := t.res[here.res].capacity > 1
	for s.released < s.at {
		st := s.step(s.released)
		if !station && st.end+t.clearance > here.end {
			break
		}
		t.unqueue(st)
		s.released++
	}
	t.forget(s)
	return nil
}

// forget drops released steps from memory once there are many.
func (t *Traffic) forget(s *shuttle) {
	if n := s.released - s.base; n > 64 {
		s.steps = slices.Delete(s.steps, 0, n)
		s.base = s.released
	}
}

// ClearHold lets a shuttle go on past a hold (a customs release). node names
// the hold; it is an error if the shuttle has no hold there.
func (t *Traffic) ClearHold(id, node string) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	for i := s.released; i <= s.last(); i++ {
		st := s.step(i)
		if st.hold && st.node >= 0 && t.g.Nodes[st.node].ID == node {
			st.hold = false
			s.holdsChanged()
			return nil
		}
	}
	return fmt.Errorf("routing: shuttle %q has no hold at %q", id, node)
}

// Withhold makes a shuttle wait where its authority ends, reserving
// nothing beyond: a hold there, until ClearHold, and what is queued of its
// route past it dropped from the queues, so that the shuttles queued
// behind it there no longer wait on it. A caller uses it when the shuttle
// will wait there for a time nobody bounds instead of going on (at a bay,
// for a place in the customs area ahead).
func (t *Traffic) Withhold(id string) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	s.step(s.granted).hold = true
	s.holdsChanged()
	t.unqueueAfter(s, s.granted)
	return nil
}

// Cancel drops a shuttle's route beyond what it has been granted: it will
// stop at the end of its authority and stand there. It is refused with
// ErrBlocked, changing nothing, when standing there would stop a shuttle
// routed after it, or the place is full.
func (t *Traffic) Cancel(id string) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	if err := t.canStand(s); err != nil {
		return err
	}
	t.clearFinals(s)
	t.dropAfter(s, s.granted)
	s.holdsChanged()
	t.markFinals(s)
	return nil
}

// canStand reports why s may not stop for good at the end of its
// authority: another shuttle is routed over where it would stand, or the
// place is full.
func (t *Traffic) canStand(s *shuttle) error {
	end := s.step(s.granted)
	if r := &t.res[end.res]; t.othersFinal(r, s) >= r.capacity {
		return fmt.Errorf("%w: shuttle %q cannot stop at %s: shuttle %q will stand there", ErrBlocked, s.id, t.resName(end.res), r.finals[0].id)
	}
	if ri, who := t.wouldStop(s, t.finalSet(s.pending(s.granted)), t.waitingOn(s, false)); ri >= 0 {
		return fmt.Errorf("%w: shuttle %q cannot stop short: %s is routed over %s behind it", ErrBlocked, s.id, who, t.resName(ri))
	}
	return nil
}

// Remove takes a shuttle off the lanes altogether (it was towed away or
// deleted from the roster): everything it held or was queued for is freed.
func (t *Traffic) Remove(id string) error {
	s, err := t.lookup(id)
	if err != nil {
		return err
	}
	t.clearFinals(s)
	for i := s.released; i <= s.last(); i++ {
		if st := s.step(i); st.v == nil {
			t.res[st.res].later--
		} else {
			t.unqueue(st)
		}
	}
	delete(t.shuttles, id)
	return nil
}

// Position is where a shuttle stands and how far it may drive.
type Position struct {
	At        string // the last node it reached
	AtStep    int
	Authority string // the node its authority ends at
	Granted   int
	Goal      string // the last node of its route
	GoalStep  int    // its global step
	Arrived   bool   // it stands at its goal
	// Hold is the first node from where it stands on at which it must
	// wait for ClearHold ("" if none).
	Hold string
}

// Position reports a shuttle's position on its route.
func (t *Traffic) Position(id string) (Position, bool) {
	s, ok := t.shuttles[id]
	if !ok {
		return Position{}, false
	}
	nodes, last := t.g.Nodes, s.last()
	p := Position{At: nodes[s.step(s.at).node].ID, AtStep: s.at, Authority: nodes[s.step(s.granted).node].ID, Granted: s.granted,
		Goal: nodes[s.step(last).node].ID, GoalStep: last, Arrived: s.at == last}
	if h := s.nextHold(); h >= 0 {
		p.Hold = nodes[s.step(h).node].ID
	}
	return p, true
}

// Step returns the node or edge id at a shuttle's global step index.
func (t *Traffic) Step(id string, stepIdx int) (string, bool) {
	s, ok := t.shuttles[id]
	if !ok || stepIdx < s.base || stepIdx > s.last() {
		return "", false
	}
	st := s.step(stepIdx)
	if st.node >= 0 {
		return t.g.Nodes[st.node].ID, true
	}
	return t.g.Edges[st.edge].ID, true
}

// RoutedOver lists the shuttles whose route, beyond their authority, uses
// a lane or link: after closing it, re-plan them.
func (t *Traffic) RoutedOver(laneOrLink string) []string {
	var out []string
	for id, s := range t.shuttles {
		for i := s.granted + 1; i <= s.last(); i++ {
			if st := s.step(i); st.edge >= 0 {
				e := t.g.Edges[st.edge]
				if e.Lane == laneOrLink || e.Link == laneOrLink {
					out = append(out, id)
					break
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// Holders lists the shuttles holding (granted, not yet released) a node or
// edge, by id.
func (t *Traffic) Holders(nodeOrEdge string) []string {
	ri := -1
	if n, ok := t.g.Node(nodeOrEdge); ok {
		ri = t.nodeRes(n)
	} else if e, ok := t.g.Edge(nodeOrEdge); ok {
		ri = t.edgeRes(e)
	}
	if ri < 0 {
		return nil
	}
	var out []string
	for _, v := range t.res[ri].queue {
		if v.granted {
			out = append(out, v.s.id)
		}
	}
	return out
}

// WayAhead looks at a shuttle's route from the end of its authority to
// the first node where done is true and the clearance past it (or to its
// goal, if it comes first). clear: no other shuttle holds, or is queued
// ahead of it on, any node or block of it, so that the shuttle would be
// granted all that way without waiting for anyone. twoWay: a block of
// it is on a two-way lane, which shuttles of both directions share.
func (t *Traffic) WayAhead(id string, done func(node string) bool) (clear, twoWay bool) {
	s, ok := t.shuttles[id]
	if !ok {
		return false, false
	}
	clear = true
	stop := math.Inf(1)
	for i := s.granted + 1; i <= s.last(); i++ {
		st := s.step(i)
		for _, v := range t.res[st.res].queue {
			if v.s == s {
				break // what queued behind it waits for it
			}
			clear = false
		}
		if st.edge >= 0 {
			twoWay = twoWay || t.g.TwoWay(st.edge)
			continue
		}
		if math.IsInf(stop, 1) && done(t.g.Nodes[st.node].ID) {
			stop = st.end + t.clearance
		}
		if st.end >= stop {
			break
		}
	}
	return clear, twoWay
}

// Free reports whether a node is free to be a new goal: no shuttle holds it,
// is routed through it, or will stand there.
func (t *Traffic) Free(node string) bool {
	n, ok := t.g.Node(node)
	if !ok {
		return false
	}
	r := &t.res[t.nodeRes(n)]
	return len(r.queue)+r.later < r.capacity && len(r.finals) < r.capacity
}

// WaitsFor says what keeps a shuttle from being granted further: a hold,
// the end of its route, or the shuttle ahead of it in a queue.
func (t *Traffic) WaitsFor(id string) Wait {
	s, ok := t.shuttles[id]
	if !ok {
		return Wait{Kind: WaitUnknownShuttle}
	}
	if s.stilled {
		if u := t.onLent(s); u != nil {
			return Wait{Kind: WaitLent, Shuttle: u.s.id, Resource: t.resName(u.s.step(u.step).res)}
		}
		return Wait{Kind: WaitLent}
	}
	if s.granted == s.last() {
		return Wait{Kind: WaitNothing}
	}
	if here := s.step(s.granted); here.hold {
		return Wait{Kind: WaitHold, Resource: t.g.Nodes[here.node].ID}
	}
	for _, i := range []int{s.granted + 1, s.granted + 2} {
		v := s.step(i).v
		if v == nil {
			return Wait{Kind: WaitNotQueued, Detail: s.stuck}
		}
		if t.grantable(v) {
			continue
		}
		r := &t.res[s.step(i).res]
		for _, u := range r.queue {
			if u == v {
				break
			}
			if u.s != s {
				kind := WaitQueued
				if u.granted {
					kind = WaitHeld
				}
				return Wait{Kind: kind, Shuttle: u.s.id, Resource: t.resName(s.step(i).res)}
			}
		}
	}
	if u := t.spillBlock(s, s.granted+1); u != nil {
		return Wait{Kind: WaitSpill, Shuttle: u.s.id, Resource: t.resName(u.s.step(u.step).res)}
	}
	return Wait{Kind: WaitGrantAhead}
}

// Overtake lets a shuttle whose next resource is queued for a shuttle that
// is still elsewhere (routed through it earlier but not granted it) go
// first: the visits of the rest of its route move ahead of the ungranted
// visits of other shuttles (overtaking on one resource but not on the
// stretch after it would only trade places in a cycle), and the move is
// kept only if the wait-for graph stays acyclic; otherwise everything is
// put back. It reports whether anything moved. Queue order is
// planning order; this lets the shuttle that is there first go first, as
// long as that cannot deadlock. It walks the wait-for graph, so callers
// use it for shuttles that have waited a while, not on every grant.
func (t *Traffic) Overtake(id string) bool {
	s, ok := t.shuttles[id]
	if !ok {
		return false
	}
	log := t.promote(s, s.granted+1, s.queued)
	if len(log) == 0 {
		return false
	}
	if !t.cyclic(log.visits()) {
		return true
	}
	t.demote(log)
	return false
}

// moved is one visit moved ahead in its queue by promote.
type moved struct {
	res, from int
	v         *visit
}

// promotion is what promote moved, in order.
type promotion []moved

func (p promotion) visits() []*visit {
	out := make([]*visit, len(p))
	for i, m := range p {
		out[i] = m.v
	}
	return out
}

// promote moves the visits of s's steps from..to ahead of the ungranted
// visits of other shuttles before them in their queues (never at a
// station, nor where s will stand: nobody may be put behind it there), and
// returns what it moved so that demote can put it back.
func (t *Traffic) promote(s *shuttle, from, to int) promotion {
	return t.promoteOver(s, from, to, func(*visit) bool { return true })
}

// promoteOver is promote over only those ungranted visits of others that
// over says it may go ahead of.
func (t *Traffic) promoteOver(s *shuttle, from, to int, over func(*visit) bool) promotion {
	var log promotion
	final := map[int]bool{}
	for _, ri := range s.finals {
		final[ri] = true
	}
	for i := from; i <= to; i++ {
		st := s.step(i)
		r := &t.res[st.res]
		if r.capacity > 1 || final[st.res] {
			break
		}
		at := r.index(st.v)
		j := at
		for j > 0 && !r.queue[j-1].granted && r.queue[j-1].s != s && over(r.queue[j-1]) {
			j--
		}
		if j == at {
			continue
		}
		r.deleteAt(at)
		r.insertAt(j, st.v)
		log = append(log, moved{st.res, at, st.v})
	}
	return log
}

// demote undoes a promotion.
func (t *Traffic) demote(log promotion) {
	for i := len(log) - 1; i >= 0; i-- {
		r := &t.res[log[i].res]
		r.deleteAt(r.index(log[i].v))
		r.insertAt(log[i].from, log[i].v)
	}
}
