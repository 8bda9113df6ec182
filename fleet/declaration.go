package fleet

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A customs declaration is filed per container and country, by that
// country's customs system (or an operator). One filed while the
// container has no open move is kept and taken up by its next move; one
// filed while a move is open goes to that move. A new one for the same
// container and country replaces the one in force; the move's history
// keeps both. With Config.HoldWithoutDeclaration a container is held at a
// gate of a country it has no declaration for, whatever was decided,
// until one is filed.

// Declaration is a customs declaration in force for a container in one
// country.
type Declaration struct {
	Container   Container
	Country     string // ISO 3166-1 alpha-2
	Reference   string
	Declarant   string
	Goods       string
	GrossMassKg float64
	Seals       []string // ISO 17712 seal numbers
	By          string   // who filed it, as the audit trail names them
	Filed       time.Time
}

// ErrInvalid is matched by a declaration or seal reading that is not
// well formed (*InvalidError names the field).
var ErrInvalid = errors.New("fleet: invalid request")

// InvalidError is a malformed field of an event.
type InvalidError struct {
	Field  string
	Detail string
}

func (e *InvalidError) Error() string        { return "fleet: " + e.Field + ": " + e.Detail }
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Detail: fmt.Sprintf(format, args...)}
}

// Limits of a declaration's text fields and mass.
const (
	maxDeclText = 200
	maxGoods    = 500
	maxSealLen  = 40
	maxMassKg   = 200000
)

// Validate checks a declaration's fields (the country against the site
// is the Controller's check): it returns an *InvalidError naming the
// first bad field.
func (e DeclarationFiled) Validate() error {
	if e.Container == "" {
		return invalid("container", "container is required (an ISO 6346 number)")
	}
	if _, err := ParseContainer(e.Container); err != nil {
		return invalid("container", "%v", err)
	}
	if !countryCode(e.Country) {
		return invalid("country", "country %q: want an ISO 3166 alpha-2 code such as KZ", e.Country)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"reference", e.Reference, maxDeclText}, {"declarant", e.Declarant, maxDeclText}, {"goods", e.Goods, maxGoods}} {
		if strings.TrimSpace(f.v) == "" {
			return invalid(f.name, "%s is required", f.name)
		}
		if utf8.RuneCountInString(f.v) > f.max {
			return invalid(f.name, "%s longer than %d characters", f.name, f.max)
		}
	}
	if math.IsNaN(e.GrossMassKg) || e.GrossMassKg <= 0 || e.GrossMassKg > maxMassKg {
		return invalid("gross_mass_kg", "gross mass %v kg: want more than 0 and at most %d", e.GrossMassKg, maxMassKg)
	}
	for i, s := range e.Seals {
		if err := CheckSeal(s); err != nil {
			return invalid(fmt.Sprintf("seals[%d]", i), "%v", err)
		}
		if slices.Contains(e.Seals[:i], s) {
			return invalid(fmt.Sprintf("seals[%d]", i), "seal %q is listed twice", s)
		}
	}
	return nil
}

// CheckSeal checks an ISO 17712 seal number as fleet keeps it: not
// empty, printable, no space at either end, at most 40 characters.
func CheckSeal(s string) error {
	switch {
	case s == "":
		return errors.New("empty seal number")
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("seal number %q has spaces at an end", s)
	case utf8.RuneCountInString(s) > maxSealLen:
		return fmt.Errorf("seal number %q is longer than %d characters", s, maxSealLen)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("seal number %q has a character that is not printable", s)
		}
	}
	return nil
}

func countryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// Declared returns the declaration in force for a country, nil if none.
func (m *Move) Declared(country string) *Declaration {
	for i := range m.Declarations {
		if m.Declarations[i].Country == country {
			return &m.Declarations[i]
		}
	}
	return nil
}

// putDeclaration replaces the declaration of d's country in ds, or adds
// d; it returns the list and the one replaced, if any.
func putDeclaration(ds []Declaration, d Declaration) ([]Declaration, *Declaration) {
	for i := range ds {
		if ds[i].Country == d.Country {
			old := ds[i]
			ds[i] = d
			return ds, &old
		}
	}
	return append(ds, d), nil
}

// openMove returns the container's open move, nil if it has none.
func (c *Controller) openMove(cont Container) *Move {
	for i := len(c.order) - 1; i >= 0; i-- {
		if m := c.order[i]; m.Container == cont && !m.State.Final() {
			return m
		}
	}
	return nil
}

// siteCountry reports whether a country has a checkpoint on the site.
func (c *Controller) siteCountry(country string) bool {
	for _, cp := range c.site.Checkpoints {
		if cp.Country == country {
			return true
		}
	}
	return false
}

