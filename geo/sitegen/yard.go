package sitegen

import (
	"fmt"
	"math"
	"slices"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/paulmach/orb"
)

// Yard geometry, in metres of the yard frame: p from the centre's gate
// into the yard, q across it. The ring's front side runs at p = ringFront,
// its long sides (the rows) at q = ±ringHalf, its back side at p = back.
// The ring is driven into the yard along q = -ringHalf (the bottom row),
// across the back and out along q = +ringHalf (the top row).
const (
	ringFront    = 10.0
	ringHalf     = 60.0
	rowStart     = 20.0 // from a corner of the ring to the first slot of a row
	minRow       = 60.0
	ringBaySlot  = 40.0 // a bay on a loop, with room for a waiting loop before it
	rowsBaySlot  = 28.0 // a bay on a stub, with room for a waiting loop before it
	parkSlot     = 12.0
	loopDepth    = 18.0 // from the ring out to a bay on a loop
	bayStubLen   = 24.0
	parkStubLen  = 24.0
	waitDepth    = 20.0 // from the ring in to a waiting spot
	stationSlot  = 30.0
	stationDepth = 16.0 // from the ring's back side out to a station
	centreBeyond = 25.0 // from the ring's back side to the centre's back edge
	centreHalf   = ringHalf + 30
	stubKmh      = 10.0
)

// yardDims is the size of a yard.
type yardDims struct {
	rowLen      float64 // of each row's slots
	top, bottom int     // parking spots on each row
	back        float64 // p of the ring's back side
}

func dims(y yardPlan) yardDims {
	bayLen := float64(y.bays) * baySlot(y.layout)
	half := math.Ceil((bayLen+float64(y.parking)*parkSlot)/2/parkSlot) * parkSlot
	row := math.Max(minRow, math.Max(bayLen, half))
	dm := yardDims{top: min(y.parking, int(row/parkSlot))}
	dm.bottom = y.parking - dm.top
	dm.rowLen = math.Max(row, bayLen+float64(dm.bottom)*parkSlot)
	dm.back = ringFront + rowStart + dm.rowLen + rowStart
	return dm
}

// yardDepth is how far the centre reaches from its gate.
func yardDepth(y yardPlan) float64 { return dims(y).back + centreBeyond }

func baySlot(l YardLayout) float64 {
	if l == YardRows {
		return rowsBaySlot
	}
	return ringBaySlot
}

// yardPen draws one yard and collects the marks its lanes leave on the ring.
type yardPen struct {
	d                 *drawing
	side              int
	pre, centre       string
	bottom, back, top []float64 // marks on the rows (p) and the back side (q)
	parked            int
}

func (y *yardPen) pt(p, q float64) orb.Point { return y.d.yardPt(y.side, p, q) }

// drawYard draws a side's centre: polygon, ring, bays, waiting and parking
// spots and charging stations.
func (d *drawing) drawYard(side int) {
	s := d.p.sides[side]
	yp, dm := s.yard, dims(s.yard)
	y := &yardPen{d: d, side: side, pre: s.prefix, centre: s.prefix + "-lc"}
	d.add(geo.KindCentre, y.centre, orb.Polygon{y.ring(0, yardDepth(yp), centreHalf)},
		props{"name": s.place + " Logistics Centre", "country": s.code})
	x := ringFront + rowStart
	for i := 1; i <= yp.bays; i++ {
		y.baySlot(yp, i, x)
		x += baySlot(yp.layout)
	}
	for range dm.bottom {
		y.parkStub(x+parkSlot/2, -1)
		x += parkSlot
	}
	x = dm.back - rowStart
	for range dm.top {
		y.parkStub(x-parkSlot/2, 1)
		x -= parkSlot
	}
	for i, st := range yp.stations {
		y.station(i, len(yp.stations), dm.back, st)
	}
	y.drawRing(dm.back, yp.ringKmh, s.place)
}

// ring is the closed rectangle [p0, p1] x [-half, half] of the yard frame.
func (y *yardPen) ring(p0, p1, half float64) orb.Ring {
	return orb.Ring{y.pt(p0, -half), y.pt(p1, -half), y.pt(p1, half), y.pt(p0, half), y.pt(p0, -half)}
}

