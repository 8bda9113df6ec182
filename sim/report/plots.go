package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one plot of a report: its file name without extension and
// what it shows.
type Figure struct {
	Name    string
	Caption string
}

// Plot sizes: a panel, and the resolution of the PNGs.
const (
	plotW  = 8 * vg.Inch
	plotH  = 4 * vg.Inch
	pngDPI = 110
)

// colour is the i-th colour of a fixed palette that prints and reads well
// (Okabe and Ito's, then greys).
func colour(i int) color.Color {
	p := []color.RGBA{{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {213, 94, 0, 255},
		{86, 180, 233, 255}, {204, 121, 167, 255}, {240, 228, 66, 255}, {0, 0, 0, 255}, {120, 120, 120, 255}, {180, 180, 180, 255}}
	return p[i%len(p)]
}

// newPlot starts a plot with a title, axis labels and a grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Y.Tick.Marker = plainTicks{}
	p.X.Tick.Marker = plainTicks{}
	if x == hoursLabel {
		p.X.Tick.Marker = hourTicks{}
	}
	return p
}

// hoursLabel is the x axis of every plot over time.
const hoursLabel = "simulated time (h)"

// xys pairs two columns, leaving NaN rows out.
func xys(x, y []float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(x))
	for i := range x {
		if i < len(y) && !math.IsNaN(y[i]) {
			out = append(out, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return out
}

// line adds a line of a colour and width, named in the legend if name is
// not empty; dashed if asked.
func line(p *plot.Plot, pts plotter.XYs, c color.Color, width float64, dashed bool, name string) (*plotter.Line, error) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.LineStyle.Color = c
	l.LineStyle.Width = vg.Points(width)
	if dashed {
		l.LineStyle.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return l, nil
}

// save writes panels stacked one above the other as DIR/NAME.svg and
// DIR/NAME.png.
func save(dir, name string, panels ...*plot.Plot) error {
	h := plotH * vg.Length(len(panels))
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter, PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter,
		PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	draws := func(c vg.CanvasSizer) {
		cs := plot.Align(rows, tiles, draw.New(c))
		for i := range rows {
			rows[i][0].Draw(cs[i][0])
		}
	}
	svg := vgsvg.New(plotW, h)
	draws(svg)
	if err := writeTo(filepath.Join(dir, name+".svg"), svg.WriteTo); err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(plotW, h), vgimg.UseDPI(pngDPI))
	draws(img)
	return writeTo(filepath.Join(dir, name+".png"), vgimg.PngCanvas{Canvas: img}.WriteTo)
}

func writeTo(path string, write func(w io.Writer) (int64, error)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// activityGroups are the stacked layers of the activity plot: a name and
// the activities it takes in (fleet.ActivityKind words).
func activityGroups() []struct {
	name string
	of   []string
} {
	return []struct {
		name string
		of   []string
	}{
		{"moving", []string{"moving"}},
		{"handling at a bay", []string{"handling"}},
		{"at customs", []string{"waiting at a gate", "waiting for a place at customs"}},
		{"in traffic", []string{"waiting in traffic", "waiting for a route"}},
		{"waiting for a bay", []string{"waiting for a bay"}},
		{"charging", []string{"charging", "waiting for a charger"}},
		{"idle", []string{"idle", "at its goal"}},
		{"broken down, stopped or out", nil}, // the rest
	}
}

// activityBlock is how many minutes the activity plot averages.
const activityBlock = 10

// activityPlot stacks the shuttles by activity over time.
func activityPlot(s *Series) (*plot.Plot, error) {
	p := newPlot("Shuttles by activity (means over 10 minutes)", hoursLabel, "shuttles")
	t := blockMeans(s.Col(colT), activityBlock)
	names, cols := s.Prefixed(preActivity)
	for i := range cols {
		cols[i] = blockMeans(cols[i], activityBlock)
	}
	groups := activityGroups()
	sums := make([][]float64, len(groups))
	for g := range sums {
		sums[g] = make([]float64, len(t))
	}
	for i, n := range names {
		g := len(groups) - 1
		for j, gr := range groups {
			if slices.Contains(gr.of, n) {
				g = j
			}
		}
		for r, v := range cols[i] {
			sums[g][r] += v
		}
	}
	// cumulative tops, drawn from the top layer down, each filled to 0
	top := make([]float64, len(t))
	tops := make([][]float64, len(groups))
	for g := range groups {
		for r := range top {
			top[r] += sums[g][r]
		}
		tops[g] = slices.Clone(top)
	}
	fill := []int{0, 1, 3, 5, 9, 2, 8, 6}
	for g := len(groups) - 1; g >= 0; g-- {
		l, err := plotter.NewLine(xys(t, tops[g]))
		if err != nil {
			return nil, err
		}
		l.FillColor = colour(fill[g])
		l.LineStyle.Width = 0
		p.Add(l)
	}
	for g, gr := range groups { // the legend in stacking order, bottom first
		l, _ := plotter.NewLine(plotter.XYs{{}})
		l.FillColor = colour(fill[g])
		l.LineStyle.Width = 0
		p.Legend.Add(gr.name, l)
	}
	p.Legend.Top, p.Legend.Left = true, false
	p.Y.Min = 0
	p.Y.Max = maxOf(top) * 1.6                // room for the legend above the stack
	p.X.Min, p.X.Max = 0, lastOf(s.Col(colT)) // the means end before the run
	return p, nil
}

// socPlot draws each shuttle's state of charge, their mean and the 20 to
// 80 % band the fleet operates in.
func socPlot(s *Series) (*plot.Plot, error) {
	p := newPlot("State of charge per shuttle", hoursLabel, "state of charge (%)")
	t := s.Col(colT)
	if len(t) == 0 {
		return p, nil
	}
	band, err := plotter.NewPolygon(plotter.XYs{{X: t[0], Y: 20}, {X: t[len(t)-1], Y: 20}, {X: t[len(t)-1], Y: 80}, {X: t[0], Y: 80}})
	if err != nil {
		return nil, err
	}
	band.Color = color.NRGBA{0, 158, 115, 45}
	band.LineStyle.Width = 0
	p.Add(band)
	p.Legend.Add("operating band 20-80 %", band)
	_, cols := s.Prefixed(preSoC)
	for i, c := range cols {
		name := ""
		if i == 0 {
			name = fmt.Sprintf("each shuttle (%d)", len(cols))
		}
		if _, err := line(p, xys(t, scale(c, 100)), color.NRGBA{90, 90, 90, 120}, 0.6, false, name); err != nil {
			return nil, err
		}
	}
	if m := s.Mean(preSoC); m != nil {
		if _, err := line(p, xys(t, scale(m, 100)), colour(0), 2.2, false, "fleet mean"); err != nil {
			return nil, err
		}
	}
	p.Y.Min, p.Y.Max, p.X.Min = 0, 100, 0
	p.Legend.Top, p.Legend.Left = false, false
	return p, nil
}

// chargingPlots are the chargers in use at each station against its
// chargers, and the grid power it draws against its cap.
func chargingPlots(s *Series, stations map[string][2]float64) ([]*plot.Plot, error) {
	t := s.Col(colT)
	use := newPlot("Chargers in use", hoursLabel, "chargers")
	grid := newPlot("Grid power drawn by charging", hoursLabel, "power (kW)")
	names, cols := s.Prefixed(preChargers)
	_, kws := s.Prefixed(preGrid)
	hi, hiKW := 1.0, 1.0
	same := true // every station has as many chargers and as high a cap
	for _, n := range names {
		same = same && stations[n] == stations[names[0]]
	}
	for i, n := range names {
		c := colour(i)
		if l, err := line(use, xys(t, cols[i]), c, 1.4, false, n); err != nil {
			return nil, err
		} else {
			l.StepStyle = plotter.PostStep
		}
		if i < len(kws) {
			if _, err := line(grid, xys(t, kws[i]), c, 1.4, false, n); err != nil {
				return nil, err
			}
			hiKW = math.Max(hiKW, maxOf(kws[i]))
		}
		hi = math.Max(hi, maxOf(cols[i]))
		if st, ok := stations[n]; ok && len(t) > 0 && (!same || i == 0) {
			ends := func(v float64) plotter.XYs { return plotter.XYs{{X: t[0], Y: v}, {X: t[len(t)-1], Y: v}} }
			who, cc := n+": ", c
			if same {
				who, cc = "each station: ", color.Black
			}
			if _, err := line(use, ends(st[0]), cc, 1.2, true, fmt.Sprintf("%s%g chargers", who, st[0])); err != nil {
				return nil, err
			}
			if _, err := line(grid, ends(st[1]), cc, 1.2, true, fmt.Sprintf("%sgrid cap %g kW", who, st[1])); err != nil {
				return nil, err
			}
			hi, hiKW = math.Max(hi, st[0]), math.Max(hiKW, st[1])
		}
	}
	use.Y.Min, use.Y.Max, use.X.Min = 0, hi*1.6, 0
	grid.Y.Min, grid.Y.Max, grid.X.Min = 0, hiKW*1.6, 0
	use.Legend.Left, grid.Legend.Left = false, false
	return []*plot.Plot{use, grid}, nil
}

// gateBlock is how many minutes the gate plot averages.
const gateBlock = 30

// gatePlot draws the containers waiting for customs at each checkpoint.
func gatePlot(s *Series) (*plot.Plot, error) {
	p := newPlot("Containers waiting for customs at each checkpoint (means over 30 minutes)", hoursLabel, "containers waiting")
	t := blockMeans(s.Col(colT), gateBlock)
	names, cols := s.Prefixed(preQueue)
	hi := 0.5
	for i, n := range names {
		c := blockMeans(cols[i], gateBlock)
		if _, err := line(p, xys(t, c), colour(i), 1.6, false, n); err != nil {
			return nil, err
		}
		hi = math.Max(hi, maxOf(c))
	}
	p.Y.Min, p.Y.Max, p.X.Min, p.X.Max = 0, hi*1.5, 0, lastOf(s.Col(colT))
	p.Legend.Left = false
	return p, nil
}

// deliveredPlot draws the moves delivered so far against what the bound
// allows by then.
func deliveredPlot(s *Series, bound float64) (*plot.Plot, error) {
	p := newPlot("Delivered trips over time against the bound", hoursLabel, "loaded trips delivered")
	t := s.Col(colT)
	if len(t) == 0 {
		return p, nil
	}
	if bound > 0 {
		if _, err := line(p, plotter.XYs{{X: 0, Y: 0}, {X: t[len(t)-1], Y: bound * t[len(t)-1]}}, colour(3), 1.5, true,
			fmt.Sprintf("bound: %.1f trips/h", bound)); err != nil {
			return nil, err
		}
	}
	if _, err := line(p, xys(t, s.Col(colDelivered)), colour(0), 2, false, "delivered"); err != nil {
		return nil, err
	}
	if r := s.Col(colReturned); maxOf(r) > 0 {
		if _, err := line(p, xys(t, r), colour(1), 1.3, false, "refused and returned"); err != nil {
			return nil, err
		}
	}
	p.Y.Min, p.X.Min = 0, 0
	return p, nil
}

// histPlot draws a distribution of durations in seconds, in minutes or
// in hours as they are long, with the mean marked. logY counts on a log
// scale, for a distribution whose tail would not show otherwise.
func histPlot(title, what string, secs []float64, logY bool) (*plot.Plot, error) {
	unit, div := "min", 60.0
	if maxOf(secs) > 3*3600 {
		unit, div = "h", 3600
	}
	ylabel := "count"
	if logY {
		ylabel = "count (log scale)"
	}
	p := newPlot(title, fmt.Sprintf("%s (%s)", what, unit), ylabel)
	p.X.Min = 0
	if len(secs) == 0 {
		p.Title.Text += " (none in this run)"
		return p, nil
	}
	vals := make(plotter.Values, len(secs)+1)
	sum := 0.0
	for i, v := range secs {
		vals[i] = v / div
		sum += v / div
	}
	vals[len(secs)] = 0 // bins from 0
	h, err := plotter.NewHist(vals, 40)
	if err != nil {
		return nil, err
	}
	h.Bins[0].Weight-- // the 0 added
	h.FillColor = colour(4)
	h.LineStyle.Width = vg.Points(0.5)
	p.Add(h)
	mean := sum / float64(len(secs))
	_, _, _, ymax := h.DataRange()
	lo, top := 0.0, ymax*1.3
	if logY {
		lo, top = 0.7, ymax*4
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if _, err := line(p, plotter.XYs{{X: mean, Y: math.Max(lo, 0)}, {X: mean, Y: ymax * 1.05}}, colour(3), 1.5, true,
		fmt.Sprintf("mean %.1f %s (%d in all)", mean, unit, len(secs))); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = lo, top
	if logY {
		p.Y.Min = lo
	}
	p.Legend.Left = false
	return p, nil
}

func scale(c []float64, k float64) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = v * k
	}
	return out
}

// lastOf is a column's last value, 0 if it has none.
func lastOf(c []float64) float64 {
	if len(c) == 0 {
		return 0
	}
	return c[len(c)-1]
}

// maxOf is the largest value that is not NaN, 0 if none.
func maxOf(c []float64) float64 {
	m := 0.0
	for _, v := range c {
		if v > m {
			m = v
		}
	}
	return m
}
