package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"

	"github.com/borderfleet/borderfleet/sim"
)

// page is what index.html shows: a title, tables and figures.
type page struct {
	Title   string
	Intro   string
	Tables  []table
	Figures []Figure
	Notes   []string
}

// table is a table of figures: a caption, a header and rows of cells.
type table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// runPage is a run's index.html.
func runPage(r sim.Report, figs []Figure) page {
	p := page{
		Title: fmt.Sprintf("Simulated fleet day: %d shuttles, %g h, seed %d", r.Shuttles, r.SimHours, r.Seed),
		Intro: fmt.Sprintf("Dispatch %s, charging %s. The data: %s (the report), %s (each event with its time), %s (a row each simulated minute).",
			r.Policy, r.Charging, SummaryFile, EventsFile, TimeseriesFile),
		Figures: figs,
	}
	verdict := "kept"
	if r.Failed() {
		verdict = "BROKEN"
	}
	p.Tables = append(p.Tables, table{Caption: "Summary", Head: []string{"figure", "value"}, Rows: summaryRows(r)},
		table{Caption: "Safety: every promise " + verdict, Head: []string{"count", "value"}, Rows: [][]string{
			{"conflicts", fmt.Sprint(r.Conflicts)}, {"battery depletions", fmt.Sprint(r.BatteryDepletions)},
			{"deadlocks", fmt.Sprint(r.Deadlocks)}, {"lost moves", fmt.Sprint(r.LostMoves)},
			{"duplicate deliveries", fmt.Sprint(r.DuplicateDeliveries)}, {"illegal transitions", fmt.Sprint(r.IllegalTransitions)}}},
		boundTable(r.Bound), activityTable(r))
	p.Notes = r.Errors
	return p
}

// summaryRows are the run's main figures.
func summaryRows(r sim.Report) [][]string {
	return [][]string{
		{"loaded trips per hour", fmt.Sprintf("%.1f", r.LoadedTrips)},
		{"bound (loaded trips per hour)", fmt.Sprintf("%.1f", r.BoundLoadedTrips)},
		{"bound ratio", fmt.Sprintf("%.3f", r.BoundRatio)},
		{"moves created", fmt.Sprint(r.MovesCreated)},
		{"moves delivered", fmt.Sprint(r.MovesDelivered)},
		{"moves refused and returned", fmt.Sprint(r.MovesReturned)},
		{"moves in progress at the end", fmt.Sprint(r.MovesInProgress)},
		{"moves pending at the end", fmt.Sprint(r.MovesPending)},
		{"mean lead time", fmt.Sprintf("%.0f s (%.1f h)", r.MeanLeadTimeS, r.MeanLeadTimeS/3600)},
		{"breakdowns", fmt.Sprint(r.Breakdowns)},
		{"lowest state of charge", fmt.Sprintf("%.0f %%", 100*r.MinSoC)},
	}
}

func boundTable(b sim.Bound) table {
	f := func(v float64, unit string) string { return fmt.Sprintf("%.4g %s", v, unit) }
	return table{Caption: "The bound and its inputs (docs/design.md)", Head: []string{"input", "value"}, Rows: [][]string{
		{"fleet", f(b.Fleet, "trips/h")}, {"handling", f(b.Handling, "trips/h")}, {"gates", f(b.Gates, "trips/h")}, {"lane", f(b.Lane, "trips/h (0: no limit)")},
		{"route length L", f(b.RouteLengthM, "m")}, {"mean speed v", f(b.MeanSpeedMPS, "m/s")}, {"handling per end t_h", f(b.PerEndS, "s")},
		{"gate time t_g", f(b.CrossingS, "s")}, {"cycle T_c", f(b.CycleS, "s")}, {"cycles per charge k", f(b.CyclesPerCharge, "")},
		{"charge time t_ch", f(b.ChargeS, "s")}, {"charging availability A_ch", f(b.ChargingAvail, "")},
		{"breakdown availability A_bd", f(b.BreakdownAvail, "")}, {"delivered share", f(b.DeliveredShare, "")},
	}}
}

func activityTable(r sim.Report) table {
	keys := make([]string, 0, len(r.ActivityHours))
	for k := range r.ActivityHours {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := r.ActivityHours[keys[i]], r.ActivityHours[keys[j]]
		return a > b || (a == b && keys[i] < keys[j])
	})
	t := table{Caption: "Shuttle hours by activity", Head: []string{"activity", "hours"}}
	for _, k := range keys {
		t.Rows = append(t.Rows, []string{k, fmt.Sprintf("%.1f", r.ActivityHours[k])})
	}
	return t
}

// indexTmpl is index.html: no script, no external asset; the plots are
// the PNG files beside it, which look the same in every browser (the
// SVGs, linked, name their fonts, and a browser without them lays the
// text out with others).
var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 1.5em 1.5em 0; display: inline-table; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
td + td, th + th { text-align: right; }
figure { margin: 1.5em 0; }
figure img { width: 100%; max-width: 1000px; border: 1px solid #eee; }
figcaption { color: #555; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Tables}}<table>
<caption>{{.Caption}}</caption>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}
{{range .Figures}}<figure id="{{.Name}}">
<a href="{{.Name}}.png"><img src="{{.Name}}.png" alt="{{.Caption}}"></a>
<figcaption>{{.Caption}} (<a href="{{.Name}}.svg">SVG</a>)</figcaption>
</figure>
{{end}}
{{if .Notes}}<h2>Errors and notes</h2>
<pre>{{range .Notes}}{{.}}
{{end}}</pre>{{end}}
</body>
</html>
`))

func writeIndex(path string, p page) error {
	return writeFile(path, func(w io.Writer) error { return indexTmpl.Execute(w, p) })
}
