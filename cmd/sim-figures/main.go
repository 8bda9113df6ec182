// Command sim-figures runs the simulated fleet days that the fleet core is
// measured by and prints each figure against its goal:
//
//   - bound ratio of the default policy: 20 shuttles, 24 hours, demand
//     above capacity both ways, at least 0.90;
//   - the default policy against greedy on the same day: at least 10 % more
//     loaded trips an hour, or at least 20 % less mean lead time;
//   - over 20 seeds: no conflict, battery depletion, deadlock, lost move,
//     duplicate delivery or illegal transition;
//   - 24 simulated hours of 50 shuttles in under 10 s of wall time (run
//     alone, before the others, so that nothing else competes for the CPU);
//   - the bound ratio over the seeds: mean at least 0.88, none below 0.80;
//   - safety over the seeds again with customs refusing: 20 % refused at
//     each stop line, half of the inspected refused after inspection;
//   - with -sites N (default 50): the bound ratio of the default scenario
//     (20 shuttles, 24 h) over N random generated sites (geo/sitegen
//     seeds 1, 2, ..., those with parking for the fleet), mean, lowest and
//     highest, and their safety;
//   - with -soak N (default 0: off): N cases of the randomized invariant
//     harness (sim/soak), drawn from -soak-seed, each checked for safety
//     and liveness; every failing case is listed with its one replay
//     command.
//
// -case runs one harness case (JSON, or @FILE) alone, prints its report
// and violations and exits 1 on a violation: the replay command of a
// failing case.
//
// It exits 1 when a goal is missed and 2 on a usage error. -json writes
// every report it made to a file for later reading.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/soak"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// figure is one measured figure and its goal.
type figure struct {
	Name     string `json:"name"`
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

// runs are the reports a figures run made, for -json.
type runs struct {
	Figures     []figure     `json:"figures"`
	Large       sim.Report   `json:"large_fleet"`
	Default     sim.Report   `json:"default_policy"`
	Greedy      sim.Report   `json:"greedy_policy"`
	SeedsRuns   []sim.Report `json:"seeds"`
	RefusedRuns []sim.Report `json:"seeds_refused"`
	Sites       []siteRun    `json:"sites,omitempty"`
	Soak        *soakRun     `json:"soak,omitempty"`
}

// siteRun is the default scenario on one generated site.
type siteRun struct {
	SiteSeed int64      `json:"site_seed"`
	Report   sim.Report `json:"report"`
}

// soakRun is a run of the randomized invariant harness.
type soakRun struct {
	Seed        int64          `json:"seed"`
	Cases       int            `json:"cases"`
	WallSeconds float64        `json:"wall_seconds"`
	Failed      int            `json:"failed"`
	ByKind      map[string]int `json:"failed_by_kind"`
	Big         int            `json:"big_and_above_capacity"` // cases of 20 shuttles or more with demand above the bound
	EndedShare  float64        `json:"mean_ended_share"`       // liveness.ended_s / drain_s over the live cases
	Failures    []string       `json:"failures,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim-figures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seeds := fs.Int("seeds", 20, "seeds for the safety figure")
	hours := fs.Float64("hours", 24, "simulated hours of each run")
	out := fs.String("json", "", "write every report to this file as JSON")
	sites := fs.Int("sites", 50, "generated sites for the bound-ratio figure (0: none)")
	soakN := fs.Int("soak", 0, "cases of the randomized invariant harness (0: none)")
	soakSeed := fs.Int64("soak-seed", soak.DefaultSeed, "seed the harness cases are drawn from")
	oneCase := fs.String("case", "", "run one harness case (JSON, or @FILE) and print its report and violations")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *seeds < 1 || !(*hours > 0) || *sites < 0 || *soakN < 0 {
		fmt.Fprintln(stderr, "usage: sim-figures [-seeds N] [-hours H] [-sites N] [-soak N [-soak-seed S]] [-json FILE] | -case JSON|@FILE")
		return 2
	}
	if *oneCase != "" {
		return runCase(*oneCase, stdout, stderr)
	}
	site, err := geo.Default()
	if err != nil {
		fmt.Fprintf(stderr, "sim-figures: %v\n", err)
		return 1
	}
	day := func(shuttles int, policy string, seed int64) sim.Config {
		c := sim.DefaultConfig(site)
		c.Shuttles, c.Hours, c.Policy, c.Seed = shuttles, *hours, policy, seed
		return c
	}
	var r runs
	// alone first: its wall time is a figure
	large, err := sim.Run(day(50, "lookahead", 1))
	if err != nil {
		fmt.Fprintf(stderr, "sim-figures: %v\n", err)
		return 1
	}
	r.Large = large
	cfgs := []sim.Config{day(20, "lookahead", 1), day(20, "greedy", 1)}
	for s := 2; s <= *seeds; s++ {
		cfgs = append(cfgs, day(20, "lookahead", int64(s)))
	}
	for s := 1; s <= *seeds; s++ {
		c := day(20, "lookahead", int64(s))
		c.Refused, c.InspectRefused = 0.2, 0.5
		cfgs = append(cfgs, c)
	}
	reports, err := runAll(cfgs)
	if err != nil {
		fmt.Fprintf(stderr, "sim-figures: %v\n", err)
		return 1
	}
	r.Default, r.Greedy = reports[0], reports[1]
	r.SeedsRuns = append([]sim.Report{reports[0]}, reports[2:1+*seeds]...)
	r.RefusedRuns = reports[1+*seeds:]
	r.Figures = figures(r, *seeds, *hours)
	if *sites > 0 {
		if r.Sites, err = siteRuns(*sites, *hours); err != nil {
			fmt.Fprintf(stderr, "sim-figures: %v\n", err)
			return 1
		}
		r.Figures = append(r.Figures, sitesFigure(r.Sites, *hours))
	}
	if *soakN > 0 {
		r.Soak = soakRuns(*soakSeed, *soakN, stderr)
		r.Figures = append(r.Figures, soakFigures(*r.Soak)...)
	}

	fmt.Fprintf(stdout, "%-58s %-16s %s\n", "figure", "goal", "measured")
	missed := 0
	for _, f := range r.Figures {
		mark := "ok"
		if !f.Met {
			mark, missed = "MISSED", missed+1
		}
		fmt.Fprintf(stdout, "%-58s %-16s %s: %s\n", f.Name, f.Goal, mark, f.Measured)
	}
	if r.Soak != nil {
		for _, f := range r.Soak.Failures {
			fmt.Fprint(stdout, f)
		}
	}
	if *out != "" {
		data, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "sim-figures: %v\n", err)
			return 1
		}
	}
	if missed > 0 {
		return 1
	}
	return 0
}

// runAll runs the configurations on every CPU and returns their reports in
// order.
func runAll(cfgs []sim.Config) ([]sim.Report, error) {
	reports := make([]sim.Report, len(cfgs))
	errs := make([]error, len(cfgs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reports[i], errs[i] = sim.Run(cfgs[i])
			}
		}()
	}
	for i := range cfgs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// figures works out each figure from the reports.
func figures(r runs, seeds int, hours float64) []figure {
	d, g := r.Default, r.Greedy
	more := d.LoadedTrips/g.LoadedTrips - 1
	shorter := 1 - d.MeanLeadTimeS/g.MeanLeadTimeS
	minRatio, maxRatio, sum := 1e9, 0.0, 0.0
	behind, maxBehind := 0.0, 0.0 // hours held behind breakdowns
	endSoC := 0.0                 // the fleet's charge at the end
	for _, s := range r.SeedsRuns {
		minRatio, maxRatio, sum = min(minRatio, s.BoundRatio), max(maxRatio, s.BoundRatio), sum+s.BoundRatio
		h := s.ActivityHours[sim.HeldBehindBreakdown]
		behind, maxBehind = behind+h, max(maxBehind, h)
		endSoC += s.EndSoC
	}
	mean := sum / float64(max(1, len(r.SeedsRuns)))
	behind /= float64(max(1, len(r.SeedsRuns)))
	endSoC /= float64(max(1, len(r.SeedsRuns)))
	return []figure{
		{Name: fmt.Sprintf("bound ratio, 20 shuttles, %g h, seed 1", hours), Goal: ">= 0.90",
			Measured: fmt.Sprintf("%.3f (%.1f of %.1f trips/h)", d.BoundRatio, d.LoadedTrips, d.BoundLoadedTrips), Met: d.BoundRatio >= 0.90},
		{Name: "lookahead vs greedy: loaded trips/h, or mean lead time", Goal: "+10 % or -20 %",
			Measured: fmt.Sprintf("%+.1f %%, %+.1f %%", 100*more, -100*shorter), Met: more >= 0.10 || shorter >= 0.20},
		safetyFigure(fmt.Sprintf("safety over %d seeds (lowest bound ratio %.3f)", seeds, minRatio), r.SeedsRuns),
		{Name: fmt.Sprintf("bound ratio over %d seeds: mean, lowest", seeds), Goal: ">= 0.88, >= 0.80",
			Measured: fmt.Sprintf("mean %.3f, lowest %.3f, highest %.3f (shuttle-hours held behind breakdowns: mean %.1f, most %.1f; the fleet ends at a mean charge of %.2f, which the bound counts as driving down to %.2f)",
				mean, minRatio, maxRatio, behind, maxBehind, endSoC, d.Bound.VehicleMinSoC),
			Met: mean >= 0.88 && minRatio >= 0.80},
		safetyFigure(fmt.Sprintf("safety over %d seeds, refused 0.2, after inspection 0.5", seeds), r.RefusedRuns),
		{Name: fmt.Sprintf("wall time, 50 shuttles, %g h", hours), Goal: "< 10 s",
			Measured: fmt.Sprintf("%.1f s (%.1f trips/h)", r.Large.WallSeconds, r.Large.LoadedTrips), Met: r.Large.WallSeconds < 10},
	}
}

// safetyFigure counts the safety promises the runs broke.
func safetyFigure(name string, reports []sim.Report) figure {
	var broken int
	var worst sim.Report
	for _, s := range reports {
		if n := s.Conflicts + s.BatteryDepletions + s.Deadlocks + s.LostMoves + s.DuplicateDeliveries + s.IllegalTransitions; n > 0 {
			broken += n
			worst = s
		}
	}
	measured := fmt.Sprintf("%d broken", broken)
	if broken > 0 {
		measured += fmt.Sprintf(" (seed %d: %v)", worst.Seed, strings.Join(worst.Errors[:min(len(worst.Errors), 4)], "; "))
	}
	return figure{Name: name, Goal: "0 broken", Measured: measured, Met: broken == 0}
}
