package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/borderfleet/borderfleet/sim"
	"gonum.org/v1/plot"
)

// Run is one run to compare: a name, its report, and its time series if
// its folder has one.
type Run struct {
	Name   string
	Report sim.Report
	Series *Series // nil without a timeseries.csv
}

// Load reads a run to compare: a report folder (its summary.json and
// timeseries.csv), or a summary JSON file (what `fleetd sim --json`
// prints; with the time series beside it when it is a folder's
// summary.json).
func Load(path string) (Run, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Run{}, fmt.Errorf("report: compare: %w", err)
	}
	file, name := path, strings.TrimSuffix(filepath.Base(path), ".json")
	if st.IsDir() {
		file, name = filepath.Join(path, SummaryFile), filepath.Base(filepath.Clean(path))
	} else if filepath.Base(path) == SummaryFile {
		name = filepath.Base(filepath.Dir(filepath.Clean(path)))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return Run{}, fmt.Errorf("report: compare: %w", err)
	}
	var r sim.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return Run{}, fmt.Errorf("report: compare: %s: not a run's summary: %w", file, err)
	}
	if r.Shuttles == 0 || r.SimHours == 0 {
		return Run{}, fmt.Errorf("report: compare: %s: not a run's summary (no shuttles or sim_hours)", file)
	}
	run := Run{Name: name, Report: r}
	ts := filepath.Join(filepath.Dir(file), TimeseriesFile)
	if filepath.Base(file) == SummaryFile {
		if s, err := ReadSeries(ts); err == nil {
			run.Series = s
		} else if !errors.Is(err, os.ErrNotExist) {
			return Run{}, fmt.Errorf("report: compare: %w", err)
		}
	}
	return run, nil
}

// compareRows are the figures compared: a name and how to read it.
func compareRows() []struct {
	name string
	f    func(sim.Report) float64
	prec int
} {
	type row = struct {
		name string
		f    func(sim.Report) float64
		prec int
	}
	return []row{
		{"shuttles", func(r sim.Report) float64 { return float64(r.Shuttles) }, 0},
		{"simulated hours", func(r sim.Report) float64 { return r.SimHours }, 1},
		{"seed", func(r sim.Report) float64 { return float64(r.Seed) }, 0},
		{"loaded trips per hour", func(r sim.Report) float64 { return r.LoadedTrips }, 1},
		{"bound (loaded trips per hour)", func(r sim.Report) float64 { return r.BoundLoadedTrips }, 1},
		{"bound ratio", func(r sim.Report) float64 { return r.BoundRatio }, 3},
		{"moves created", func(r sim.Report) float64 { return float64(r.MovesCreated) }, 0},
		{"moves delivered", func(r sim.Report) float64 { return float64(r.MovesDelivered) }, 0},
		{"moves refused and returned", func(r sim.Report) float64 { return float64(r.MovesReturned) }, 0},
		{"moves pending at the end", func(r sim.Report) float64 { return float64(r.MovesPending) }, 0},
		{"mean lead time (s)", func(r sim.Report) float64 { return r.MeanLeadTimeS }, 0},
		{"breakdowns", func(r sim.Report) float64 { return float64(r.Breakdowns) }, 0},
		{"lowest state of charge", func(r sim.Report) float64 { return r.MinSoC }, 3},
		{"conflicts", func(r sim.Report) float64 { return float64(r.Conflicts) }, 0},
		{"battery depletions", func(r sim.Report) float64 { return float64(r.BatteryDepletions) }, 0},
		{"deadlocks", func(r sim.Report) float64 { return float64(r.Deadlocks) }, 0},
		{"lost moves", func(r sim.Report) float64 { return float64(r.LostMoves) }, 0},
		{"duplicate deliveries", func(r sim.Report) float64 { return float64(r.DuplicateDeliveries) }, 0},
		{"illegal transitions", func(r sim.Report) float64 { return float64(r.IllegalTransitions) }, 0},
	}
}

// CompareTable is the runs' figures side by side, each later run with
// its ratio to the first ("-" where the first is 0).
func CompareTable(runs []Run) (head []string, rows [][]string) {
	head = []string{"figure"}
	for i, r := range runs {
		head = append(head, r.Name)
		if i > 0 {
			head = append(head, r.Name+" / "+runs[0].Name)
		}
	}
	for _, row := range compareRows() {
		cells := []string{row.name}
		first := row.f(runs[0].Report)
		for i, r := range runs {
			v := row.f(r.Report)
			cells = append(cells, fmt.Sprintf("%.*f", row.prec, v))
			if i > 0 {
				ratio := "-"
				if first != 0 {
					ratio = fmt.Sprintf("%.3f", v/first)
				}
				cells = append(cells, ratio)
			}
		}
		rows = append(rows, cells)
	}
	return head, rows
}

