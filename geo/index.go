package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// segRef names segment seg (from vertex seg to seg+1) of lane lane.
type segRef struct{ lane, seg int }

// segIndex is a uniform grid over lane segments, for finding the segments
// near a point or another segment without comparing every pair. A segment
// is filed under the cells of points sampled every half cell along it, so
// every point of it is within a quarter cell of a filed cell's sample.
type segIndex struct {
	cell  float64
	paths []orb.LineString
	cells map[[2]int][]segRef
	seen  map[segRef]int // query stamp per segment, to report each once
	stamp int
}

func newSegIndex(paths []orb.LineString, cell float64) *segIndex {
	ix := &segIndex{cell: cell, paths: paths, cells: map[[2]int][]segRef{}, seen: map[segRef]int{}}
	for li, ls := range paths {
		for si := 0; si+1 < len(ls); si++ {
			r := segRef{li, si}
			ix.eachSegmentCell(r, func(k [2]int) { ix.cells[k] = append(ix.cells[k], r) })
		}
	}
	return ix
}

func (ix *segIndex) key(p orb.Point) [2]int {
	return [2]int{int(math.Floor(p[0] / ix.cell)), int(math.Floor(p[1] / ix.cell))}
}

// eachSegmentCell visits, once each, the cells of the samples along r.
func (ix *segIndex) eachSegmentCell(r segRef, visit func([2]int)) {
	a, b := ix.segment(r)
	n := int(math.Ceil(distanceXY(a, b)/(ix.cell/2))) + 1
	last := [2]int{math.MinInt, math.MinInt}
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		k := ix.key(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		if k != last {
			visit(k)
			last = k
		}
	}
}

// visitCells visits each not yet seen segment filed in the cells within
// reach cells of k.
func (ix *segIndex) visitCells(k [2]int, reach int, visit func(segRef)) {
	for x := k[0] - reach; x <= k[0]+reach; x++ {
		for y := k[1] - reach; y <= k[1]+reach; y++ {
			for _, r := range ix.cells[[2]int{x, y}] {
				if ix.seen[r] != ix.stamp {
					ix.seen[r] = ix.stamp
					visit(r)
				}
			}
		}
	}
}

// nearPoint visits each segment that may lie within dist of p.
func (ix *segIndex) nearPoint(p orb.Point, dist float64, visit func(segRef)) {
	ix.stamp++
	ix.visitCells(ix.key(p), int(math.Ceil(dist/ix.cell))+1, visit)
}

// nearSegment visits each segment that may touch r.
func (ix *segIndex) nearSegment(r segRef, visit func(segRef)) {
	ix.stamp++
	ix.eachSegmentCell(r, func(k [2]int) { ix.visitCells(k, 1, visit) })
}

// segment returns the end points of r.
func (ix *segIndex) segment(r segRef) (orb.Point, orb.Point) {
	ls := ix.paths[r.lane]
	return ls[r.seg], ls[r.seg+1]
}

// nearest returns the segment nearest to p among those within maxDist that
// keep(lane) accepts, with its distance; ok is false when there is none.
func (ix *segIndex) nearest(p orb.Point, maxDist float64, keep func(lane int) bool) (segRef, float64, bool) {
	best, bestD, found := segRef{}, math.Inf(1), false
	ix.nearPoint(p, maxDist, func(r segRef) {
		if !keep(r.lane) {
			return
		}
		a, b := ix.segment(r)
		if d := planar.DistanceFromSegment(a, b, p); d <= maxDist && d < bestD {
			best, bestD, found = r, d, true
		}
	})
	return best, bestD, found
}
