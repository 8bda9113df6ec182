package sitegen

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Corridor geometry, in metres. The corridor frame has u along the road
// from centre A's gate (u = 0) to centre B's gate (u = gap) and v to the
// left; the lane for A to B runs at v = -laneOffset, the lane for B to A
// at v = +laneOffset, a shared two-way lane at v = 0.
const (
	laneOffset  = 5.0             // from the road's axis to each one-way lane
	taper       = 15.0            // along the road, from two one-way lanes to a shared one
	slotLen     = 80.0            // road taken by one checkpoint, its spur and turn-back
	plazaMargin = 10.0            // from a country's last checkpoint slot to its border
	minApproach = 40.0            // road from a gate to the first checkpoint slot
	minNeutral  = 80.0            // shortest neutral zone
	maxNeutral  = 400.0           // longest neutral zone
	minShared   = 30.0            // shortest shared two-way stretch
	maxShared   = 300.0           // longest shared two-way stretch
	sharedGap   = 5.0             // from a taper to anything else on the road
	zoneHalf    = centreHalf + 60 // from the road's axis to each side of the zones
	zoneBeyond  = 100.0           // from a centre's back edge to the end of its territory
)

// corridor is the layout along the road.
type corridor struct {
	gap    float64    // road between the two gates
	plaza  [2]float64 // u of the first checkpoint slot of each country
	border [2]float64 // u of each country's border with the neutral zone
	shared []span     // stretches of one two-way lane, in order
	kmh    []float64  // speed limit of each road piece (see pieces)
}

// span is a stretch of road, lo < hi along u.
type span struct{ lo, hi float64 }

// plazaLen is the road taken by a country's checkpoints.
func plazaLen(s side) float64 { return float64(len(s.gates)) * slotLen }

func newCorridor(rng *rand.Rand, sides [2]side, o Options) corridor {
	var c corridor
	neutral := math.Round(uniform(rng, minNeutral, maxNeutral))
	la, lb := plazaLen(sides[0]), plazaLen(sides[1])
	fixed := la + lb + 2*plazaMargin + neutral
	target := o.DistanceM
	if target == 0 {
		target = MinDistanceM * math.Pow(MaxDistanceM/MinDistanceM, rng.Float64())
	}
	c.gap = math.Max(math.Round(target), fixed+2*minApproach)
	extra := c.gap - fixed - 2*minApproach
	appA := minApproach + math.Round(extra*uniform(rng, 0.2, 0.8))
	c.plaza[0] = appA
	c.border[0] = appA + la + plazaMargin
	c.border[1] = c.border[0] + neutral
	c.plaza[1] = c.border[1] + plazaMargin
	if rng.IntN(4) > 0 { // a quarter of the sites are divided all the way
		c.addShared(rng, 0, c.plaza[0], rng.IntN(3))
		c.addShared(rng, c.plaza[0]+la, c.plaza[1], min(1, rng.IntN(5)))
		c.addShared(rng, c.plaza[1]+lb, c.gap, rng.IntN(3))
	}
	for range 2*len(c.shared) + 1 {
		c.kmh = append(c.kmh, speed(rng, 20, 40))
	}
	return c
}

// addShared draws up to n shared stretches within the free road [f0, f1],
// as many as fit, each with room for its tapers.
func (c *corridor) addShared(rng *rand.Rand, f0, f1 float64, n int) {
	lo, hi := f0+taper+sharedGap, f1-taper-sharedGap
	for range n {
		room := hi - lo
		if room < minShared {
			return
		}
		length := math.Round(uniform(rng, minShared, math.Min(maxShared, room)))
		start := lo + math.Floor((room-length)*uniform(rng, 0, 0.5))
		c.shared = append(c.shared, span{start, start + length})
		lo = start + length + 2*taper + 2*sharedGap
	}
}

// piece is a stretch of road: either two one-way lanes or one shared lane.
type piece struct {
	span
	shared bool
	n      int // its number among the pieces of its kind, from 1
	kmh    float64
}

// pieces cuts the road from ring to ring into divided and shared pieces.
func (c corridor) pieces() []piece {
	start, end := -ringFront, c.gap+ringFront
	var out []piece
	cursor, nd := start, 0
	shared := slices.Clone(c.shared)
	slices.SortFunc(shared, func(a, b span) int { return cmpFloat(a.lo, b.lo) })
	for i, s := range shared {
		nd++
		out = append(out, piece{span: span{cursor, s.lo}, n: nd})
		out = append(out, piece{span: s, shared: true, n: i + 1})
		cursor = s.hi
	}
	out = append(out, piece{span: span{cursor, end}, n: nd + 1})
	for i := range out {
		out[i].kmh = c.kmh[i]
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
