package daemon

import (
	"context"
	"fmt"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
)

// auditor turns move transitions into chain-of-custody entries. Entries
// are made the same way live and in replay, each tagged with the journal
// index of the input that caused it; only those past the audit log's last
// input are written, so a crash between journaling an input and writing
// its entries loses none and writes none twice.
type auditor struct {
	seen      map[string]int // move -> history entries made into audit entries
	pending   []audit.Entry  // made, not written, not chained
	last      *audit.Entry   // the audit log's last entry, once loaded
	lastInput uint64         // the journal index of the last input with entries written
	loaded    bool
	live      bool // this instance writes (it is active)
}

// note makes entries for what moves did in input idx.
func (a *auditor) note(idx uint64, moves []*fleet.Move) {
	if idx == 0 {
		return // no journal, no audit log
	}
	if a.seen == nil {
		a.seen = map[string]int{}
	}
	for _, m := range moves {
		if _, known := a.seen[m.ID]; !known {
			a.pending = append(a.pending, audit.Entry{At: m.Created, Container: string(m.Container), Move: m.ID,
				Event: "created", Actor: "operator", Bay: m.Origin,
				Detail: fmt.Sprintf("from %s to %s, declaration %q", m.Origin, m.Destination, m.Declaration), Input: idx})
		}
		for _, h := range m.History[a.seen[m.ID]:] {
			a.pending = append(a.pending, entryOf(idx, m, h))
		}
		a.seen[m.ID] = len(m.History)
	}
}

// entryOf describes one move transition for the audit log.
func entryOf(idx uint64, m *fleet.Move, h fleet.MoveTransition) audit.Entry {
	e := audit.Entry{At: h.At, Container: string(m.Container), Move: m.ID, Event: string(h.To), Actor: "fleetd",
		Shuttle: m.Shuttle, Detail: h.Cause, Input: idx}
	if h.Event != "" {
		// a note (declaration, seal reading, seal alert, hold) says
		// itself what, who and where
		e.Event, e.Checkpoint = h.Event, h.Checkpoint
		if h.Actor != "" {
			e.Actor = h.Actor
		}
		if h.Event == fleet.NoteSealAlert {
			e.Event = audit.EventSealAlert
		}
		return e
	}
	switch {
	case h.Decision != "":
		e.Event = "customs_" + string(h.Decision) // taken, not yet applied
	case h.To == fleet.MovePending:
		if h.From == "" || h.From == fleet.MovePending {
			e.Event, e.Actor = "created", "operator"
		}
		e.Shuttle = ""
	case h.To == fleet.MoveLoading, h.To == fleet.MoveReturned:
		e.Bay = m.Origin
	case h.To == fleet.MoveLaden:
		if h.From == fleet.MoveLoading {
			e.Event, e.Bay = "picked", m.Origin
		}
	case h.To == fleet.MoveUnloading, h.To == fleet.MoveDelivered:
		e.Bay = m.Destination
	}
	if h.To == fleet.MoveReturned {
		e.Bay = m.Origin
	}
	// where and who: the transition says (never the prose, which carries
	// an officer's name: the checkpoint decides which country sees the
	// entry)
	e.Checkpoint = h.Checkpoint
	if h.Actor != "" {
		e.Actor = h.Actor
	}
	return e
}

// load reads the audit log's tail (on first use).
func (a *auditor) load(ctx context.Context, j Journal) error {
	if a.loaded {
		return nil
	}
	// the last entry chains the next, and says which input it was for:
	// only the log's last page is read (the log is never trimmed, and
	// reading all of it made a takeover grow with the fleet's age: 2 s
	// for a week of 50 shuttles)
	n, err := auditLen(ctx, j)
	if err != nil {
		return err
	}
	after := n - min(n, replayPage)
	for {
		es, err := j.ReadAudit(ctx, after, replayPage)
		if err != nil {
			return fmt.Errorf("daemon: reading the audit log: %w", err)
		}
		for _, se := range es {
			e, err := audit.Decode(se.Data)
			if err != nil {
				return fmt.Errorf("daemon: audit entry %d: %w", se.Index, err)
			}
			a.last, a.lastInput = &e, max(a.lastInput, e.Input)
			after = se.Index
		}
		if len(es) < replayPage {
			break
		}
	}
	a.loaded = true
	return nil
}

// auditLen is the index of the audit log's last entry (0: empty), found
// with a few one-entry reads: its entries are numbered from 1 without
// gaps, so there is an entry after index k exactly when k is below it.
func auditLen(ctx context.Context, j Journal) (uint64, error) {
	has := func(k uint64) (bool, error) {
		es, err := j.ReadAudit(ctx, k, 1)
		if err != nil {
			return false, fmt.Errorf("daemon: reading the audit log: %w", err)
		}
		return len(es) > 0, nil
	}
	lo, hi := uint64(0), uint64(1) // an entry after lo; none after hi, once found
	for {
		ok, err := has(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	if ok, err := has(lo); err != nil || !ok {
		return 0, err // lo is 0 and the log is empty
	}
	for hi-lo > 1 { // an entry after lo, none after hi: the last is in (lo, hi]
		mid := lo + (hi-lo)/2
		ok, err := has(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}

// prune, while standing by, reads what the active instance wrote and
// forgets the entries it made for the same inputs.
func (a *auditor) prune(ctx context.Context, j Journal) error {
	if !a.loaded {
		if err := a.load(ctx, j); err != nil {
			return err
		}
	} else {
		var after uint64
		if a.last != nil {
			after = a.last.Seq
		}
		es, err := j.ReadAudit(ctx, after, 0)
		if err != nil {
			return fmt.Errorf("daemon: reading the audit log: %w", err)
		}
		for _, se := range es {
			e, err := audit.Decode(se.Data)
			if err != nil {
				return fmt.Errorf("daemon: audit entry %d: %w", se.Index, err)
			}
			a.last, a.lastInput = &e, max(a.lastInput, e.Input)
		}
	}
	a.dropWritten()
	return nil
}

func (a *auditor) dropWritten() {
	keep := a.pending[:0]
	for _, e := range a.pending {
		if e.Input > a.lastInput {
			keep = append(keep, e)
		}
	}
	a.pending = keep
}

// flush chains and writes the pending entries.
func (a *auditor) flush(ctx context.Context, j Journal, token uint64) error {
	if !a.live || len(a.pending) == 0 && a.loaded {
		return nil
	}
	if err := a.load(ctx, j); err != nil {
		return err
	}
	a.dropWritten()
	if len(a.pending) == 0 {
		return nil
	}
	chained := make([]audit.Entry, len(a.pending))
	raw := make([][]byte, len(a.pending))
	prev := a.last
	for i, e := range a.pending {
		chained[i] = audit.Chain(prev, e)
		prev = &chained[i]
		b, err := audit.Encode(chained[i])
		if err != nil {
			return err
		}
		raw[i] = b
	}
	if _, err := j.AppendAudit(ctx, token, raw...); err != nil {
		// the entries may have been written all the same (a reply lost,
		// a write the store could not make durable): the next flush reads
		// the log's tail again rather than write them twice
		a.loaded = false
		return fmt.Errorf("daemon: writing the audit log: %w", err)
	}
	a.last, a.lastInput = prev, max(a.lastInput, chained[len(chained)-1].Input)
	a.pending = a.pending[:0]
	return nil
}
