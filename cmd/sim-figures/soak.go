package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/soak"
)

// runCase runs one harness case, given as JSON or @FILE, prints its
// report and violations, and returns 1 on a violation.
func runCase(arg string, stdout, stderr io.Writer) int {
	name, data := "-case", []byte(arg)
	if file, ok := strings.CutPrefix(arg, "@"); ok {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			fmt.Fprintf(stderr, "sim-figures: %v\n", err)
			return 2
		}
		name = file
	}
	c, err := soak.ParseCase(name, data)
	if err != nil {
		fmt.Fprintf(stderr, "sim-figures: %v\n", err)
		return 2
	}
	r, vs := soak.Run(c)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r)
	fmt.Fprintf(stdout, "case: %s\n", c.JSON())
	if l := r.Liveness; l != nil && l.DrainS > 0 && l.EndedS >= 0 {
		fmt.Fprintf(stdout, "liveness: ended %.0f s after demand stopped, bound %.0f s (%d pending moves cancelled then)\n", l.EndedS, l.DrainS, l.CancelledAtDrain)
	}
	if len(vs) == 0 {
		fmt.Fprintln(stdout, "passed: no violation")
		return 0
	}
	fmt.Fprint(stdout, soak.Failure{Case: c, Violations: vs})
	return 1
}

// siteRuns runs the default scenario (20 shuttles) on generated sites of
// seeds 1, 2, ..., skipping those whose parking cannot start 20 shuttles,
// until n have run.
func siteRuns(n int, hours float64) ([]siteRun, error) {
	var seeds []int64
	var cfgs []sim.Config
	for seed := int64(1); len(cfgs) < n; seed++ {
		site, _, err := sitegen.Generate(seed, sitegen.Options{})
		if err != nil {
			return nil, err
		}
		c := sim.DefaultConfig(site)
		c.Hours, c.Seed = hours, 1
		if sim.StartSpots(site) < c.Shuttles {
			continue
		}
		seeds, cfgs = append(seeds, seed), append(cfgs, c)
	}
	reports, err := runAll(cfgs)
	if err != nil {
		return nil, err
	}
	out := make([]siteRun, len(reports))
	for i, r := range reports {
		out[i] = siteRun{SiteSeed: seeds[i], Report: r}
	}
	return out, nil
}

// sitesFigure is the bound ratio over the generated sites, and their
// safety.
func sitesFigure(runs []siteRun, hours float64) figure {
	lo, hi, sum := 1e9, 0.0, 0.0
	var loSeed, hiSeed int64
	var reports []sim.Report
	var broken []string
	for _, s := range runs {
		if s.Report.Failed() {
			broken = append(broken, fmt.Sprint(s.SiteSeed))
		}
		r := s.Report.BoundRatio
		if r < lo {
			lo, loSeed = r, s.SiteSeed
		}
		if r > hi {
			hi, hiSeed = r, s.SiteSeed
		}
		sum += r
		reports = append(reports, s.Report)
	}
	safe := safetyFigure("", reports)
	if len(broken) > 0 {
		safe.Measured = fmt.Sprintf("broken on sites %s: %s", strings.Join(broken, ", "), safe.Measured)
	}
	return figure{Name: fmt.Sprintf("bound ratio on %d generated sites, 20 shuttles, %g h", len(runs), hours), Goal: "report; 0 broken",
		Measured: fmt.Sprintf("mean %.3f, lowest %.3f (site %d), highest %.3f (site %d); safety %s", sum/float64(len(runs)), lo, loSeed, hi, hiSeed, safe.Measured),
		Met:      safe.Met}
}

// soakRuns runs n harness cases drawn from seed, with a line on stderr
// for each failing one.
func soakRuns(seed int64, n int, stderr io.Writer) *soakRun {
	start := time.Now()
	cases := soak.Cases(seed, n)
	var mu sync.Mutex
	results := soak.RunAll(cases, 0, func(i int, r soak.Result) {
		if r.Failed() {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "soak case %d of %d failed: %s\n", i+1, n, r.Violations[0].Kind)
		}
	})
	s := &soakRun{Seed: seed, Cases: n, ByKind: map[string]int{}, WallSeconds: time.Since(start).Seconds()}
	var shares []float64
	for i, r := range results {
		if bigAndAbove(r) {
			s.Big++
		}
		if l := r.Report.Liveness; !r.Failed() && l != nil && l.DrainS > 0 {
			shares = append(shares, l.EndedS/l.DrainS)
		}
		if !r.Failed() {
			continue
		}
		s.Failed++
		var kinds []string
		for _, v := range r.Violations {
			if !slices.Contains(kinds, string(v.Kind)) {
				kinds = append(kinds, string(v.Kind))
				s.ByKind[string(v.Kind)]++
			}
		}
		s.Failures = append(s.Failures, fmt.Sprintf("soak case %d of %d (seed %d):\n%s", i+1, n, seed, r.Failure()))
	}
	for _, x := range shares {
		s.EndedShare += x / float64(len(shares))
	}
	return s
}

// bigAndAbove tells whether a case has 20 shuttles or more and demand above its
// bound.
func bigAndAbove(r soak.Result) bool {
	return r.Case.Scenario.Shuttles >= 20 && r.Report.BoundLoadedTrips > 0 && r.Case.Scenario.MovesPerHour > r.Report.BoundLoadedTrips
}

// soakFigures are the harness's figures: every case passed, and what it
// took.
func soakFigures(s soakRun) []figure {
	kinds := "none"
	if s.Failed > 0 {
		var ks []string
		for k, n := range s.ByKind {
			ks = append(ks, fmt.Sprintf("%s %d", k, n))
		}
		slices.Sort(ks)
		kinds = strings.Join(ks, ", ")
	}
	return []figure{
		{Name: fmt.Sprintf("harness: %d random site x scenario cases of 8 h (seed %d)", s.Cases, s.Seed), Goal: "0 failed",
			Measured: fmt.Sprintf("%d failed (%s); %d with >= 20 shuttles and demand above the bound; live cases ended at %.0f %% of their bound on average; %.0f s wall",
				s.Failed, kinds, s.Big, 100*s.EndedShare, s.WallSeconds),
			Met: s.Failed == 0},
	}
}
