package fleet

import (
	"slices"
	"time"
)

// This file keeps the Controller's state from growing with its history:
// an ended move (delivered, returned, cancelled, failed) leaves the
// Controller Config.Retention after it ended, by the events' clock, and
// is handed out in Ready.Archived for its caller to keep (package daemon
// writes it to the store, where the API finds it). Which moves leave, and
// when, depends only on the events and their times, so a replay and a
// restore from a snapshot followed by the same events leave the same
// moves at the same events.
//
// What leaves with a move: its idempotency key (a request repeated with
// the key after the move left makes a new move), its place in the change
// order, its drop count and undecided customs decisions, and its bay
// windows. The counts of moves by state (MoveCounts) and Stats go on
// counting it.

// EndedAt is when the move ended (its last change of state into a final
// state), and whether it has.
func (m *Move) EndedAt() (time.Time, bool) {
	if !m.State.Final() {
		return time.Time{}, false
	}
	for i := len(m.History) - 1; i >= 0; i-- {
		if h := m.History[i]; h.Changed() && h.To == m.State {
			return h.At, true
		}
	}
	return m.Created, true
}

// Move returns the move of an id, if the Controller has it (a move that
// left it after Config.Retention it has not). The caller must not change
// it.
func (c *Controller) Move(id string) (*Move, bool) {
	m, ok := c.moves[id]
	return m, ok
}

// prune lets the ended moves whose retention has passed at now leave, into
// c.archived. A move that something still points to (a shuttle, a bay
// booking) stays until nothing does.
func (c *Controller) prune(now time.Time) {
	if c.cfg.Retention <= 0 || len(c.ended) == 0 {
		return
	}
	var keep []*Move
	n := 0
	for _, m := range c.ended {
		at, _ := m.EndedAt()
		if now.Sub(at) < c.cfg.Retention {
			break
		}
		n++
		if c.referenced(m) {
			keep = append(keep, m)
			continue
		}
		c.forget(m)
		c.archived = append(c.archived, m)
	}
	if n == 0 {
		return
	}
	c.ended = append(keep, c.ended[n:]...)
	if len(c.archived) == 0 {
		return
	}
	gone := map[*Move]bool{}
	for _, m := range c.archived {
		gone[m] = true
	}
	c.order = slices.DeleteFunc(c.order, func(m *Move) bool { return gone[m] })
	slices.SortFunc(c.archived, func(a, b *Move) int { return compareNum(a.Num, b.Num) })
}

func compareNum(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// referenced reports whether a shuttle or a bay booking still points to
// a move.
func (c *Controller) referenced(m *Move) bool {
	for _, r := range c.recs {
		if r.move == m {
			return true
		}
	}
	for _, o := range c.bays.pick {
		if o == m {
			return true
		}
	}
	for _, ms := range c.bays.drop {
		if ms[m] {
			return true
		}
	}
	return false
}

// forget takes a move out of every index of the Controller but its
// creation order (prune does that for all at once).
func (c *Controller) forget(m *Move) {
	delete(c.moves, m.ID)
	if m.IdempotencyKey != "" && c.byKey[m.IdempotencyKey] == m {
		delete(c.byKey, m.IdempotencyKey)
	}
	if m.elem != nil {
		c.byChange.Remove(m.elem)
		m.elem = nil
	}
	delete(c.dropped, m.ID)
	delete(c.decided, m.ID)
	delete(c.bays.win, m)
}

// noteEnded puts a move that has just ended in the ended moves' order:
// by when it ended, after those that ended at the same time.
func (c *Controller) noteEnded(m *Move) {
	if c.cfg.Retention <= 0 {
		return
	}
	at, _ := m.EndedAt()
	i := len(c.ended)
	for i > 0 {
		if prev, _ := c.ended[i-1].EndedAt(); !prev.After(at) {
			break
		}
		i--
	}
	c.ended = slices.Insert(c.ended, i, m)
}

// restoreEnded rebuilds the ended moves' order after a restore: by when
// they ended, then by number (prune takes every move whose time has come
// at once, so the order among moves that ended together does not
// matter).
func (c *Controller) restoreEnded() {
	c.ended = nil
	if c.cfg.Retention <= 0 {
		return
	}
	for _, m := range c.order {
		if m.State.Final() {
			c.ended = append(c.ended, m)
		}
	}
	slices.SortStableFunc(c.ended, func(a, b *Move) int {
		at, _ := a.EndedAt()
		bt, _ := b.EndedAt()
		return at.Compare(bt)
	})
}

// Snapshot is the move as a snapshot stores it (MoveSnapshot), for
// those that keep moves that left the Controller.
func (m *Move) Snapshot() MoveSnapshot { return moveSnapshot(m) }

// RestoredMove is the move of a MoveSnapshot (Move.Snapshot), on its
// own: it belongs to no Controller.
func RestoredMove(ms MoveSnapshot) *Move { return restoreMove(ms) }