// PrintCompare writes the comparison as text.
func PrintCompare(w io.Writer, runs []Run) {
	head, rows := CompareTable(runs)
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			if i == 0 {
				fmt.Fprintf(w, "%-*s", width[i], c)
			} else {
				fmt.Fprintf(w, "  %*s", width[i], c)
			}
		}
		fmt.Fprintln(w)
	}
}

// CompareFigures are the overlaid plots of a comparison.
func CompareFigures() []Figure {
	return []Figure{
		{"cmp_delivered", "Loaded trips delivered so far, each run."},
		{"cmp_pending", "Moves waiting for a shuttle, each run."},
		{"cmp_gates", "Containers waiting for customs at all checkpoints together (means over 30 minutes), each run."},
		{"cmp_charging", "Chargers in use at all stations together, each run."},
		{"cmp_soc", "The fleet's mean state of charge, each run."},
	}
}

// Compare writes a comparison folder: index.html with the runs' figures
// side by side and their ratios, and the overlaid plots of the runs that
// have time series.
func Compare(dir string, runs []Run) error {
	if len(runs) < 2 {
		return fmt.Errorf("report: compare: %d runs: want two or more", len(runs))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: folder %s: %w", dir, err)
	}
	head, rows := CompareTable(runs)
	p := page{Title: "Simulated fleet days compared", Tables: []table{{Caption: "Figures, and each run's ratio to the first", Head: head, Rows: rows}}}
	var with []Run
	var without []string
	for _, r := range runs {
		if r.Series != nil {
			with = append(with, r)
		} else {
			without = append(without, r.Name)
		}
	}
	p.Intro = "Runs: " + names(runs) + "."
	if len(without) > 0 {
		p.Intro += " No time series for " + strings.Join(without, ", ") + " (a summary JSON without its report folder): not in the plots."
	}
	if len(with) > 0 {
		for _, f := range CompareFigures() {
			pl, err := overlay(f.Name, with)
			if err != nil {
				return fmt.Errorf("report: plot %s: %w", f.Name, err)
			}
			if err := save(dir, f.Name, pl); err != nil {
				return err
			}
		}
		p.Figures = CompareFigures()
	}
	return writeIndex(filepath.Join(dir, IndexFile), p)
}

func names(runs []Run) string {
	var out []string
	for _, r := range runs {
		out = append(out, r.Name)
	}
	return strings.Join(out, ", ")
}

// overlay draws one figure of a comparison, a line a run.
func overlay(name string, runs []Run) (*plot.Plot, error) {
	type spec struct {
		title, y string
		col      func(*Series) []float64
		block    int
	}
	specs := map[string]spec{
		"cmp_delivered": {"Delivered trips over time", "loaded trips delivered", func(s *Series) []float64 { return s.Col(colDelivered) }, 1},
		"cmp_pending":   {"Moves waiting for a shuttle", "moves pending", func(s *Series) []float64 { return s.Col(colPending) }, 1},
		"cmp_gates":     {"Containers waiting for customs, all checkpoints (means over 30 minutes)", "containers waiting", func(s *Series) []float64 { return s.Sum(preQueue) }, gateBlock},
		"cmp_charging":  {"Chargers in use, all stations", "chargers", func(s *Series) []float64 { return s.Sum(preChargers) }, 1},
		"cmp_soc":       {"Mean state of charge of the fleet", "state of charge (%)", func(s *Series) []float64 { return scale(s.Mean(preSoC), 100) }, 1},
	}
	sp := specs[name]
	p := newPlot(sp.title, hoursLabel, sp.y)
	hi := 1.0
	for i, r := range runs {
		t, c := blockMeans(r.Series.Col(colT), sp.block), sp.col(r.Series)
		if c == nil {
			continue
		}
		c = blockMeans(c, sp.block)
		if _, err := line(p, xys(t, c), colour(i), 1.8, false, r.Name); err != nil {
			return nil, err
		}
		hi = math.Max(hi, maxOf(c))
	}
	p.Y.Min, p.X.Min = 0, 0
	p.Y.Max = hi * (1.15 + 0.07*float64(len(runs))) // room for the legend
	if name == "cmp_soc" {
		p.Y.Max = 100
		p.Legend.Top = false
	}
	return p, nil
}