// baySlot draws bay i in the bottom-row slot from p = x, with its
// waiting spot before it.
func (y *yardPen) baySlot(yp yardPlan, i int, x float64) {
	r := ringHalf
	id := fmt.Sprintf("%s-bay-%02d", y.pre, i)
	if yp.waits {
		wid := fmt.Sprintf("%s-wait-%02d", y.pre, i)
		y.bottom = append(y.bottom, x+2, x+12)
		y.d.lane(wid+"-lane", "", geo.OneWay, stubKmh,
			y.pt(x+2, -r), y.pt(x+4, -r+waitDepth), y.pt(x+7, -r+waitDepth), y.pt(x+10, -r+waitDepth), y.pt(x+12, -r))
		y.d.point(geo.KindParking, wid, y.pt(x+7, -r+waitDepth), props{"centre": y.centre})
	}
	if yp.layout == YardRows {
		y.bottom = append(y.bottom, x+20)
		y.d.lane(id+"-stub", "", geo.TwoWay, stubKmh, y.pt(x+20, -r), y.pt(x+20, -r-bayStubLen))
		y.d.point(geo.KindBay, id, y.pt(x+20, -r-bayStubLen), props{"centre": y.centre})
		return
	}
	y.bottom = append(y.bottom, x+16, x+36)
	y.d.lane(id+"-lane", "", geo.OneWay, stubKmh,
		y.pt(x+16, -r), y.pt(x+19, -r-loopDepth), y.pt(x+26, -r-loopDepth), y.pt(x+33, -r-loopDepth), y.pt(x+36, -r))
	y.d.point(geo.KindBay, id, y.pt(x+26, -r-loopDepth), props{"centre": y.centre})
}

// parkStub draws a parking spot at the end of a two-way stub out of the
// bottom (sign -1) or top (sign 1) row at p = x.
func (y *yardPen) parkStub(x, sign float64) {
	y.parked++
	id := fmt.Sprintf("%s-park-%02d", y.pre, y.parked)
	if sign < 0 {
		y.bottom = append(y.bottom, x)
	} else {
		y.top = append(y.top, x)
	}
	y.d.lane(id+"-lane", "", geo.TwoWay, stubKmh, y.pt(x, sign*ringHalf), y.pt(x, sign*(ringHalf+parkStubLen)))
	y.d.point(geo.KindParking, id, y.pt(x, sign*(ringHalf+parkStubLen)), props{"centre": y.centre})
}

// station draws station i of n on a one-way lay-by out of the ring's back
// side, so that no route passes through it.
func (y *yardPen) station(i, n int, back float64, st stationPlan) {
	q0 := -float64(n)*stationSlot/2 + float64(i)*stationSlot
	id := fmt.Sprintf("%s-charging-%d", y.pre, i+1)
	y.back = append(y.back, q0+3, q0+27)
	out := back + stationDepth
	y.d.lane(id+"-lane", "Charging lay-by", geo.OneWay, stubKmh,
		y.pt(back, q0+3), y.pt(out, q0+8), y.pt(out, q0+15), y.pt(out, q0+22), y.pt(back, q0+27))
	y.d.point(geo.KindChargingStation, id, y.pt(out, q0+15), props{
		"centre": y.centre, "chargers": st.chargers, "charger_power_kw": st.powerKW, "grid_cap_kw": st.capKW,
		"name": fmt.Sprintf("%s charging station %d", y.d.p.sides[y.side].place, i+1),
	})
}

// drawRing draws the one-way ring: from where the road's lane into the
// yard ends (p = ringFront, q = -laneOffset) down the front side, along
// the bottom row, across the back, back along the top row and up the front
// past where the road's lane out of the yard starts (q = +laneOffset).
func (y *yardPen) drawRing(back, kmh float64, place string) {
	r, f := ringHalf, ringFront
	pts := []orb.Point{y.pt(f, -laneOffset), y.pt(f, -r)}
	slices.Sort(y.bottom)
	for _, p := range y.bottom {
		pts = append(pts, y.pt(p, -r))
	}
	pts = append(pts, y.pt(back, -r))
	slices.Sort(y.back)
	for _, q := range y.back {
		pts = append(pts, y.pt(back, q))
	}
	pts = append(pts, y.pt(back, r))
	slices.Sort(y.top)
	for i := len(y.top) - 1; i >= 0; i-- {
		pts = append(pts, y.pt(y.top[i], r))
	}
	pts = append(pts, y.pt(f, r), y.pt(f, laneOffset), y.pt(f, -laneOffset))
	y.d.lane(y.pre+"-yard-ring", place+" Logistics Centre yard ring", geo.OneWay, kmh, pts...)
}
