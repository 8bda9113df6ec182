package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/report"
)

// simGCPercent is the garbage collector's target for a simulated day (see
// runSim).
const simGCPercent = 400

// runSim runs one simulated fleet day on a virtual clock and reports it.
// Flags override the scenario file, which overrides the defaults.
func runSim(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "compare" {
		return runSimCompare(args[1:], stdout, stderr)
	}
	fs := newFlagSet("sim", stderr)
	shuttles := fs.Int("shuttles", 0, "number of shuttles (default 20)")
	hours := fs.Float64("hours", 0, "simulated hours (default 24)")
	policy := fs.String("policy", "", "dispatch policy: lookahead (default) or greedy")
	chg := fs.String("charging", "", "charging policy: opportunity (default) or threshold")
	seed := fs.Int64("seed", 1, "random seed; a seed always gives the same run")
	scenario := fs.String("scenario", "", "a scenario JSON file (see the README); flags override it")
	siteFile := fs.String("site", "", "a site file (default: the scenario's, else the embedded site)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	vda := fs.Bool("vda5050", false, "drive the shuttles as VDA 5050 vehicles through the fleet's protocol side (vehicles.Master), on the virtual clock; slower")
	reportDir := fs.String("report", "", "write a report folder here: summary.json, events.csv, timeseries.csv, plots (SVG, PNG) and index.html")
	e2e := fs.Bool("e2e", false, "run the scenario end to end instead: fleetd (this executable) and shuttle-sim as processes over a private Mosquitto, with the scenario's restarts (end_to_end), on a scaled clock; the same report")
	store := fs.String("store", "redis", "with --e2e: fleetd's store: redis (a private redis-server), bolt (a file), or a redis:// URL")
	shuttleSim := fs.String("shuttle-sim", "", "with --e2e: the shuttle-sim `binary` (default: beside this executable, else on PATH)")
	scale := fs.Float64("time-scale", 0, "with --e2e: how much faster than real time fleetd and the shuttles run (default: the scenario's end_to_end time_scale, else 60)")
	e2eDir := fs.String("e2e-dir", "", "with --e2e: keep the run's files here (every process's log, the store); default a temporary folder, kept only if the run fails")
	drain := fs.Duration("drain", 0, "after demand stops, run on for at most this long until every move has ended and every shuttle is at rest; not ending in time fails the run (e.g. 2h)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd sim: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["shuttles"] && *shuttles < 1:
		fmt.Fprintf(stderr, "fleetd sim: --shuttles %d: want at least 1\n", *shuttles)
		return 2
	case set["hours"] && !(*hours > 0):
		fmt.Fprintf(stderr, "fleetd sim: --hours %g: want more than 0\n", *hours)
		return 2
	case *drain < 0:
		fmt.Fprintf(stderr, "fleetd sim: --drain %s: want 0 or more\n", *drain)
		return 2
	case !*e2e && (set["store"] || set["shuttle-sim"] || set["time-scale"] || set["e2e-dir"]):
		fmt.Fprintln(stderr, "fleetd sim: --store, --shuttle-sim, --time-scale and --e2e-dir are for an end-to-end run: add --e2e")
		return 2
	case *e2e && set["vda5050"]:
		fmt.Fprintln(stderr, "fleetd sim: --e2e and --vda5050: an end-to-end run always speaks VDA 5050 (over MQTT); give one")
		return 2
	case set["time-scale"] && !(*scale >= 1 && *scale <= 600):
		fmt.Fprintf(stderr, "fleetd sim: --time-scale %g: want 1 to 600\n", *scale)
		return 2
	}
	var sc sim.Scenario
	if *scenario != "" {
		data, err := os.ReadFile(*scenario)
		if err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
		if sc, err = sim.ParseScenario(*scenario, data); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	}
	path := sc.Site
	if path != "" && !filepath.IsAbs(path) {
		// a site beside the scenario file, if it is there
		if beside := filepath.Join(filepath.Dir(*scenario), path); fileExists(beside) {
			path = beside
		}
	}
	if *siteFile != "" {
		path = *siteFile
	}
	_, site, code := loadSite(path, stderr)
	if site == nil {
		return code
	}
	cfg := sc.Apply(sim.DefaultConfig(site))
	if set["shuttles"] {
		cfg.Shuttles = *shuttles
	}
	if set["hours"] {
		cfg.Hours = *hours
	}
	if set["policy"] {
		cfg.Policy = *policy
	}
	if set["charging"] {
		cfg.Charging = *chg
	}
	if set["seed"] || sc.Seed == 0 {
		cfg.Seed = *seed
	}
	if set["drain"] {
		cfg.Drain = *drain
	}
	if set["vda5050"] {
		cfg.VDA5050 = *vda
	}
	if os.Getenv("GOGC") == "" {
		// a simulated day is a batch job with a heap of some 100 MB: the
		// collector running at four times the live heap rather than twice
		// takes some 10 % less CPU for a few hundred MB (GOGC overrides)
		defer debug.SetGCPercent(debug.SetGCPercent(simGCPercent))
	}
	if *e2e {
		if sc.Sweep != nil {
			fmt.Fprintln(stderr, "fleetd sim: --e2e runs one scenario, not a sweep")
			return 2
		}
		e := e2eRun{sc: sc, cfg: cfg, site: path, store: *store, shuttleSim: *shuttleSim, dir: *e2eDir, report: *reportDir, json: *asJSON,
			bar: newProgress(stderr, *asJSON)}
		if set["time-scale"] {
			e.scale = *scale
		}
		return e.run(stdout, stderr)
	}
	bar := newProgress(stderr, *asJSON)
	if sc.Sweep != nil {
		return runSweep(cfg, *sc.Sweep, bar, *asJSON, *reportDir, stdout, stderr)
	}
	opt := sim.Options{Record: *reportDir != ""}
	if bar != nil {
		opt.Progress = bar.update
	}
	r, rec, err := sim.RunWith(cfg, opt)
	bar.done()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
		return 1
	}
	return writeRun(r, rec, sc, *reportDir, *asJSON, stdout, stderr)
}

