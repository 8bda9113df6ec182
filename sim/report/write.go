package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/borderfleet/borderfleet/sim"
	"gonum.org/v1/plot"
)

// File names in a report folder.
const (
	SummaryFile    = "summary.json"
	EventsFile     = "events.csv"
	TimeseriesFile = "timeseries.csv"
	IndexFile      = "index.html"
)

// Write writes a run's report folder: summary.json, events.csv,
// timeseries.csv, the plots (Figures) as SVG and PNG, and index.html. It
// makes dir if need be and overwrites the files it writes.
func Write(dir string, r sim.Report, rec *sim.Recording) error {
	if rec == nil {
		return fmt.Errorf("report: no recording of the run (sim.RunWith with Options.Record)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: folder %s: %w", dir, err)
	}
	if err := writeJSON(filepath.Join(dir, SummaryFile), r); err != nil {
		return err
	}
	if err := writeEvents(filepath.Join(dir, EventsFile), rec); err != nil {
		return err
	}
	s := seriesOf(rec)
	if err := writeFile(filepath.Join(dir, TimeseriesFile), s.WriteCSV); err != nil {
		return err
	}
	figs, err := writePlots(dir, r, rec, s)
	if err != nil {
		return err
	}
	return writeIndex(filepath.Join(dir, IndexFile), runPage(r, figs))
}

// Figures are the plots of a run's report, in the order index.html shows
// them.
func Figures() []Figure {
	return []Figure{
		{"delivered", "Loaded trips delivered so far, against what the bound allows by then."},
		{"activity", "What the shuttles do: the shuttles in each activity, means over 10 minutes, stacked."},
		{"soc", "Each shuttle's state of charge as the fleet last heard it, their mean, and the 20 to 80 % band the fleet operates in."},
		{"charging", "Chargers in use at each station against its chargers, and the grid power drawn against the station's cap."},
		{"gates", "Containers waiting for customs at each checkpoint: at the stop line or at its inspection bay."},
		{"lead_time", "Lead time of each delivered move: from the operator's request to the drop at the destination bay."},
		{"gate_wait", "Each stop at customs: from arrival at a stop line to leaving it or its inspection bay."},
	}
}

func writePlots(dir string, r sim.Report, rec *sim.Recording, s *Series) ([]Figure, error) {
	stations := map[string][2]float64{}
	for _, st := range rec.Stations {
		stations[st.ID] = [2]float64{float64(st.Chargers), st.GridCapKW}
	}
	build := map[string]func() ([]*plot.Plot, error){
		"delivered": func() ([]*plot.Plot, error) { return one(deliveredPlot(s, r.BoundLoadedTrips)) },
		"activity":  func() ([]*plot.Plot, error) { return one(activityPlot(s)) },
		"soc":       func() ([]*plot.Plot, error) { return one(socPlot(s)) },
		"charging":  func() ([]*plot.Plot, error) { return chargingPlots(s, stations) },
		"gates":     func() ([]*plot.Plot, error) { return one(gatePlot(s)) },
		"lead_time": func() ([]*plot.Plot, error) {
			return one(histPlot("Lead time of delivered moves", "lead time", rec.LeadTimesS, false))
		},
		"gate_wait": func() ([]*plot.Plot, error) {
			return one(histPlot("Waits at customs, each stop a container made", "wait at the checkpoint", rec.GateWaitsS, true))
		},
	}
	figs := Figures()
	for _, f := range figs {
		ps, err := build[f.Name]()
		if err != nil {
			return nil, fmt.Errorf("report: plot %s: %w", f.Name, err)
		}
		if err := save(dir, f.Name, ps...); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

func one(p *plot.Plot, err error) ([]*plot.Plot, error) {
	if err != nil {
		return nil, err
	}
	return []*plot.Plot{p}, nil
}

func writeJSON(path string, v any) error {
	return writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// writeFile creates path and hands a buffered writer to write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w := bufio.NewWriter(f)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

// writeEvents writes events.csv: one row an event, in time order.
func writeEvents(path string, rec *sim.Recording) error {
	return writeFile(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"t_s", "time", "kind", "move", "shuttle", "what", "from", "where", "soc"})
		for _, ev := range rec.Events {
			soc := ""
			if ev.Kind == sim.EventCharge || ev.Kind == sim.EventFault {
				soc = strconv.FormatFloat(ev.SoC, 'f', 4, 64)
			}
			at := ev.T.Truncate(time.Millisecond)
			_ = cw.Write([]string{strconv.FormatFloat(at.Seconds(), 'f', 3, 64), rec.Start.Add(at).Format("2006-01-02T15:04:05.000Z07:00"),
				ev.Kind, ev.Move, ev.Shuttle, ev.What, ev.From, ev.Where, soc})
		}
		cw.Flush()
		return cw.Error()
	})
}
