package fleet

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A move's state changes, and what changed for Ready: every change of a
// move's state goes through moveTo (or moveToAt, moveToBy, which name the
// checkpoint and the actor for the audit trail), which counts an illegal
// one and notes the move for Ready.Changed and ChangedSince.

// moveTo changes a move's state; an illegal change is counted.
func (c *Controller) moveTo(m *Move, s MoveState, now time.Time, cause string) {
	from := m.State
	if err := m.To(s, now, cause); err != nil {
		c.stats.IllegalTransitions++
		c.noteIllegal(fmt.Errorf("%w; before: %s", err, recent(m, 4)))
		return
	}
	c.counts[from]--
	c.counts[s]++
	c.touch(m)
	if s.Final() {
		c.noteEnded(m)
	}
}

// moveToAt is moveTo for a change of state at a customs checkpoint, made
// by actor ("" for fleetd itself): the transition names both itself, so
// that the audit trail (who, and which country sees the entry) never
// depends on reading them out of the cause's prose, which carries an
// officer's name.
func (c *Controller) moveToAt(m *Move, s MoveState, now time.Time, cause, checkpoint, actor string) {
	n := len(m.History)
	c.moveTo(m, s, now, cause)
	if len(m.History) > n {
		h := &m.History[len(m.History)-1]
		h.Checkpoint, h.Actor = checkpoint, actor
	}
}

// moveToBy is moveTo for a change of state an operator or a shuttle made
// (actor: "operator NAME", "shuttle ID").
func (c *Controller) moveToBy(m *Move, s MoveState, now time.Time, cause, actor string) {
	c.moveToAt(m, s, now, cause, "", actor)
}

// recent describes a move's last n transitions, for reports of an
// illegal one.
func recent(m *Move, n int) string {
	h := m.History[max(0, len(m.History)-n):]
	parts := make([]string, len(h))
	for i, t := range h {
		parts[i] = fmt.Sprintf("%s %s->%s (%s)", t.At.Format("15:04:05"), t.From, t.To, t.Cause)
	}
	return strings.Join(parts, "; ")
}

// touch notes a move created or changed, for Ready.Changed.
func (c *Controller) touch(m *Move) {
	if !m.noted {
		m.noted = true
		c.changed = append(c.changed, m)
	}
	c.seq++
	m.seq = c.seq
	if m.elem == nil {
		m.elem = c.byChange.PushBack(m)
	} else {
		c.byChange.MoveToBack(m.elem)
	}
}

// ChangedSince returns the moves created or changed after change number
// seq, least recently changed first, and the change number now: a reader
// that keeps it asks next time for only what changed since, at a cost that
// grows with the changes, not with the moves ever made. Zero asks for
// every move. The caller must not change the moves.
func (c *Controller) ChangedSince(seq uint64) ([]*Move, uint64) {
	var out []*Move
	for e := c.byChange.Back(); e != nil; e = e.Prev() {
		m := e.Value.(*Move)
		if m.seq <= seq {
			break
		}
		out = append(out, m)
	}
	slices.Reverse(out)
	return out, c.seq
}

// MoveCounts returns how many moves are in each state that has any,
// those that left the Controller (Ready.Archived) included.
func (c *Controller) MoveCounts() map[MoveState]int {
	out := maps.Clone(c.counts)
	maps.DeleteFunc(out, func(_ MoveState, n int) bool { return n == 0 })
	return out
}

// takeChanged returns the moves created or changed since the last call,
// in the order they were first changed.
func (c *Controller) takeChanged() []*Move {
	out := c.changed
	c.changed = nil
	for _, m := range out {
		m.noted = false
	}
	return out
}