// writeRun writes a run's report folder (if dir is set) and prints its
// report, and says the exit status.
func writeRun(r sim.Report, rec *sim.Recording, sc sim.Scenario, dir string, asJSON bool, stdout, stderr io.Writer) int {
	if dir != "" {
		if err := report.Write(dir, r, rec); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	} else {
		printReport(stdout, r)
		if sc.Floor != nil {
			verdict := "met"
			if err := sc.Floor.Check(r, false); err != nil {
				verdict = "MISSED: " + err.Error()
			}
			fmt.Fprintf(stdout, "  floor:       bound ratio %.3f against the scenario's %.2f, safety kept: %s\n", r.BoundRatio, sc.Floor.BoundRatio, verdict)
		}
	}
	if r.Failed() || !r.Liveness.Live() {
		return 3 // a safety promise broken, or a drained run that did not end
	}
	return 0
}

// printReport writes the report for people.
func printReport(w io.Writer, r sim.Report) {
	fmt.Fprintf(w, "%d shuttles, %g h, dispatch %s, charging %s, seed %d (%.1f s wall)\n",
		r.Shuttles, r.SimHours, r.Policy, r.Charging, r.Seed, r.WallSeconds)
	fmt.Fprintf(w, "  moves:       %d created, %d delivered, %d returned, %d in progress, %d pending\n",
		r.MovesCreated, r.MovesDelivered, r.MovesReturned, r.MovesInProgress, r.MovesPending)
	fmt.Fprintf(w, "  throughput:  %.1f loaded trips/h of a bound of %.1f (ratio %.2f); mean lead time %.0f s\n",
		r.LoadedTrips, r.BoundLoadedTrips, r.BoundRatio, r.MeanLeadTimeS)
	printBound(w, r.Bound)
	fmt.Fprintf(w, "  safety:      %d conflicts, %d battery depletions, %d deadlocks, %d lost moves, %d duplicate deliveries, %d illegal transitions\n",
		r.Conflicts, r.BatteryDepletions, r.Deadlocks, r.LostMoves, r.DuplicateDeliveries, r.IllegalTransitions)
	fmt.Fprintf(w, "  vehicles:    %d breakdowns, lowest state of charge %.0f %%\n", r.Breakdowns, 100*r.MinSoC)
	printLiveness(w, r)
	if e := r.EndToEnd; e != nil {
		fmt.Fprintf(w, "  end to end:  %gx, store %s, %d fleetd and %d broker restarts (longest recovery %.2f s), %d samples (%d missed), wire: %d states, %d orders, %d drops\n",
			e.TimeScale, e.Store, e.FleetdRestarts, e.BrokerRestarts, e.RecoveryMaxS, e.Samples, e.MissedSamples, e.States, e.Orders, e.Drops)
	}
	fmt.Fprintf(w, "  shuttle time by activity (hours):\n")
	keys := make([]string, 0, len(r.ActivityHours))
	for k := range r.ActivityHours {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := r.ActivityHours[keys[i]], r.ActivityHours[keys[j]]
		return a > b || (a == b && keys[i] < keys[j])
	})
	for _, k := range keys {
		fmt.Fprintf(w, "    %-44s %7.1f\n", k, r.ActivityHours[k])
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "  errors:\n    %s\n", strings.Join(r.Errors, "\n    "))
	}
}

