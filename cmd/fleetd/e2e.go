package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/endtoend"
)

// e2eRun is `fleetd sim --e2e`: the scenario run end to end (package
// sim/endtoend) and reported as fleetd sim reports an in-process run.
type e2eRun struct {
	sc                sim.Scenario
	cfg               sim.Config
	site              string // the site file; "" for the embedded site
	store, shuttleSim string
	dir, report       string
	scale             float64 // 0: the scenario's
	json              bool
	bar               *progress // nil: no progress bar
}

func (e e2eRun) run(stdout, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
		return 1
	}
	ss, err := findShuttleSim(e.shuttleSim, exe)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
		return 1
	}
	var ee sim.EndToEnd
	if e.sc.EndToEnd != nil {
		ee = *e.sc.EndToEnd
	}
	if e.scale > 0 {
		ee.TimeScale = e.scale
	}
	c := endtoend.Config{Sim: e.cfg, EndToEnd: ee, SiteFile: e.site, Fleetd: exe, ShuttleSim: ss, Store: e.store, Dir: e.dir, Log: e.bar.above(stderr)}
	if e.bar != nil {
		c.Progress = e.bar.update
	}
	if c.SiteFile != "" {
		if c.SiteFile, err = filepath.Abs(c.SiteFile); err != nil {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
			return 1
		}
	}
	ctx, stop := signalContext()
	defer stop()
	r, rec, err := endtoend.Run(ctx, c)
	e.bar.done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "fleetd sim: interrupted")
		} else {
			fmt.Fprintf(stderr, "fleetd sim: %v\n", err)
		}
		return 1
	}
	return writeRun(r, rec, e.sc, e.report, e.json, stdout, stderr)
}

// findShuttleSim is the shuttle-sim binary: the one given, else the one
// beside this executable, else the one on PATH.
func findShuttleSim(given, exe string) (string, error) {
	if given != "" {
		if _, err := os.Stat(given); err != nil {
			return "", fmt.Errorf("--shuttle-sim: %w", err)
		}
		return filepath.Abs(given)
	}
	if beside := filepath.Join(filepath.Dir(exe), "shuttle-sim"); fileExists(beside) {
		return beside, nil
	}
	if p, err := exec.LookPath("shuttle-sim"); err == nil {
		return p, nil
	}
	return "", errors.New("--e2e: no shuttle-sim beside fleetd or on PATH: build it (go build -o shuttle-sim ./cmd/shuttle-sim) and give --shuttle-sim PATH")
}
