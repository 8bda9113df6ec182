package fleet

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A seal reader at a gate reads the seals on a container and their state.
// The reading is checked against the declaration of the checkpoint's
// country (or, if there is none, any declaration of the container): a
// declared seal not read, a seal read but not declared, or any seal
// opened or tampered with is a seal alert. It holds the container at that
// gate for an officer: a release given before the reading (or the move's
// pre-clearance) no longer lets it pass; a decision taken after it does
// (release, inspect or refuse). A clean reading changes nothing.

// Seal states a reader reports.
const (
	SealSealed   = "sealed"
	SealOpened   = "opened"
	SealTampered = "tampered"
)

// Notes in a move's history that are neither a change of state nor a
// customs decision (MoveTransition.Event).
const (
	NoteDeclaration = "declaration"
	NoteSealRead    = "seal_read"
	// NoteSealAlert is the audit trail's seal alert (audit.EventSealAlert),
	// which every country of the move sees.
	NoteSealAlert = "seal_alert"
	NoteHeld      = "held"
)

// SealState is one seal as read.
type SealState struct {
	Number string `json:"number"`
	State  string `json:"state"` // sealed, opened or tampered
}

// SealReading is one reading of a container's seals at a checkpoint.
type SealReading struct {
	At       time.Time
	By       string
	Seals    []SealState
	Problems []string // empty for a clean reading
}

// Validate checks a seal reading's fields: it returns an *InvalidError
// naming the first bad field.
func (e SealRead) Validate() error {
	if e.Checkpoint == "" {
		return invalid("checkpoint", "checkpoint is required")
	}
	if e.Container == "" {
		return invalid("container", "container is required (an ISO 6346 number)")
	}
	if _, err := ParseContainer(e.Container); err != nil {
		return invalid("container", "%v", err)
	}
	for i, s := range e.Seals {
		field := fmt.Sprintf("seals[%d]", i)
		if err := CheckSeal(s.Number); err != nil {
			return invalid(field+".number", "%v", err)
		}
		switch s.State {
		case SealSealed, SealOpened, SealTampered:
		default:
			return invalid(field+".state", "seal %s: state %q: want sealed, opened or tampered", s.Number, s.State)
		}
		for _, x := range e.Seals[:i] {
			if x.Number == s.Number {
				return invalid(field+".number", "seal %q is read twice", s.Number)
			}
		}
	}
	return nil
}

// sealProblems compares a reading with the declared seals (nil: no
// declaration at all).
func sealProblems(read []SealState, d *Declaration) []string {
	var out []string
	if d == nil {
		out = append(out, "no declared seals: no declaration filed for the container")
	}
	for _, s := range read {
		if s.State != SealSealed {
			out = append(out, fmt.Sprintf("seal %s %s", s.Number, s.State))
		}
		if d != nil && !slices.Contains(d.Seals, s.Number) {
			out = append(out, fmt.Sprintf("seal %s read but not declared in %s", s.Number, d.Reference))
		}
	}
	if d != nil {
		for _, n := range d.Seals {
			if !slices.ContainsFunc(read, func(s SealState) bool { return s.Number == n }) {
				out = append(out, fmt.Sprintf("declared seal %s not read", n))
			}
		}
	}
	return out
}

// sealRead checks and records a seal reading; a problem holds the
// container at the gate for an officer.
func (c *Controller) sealRead(now time.Time, e SealRead) error {
	if err := e.Validate(); err != nil {
		return err
	}
	cp, ok := c.checkpoint(e.Checkpoint)
	if !ok {
		return fmt.Errorf("fleet: seal reading at unknown checkpoint %q", e.Checkpoint)
	}
	cont, _ := ParseContainer(e.Container)
	m := c.openMove(cont)
	if m == nil {
		return conflict("container %s has no open move: seals are read only on a move's way", cont)
	}
	if err := m.CanDecide(cp.ID); err != nil {
		return err
	}
	d := m.Declared(cp.Country)
	if d == nil && len(m.Declarations) > 0 {
		d = &m.Declarations[len(m.Declarations)-1]
	}
	reading := SealReading{At: now, By: e.By, Seals: slices.Clone(e.Seals), Problems: sealProblems(e.Seals, d)}
	g := m.clearance(cp.ID)
	g.Readings = append(g.Readings, reading)
	var read []string
	for _, s := range e.Seals {
		read = append(read, s.Number+" "+s.State)
	}
	m.History = append(m.History, MoveTransition{At: now, From: m.State, To: m.State,
		Cause: fmt.Sprintf("seals of %s read at %s by %s: %s", cont, cp.ID, e.By, sealList(read)),
		Event: NoteSealRead, Actor: e.By, Checkpoint: cp.ID})
	c.touch(m)
	if len(reading.Problems) == 0 {
		return nil
	}
	g.SealAlert = strings.Join(reading.Problems, "; ")
	m.History = append(m.History, MoveTransition{At: now, From: m.State, To: m.State,
		Cause: fmt.Sprintf("seal alert at %s: %s; held for an officer", cp.ID, g.SealAlert),
		Event: NoteSealAlert, Actor: "fleetd", Checkpoint: cp.ID})
	if d, ok := c.decided[m.ID][cp.ID]; ok && d.Decision == DecisionRelease {
		delete(c.decided[m.ID], cp.ID) // given before the reading: no longer lets it pass
	}
	c.holdAt(now, m, cp.ID, c.heldWhy(m, cp.ID))
	if r, ok := c.shuttles[m.Shuttle]; ok && r.move == m && r.gate != nil && r.gate.checkpoint.ID == cp.ID && !r.gate.until.IsZero() {
		// passing in the release time: it stops and waits
		r.gate.until = time.Time{}
		if r.task != taskInspect && r.task != taskReturn {
			c.pullAside(r)
		}
	}
	return nil
}
