package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/borderfleet/borderfleet/sim/load"
)

// runBench is `fleetd bench`: one load run against a fleetd process of
// this executable (package sim/load), its figures as one JSON line on
// stdout.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", stderr)
	var c load.Config
	fs.IntVar(&c.Vehicles, "vehicles", load.DefaultVehicles, fmt.Sprintf("simulated vehicles, each its own MQTT connection (at most %d)", load.MaxVehicles))
	fs.BoolVar(&c.Idle, "idle", false, "vehicles only stand and report: no moves")
	fs.IntVar(&c.Moves, "moves", 0, "moves to ask for (default: one per vehicle; none with --idle)")
	fs.DurationVar(&c.Duration, "duration", load.DefaultDuration, "how long to measure, after the warm-up")
	fs.DurationVar(&c.Warmup, "warmup", load.DefaultWarmup, "time between every vehicle online (and the moves asked for) and the measurement")
	fs.DurationVar(&c.Handling, "handling", load.DefaultHandling, "how long a vehicle takes to pick or drop a container")
	fs.DurationVar(&c.Period, "state-period", load.DefaultPeriod, "each vehicle's state period, driving or standing")
	fs.StringVar(&c.Broker, "broker", "mosquitto", "mosquitto (a private one), embedded (fleetd's), or tcp://127.0.0.1:PORT")
	fs.StringVar(&c.Store, "store", "none", "fleetd's store: none, bolt, redis (a private redis-server), bolt:PATH or redis://127.0.0.1:PORT/DB")
	fs.StringVar(&c.Site, "site", "", "site file (default: generated from --seed, sized for the vehicles)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the generated site")
	fs.StringVar(&c.Dir, "dir", "", "keep the run's files (site, logs, store, profile) here (default: a temporary directory, removed)")
	fs.DurationVar(&c.Profile, "profile", 0, "take a CPU profile of fleetd this long, mid-measurement (fleetd --pprof), into --dir")
	fs.IntVar(&c.JournalBatch, "journal-batch", 0, "fleetd's journal_batch: vehicle messages journaled in one write (group commit; default fleetd's, 1)")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if c.Vehicles < 1 || c.Duration <= 0 {
		fmt.Fprintf(stderr, "fleetd bench: --vehicles %d, --duration %v: want at least one vehicle and a positive duration\n", c.Vehicles, c.Duration)
		return 2
	}
	if c.Profile > 0 && c.Dir == "" {
		fmt.Fprintln(stderr, "fleetd bench: --profile needs --dir, where the profile stays")
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd bench: %v\n", err)
		return 1
	}
	c.Fleetd = exe
	if err := c.Validate(); err != nil {
		fmt.Fprintf(stderr, "fleetd bench: %v\n", err)
		return 2
	}
	if !*quiet {
		c.Log = stderr
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := load.Run(ctx, c)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "fleetd bench: interrupted")
		} else {
			fmt.Fprintf(stderr, "fleetd bench: %v\n", err)
		}
		if res.FleetdLogTail != "" {
			fmt.Fprintf(stderr, "fleetd's log ended:\n%s\n", res.FleetdLogTail)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", res.JSON())
	return 0
}
