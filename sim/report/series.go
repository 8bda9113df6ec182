package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/borderfleet/borderfleet/sim"
)

// Series is a run's time series as timeseries.csv holds it: named
// columns of numbers, one row a simulated minute. An empty cell (a
// shuttle not yet in the fleet) is NaN.
type Series struct {
	Cols []string
	Data [][]float64 // Data[col][row]
}

// Column prefixes and names of timeseries.csv.
const (
	colT         = "t_h" // hours since the start
	colDelivered = "delivered"
	colReturned  = "returned"
	colPending   = "pending"
	colUnderWay  = "under_way"
	preActivity  = "activity:"
	preQueue     = "queue:"
	preChargers  = "chargers_in_use:"
	preGrid      = "grid_kw:"
	preSoC       = "soc:"
)

// seriesOf makes a recording's time series.
func seriesOf(rec *sim.Recording) *Series {
	s := &Series{}
	n := len(rec.Samples)
	add := func(name string, f func(sim.Sample) float64) {
		col := make([]float64, n)
		for i, x := range rec.Samples {
			col[i] = f(x)
		}
		s.Cols = append(s.Cols, name)
		s.Data = append(s.Data, col)
	}
	add(colT, func(x sim.Sample) float64 { return x.T.Hours() })
	add(colDelivered, func(x sim.Sample) float64 { return float64(x.Delivered) })
	add(colReturned, func(x sim.Sample) float64 { return float64(x.Returned) })
	add(colPending, func(x sim.Sample) float64 { return float64(x.Pending) })
	add(colUnderWay, func(x sim.Sample) float64 { return float64(x.UnderWay) })
	for i, a := range rec.Activities {
		add(preActivity+a, func(x sim.Sample) float64 { return float64(x.Activity[i]) })
	}
	for i, cp := range rec.Checkpoints {
		add(preQueue+cp, func(x sim.Sample) float64 { return float64(x.Queue[i]) })
	}
	for i, st := range rec.Stations {
		add(preChargers+st.ID, func(x sim.Sample) float64 { return float64(x.ChargersInUse[i]) })
	}
	for i, st := range rec.Stations {
		add(preGrid+st.ID, func(x sim.Sample) float64 { return x.GridKW[i] })
	}
	for i, id := range rec.Shuttles {
		add(preSoC+id, func(x sim.Sample) float64 {
			if i < len(x.SoC) {
				return x.SoC[i]
			}
			return math.NaN()
		})
	}
	return s
}

// Col is a column by name, nil if there is none.
func (s *Series) Col(name string) []float64 {
	for i, c := range s.Cols {
		if c == name {
			return s.Data[i]
		}
	}
	return nil
}

// Prefixed lists the columns whose names start with prefix, in order,
// with the rest of their names.
func (s *Series) Prefixed(prefix string) (names []string, cols [][]float64) {
	for i, c := range s.Cols {
		if rest, ok := strings.CutPrefix(c, prefix); ok {
			names = append(names, rest)
			cols = append(cols, s.Data[i])
		}
	}
	return names, cols
}

// Sum is the sum by row of the columns with a prefix (NaN cells left
// out), nil if there are none.
func (s *Series) Sum(prefix string) []float64 {
	_, cols := s.Prefixed(prefix)
	if len(cols) == 0 {
		return nil
	}
	out := make([]float64, len(cols[0]))
	for _, c := range cols {
		for i, v := range c {
			if !math.IsNaN(v) {
				out[i] += v
			}
		}
	}
	return out
}

// Mean is the mean by row of the columns with a prefix over their cells
// that are not NaN, nil if there are none.
func (s *Series) Mean(prefix string) []float64 {
	_, cols := s.Prefixed(prefix)
	if len(cols) == 0 {
		return nil
	}
	out := make([]float64, len(cols[0]))
	for i := range out {
		sum, n := 0.0, 0
		for _, c := range cols {
			if !math.IsNaN(c[i]) {
				sum, n = sum+c[i], n+1
			}
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = sum / float64(n)
		}
	}
	return out
}

// format writes a cell: whole numbers as integers, others with up to 4
// decimals, NaN empty.
func format(name string, v float64) string {
	switch {
	case math.IsNaN(v):
		return ""
	case name == colT:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatInt(int64(v), 10)
	default:
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}

// WriteCSV writes the series as CSV with a header row.
func (s *Series) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Cols); err != nil {
		return err
	}
	rows := 0
	if len(s.Data) > 0 {
		rows = len(s.Data[0])
	}
	row := make([]string, len(s.Cols))
	for r := 0; r < rows; r++ {
		for c, name := range s.Cols {
			row[c] = format(name, s.Data[c][r])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadSeries reads a timeseries.csv.
func ReadSeries(path string) (*Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if len(recs) == 0 || len(recs[0]) == 0 || recs[0][0] != colT {
		return nil, fmt.Errorf("report: %s: not a time series (want a header row starting with %q)", path, colT)
	}
	s := &Series{Cols: recs[0], Data: make([][]float64, len(recs[0]))}
	for r, rec := range recs[1:] {
		for c, cell := range rec {
			v := math.NaN()
			if cell != "" {
				if v, err = strconv.ParseFloat(cell, 64); err != nil {
					return nil, fmt.Errorf("report: %s: row %d, column %s: %w", path, r+2, s.Cols[c], err)
				}
			}
			s.Data[c] = append(s.Data[c], v)
		}
	}
	return s, nil
}