// fileDeclaration keeps a declaration: with the container's open move,
// or until it has one.
func (c *Controller) fileDeclaration(now time.Time, e DeclarationFiled) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if !c.siteCountry(e.Country) {
		return invalid("country", "no checkpoint of %s on the site", e.Country)
	}
	cont, _ := ParseContainer(e.Container)
	d := Declaration{Container: cont, Country: e.Country, Reference: e.Reference, Declarant: e.Declarant, Goods: e.Goods,
		GrossMassKg: e.GrossMassKg, Seals: slices.Clone(e.Seals), By: e.By, Filed: now}
	m := c.openMove(cont)
	if m == nil {
		if c.declared == nil {
			c.declared = map[Container][]Declaration{}
		}
		c.declared[cont], _ = putDeclaration(c.declared[cont], d)
		return nil
	}
	c.declare(now, m, d)
	c.unhold(now, m, d.Country)
	return nil
}

// takeDeclarations gives a new move the declarations filed for its
// container before it existed.
func (c *Controller) takeDeclarations(now time.Time, m *Move) {
	for _, d := range c.declared[m.Container] {
		c.declare(now, m, d)
	}
	delete(c.declared, m.Container)
}

// declare puts a declaration in force on a move and notes it in the
// history, at a checkpoint of its country so that only that country's
// customs see it in the audit trail.
func (c *Controller) declare(now time.Time, m *Move, d Declaration) {
	var old *Declaration
	m.Declarations, old = putDeclaration(m.Declarations, d)
	cause := fmt.Sprintf("declaration %s for %s filed by %s at %s: declarant %s, goods %s, %g kg, seals %s",
		d.Reference, d.Country, d.By, d.Filed.UTC().Format("2006-01-02 15:04:05Z"), d.Declarant, d.Goods, d.GrossMassKg, sealList(d.Seals))
	if old != nil {
		cause += " (replaces " + old.Reference + ")"
	}
	m.History = append(m.History, MoveTransition{At: now, From: m.State, To: m.State, Cause: cause,
		Event: NoteDeclaration, Actor: d.By, Checkpoint: c.countryCheckpoint(m, d.Country)})
	c.touch(m)
}

func sealList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// countryCheckpoint is the first checkpoint of a country on the move's
// way, or else on the site.
func (c *Controller) countryCheckpoint(m *Move, country string) string {
	for _, g := range m.Clearances {
		if g.Country == country {
			return g.Checkpoint
		}
	}
	for _, cp := range c.site.Checkpoints {
		if cp.Country == country {
			return cp.ID
		}
	}
	return ""
}

// heldWhy says why a container may not pass a checkpoint now whatever
// was decided ("" if it may): a seal alert no officer has decided on
// since, or (with Config.HoldWithoutDeclaration) no declaration for the
// checkpoint's country.
func (c *Controller) heldWhy(m *Move, cp string) string {
	g := m.clearance(cp)
	if g == nil {
		return ""
	}
	if g.SealAlert != "" {
		return "seal alert (" + g.SealAlert + "), awaiting an officer's decision"
	}
	if c.cfg.HoldWithoutDeclaration && m.Declared(g.Country) == nil {
		return "no declaration filed for " + g.Country
	}
	return ""
}

// holdAt notes that a container is held at a checkpoint, and why (once
// per reason).
func (c *Controller) holdAt(now time.Time, m *Move, cp, why string) {
	g := m.clearance(cp)
	if g == nil || g.Held == why {
		return
	}
	g.Held = why
	m.History = append(m.History, MoveTransition{At: now, From: m.State, To: m.State, Cause: "held at " + cp + ": " + why,
		Event: NoteHeld, Actor: "fleetd", Checkpoint: cp})
	c.touch(m)
}

// unhold lets a container held at a gate of a country for want of a
// declaration go on as decided, now that one is filed.
func (c *Controller) unhold(now time.Time, m *Move, country string) {
	for i := range m.Clearances {
		if g := &m.Clearances[i]; g.Country == country && g.Held != "" && g.SealAlert == "" {
			g.Held = ""
		}
	}
	r, ok := c.shuttles[m.Shuttle]
	if !ok || r.move != m || r.gate == nil || r.gate.checkpoint.Country != country || !r.gate.until.IsZero() {
		return
	}
	c.reconsider(now, r)
}

// reconsider acts, for a container waiting at a gate, on what was
// decided there: a stored decision, or the move's pre-clearance.
func (c *Controller) reconsider(now time.Time, r *shuttleRec) {
	cp := r.gate.checkpoint.ID
	if _, ok := c.decided[r.move.ID][cp]; ok {
		c.applyDecision(now, r)
		return
	}
	if r.move.PreCleared && c.heldWhy(r.move, cp) == "" {
		c.letPass(now, r, "pre-cleared", "")
	}
}

// Declarations returns the declarations in force for a container: its
// open move's, or those kept for its next move. The caller must not
// change them.
func (c *Controller) Declarations(cont Container) []Declaration {
	if m := c.openMove(cont); m != nil {
		return m.Declarations
	}
	return c.declared[cont]
}