// printLiveness writes what a drain showed, and the random operators'
// verbs, if the run had either.
func printLiveness(w io.Writer, r sim.Report) {
	l := r.Liveness
	if l == nil {
		return
	}
	drain := time.Duration(l.DrainS * float64(time.Second))
	ran := time.Duration((r.SimHours - l.DemandHours) * float64(time.Hour)).Round(time.Second)
	switch {
	case l.DrainS == 0:
	case l.Live():
		fmt.Fprintf(w, "  liveness:    live: every move ended and every shuttle at rest %s after demand stopped (%g h; drain bound %s); %d delivered in the drain\n",
			time.Duration(l.EndedS*float64(time.Second)), l.DemandHours, drain, l.DeliveredInDrain)
	default:
		fmt.Fprintf(w, "  liveness:    NOT LIVE: %d moves open and %d shuttles busy %s after demand stopped (%g h; drain bound %s)\n",
			l.OpenMoves, l.BusyShuttles, ran, l.DemandHours, drain)
		for _, s := range append(l.OpenMoveIDs, l.BusyShuttleIDs...) {
			fmt.Fprintf(w, "               %s\n", s)
		}
	}
	if o := l.Ops; o != nil {
		asked, took := 0, 0
		for v, n := range o.Asked {
			asked += n
			took += o.Accepted[v]
		}
		fmt.Fprintf(w, "  operators:   %d verbs asked, %d taken, %d refused (expected), %d drawn with nothing to apply to, %d closures not asked (would cut places off)\n",
			asked, took, o.OperatorRefusals, o.NotAsked, o.UnsafeClosures)
		verbs := make([]string, 0, len(o.Asked))
		for v, n := range o.Asked {
			verbs = append(verbs, fmt.Sprintf("%s %d/%d", v, o.Accepted[v], n))
		}
		sort.Strings(verbs)
		fmt.Fprintf(w, "               taken/asked: %s\n", strings.Join(verbs, ", "))
	}
}

