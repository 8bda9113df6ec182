package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/borderfleet/borderfleet/sim"
)

// runSim runs one simulated fleet day on a virtual clock and reports it.
// Flags override the scenario file, which overrides the defaults.
func runSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fleetd sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shuttles := fs.Int("shuttles", 0, "number of shuttles (default 20)")
	hours := fs.Float64("hours", 0, "simulated hours (default 24)")
	policy := fs.String("policy", "", "dispatch policy: lookahead (default) or greedy")
	chg := fs.String("charging", "", "charging policy: opportunity (default) or threshold")
	seed := fs.Int64("seed", 1, "random seed; a seed always gives the same run")
	scenario := fs.String("scenario", "", "a scenario JSON file (see the README); flags override it")
	siteFile := fs.String("site", "", "a site file (default: the scenario's, else the embedded site)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fleetd sim [--shuttles N] [--hours H] [--policy P] [--charging C] [--seed S] [--scenario FILE] [--site FILE] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
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
	r, err := sim.Run(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	} else {
		printReport(stdout, r)
	}
	if r.Failed() {
		return 3
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
	b := r.Bound
	fmt.Fprintf(w, "  bound:       fleet %.1f, handling %.1f, gates %.1f, lane %.1f trips/h\n", b.Fleet, b.Handling, b.Gates, b.Lane)
	fmt.Fprintf(w, "               L %.0f m, v %.2f m/s, t_h %.0f s, t_g %.0f s (stop lines %.0f s + customs %.0f s), cycle %.0f s\n",
		b.RouteLengthM, b.MeanSpeedMPS, b.PerEndS, b.CrossingS, b.GateS, b.CustomsWaitS, b.CycleS)
	fmt.Fprintf(w, "               k %.1f cycles/charge, t_ch %.0f s, A_ch %.3f, A_bd %.4f, delivered share %.4f\n",
		b.CyclesPerCharge, b.ChargeS, b.ChargingAvail, b.BreakdownAvail, b.DeliveredShare)
	fmt.Fprintf(w, "  safety:      %d conflicts, %d battery depletions, %d deadlocks, %d lost moves, %d duplicate deliveries, %d illegal transitions\n",
		r.Conflicts, r.BatteryDepletions, r.Deadlocks, r.LostMoves, r.DuplicateDeliveries, r.IllegalTransitions)
	fmt.Fprintf(w, "  vehicles:    %d breakdowns, lowest state of charge %.0f %%\n", r.Breakdowns, 100*r.MinSoC)
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
		fmt.Fprintf(w, "    %-34s %7.1f\n", k, r.ActivityHours[k])
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "  errors:\n    %s\n", strings.Join(r.Errors, "\n    "))
	}
}
