package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/borderfleet/borderfleet/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// SweepPoint is one run of a sweep: the parameter's value and the run's
// report.
type SweepPoint struct {
	Value  float64    `json:"value"`
	Report sim.Report `json:"report"`
}

// File names of a sweep's folder.
const (
	SweepFile    = "sweep.json"
	SweepCSVFile = "sweep.csv"
	SweepPlot    = "sweep"
)

// sweepResult is sweep.json.
type sweepResult struct {
	Parameter string       `json:"parameter"`
	Points    []SweepPoint `json:"points"`
}

// WriteSweep writes a sweep's folder: sweep.json (every run's report),
// sweep.csv (a row a value), the plot of throughput, lead time and bound
// ratio against the parameter (SVG and PNG) and index.html.
func WriteSweep(dir string, sw sim.Sweep, pts []SweepPoint) error {
	if len(pts) == 0 {
		return fmt.Errorf("report: sweep of %s: no runs", sw.Parameter)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: folder %s: %w", dir, err)
	}
	if err := writeJSON(filepath.Join(dir, SweepFile), sweepResult{Parameter: sw.Parameter, Points: pts}); err != nil {
		return err
	}
	head, rows := sweepTable(sw, pts)
	if err := writeFile(filepath.Join(dir, SweepCSVFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		_ = cw.Write(head)
		_ = cw.WriteAll(rows)
		return cw.Error()
	}); err != nil {
		return err
	}
	if err := sweepPlots(dir, sw, pts); err != nil {
		return err
	}
	first := pts[0].Report
	p := page{Title: "Sweep of " + sw.Parameter,
		Intro: fmt.Sprintf("One run for each value of %s; otherwise as the scenario: %g h, dispatch %s, charging %s, seed %d. Every run's report is in %s.",
			sw.Parameter, first.SimHours, first.Policy, first.Charging, first.Seed, SweepFile),
		Tables:  []table{{Caption: "Each run", Head: head, Rows: rows}},
		Figures: []Figure{{SweepPlot, "Throughput against its bound, mean lead time and bound ratio, against " + sw.Parameter + "."}}}
	return writeIndex(filepath.Join(dir, IndexFile), p)
}

// sweepTable is a row a run: the value, the figures, whether a safety
// promise broke, and the moves asked for per hour (the demand the run
// drew: a run below its bound may have served all of it).
func sweepTable(sw sim.Sweep, pts []SweepPoint) ([]string, [][]string) {
	head := []string{sw.Parameter, "loaded_trips_per_hour", "bound_loaded_trips_per_hour", "bound_ratio", "mean_lead_time_s", "moves_delivered", "moves_pending", "safety",
		"moves_asked_per_hour"}
	var rows [][]string
	for _, p := range pts {
		r := p.Report
		safety := "kept"
		if r.Failed() {
			safety = "BROKEN"
		}
		asked := 0.0
		if r.SimHours > 0 {
			asked = float64(r.MovesCreated) / r.SimHours
		}
		rows = append(rows, []string{strconv.FormatFloat(p.Value, 'f', -1, 64), fmt.Sprintf("%.2f", r.LoadedTrips), fmt.Sprintf("%.2f", r.BoundLoadedTrips),
			fmt.Sprintf("%.3f", r.BoundRatio), fmt.Sprintf("%.0f", r.MeanLeadTimeS), strconv.Itoa(r.MovesDelivered), strconv.Itoa(r.MovesPending), safety,
			fmt.Sprintf("%.2f", asked)})
	}
	return head, rows
}

// PrintSweep writes a sweep's table as text.
func PrintSweep(w io.Writer, sw sim.Sweep, pts []SweepPoint) {
	head, rows := sweepTable(sw, pts)
	fmt.Fprintf(w, "%-22s %12s %12s %8s %12s %14s %10s %s\n", head[0], "trips/h", "bound", "ratio", "asked/h", "lead time (h)", "delivered", "safety")
	for i, r := range rows {
		fmt.Fprintf(w, "%-22s %12s %12s %8s %12s %14.1f %10s %s\n", r[0], r[1], r[2], r[3], r[8], pts[i].Report.MeanLeadTimeS/3600, r[5], r[7])
	}
}

// sweepPlots draws throughput and its bound, lead time and bound ratio
// against the parameter, one panel each.
func sweepPlots(dir string, sw sim.Sweep, pts []SweepPoint) error {
	x := sw.Parameter
	thr := newPlot("Throughput against "+x, x, "loaded trips per hour")
	lead := newPlot("Mean lead time against "+x, x, "mean lead time (h)")
	ratio := newPlot("Bound ratio against "+x, x, "throughput / bound")
	var got, bound, demand, lt, br plotter.XYs
	hi := 1.0
	for _, p := range pts {
		r := p.Report
		got = append(got, plotter.XY{X: p.Value, Y: r.LoadedTrips})
		if r.SimHours > 0 {
			// what was asked for: a run under its bound that delivers all
			// of it has a low bound ratio and nothing wrong
			demand = append(demand, plotter.XY{X: p.Value, Y: float64(r.MovesCreated) / r.SimHours})
			hi = max(hi, float64(r.MovesCreated)/r.SimHours)
		}
		bound = append(bound, plotter.XY{X: p.Value, Y: r.BoundLoadedTrips})
		lt = append(lt, plotter.XY{X: p.Value, Y: r.MeanLeadTimeS / 3600})
		br = append(br, plotter.XY{X: p.Value, Y: r.BoundRatio})
		hi = max(hi, r.LoadedTrips, r.BoundLoadedTrips)
	}
	for _, s := range []struct {
		p      *plot.Plot
		pts    plotter.XYs
		c      int
		dashed bool
		name   string
	}{
		{thr, bound, 3, true, "bound"},
		{thr, demand, 8, true, "demand (moves asked for per hour)"},
		{thr, got, 0, false, "achieved"},
		{lead, lt, 2, false, ""},
		{ratio, br, 0, false, ""},
	} {
		l, pt, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return fmt.Errorf("report: sweep plot: %w", err)
		}
		l.LineStyle.Color, pt.Color = colour(s.c), colour(s.c)
		l.LineStyle.Width = vg.Points(1.8)
		if s.dashed {
			l.LineStyle.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
		}
		s.p.Add(l, pt)
		if s.name != "" {
			s.p.Legend.Add(s.name, l, pt)
		}
	}
	thr.Y.Min, thr.Y.Max = 0, hi*1.25
	lead.Y.Min = 0
	ratio.Y.Min, ratio.Y.Max = 0, 1.05
	thr.Legend.Left, thr.Legend.Top = true, true
	return save(dir, SweepPlot, thr, lead, ratio)
}
