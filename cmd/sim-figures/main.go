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
//     alone, before the others, so that nothing else competes for the CPU).
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
	"sync"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
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
	Figures   []figure     `json:"figures"`
	Large     sim.Report   `json:"large_fleet"`
	Default   sim.Report   `json:"default_policy"`
	Greedy    sim.Report   `json:"greedy_policy"`
	SeedsRuns []sim.Report `json:"seeds"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim-figures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seeds := fs.Int("seeds", 20, "seeds for the safety figure")
	hours := fs.Float64("hours", 24, "simulated hours of each run")
	out := fs.String("json", "", "write every report to this file as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *seeds < 1 || !(*hours > 0) {
		fmt.Fprintln(stderr, "usage: sim-figures [-seeds N] [-hours H] [-json FILE]")
		return 2
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
	reports, err := runAll(cfgs)
	if err != nil {
		fmt.Fprintf(stderr, "sim-figures: %v\n", err)
		return 1
	}
	r.Default, r.Greedy = reports[0], reports[1]
	r.SeedsRuns = append([]sim.Report{reports[0]}, reports[2:]...)
	r.Figures = figures(r, *seeds, *hours)

	fmt.Fprintf(stdout, "%-58s %-16s %s\n", "figure", "goal", "measured")
	missed := 0
	for _, f := range r.Figures {
		mark := "ok"
		if !f.Met {
			mark, missed = "MISSED", missed+1
		}
		fmt.Fprintf(stdout, "%-58s %-16s %s: %s\n", f.Name, f.Goal, mark, f.Measured)
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
	var broken int
	var worst sim.Report
	minRatio := 1e9
	for _, s := range r.SeedsRuns {
		if n := s.Conflicts + s.BatteryDepletions + s.Deadlocks + s.LostMoves + s.DuplicateDeliveries + s.IllegalTransitions; n > 0 {
			broken += n
			worst = s
		}
		minRatio = min(minRatio, s.BoundRatio)
	}
	safety := fmt.Sprintf("%d broken", broken)
	if broken > 0 {
		safety += fmt.Sprintf(" (seed %d: %v)", worst.Seed, worst.Errors)
	}
	return []figure{
		{Name: fmt.Sprintf("bound ratio, 20 shuttles, %g h, seed 1", hours), Goal: ">= 0.90",
			Measured: fmt.Sprintf("%.3f (%.1f of %.1f trips/h)", d.BoundRatio, d.LoadedTrips, d.BoundLoadedTrips), Met: d.BoundRatio >= 0.90},
		{Name: "lookahead vs greedy: loaded trips/h, or mean lead time", Goal: "+10 % or -20 %",
			Measured: fmt.Sprintf("%+.1f %%, %+.1f %%", 100*more, -100*shorter), Met: more >= 0.10 || shorter >= 0.20},
		{Name: fmt.Sprintf("safety over %d seeds (lowest bound ratio %.3f)", seeds, minRatio), Goal: "0 broken",
			Measured: safety, Met: broken == 0},
		{Name: fmt.Sprintf("wall time, 50 shuttles, %g h", hours), Goal: "< 10 s",
			Measured: fmt.Sprintf("%.1f s (%.1f trips/h)", r.Large.WallSeconds, r.Large.LoadedTrips), Met: r.Large.WallSeconds < 10},
	}
}
