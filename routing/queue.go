package routing

import (
	"fmt"
	"math"
)

// heldByWaiting fails when a shuttle that waits on s holds a resource of
// steps: s could never pass it.
func (t *Traffic) heldByWaiting(s *shuttle, steps []step, waiting waitSet) error {
	if waiting.n == 0 {
		return nil
	}
	for _, st := range steps {
		for _, v := range t.res[st.res].queue {
			if v.s != s && v.granted && waiting.has(v) {
				return fmt.Errorf("%w: shuttle %q holds %s and waits for %q", ErrBlocked, v.s.id, t.resName(st.res), s.id)
			}
		}
	}
	return nil
}

// laterOn counts s's own unqueued steps on resource ri.
func (s *shuttle) laterOn(ri int) int {
	n := 0
	for i := s.queued + 1; i <= s.last(); i++ {
		if s.step(i).res == ri {
			n++
		}
	}
	return n
}

// horizon is the last step of s that should be queued now.
//
// A route over one-way lanes only is queued as far as the queue-ahead
// distance from where the shuttle stands (at least one edge and node
// more), and never past a hold (a stop line where it waits for customs):
// what lies beyond is queued once the hold is cleared, so a shuttle that is
// diverted there has not made others wait for it on a way it will not take.
//
// A two-way stretch that the queued part reaches is queued whole in one
// go, holds within it and all, and on past its end until the shuttle's
// clearance is off it: every shuttle then passes the blocks of a two-way
// stretch in one queue order, no two shuttles meet head-on, and none stops
// on the stretch for want of room beyond it. (Queueing whole everything up
// to the first hold after the last two-way lane of a route, as this did
// before, queued a route across a whole site as soon as its goal was at the
// end of a two-way stub, and routes that lap a yard ring then closed cycles
// that refused every later route.) With an infinite QueueAhead every route
// is queued whole when it is planned, holds and all.
func (t *Traffic) horizon(s *shuttle) int {
	to := s.queued
	if s.stilled {
		return to // it queues nothing more until it has reclaimed what it lent
	}
	if math.IsInf(t.cfg.QueueAhead, 1) {
		return s.last() // whole routes, holds and all
	}
	limit := s.step(s.at).end + t.cfg.QueueAhead
	for to+2 <= s.last() && !s.step(to).hold && (to == s.queued || s.step(to+2).end <= limit) {
		to += 2
	}
	return t.pastTwoWay(s, to)
}

// pastTwoWay extends a queueing horizon that ends on or just before a
// two-way stretch through the whole stretch and the clearance beyond it.
func (t *Traffic) pastTwoWay(s *shuttle, to int) int {
	twoWay := func(i int) bool { return t.g.TwoWay(s.step(i).edge) }
	if to+2 > s.last() || !twoWay(to+1) || s.step(to).hold {
		return to // nothing is queued past a hold, not even a two-way stretch
	}
	for to+2 <= s.last() && twoWay(to+1) {
		to += 2
	}
	clear := s.step(to).end + t.clearance
	for to+2 <= s.last() && !s.step(to).hold && !twoWay(to+1) && s.step(to).end < clear {
		to += 2
	}
	// a passing place: another two-way stretch within GrantAhead of this
	// one's end is queued with it, so that shuttles wait for the next
	// stretch in one queue order with those coming the other way, not in
	// the passing place, which they would fill from both ends
	end := to
	for end+2 <= s.last() && !s.step(end).hold && !twoWay(end+1) && s.step(end+2).end-s.step(to).end <= t.cfg.GrantAhead {
		end += 2
	}
	if end > to && end+1 <= s.last() && twoWay(end+1) && !s.step(end).hold {
		to = end
	}
	return t.pastTwoWay(s, to) // another stretch right after
}

// queueUpTo gives s's steps after its queued part up to global step to a
// visit each: last in every queue, but ahead of every visit in waiting.
func (t *Traffic) queueUpTo(s *shuttle, to int, waiting waitSet) []*visit {
	var added []*visit
	for i := s.queued + 1; i <= to; i++ {
		st := s.step(i)
		v := &visit{s: s, step: i}
		st.v = v
		r := &t.res[st.res]
		r.later--
		at := len(r.queue)
		if waiting.n > 0 {
			for j, u := range r.queue {
				if waiting.has(u) {
					at = j
					break
				}
			}
		}
		r.insertAt(at, v)
		added = append(added, v)
	}
	s.queued = max(s.queued, to)
	return added
}

// goFirst tries, when the visits just queued for s's steps from..to close
// a cycle, to put them ahead of the ungranted visits of others in their
// queues instead: where a shuttle that comes near a junction later was
// queued there first although it is still behind s (its queue-ahead
// reached the junction before s's did), s goes first. It keeps the move
// only if the wait-for graph is then acyclic, as Overtake does.
func (t *Traffic) goFirst(s *shuttle, from, to int, added []*visit) bool {
	log := t.promote(s, from, to)
	if len(log) > 0 && !t.cyclic(added) {
		return true
	}
	t.demote(log)
	return false
}

// extend queues more of s's route as it comes within the queue-ahead
// distance, by the rules of insert. When that could deadlock it queues
// nothing and the shuttle waits at the end of what it is queued for; it
// tries again on its next grant.
func (t *Traffic) extend(s *shuttle) {
	if s.stilled || s.queued >= s.last() || s.step(s.queued).hold || s.step(s.queued).end >= s.step(s.at).end+t.cfg.QueueAhead-t.clearance {
		return
	}
	to := t.horizon(s)
	waiting := t.waitingOn(s, true)
	s.stuck = ""
	if waiting.n > 0 {
		waiting = t.withTainted(waiting)
		if err := t.heldByWaiting(s, s.steps[s.queued+1-s.base:to+1-s.base], waiting); err != nil {
			s.stuck = err.Error()
			return
		}
	}
	from := s.queued
	added := t.queueUpTo(s, to, waiting)
	if waiting.n > 0 && t.cyclic(added) && !t.goFirst(s, from+1, to, added) {
		s.stuck = "queueing further would close a cycle"
		t.unqueueAfter(s, from)
	}
}

// unqueueAfter takes s's visits of its steps after global step i out of
// their queues: those steps are queued again later, by extend.
func (t *Traffic) unqueueAfter(s *shuttle, i int) {
	for j := s.queued; j > i; j-- {
		st := s.step(j)
		t.unqueue(st)
		st.v = nil
		t.res[st.res].later++
	}
	s.queued = min(s.queued, i)
}
