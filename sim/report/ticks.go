package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// hourTicks marks simulated hours: a labelled tick every 1, 2, 4 or 12
// hours as the run is long, an unlabelled one between.
type hourTicks struct{}

// Ticks implements plot.Ticker.
func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 12.0
	switch r := hi - lo; {
	case r <= 3:
		step = 0.5
	case r <= 8:
		step = 1
	case r <= 16:
		step = 2
	case r <= 48:
		step = 4
	}
	var out []plot.Tick
	for i := 0; ; i++ {
		v := float64(i) * step / 2
		if v > hi+1e-9 {
			break
		}
		if v < lo-1e-9 {
			continue
		}
		t := plot.Tick{Value: v}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, t)
	}
	return out
}

// plainTicks label 3 to 7 round values (steps of 1, 2, 2.5 or 5 times
// a power of ten) with an unlabelled tick between each two, labelled
// without trailing zeros ("25", not "25.00"). gonum's default ticks
// label as few as two values, which leaves an axis of 0 to 2.5
// unreadable.
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := span / 6 // at most some 7 labels
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []plot.Tick
	for k := math.Ceil(lo / step * 2); k*step/2 <= hi+step*1e-9; k++ {
		v := k * step / 2
		t := plot.Tick{Value: v}
		if math.Mod(k, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'g', 10, 64)
		}
		out = append(out, t)
	}
	return out
}

// blockMeans averages a column over blocks of k rows (the last block may
// be shorter).
func blockMeans(c []float64, k int) []float64 {
	var out []float64
	for i := 0; i < len(c); i += k {
		j := min(i+k, len(c))
		sum := 0.0
		for _, v := range c[i:j] {
			sum += v
		}
		out = append(out, sum/float64(j-i))
	}
	return out
}
