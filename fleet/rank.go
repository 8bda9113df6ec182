package fleet

import "time"

// Ranking: of the feasible pairs, which are best? The lookahead gives each
// pair of a candidate and a move a cost in seconds, the sum of its
// rankers, and takes the assignment of least total cost. The weights are
// in Tuning.

// ranker scores one aspect of a pair; t is when the candidate would reach
// the origin bay, from now.
type ranker interface {
	cost(v fleetView, cd candidate, m *Move, t time.Duration) float64
}

// rankers are the lookahead's, in the order their costs are added.
func rankers(t Tuning) []ranker {
	return []ranker{travelCost{}, bayWaitCost{t.BayWaitWeight}, priorityCost{t.PriorityWeight.D().Seconds()}, latenessCost{t.LatenessWeight}}
}

// travelCost: the time until the candidate reaches the origin bay.
type travelCost struct{}

func (travelCost) cost(_ fleetView, _ candidate, _ *Move, t time.Duration) float64 {
	return t.Seconds()
}

// bayWaitCost: the time lost waiting for bays that others are expected to use
// then, at the origin and at the destination.
type bayWaitCost struct{ weight float64 }

func (b bayWaitCost) cost(v fleetView, _ candidate, m *Move, t time.Duration) float64 {
	pick, drop := windows(v, t, m)
	busy := v.bayWait(m.Origin, m, pick) + v.bayWait(m.Destination, m, drop)
	return b.weight * busy.Seconds()
}

// priorityCost: a move of higher priority is worth this many seconds a point.
type priorityCost struct{ weight float64 }

func (p priorityCost) cost(_ fleetView, _ candidate, m *Move, _ time.Duration) float64 {
	return -p.weight * float64(m.Priority)
}

// latenessCost: arriving at the origin after a move's deadline budget costs
// weight seconds a second late.
type latenessCost struct{ weight float64 }

func (l latenessCost) cost(v fleetView, _ candidate, m *Move, t time.Duration) float64 {
	if m.Deadline.IsZero() {
		return 0
	}
	deliver := v.reach(m.Origin, m.Destination).Duration
	late := v.now().Add(t + 2*v.handling() + deliver).Sub(m.Deadline)
	if late <= 0 {
		return 0
	}
	return l.weight * late.Seconds()
}

// windows estimates when a move whose shuttle reaches the origin bay after
// t will use its origin and its destination bay.
func windows(v fleetView, t time.Duration, m *Move) (pick, drop window) {
	h := v.handling()
	pick = window{v.now().Add(t), v.now().Add(t + h)}
	arrive := pick.to.Add(v.reach(m.Origin, m.Destination).Duration + v.gateTime(m.Origin, m.Destination))
	return pick, window{arrive, arrive.Add(h)}
}
