package report

import (
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

// plainTicks are gonum's default ticks labelled without trailing zeros
// ("25", not "25.00").
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', -1, 64)
		}
	}
	return ts
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
