package sim

import (
	"errors"
	"fmt"
)

// Floor is what every run of a scenario must reach: no broken safety
// promise (Report.Failed), live if drained (Liveness.Live), and at least
// a share of its bound. A shorter tier (ShortHours, for quick test runs)
// may state its own share: a short run spends more of its time starting
// up.
type Floor struct {
	BoundRatio float64 `json:"bound_ratio"`
	// ShortHours, if set, is how long the short tier runs the scenario;
	// ShortBoundRatio its floor (BoundRatio when zero).
	ShortHours      float64 `json:"short_hours,omitempty"`
	ShortBoundRatio float64 `json:"short_bound_ratio,omitempty"`
	// Measured says where the floor comes from (the seeds run and what
	// they reached); nothing reads it.
	Measured string `json:"measured,omitempty"`
}

// Validate names a floor that cannot be stated.
func (f Floor) Validate() error {
	if !(f.BoundRatio >= 0 && f.BoundRatio <= 1) || !(f.ShortBoundRatio >= 0 && f.ShortBoundRatio <= 1) {
		return fmt.Errorf("sim: floor: bound ratios %g and %g: want 0 to 1", f.BoundRatio, f.ShortBoundRatio)
	}
	if !(f.ShortHours >= 0) {
		return fmt.Errorf("sim: floor: short_hours %g: want 0 or more", f.ShortHours)
	}
	return nil
}

// ErrBelowFloor is matched by a run that missed its scenario's floor.
var ErrBelowFloor = errors.New("sim: below the scenario's floor")

// Check tells whether a run reached the floor: short says whether it was
// the short tier's run.
func (f Floor) Check(r Report, short bool) error {
	want := f.BoundRatio
	if short && f.ShortBoundRatio > 0 {
		want = f.ShortBoundRatio
	}
	switch {
	case r.Failed():
		return fmt.Errorf("%w: a safety promise broken (%d conflicts, %d battery depletions, %d deadlocks, %d lost moves, %d duplicate deliveries, %d illegal transitions)",
			ErrBelowFloor, r.Conflicts, r.BatteryDepletions, r.Deadlocks, r.LostMoves, r.DuplicateDeliveries, r.IllegalTransitions)
	case !r.Liveness.Live():
		return fmt.Errorf("%w: not live after the drain", ErrBelowFloor)
	case r.BoundRatio < want:
		return fmt.Errorf("%w: bound ratio %.3f, floor %.3f", ErrBelowFloor, r.BoundRatio, want)
	}
	return nil
}