// printBound writes the bound and its inputs (sim.Bound).
func printBound(w io.Writer, b sim.Bound) {
	const in = "               "
	fmt.Fprintf(w, "  bound:       fleet %.1f, handling %.1f, gates %.1f, lane %.1f trips/h (0: no limit)\n", b.Fleet, b.Handling, b.Gates, b.Lane)
	fmt.Fprintf(w, in+"L %.0f m, v %.2f m/s, t_h %.0f s, t_g %.0f s (%.3g stop lines %.0f s + customs %.0f s), cycle %.0f s\n",
		b.RouteLengthM, b.MeanSpeedMPS, b.PerEndS, b.CrossingS, b.GatesPerCrossing, b.GateS, b.CustomsWaitS, b.CycleS)
	fmt.Fprintf(w, in+"k %.1f cycles/charge, t_ch %.0f s, A_ch %.3f, A_bd %.4f, delivered share %.4f\n",
		b.CyclesPerCharge, b.ChargeS, b.ChargingAvail, b.BreakdownAvail, b.DeliveredShare)
	for _, c := range b.Centres {
		if c.TripShare > 0 {
			fmt.Fprintf(w, in+"centre %s: %d bays, %.0f %% of trips: %.1f trips/h\n", c.ID, c.Bays, 100*c.TripShare, c.Capacity)
		}
	}
	for _, d := range b.Directions {
		if d.Share > 0 {
			lines := strings.Join(d.StopLines, ", ")
			if len(d.SomeStopLines) > 0 {
				lines += " (on some routes " + strings.Join(d.SomeStopLines, ", ") + ")"
			}
			fmt.Fprintf(w, in+"%s (%.0f %% of moves): stop lines %s, t_g %.0f s, gates %.1f, lane %.1f trips/h\n",
				d.Name(), 100*d.Share, lines, d.CrossingS, d.Gates, d.Lane)
		}
	}
	for _, sl := range b.StopLines {
		fmt.Fprintf(w, in+"stop line %s: %.0f s at the line + %.0f s customs (line or aside), %.0f s at its inspection bay: %.1f/h\n",
			sl.ID, sl.LineS, sl.CustomsS, sl.BayS, sl.Capacity)
	}
	for _, sg := range b.SharedSegments {
		fmt.Fprintf(w, in+"two-way %s, shared: %.0f m at %.2f m/s, clearance %.0f s, headway %.1f s, runs of %d (0: any): %.1f/h\n",
			strings.Join(sg.Lanes, ", "), sg.LengthM, sg.SpeedMPS, sg.ClearanceS, sg.HeadwayS, sg.PlatoonMax, sg.Capacity)
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// runSweep runs a scenario once for each value of its sweep and reports
// the figures against the value.
func runSweep(base sim.Config, sw sim.Sweep, bar *progress, asJSON bool, dir string, stdout, stderr io.Writer) int {
	var pts []report.SweepPoint
	failed := false
	for i, v := range sw.Values {
		cfg, err := sw.Apply(base, v)
		if err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
		var opt sim.Options
		if bar != nil {
			bar.label = fmt.Sprintf("%s %g (%d of %d) ", sw.Parameter, v, i+1, len(sw.Values))
			n := time.Duration(len(sw.Values))
			opt.Progress = func(done, total time.Duration) { bar.update(time.Duration(i)*total+done, n*total) }
		}
		r, _, err := sim.RunWith(cfg, opt)
		if err != nil {
			bar.done()
			fmt.Fprintf(stderr, "fleetd sim: sweep of %s, value %g: %v\n", sw.Parameter, v, err)
			return 1
		}
		failed = failed || r.Failed() || !r.Liveness.Live()
		pts = append(pts, report.SweepPoint{Value: v, Report: r})
	}
	bar.done()
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(pts); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	} else {
		report.PrintSweep(stdout, sw, pts)
	}
	if dir != "" {
		if err := report.WriteSweep(dir, sw, pts); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	}
	if failed {
		return 3
	}
	return 0
}

// runSimCompare puts two or more runs side by side: as text, and with
// --report as a folder with overlaid plots.
func runSimCompare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sim compare", stderr)
	dir := fs.String("report", "", "write the comparison to this `folder`: index.html and overlaid plots (SVG, PNG)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() < 2 {
		fmt.Fprintf(stderr, "fleetd sim compare: %d given: want two runs or more\n", fs.NArg())
		fs.Usage()
		return 2
	}
	var runs []report.Run
	seen := map[string]int{}
	for _, path := range fs.Args() {
		r, err := report.Load(path)
		if err != nil {
			fmt.Fprintf(stderr, "fleetd sim compare: %v\n", err)
			return 1
		}
		if seen[r.Name]++; seen[r.Name] > 1 {
			r.Name = fmt.Sprintf("%s (%d)", r.Name, seen[r.Name])
		}
		runs = append(runs, r)
	}
	report.PrintCompare(stdout, runs)
	if *dir != "" {
		if err := report.Compare(*dir, runs); err != nil {
			fmt.Fprintf(stderr, "fleetd sim compare: %v\n", err)
			return 1
		}
	}
	return 0
}
