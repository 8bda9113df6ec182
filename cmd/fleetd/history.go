package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/borderfleet/borderfleet/demo"
	"github.com/borderfleet/borderfleet/demo/history"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/storeurl"
)

// runHistory is `fleetd history`: a fleet's history written at full
// speed into a new store, for recovery and failover measurements (see
// package demo/history and BENCHMARKS.md).
func runHistory(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history", stderr)
	o := fleetOpts{}
	config := fs.String("config", "", "configuration `file` (JSON; see the README): the store, snapshots and compaction, policies")
	site := fs.String("site", "", "site GeoJSON `file` (default: the embedded Baqty–Pokitu site)")
	storeURL := fs.String("store", "", "the new store: redis://host:port[/db][?prefix=...] or bolt:PATH; its journal must be empty")
	fs.StringVar(&o.iface, "interface", "", "first level of the VDA 5050 topics (default uagv)")
	fs.Float64Var(&o.timeScale, "time-scale", 1, "write the journal's settings of fleetd demo --time-scale X, to be recovered by it (the history itself runs on a virtual clock)")
	fs.BoolVar(&o.verbose, "v", false, "log debug messages")
	shuttles := fs.Int("shuttles", 50, "simulated shuttles")
	duration := fs.Duration("duration", 24*time.Hour, "fleet time the history covers (168h: a week)")
	rate := fs.Float64("moves-per-hour", 44, "container moves asked for per hour, both ways together")
	seed := fs.Int64("seed", 1, "seed of the operators', officers' and shuttles' randomness")
	stateEvery := fs.Duration("state-every", time.Minute, "how often a driving shuttle sends its state, in fleet time")
	batch := fs.Int("batch", 1000, "journal records written to the store at once")
	compact := fs.Bool("compact", false, "instead of writing a history, compact --store's journal as fleetd does with compaction on: delete the records before the oldest snapshot kept")
	copyFrom := fs.String("copy-from", "", "instead of writing a history, copy the store at this `URL` (its journal whole, audit log, snapshots, archive) into --store")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd history: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *shuttles <= 0 || *duration <= 0 || *rate < 0 || *stateEvery <= 0 || *batch <= 0 {
		fmt.Fprintln(stderr, "fleetd history: --shuttles, --duration, --state-every and --batch must be positive, --moves-per-hour not negative")
		return 2
	}
	if err := o.resolve(*config, *site, "", "", *storeURL); err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	if o.file.Store == "" {
		fmt.Fprintln(stderr, "fleetd history: --store (or \"store\" in the configuration) is required")
		return 2
	}
	o.file.AutoAdmit = true // as fleetd demo: its shuttles are not on a roster
	log := o.loggerAt(stderr, slog.LevelWarn)
	ctx, stop := signalContext()
	defer stop()
	if *compact {
		return compactStore(ctx, o.file.Store, stdout, stderr)
	}
	if *copyFrom != "" {
		return copyStore(ctx, *copyFrom, o.file.Store, stdout, stderr)
	}
	s, err := loadSiteFile(o.file.Site)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	g, err := routing.NewGraph(s, routing.GraphConfig{})
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	dc, err := o.daemonConfig(g, nil, log)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	st, err := storeurl.Open(ctx, o.file.Store)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	defer st.Close()
	fmt.Fprintf(stdout, "fleetd history: %d shuttles, %s of fleet time, %.0f moves an hour, into %s\n", *shuttles, *duration, *rate, o.file.Store)
	res, err := history.Run(ctx, history.Config{Daemon: dc, Store: st, Site: s, Duration: *duration, Shuttles: *shuttles,
		StatePeriod: *stateEvery, Seed: *seed, Batch: *batch, Demo: demo.Config{MovesPerHour: *rate, Seed: *seed},
		Progress: func(p history.Progress) {
			if p.At.Sub(p.At.Truncate(6*time.Hour)) < time.Hour {
				fmt.Fprintf(stdout, "  %5.1f%%  %s  %d records, %d moves asked for, %d delivered, %s\n",
					100*p.Done, p.At.Format("01-02 15:04"), p.Records, p.Moves, p.Delivered, p.Wall.Round(time.Second))
			}
		}})
	fmt.Fprintf(stdout, "fleetd history: %d records, %d moves asked for, %d delivered, %d refused and returned, %d snapshots written; %s of fleet time in %s\n",
		res.Records, res.Moves, res.Delivered, res.Returned, res.Counters.SnapshotsWritten, time.Duration(res.Done*float64(*duration)).Round(time.Minute), res.Wall.Round(time.Second))
	if c := res.Counters; c.ControllerErrors > 0 || c.MessagesRejected > 0 || c.JournalErrors > 0 || c.SnapshotErrors > 0 {
		fmt.Fprintf(stdout, "  controller refusals %d, messages refused %d %v, journal errors %d, snapshot errors %d\n",
			c.ControllerErrors, c.MessagesRejected, c.RejectedBy, c.JournalErrors, c.SnapshotErrors)
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "fleetd history: interrupted; the store holds the history so far")
		return 1
	}
	return 0
}

// copyStore is fleetd history --copy-from.
func copyStore(ctx context.Context, fromURL, toURL string, stdout, stderr io.Writer) int {
	from, err := storeurl.Open(ctx, fromURL)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	defer from.Close()
	to, err := storeurl.Open(ctx, toURL)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	defer to.Close()
	start := time.Now()
	c, err := history.Copy(ctx, from, to)
	fmt.Fprintf(stdout, "fleetd history: copied %d journal records, %d audit entries, %d snapshots, %d archived moves from %s into %s in %s\n",
		c.Records, c.Audit, c.Snapshots, c.Archived, fromURL, toURL, time.Since(start).Round(time.Second))
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	return 0
}

// compactStore is fleetd history --compact.
func compactStore(ctx context.Context, url string, stdout, stderr io.Writer) int {
	st, err := storeurl.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	defer st.Close()
	seqs, err := st.Snapshots(ctx)
	if err == nil && len(seqs) == 0 {
		err = errors.New("the store keeps no snapshot")
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	token, err := st.Acquire(ctx, "fleetd-history-compact", 10*time.Second)
	if err == nil {
		err = st.TrimJournal(ctx, token, seqs[0])
		_ = st.Release(ctx, "fleetd-history-compact", token)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleetd history: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "fleetd history: %s: journal records before %d (the oldest snapshot kept) deleted\n", url, seqs[0])
	return 0
}
