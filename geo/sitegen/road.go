package sitegen

import (
	"fmt"
	"slices"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/paulmach/orb"
)

// Lane speed limits off the road proper, km/h.
const (
	spurKmh      = 10.0
	turnbackKmh  = 10.0
	spurDepth    = 15.0 // from the lane out to an inspection bay
	stopAt       = 2.0  // along a slot: the stop line, where the spur leaves
	spurOut      = 8.0  // the spur's corner leaving the lane
	bayAt        = 18.0 // the inspection bay
	spurBack     = 28.0 // the spur's corner rejoining the lane
	spurRejoin   = 34.0 // where the spur rejoins the lane
	turnbackFrom = 50.0 // where the turn-back crossover leaves the lane
	turnbackTo   = 56.0 // where it joins the lane of the other direction
)

// drawRoad draws the checkpoints, then the road lanes with a vertex at
// every mark the checkpoints left on them.
func (d *drawing) drawRoad() {
	ps := d.p.cor.pieces()
	for side, s := range d.p.sides {
		for i, g := range s.gates {
			d.drawGate(side, g, d.p.cor.plaza[side]+float64(i)*slotLen, ps)
		}
	}
	for _, pc := range ps {
		d.drawPiece(pc)
	}
}

// drawGate draws one checkpoint in the slot of road from u = s: its stop
// line, the one-way spur to its inspection bay that leaves the lane at the
// stop line and rejoins it, and the one-way turn-back crossover past it to
// the lane of the other direction. A slot for traffic from B to A is the
// mirror image of one from A to B.
func (d *drawing) drawGate(side int, g gate, s float64, ps []piece) {
	country := d.p.sides[side]
	ab := g.checksAB(side)
	w := laneOffset
	// at maps slot coordinates (x along the traffic, y out from the road's
	// axis) to the corridor frame
	at := func(x, y float64) orb.Point {
		if ab {
			return orb.Point{s + x, -y}
		}
		return orb.Point{s + slotLen - x, y}
	}
	own, other := &d.ab, &d.ba
	if !ab {
		own, other = other, own
	}
	*own = append(*own, at(stopAt, w)[0], at(spurRejoin, w)[0], at(turnbackFrom, w)[0])
	*other = append(*other, at(turnbackTo, -w)[0])

	kind, what := "in", "entry"
	towards := "from " + d.p.sides[1-side].code
	if g.export {
		kind, what, towards = "out", "exit", "towards "+d.p.sides[1-side].code
	}
	id := fmt.Sprintf("%s-%s-%d", country.prefix, kind, g.n)
	bay := id + "-inspection"
	d.lane(id+"-spur", "Inspection spur", geo.OneWay, spurKmh,
		at(stopAt, w), at(spurOut, w+spurDepth), at(bayAt, w+spurDepth), at(spurBack, w+spurDepth), at(spurRejoin, w))
	d.point(geo.KindBay, bay, at(bayAt, w+spurDepth), nil)
	d.point(geo.KindCheckpoint, id, at(stopAt, w), props{
		"country": country.code, "lane": laneAt(ps, at(stopAt, w)[0], ab), "release_time_s": g.releaseS,
		"inspection_bay": bay, "name": fmt.Sprintf("%s (%s) %s control %d, %s", country.place, country.code, what, g.n, towards),
	})
	d.lane(id+"-turnback", "Turn-back crossover", geo.OneWay, turnbackKmh, at(turnbackFrom, w), at(turnbackTo, -w))
}

// laneAt names the one-way lane of the divided piece that holds u.
func laneAt(ps []piece, u float64, ab bool) string {
	for _, pc := range ps {
		if !pc.shared && pc.lo < u && u < pc.hi {
			return pieceLaneID(pc, ab)
		}
	}
	return "" // a checkpoint outside every divided piece: a bug the loader reports
}

func pieceLaneID(pc piece, ab bool) string {
	switch {
	case pc.shared:
		return fmt.Sprintf("road-shared-%d", pc.n)
	case ab:
		return fmt.Sprintf("road-ab-%d", pc.n)
	}
	return fmt.Sprintf("road-ba-%d", pc.n)
}

// drawPiece draws one piece of road: a shared two-way lane, or two
// one-way lanes that taper into the shared pieces beside it.
func (d *drawing) drawPiece(pc piece) {
	a, b := d.p.sides[0].code, d.p.sides[1].code
	if pc.shared {
		d.lane(pieceLaneID(pc, true), "Corridor, one lane both ways", geo.TwoWay, pc.kmh,
			orb.Point{pc.lo, 0}, orb.Point{pc.hi, 0})
		return
	}
	start, end := -ringFront, d.p.cor.gap+ringFront
	w := laneOffset
	var ab, ba orb.LineString
	if pc.lo == start {
		ab = append(ab, orb.Point{pc.lo, -w})
	} else {
		ab = append(ab, orb.Point{pc.lo, 0}, orb.Point{pc.lo + taper, -w})
	}
	if pc.hi == end {
		ba = append(ba, orb.Point{pc.hi, w})
	} else {
		ba = append(ba, orb.Point{pc.hi, 0}, orb.Point{pc.hi - taper, w})
	}
	for _, u := range marksIn(d.ab, pc.span) {
		ab = append(ab, orb.Point{u, -w})
	}
	inBA := marksIn(d.ba, pc.span)
	for i := len(inBA) - 1; i >= 0; i-- {
		ba = append(ba, orb.Point{inBA[i], w})
	}
	if pc.hi == end {
		ab = append(ab, orb.Point{pc.hi, -w})
	} else {
		ab = append(ab, orb.Point{pc.hi - taper, -w}, orb.Point{pc.hi, 0})
	}
	if pc.lo == start {
		ba = append(ba, orb.Point{pc.lo, w})
	} else {
		ba = append(ba, orb.Point{pc.lo + taper, w}, orb.Point{pc.lo, 0})
	}
	d.lane(pieceLaneID(pc, true), fmt.Sprintf("Corridor %s to %s", a, b), geo.OneWay, pc.kmh, ab...)
	d.lane(pieceLaneID(pc, false), fmt.Sprintf("Corridor %s to %s", b, a), geo.OneWay, pc.kmh, ba...)
}

// marksIn returns the marks strictly inside a span, sorted.
func marksIn(marks []float64, s span) []float64 {
	var out []float64
	for _, u := range marks {
		if s.lo < u && u < s.hi {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}
