package sitegen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/paulmach/orb"
)

// Word lists the names are drawn from (constants: no package state).
const (
	countryCodes = "MN UZ KG RU TJ AF PK IN NP BT MM LA VN KZ CN"
	nameHeads    = "Bak Qar Tal Ken Dur Ash Nor Khan Gal Sar Mor Ul Tur Zhar Bor Ak Kyz Ord"
	nameTails    = "ty tobe su bulak ata kent dala khol gan shan tau ri nur sai"
	pcgStream    = 0x5173_6e67_656e // the second PCG word; the seed is the first
)

// plan is everything drawn from the seed, before any geometry.
type plan struct {
	seed    int64
	origin  orb.Point // WGS84 site origin
	bearing float64   // degrees clockwise from north, from centre A to centre B
	sides   [2]side   // A, then B
	cor     corridor
	// neutralKmh caps the lanes through the neutral zone.
	neutralKmh float64
}

// side is one country: its centre, yard, territory and checkpoints.
type side struct {
	code    string // ISO 3166 code
	prefix  string // lower-case code, for ids
	place   string // place name
	zoneKmh float64
	yard    yardPlan
	// gates are the country's checkpoints in road order from A towards B.
	gates []gate
}

// gate is one checkpoint.
type gate struct {
	export   bool // for traffic leaving the country (else entering it)
	n        int  // its number among the country's gates of that kind, in the order its traffic meets them
	releaseS int
}

// yardPlan is what a centre's yard holds.
type yardPlan struct {
	layout   YardLayout
	bays     int
	parking  int
	waits    bool // a waiting spot before each bay
	ringKmh  float64
	stations []stationPlan
}

type stationPlan struct {
	chargers       int
	powerKW, capKW float64
}

// newPlan draws a site's plan from the seed. Every draw comes from one
// generator in a fixed order, so a seed and options give one plan.
func newPlan(seed int64, o Options) plan {
	rng := rand.New(rand.NewPCG(uint64(seed), pcgStream))
	p := plan{seed: seed}
	p.origin = orb.Point{roundTo(uniform(rng, -175, 175), 1e-4), roundTo(uniform(rng, -60, 70), 1e-4)}
	p.bearing = roundTo(uniform(rng, 0, 360), 0.1)
	codes := strings.Fields(countryCodes)
	i := rng.IntN(len(codes))
	j := (i + 1 + rng.IntN(len(codes)-1)) % len(codes)
	p.sides[0] = newSide(rng, codes[i], o)
	p.sides[1] = newSide(rng, codes[j], o)
	p.sides[0].numberGates(0)
	p.sides[1].numberGates(1)
	p.neutralKmh = speed(rng, 10, 30)
	p.cor = newCorridor(rng, p.sides, o)
	return p
}

func newSide(rng *rand.Rand, code string, o Options) side {
	s := side{code: code, prefix: strings.ToLower(code), place: placeName(rng), zoneKmh: speed(rng, 20, 40)}
	s.yard = newYard(rng, o)
	count := func() int {
		if o.Checkpoints > 0 {
			return o.Checkpoints
		}
		return between(rng, MinCheckpoints, MaxCheckpoints)
	}
	nOut, nIn := count(), count()
	for range nOut {
		s.gates = append(s.gates, gate{export: true, releaseS: between(rng, 10, 120)})
	}
	for range nIn {
		s.gates = append(s.gates, gate{export: false, releaseS: between(rng, 10, 120)})
	}
	rng.Shuffle(len(s.gates), func(a, b int) { s.gates[a], s.gates[b] = s.gates[b], s.gates[a] })
	return s
}

// numberGates numbers each kind of a side's gates in the order its
// traffic meets them: from A towards B for traffic from A to B, the other
// way for traffic from B to A.
func (s *side) numberGates(index int) {
	count := map[bool]int{}
	number := func(k int) {
		g := &s.gates[k]
		count[g.export]++
		g.n = count[g.export]
	}
	for k := range s.gates {
		if s.gates[k].checksAB(index) {
			number(k)
		}
	}
	for k := len(s.gates) - 1; k >= 0; k-- {
		if !s.gates[k].checksAB(index) {
			number(k)
		}
	}
}

// checksAB reports whether a gate of side index checks the traffic from
// A to B.
func (g gate) checksAB(index int) bool { return g.export == (index == 0) }

func newYard(rng *rand.Rand, o Options) yardPlan {
	y := yardPlan{layout: o.Yard, bays: o.Bays, parking: o.Parking}
	if y.layout == YardAny {
		y.layout = []YardLayout{YardRing, YardRows}[rng.IntN(2)]
	}
	if y.bays == 0 {
		y.bays = between(rng, MinBays, MaxBays)
	}
	if y.parking == 0 {
		y.parking = between(rng, MinParking, MaxParking)
	}
	y.waits = rng.IntN(2) == 0
	y.ringKmh = speed(rng, 10, 20)
	for range between(rng, 1, 3) {
		st := stationPlan{chargers: between(rng, 1, 8), powerKW: float64(10 * between(rng, 15, 40))}
		full := st.powerKW * float64(st.chargers)
		st.capKW = math.Max(st.powerKW, roundTo(full*uniform(rng, 0.5, 1), 10))
		y.stations = append(y.stations, st)
	}
	return y
}

// placeName draws a made-up place name such as "Qarsu".
func placeName(rng *rand.Rand) string {
	heads, tails := strings.Fields(nameHeads), strings.Fields(nameTails)
	return heads[rng.IntN(len(heads))] + tails[rng.IntN(len(tails))]
}

// siteName, siteID and mapID are derived from the seed and the countries.
func (p plan) siteName() string {
	a, b := p.sides[0], p.sides[1]
	return fmt.Sprintf("%s (%s) – %s (%s) border crossing, generated from seed %d", a.place, a.code, b.place, b.code, p.seed)
}

func (p plan) siteID() string { return fmt.Sprintf("gen-%d", p.seed) }

func (p plan) mapID() string { return fmt.Sprintf("gen-%d-v1", p.seed) }

func between(rng *rand.Rand, lo, hi int) int { return lo + rng.IntN(hi-lo+1) }

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

// speed draws a limit in km/h, a multiple of 5 within [lo, hi].
func speed(rng *rand.Rand, lo, hi int) float64 { return float64(5 * between(rng, lo/5, hi/5)) }

// roundTo rounds x to a multiple of step, dividing for a fractional step
// so that the result prints short (13.0337, not 13.033700000000001).
func roundTo(x, step float64) float64 {
	if step < 1 {
		inv := math.Round(1 / step)
		return math.Round(x*inv) / inv
	}
	return math.Round(x/step) * step
}
