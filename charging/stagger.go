package charging

import (
	"slices"
	"time"
)

// Staggering: a fleet that starts the day alike drains alike, so every
// shuttle would come to need a charger within the same hour, more of them
// than there are chargers, and the last wait in a queue while moves wait
// for them. Spread out, the same sessions need no queue. LatestStarts
// schedules the coming sessions as late as each may start (no session
// before its shuttle must charge would ever be later) on the chargers
// there are: those that must start before they must charge are the ones
// to send early, while chargers are free.

// Due is one shuttle's coming charging session.
type Due struct {
	Shuttle string
	// Must is how long from now until the shuttle must charge (its state
	// of charge reaches the policy's must-charge level); 0 or less: now.
	Must time.Duration
	// Takes is how long the session takes, plug-in included.
	Takes time.Duration
}

// Busy is a session already booked: a charger is taken until End (from
// now).
type Busy struct {
	End time.Duration
}

// LatestStarts answers, for each due session (in the order given), the
// latest start from now that keeps at most chargers sessions at once while
// none starts after its shuttle must charge: an as-late-as-possible
// schedule of identical chargers, filled from the latest deadline back.
// Booked sessions hold their charger until they end; a session that
// cannot fit after them gets the latest start it could have, which may be
// before now (a crunch no staggering avoids). The schedule is optimal for
// sessions of equal length, and a fair estimate otherwise.
func LatestStarts(dues []Due, busy []Busy, chargers int) []time.Duration {
	starts := make([]time.Duration, len(dues))
	if chargers < 1 || len(dues) == 0 {
		for i, d := range dues {
			starts[i] = d.Must
		}
		return starts
	}
	// free[m] is how late charger m is free from (the start of the session
	// already placed after it); floor[m] is the earliest a session on it
	// may start (the end of a booked one)
	const never = time.Duration(1<<63 - 1)
	free := make([]time.Duration, chargers)
	floor := make([]time.Duration, chargers)
	for m := range free {
		free[m] = never
	}
	ends := make([]time.Duration, 0, len(busy))
	for _, b := range busy {
		ends = append(ends, b.End)
	}
	slices.Sort(ends)
	for i := range ends { // the latest-ending booked sessions first, one a charger
		if i >= chargers {
			break
		}
		floor[i] = ends[len(ends)-1-i]
	}
	order := make([]int, len(dues))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { // latest deadline first
		return cmpDur(dues[b].Must, dues[a].Must)
	})
	for _, i := range order {
		d := dues[i]
		best, bestStart, fits := -1, time.Duration(0), false
		for m := range free {
			s := d.Must
			if free[m] != never && free[m]-d.Takes < s {
				s = free[m] - d.Takes
			}
			ok := s >= floor[m]
			if best < 0 || (ok && !fits) || (ok == fits && s > bestStart) {
				best, bestStart, fits = m, s, ok
			}
		}
		starts[i] = bestStart
		free[best] = bestStart
	}
	return starts
}

func cmpDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
