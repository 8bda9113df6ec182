package vda5050

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// Schema bounds for angles (as written in the 2.0.0 order schema).
const (
	maxTheta          = 3.14159265359
	maxDeviationTheta = 3.141592654
)

// version2 matches the versions of protocol major version 2 (by hand:
// version2Form; the test holds the expression).
const version2 = `^2\.[0-9]+\.[0-9]+$`

// version2Form tells whether s matches version2.
func version2Form(s string) bool {
	major, rest, ok := strings.Cut(s, ".")
	if !ok || major != "2" {
		return false
	}
	minor, patch, ok := strings.Cut(rest, ".")
	return ok && digits(minor) && digits(patch)
}

// digits: one or more ASCII digits.
func digits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// validator collects the first problem found in a message.
type validator struct {
	topic   Topic
	err     *ValidationError
	ignored []string // paths of keys the message type does not have
	// quiet: build no paths (join and index return ""), for a first pass
	// that most messages pass; validate runs a second to say where
	quiet bool
}

// validate checks a message of topic t held in msg with check: first
// quietly, without building the JSON path of every field (most messages
// are valid, and paths were most of the work), then, if it fails, again
// to name the field.
func validate(t Topic, msg any, h Header, check func(*validator)) error {
	v := start(t, msg, h)
	if v.err != nil {
		return v.result()
	}
	v.quiet = true
	check(v)
	if v.err == nil {
		return nil
	}
	v = start(t, msg, h)
	check(v)
	return v.result()
}

// join is the package's join, or "" on a quiet pass.
func (v *validator) join(path, key string) string {
	if v.quiet {
		return ""
	}
	return join(path, key)
}

// index is the package's index, or "" on a quiet pass.
func (v *validator) index(path string, i int) string {
	if v.quiet {
		return ""
	}
	return index(path, i)
}

// fail records a problem at the JSON path field, unless one is recorded.
func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = &ValidationError{Topic: v.topic, Field: field, Problem: fmt.Sprintf(format, args...)}
	}
}

// result returns the recorded problem or nil.
func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// start returns a validator for a message of topic t held in msg, having
// checked that all its numbers are finite and its header is valid.
func start(t Topic, msg any, h Header) *validator {
	v := &validator{topic: t}
	if !finiteMessage(msg) {
		checkFinite(v, reflect.ValueOf(msg), "") // again, to say where
	}
	v.header(h)
	return v
}

func (v *validator) header(h Header) {
	if !version2Form(h.Version) {
		v.fail("version", "must be a 2.x.y version, is %q", h.Version)
	}
	if _, err := ParseTimestamp(h.Timestamp); err != nil {
		v.fail("timestamp", "must be an ISO 8601 date-time in UTC such as %q, is %q", "2026-11-22T03:40:03.120Z", h.Timestamp)
	}
	v.id("manufacturer", h.Manufacturer)
	v.id("serialNumber", h.SerialNumber)
}

// id checks a manufacturer or serial number (see CheckID).
func (v *validator) id(field, s string) {
	if s == "" {
		v.fail(field, "must not be empty")
		return
	}
	if err := CheckID(s); err != nil {
		v.fail(field, "may only contain A-Z a-z 0-9 _ . : -, is %q", s)
	}
}

func (v *validator) nonEmpty(field, s string) {
	if s == "" {
		v.fail(field, "must not be empty")
	}
}

func (v *validator) oneOf(field, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.fail(field, "must be one of %s, is %q", strings.Join(allowed, ", "), s)
}

func (v *validator) between(field string, x, lo, hi float64) {
	if x < lo || x > hi {
		v.fail(field, "must be in %v..%v, is %v", lo, hi, x)
	}
}

func (v *validator) atLeast(field string, x, lo float64) {
	if x < lo {
		v.fail(field, "must be >= %v, is %v", lo, x)
	}
}

// optBetween and optAtLeast check optional values.
func (v *validator) optBetween(field string, x *float64, lo, hi float64) {
	if x != nil {
		v.between(field, *x, lo, hi)
	}
}

func (v *validator) optAtLeast(field string, x *float64, lo float64) {
	if x != nil {
		v.atLeast(field, *x, lo)
	}
}

func (v *validator) action(path string, a Action) {
	v.nonEmpty(v.join(path, "actionType"), a.ActionType)
	v.nonEmpty(v.join(path, "actionId"), a.ActionID)
	v.oneOf(v.join(path, "blockingType"), a.BlockingType, BlockingNone, BlockingSoft, BlockingHard)
	for i, p := range a.ActionParameters {
		pp := v.index(v.join(path, "actionParameters"), i)
		v.nonEmpty(v.join(pp, "key"), p.Key)
		if p.Value == nil {
			v.fail(v.join(pp, "value"), "must not be null")
		}
	}
}

// actions checks a list of actions whose ids must be unique among seen,
// which maps each id to the path where it first appeared.
func (v *validator) actions(path string, as []Action, seen map[string]string) {
	for i, a := range as {
		ap := v.index(path, i)
		v.action(ap, a)
		if first, dup := seen[a.ActionID]; dup {
			v.fail(v.join(ap, "actionId"), "%q is not unique, %s has it too", a.ActionID, first)
		}
		seen[a.ActionID] = ap
	}
}

func (v *validator) nodePosition(path string, p *NodePosition) {
	if p == nil {
		return
	}
	v.optBetween(v.join(path, "theta"), p.Theta, -maxTheta, maxTheta)
	v.optAtLeast(v.join(path, "allowedDeviationXY"), p.AllowedDeviationXY, 0)
	v.optBetween(v.join(path, "allowedDeviationTheta"), p.AllowedDeviationTheta, 0, maxDeviationTheta)
	v.nonEmpty(v.join(path, "mapId"), p.MapID)
}

// trajectory checks a NURBS. In an order the degree is required.
func (v *validator) trajectory(path string, t *Trajectory, degreeRequired bool) {
	if t == nil {
		return
	}
	if t.Degree != 0 || degreeRequired {
		if t.Degree < 1 || t.Degree != math.Trunc(t.Degree) || t.Degree > 1<<20 {
			v.fail(v.join(path, "degree"), "must be a whole number >= 1, is %v", t.Degree)
			return
		}
		if want := len(t.ControlPoints) + int(t.Degree) + 1; len(t.KnotVector) != want {
			v.fail(v.join(path, "knotVector"), "must have len(controlPoints)+degree+1 = %d values, has %d", want, len(t.KnotVector))
		}
	}
	for i, k := range t.KnotVector {
		v.between(v.index(v.join(path, "knotVector"), i), k, 0, 1)
	}
	for i, c := range t.ControlPoints {
		v.optAtLeast(v.join(v.index(v.join(path, "controlPoints"), i), "weight"), c.Weight, 0)
	}
}

func (v *validator) agvPosition(path string, p *AgvPosition) {
	if p == nil {
		return
	}
	v.optBetween(v.join(path, "localizationScore"), p.LocalizationScore, 0, 1)
	v.optAtLeast(v.join(path, "deviationRange"), p.DeviationRange, 0)
}
