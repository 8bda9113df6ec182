package soak

import (
	"fmt"
	"strings"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/sim"
)

// KnownStallShare is the share of drawn cases that may still stall (a
// deadlock, or not live after the drain; Stalled) without failing
// TestSoak. It is a known open defect, not a tolerance: measured on
// 2026-12-08 at 1 of 200 cases of -soak.seed 20261205 and 2 of the 200 of
// -soak.seed 7 (1 and 9 before stop lines past a shared lane were
// guarded, routing/spill.go); on 2026-12-07 at 1 and 7
// (2 and 9 before turners waited for a clear way onto a
// shared lane and waiting places stopped reserving their way on,
// fleet/turns.go, routing Plan and Withhold); before that at 2 (4 before idle
// shuttles made room at a centre whose spots they all held,
// fleet/staging.go makeRoom, and customs-area entries left passing
// places, fleet/admission.go entryBefore), and at 9 of the 200 of
// -soak.seed 7 (11 before the wait-for model counted what queues behind
// a shuttle's last queued step, routing successors; 17 before the fixes
// below: the share depends on the draw, and exceeds this one on some
// seeds), down from 29
// before customs areas took admission (fleet/admission.go) and passing
// places were queued with their shared stretches, from 7 before fleets
// beyond the site's parking were refused and repairs in the drain were
// added to its bound, and from 5 before returns, left-over routes and
// refused shuttles at a stop line were mended (fleet/returns.go,
// idleWork). What is left: on short generated crossings, where one
// customs area spans both countries' stop lines, several refused
// containers turning back at once (the exceptions of fleet/turns.go),
// each with its tail on the lane it leaves, and a shuttle at a stop line
// whose way on a turner took while it was held. It may only go down,
// to zero: 0.03 until the fourteenth session, 0.02 since (the CI draw's 1
// stall fits; -soak.seed 7's 7 exceeded both).
const KnownStallShare = 0.02

// Stall tells whether a kind of violation is a stall (a deadlock, or not
// live after the drain), counted against KnownStallShare.
func (k Kind) Stall() bool { return k == KindDeadlock || k == KindNotLive }

// Stalled tells whether every violation of a case is a stall (and there
// is at least one).
func Stalled(vs []Violation) bool {
	for _, v := range vs {
		if !v.Kind.Stall() {
			return false
		}
	}
	return len(vs) > 0
}

// Kind is a kind of violation.
type Kind string

// The kinds of violation: the fleet's safety promises, liveness, and a
// run that could not be made or reported errors.
const (
	KindConflict   Kind = "conflict"           // two shuttles on one node
	KindDepletion  Kind = "battery_depletion"  // a battery ran flat
	KindDeadlock   Kind = "deadlock"           // nothing moved for an hour with moves under way
	KindLost       Kind = "lost_move"          // a move under way on no shuttle, or one the fleet forgot
	KindDuplicate  Kind = "duplicate_delivery" // a container delivered twice
	KindIllegal    Kind = "illegal_transition" // a move or shuttle state change the tables forbid
	KindFailedMove Kind = "failed_move"        // a move that ended failed
	KindNotLive    Kind = "not_live"           // after demand stopped, a move or shuttle did not end within the drain
	KindAccounting Kind = "accounting"         // moves created and ended do not add up
	KindRunError   Kind = "run_error"          // the case cannot run, or the run reported errors
)

// maxErrorsInLine is how many of a run's errors a violation quotes.
const maxErrorsInLine = 6

// Violation is one promise a run broke.
type Violation struct {
	Kind   Kind   `json:"kind"`
	Detail string `json:"detail"`
}

func (v Violation) String() string { return string(v.Kind) + ": " + v.Detail }

// Run runs a case and checks its report: the report, and the promises it
// broke (none if it passed).
func Run(c Case) (sim.Report, []Violation) {
	cfg, err := c.Config()
	if err != nil {
		return sim.Report{}, []Violation{{KindRunError, err.Error()}}
	}
	r, err := sim.Run(cfg)
	if err != nil {
		return r, []Violation{{KindRunError, err.Error()}}
	}
	return r, Check(r)
}

// Check lists the promises a run broke: each safety count above zero;
// with a drain, liveness (every move ended and every shuttle at rest,
// idle or charging, within it) and the moves' accounting (created =
// delivered + returned + cancelled); errors the run reported beyond
// those.
func Check(r sim.Report) []Violation {
	var out []Violation
	errs := errorsLine(r.Errors)
	count := func(n int, k Kind, what string) {
		if n > 0 {
			out = append(out, Violation{k, fmt.Sprintf("%d %s%s", n, what, errs)})
		}
	}
	count(r.Conflicts, KindConflict, "conflicts")
	count(r.BatteryDepletions, KindDepletion, fmt.Sprintf("battery depletions (lowest charge %.3f)", r.MinSoC))
	count(r.Deadlocks, KindDeadlock, "deadlocks")
	count(r.LostMoves, KindLost, "lost moves")
	count(r.DuplicateDeliveries, KindDuplicate, "duplicate deliveries")
	count(r.IllegalTransitions, KindIllegal, "illegal transitions")
	count(r.MovesByState[string(fleet.MoveFailed)], KindFailedMove, "failed moves")
	if l := r.Liveness; l != nil && l.DrainS > 0 && r.Deadlocks == 0 {
		switch {
		case !l.Live():
			out = append(out, Violation{KindNotLive, fmt.Sprintf("not ended within the drain of %s (and %s with a shuttle broken down) after demand stopped: %d moves open %v, %d shuttles busy %v",
				secs(l.DrainS), secs(l.RepairS), l.OpenMoves, l.OpenMoveIDs, l.BusyShuttles, l.BusyShuttleIDs)})
		default:
			for st, n := range r.ShuttlesByState {
				if st != string(fleet.ShuttleIdle) && st != string(fleet.ShuttleCharging) {
					out = append(out, Violation{KindNotLive, fmt.Sprintf("ended with %d shuttles %s", n, st)})
				}
			}
			ended := r.MovesDelivered + r.MovesReturned + r.MovesByState[string(fleet.MoveCancelled)] + r.MovesByState[string(fleet.MoveFailed)]
			if ended != r.MovesCreated {
				out = append(out, Violation{KindAccounting, fmt.Sprintf("%d moves created, %d ended (%v)", r.MovesCreated, ended, r.MovesByState)})
			}
		}
	}
	if len(out) == 0 && len(r.Errors) > 0 {
		out = append(out, Violation{KindRunError, strings.TrimPrefix(errs, ": ")})
	}
	return out
}

// errorsLine is the first few of the run's errors on one line.
func errorsLine(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(": ")
	for i, e := range errs[:min(len(errs), maxErrorsInLine)] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.TrimSpace(e))
	}
	if len(errs) > maxErrorsInLine {
		fmt.Fprintf(&b, "; and %d more", len(errs)-maxErrorsInLine)
	}
	return b.String()
}

func secs(s float64) string { return fmt.Sprintf("%.0f s (%.1f h)", s, s/3600) }

// Failure is a case that broke a promise, as the harness reports it.
type Failure struct {
	Case       Case
	Violations []Violation
}

// String is the failure with the case's JSON and its one replay command.
func (f Failure) String() string {
	var b strings.Builder
	for _, v := range f.Violations {
		fmt.Fprintf(&b, "  %s\n", v)
	}
	fmt.Fprintf(&b, "  case: %s\n  replay: %s\n", f.Case.JSON(), f.Case.Command())
	return b.String()
}
