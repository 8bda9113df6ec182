package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/demo"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/agv"
	simdemand "github.com/borderfleet/borderfleet/sim/demand"
)

// runDemo is `fleetd demo`: fleetd with the embedded broker, simulated
// shuttles over MQTT, and operators and officers played by package demo.
func runDemo(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = &syncWriter{w: stdout}, &syncWriter{w: stderr}
	fs := newFlagSet("demo", stderr)
	o := fleetOpts{}
	config, site, broker, embedded, storeURL := addFleetFlags(fs, &o)
	shuttles := fs.Int("shuttles", 8, "simulated shuttles to start in this process (0: drive shuttles started elsewhere, e.g. by shuttle-sim)")
	fs.Float64Var(&o.timeScale, "time-scale", 60, "how much faster than real time the demo runs (vehicles and fleetd together)")
	soc := fs.Float64("soc", agv.DefaultStartSoC, "state of charge of the simulated shuttles at start, 0..1")
	rate := fs.Float64("moves-per-hour", 0, "container moves asked for per (demo) hour, both ways together (default: 3/4 of what the fleet can carry, its capacity; 0: none, moves come by the API)")
	overload := fs.Bool("overload", false, "ask for twice what the fleet can carry: pending moves pile up")
	maxMoves := fs.Int("max-moves", 0, "stop asking for moves after this many (0: no limit)")
	duration := fs.Duration("duration", 0, "stop after this long, in real time (0: run until interrupted)")
	seed := fs.Int64("seed", 1, "seed of the demo's randomness")
	noRefusals := fs.Bool("no-refusals", false, "officers never refuse a container")
	noOfficers := fs.Bool("no-officers", false, "play no officers: customs decisions come by the API (fleetctl customs)")
	keep := fs.Bool("keep-store", false, "without --store, keep the demo's embedded store file instead of deleting it at exit")
	scenario := fs.String("scenario", "", "play the demand and the customs officers of this scenario `file` (fleetd sim's: moves per hour, eastbound, pre-cleared, inspected and refused shares, decision and inspection times), as the in-process run plays them; the site is --site's; --moves-per-hour overrides its rate (0: officers only)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *shuttles < 0 || *maxMoves < 0 || *duration < 0 || *rate < 0 {
		fmt.Fprintln(stderr, "fleetd demo: --shuttles, --max-moves, --duration and --moves-per-hour must not be negative")
		return 2
	}
	rateSet := false
	fs.Visit(func(f *flag.Flag) { rateSet = rateSet || f.Name == "moves-per-hour" })
	switch {
	case rateSet && *overload:
		fmt.Fprintln(stderr, "fleetd demo: --moves-per-hour and --overload: give one or the other")
		return 2
	case *scenario != "" && (*overload || *noRefusals):
		fmt.Fprintln(stderr, "fleetd demo: --scenario sets the demand and the officers: give it without --overload and --no-refusals (--moves-per-hour sets its rate, 0: officers only)")
		return 2
	}
	if err := o.resolve(*config, *site, *broker, *embedded, *storeURL); err != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	dem, err := demoDemand(o.file.Site, *shuttles, *soc, *rate, rateSet, *overload, *noRefusals)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	var model *simdemand.Config
	if *scenario != "" {
		if model, err = scenarioDemand(*scenario, o.file.Site); err != nil {
			fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
			return 1
		}
		if rateSet {
			model.MovesPerHour = *rate
		}
		dem.rate, dem.how = model.MovesPerHour, "--scenario"
	}
	*rate = dem.rate
	o.statusNote = dem.note()
	o.file.AutoAdmit = true // the demo's shuttles are not on a roster
	if o.file.Store == "" {
		// the embedded store, fresh for each demo: its shuttles start afresh
		dir, err := os.MkdirTemp("", "fleetd-demo")
		if err != nil {
			fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
			return 1
		}
		o.file.Store = "bolt:" + filepath.Join(dir, "fleetd.db")
		if *keep {
			defer fmt.Fprintf(stdout, "the demo's store is kept in %s\n", dir)
		} else {
			defer os.RemoveAll(dir)
		}
	}
	tokens, err := o.apiTokens()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	keyKind := ""
	if o.file.AuditKey == "" {
		// an ephemeral key, so that the audit export works in the demo
		path, remove, err := demoAuditKey()
		if err != nil {
			fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
			return 1
		}
		defer remove()
		o.file.AuditKey, keyKind = path, "this demo's "
	}
	if o.key, err = o.auditKey(stderr); err != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	adminToken := ""
	if len(tokens) == 0 && o.listen != "" {
		// the demo's own admin, printed once with the URL
		if adminToken, err = api.NewToken(); err != nil {
			fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
			return 1
		}
		tokens = []api.Token{{Token: adminToken, Name: "demo-admin", Role: api.RoleAdmin}}
	}
	log := o.logger(stderr)
	o.quiet = o.loggerAt(stderr, slog.LevelError)
	ctx, stop := signalContext()
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	r, fleetCtx, err := startFleet(ctx, &o, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	if err := r.serveAPI(fleetCtx, &o, tokens, log, !o.listenSet); err != nil {
		stop()
		_ = r.wait()
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	player, err := demo.New(demo.Config{MovesPerHour: *rate, NoMoves: *rate == 0, MaxMoves: *maxMoves, Seed: *seed,
		NoRefusals: *noRefusals, NoOfficers: *noOfficers, Model: model}, r.site, r.d)
	if err != nil {
		stop()
		_ = r.wait()
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		return 1
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	if *shuttles > 0 {
		fc := agv.FleetConfig{Shuttles: *shuttles, SerialPrefix: "shuttle-",
			Vehicle: agv.Config{Site: r.site, Graph: r.graph, StartSoC: *soc, TimeScale: o.timeScale, Seed: *seed}}
		mc, err := o.file.Broker.mqttConfig(r.url)
		if err != nil {
			stop()
			_ = r.wait()
			fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
			return 1
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := agv.RunFleet(ctx, fc, agv.MQTTDial(mc, o.quiet), o.quiet.With("component", "shuttle-sim")); err != nil {
				errs <- fmt.Errorf("simulated shuttles: %w", err)
				stop()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := player.Run(ctx); err != nil {
			errs <- fmt.Errorf("demo traffic: %w", err)
			stop()
		}
	}()
	fmt.Fprintf(stdout, "fleetd demo: %d simulated shuttles on %s, %s, %gx real time; Ctrl-C stops\n",
		*shuttles, r.url, dem, o.timeScale)
	switch {
	case r.apiURL == "":
	case adminToken != "":
		fmt.Fprintf(stdout, "HTTP API on %s (admin token for this demo: %s)\n", r.apiURL, adminToken)
	default:
		fmt.Fprintf(stdout, "HTTP API on %s (%d tokens from %s)\n", r.apiURL, len(tokens), o.file.Tokens)
	}
	if r.apiURL != "" {
		printAuditKey(stdout, o.key, keyKind)
	}
	r.printMetrics(stdout)
	<-fleetCtx.Done()
	stop()
	wg.Wait()
	runErr := r.wait()
	close(errs)
	code := 0
	for err := range errs {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", err)
		code = 1
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "fleetd demo: %v\n", runErr)
		code = 1
	}
	return code
}

// demand is the demo's demand and the fleet's capacity it was taken from.
type demand struct {
	rate     float64 // moves an hour, both ways together
	capacity float64 // what the fleet can carry (sim's bound); 0: not known
	shuttles int     // the fleet the capacity is of
	how      string  // how the rate was chosen
}

// demoDemand works out the demo's demand: --moves-per-hour if given,
// else a share of the fleet's capacity (demo.Capacity: sim's analytic
// bound for the demo's shuttles, site and customs), 3/4 of it, or twice
// it with --overload. With --shuttles 0 the fleet is elsewhere; the
// capacity is then that of the default 8.
func demoDemand(siteFile string, shuttles int, soc, rate float64, rateSet, overload, noRefusals bool) (demand, error) {
	d := demand{rate: rate, shuttles: shuttles, how: "--moves-per-hour"}
	if d.shuttles == 0 {
		d.shuttles = 8
	}
	site, err := loadSiteFile(siteFile)
	if err != nil {
		return d, err
	}
	d.capacity, err = demo.Capacity(demo.Config{NoRefusals: noRefusals}, site, demo.FleetShape{Shuttles: d.shuttles, StartSoC: soc})
	if err != nil {
		return d, err
	}
	switch {
	case rateSet:
	case overload:
		d.rate, d.how = demo.OverloadLoad*d.capacity, "--overload: twice"
	default:
		d.rate, d.how = demo.DefaultLoad*d.capacity, "3/4"
	}
	return d, nil
}

// String says the demand and the capacity, for the demo's first line.
func (d demand) String() string {
	switch {
	case d.rate == 0:
		return fmt.Sprintf("no demo moves (moves come by the API; the fleet's capacity is %.1f moves an hour)", d.capacity)
	case d.how == "--moves-per-hour", d.how == "--scenario":
		return fmt.Sprintf("%.1f moves an hour both ways (%s; the fleet's capacity is %.1f)", d.rate, d.how, d.capacity)
	}
	return fmt.Sprintf("%.1f moves an hour both ways (%s the fleet's capacity of %.1f)", d.rate, d.how, d.capacity)
}

// note is what each status line ends with.
func (d demand) note() string {
	return fmt.Sprintf(" | asked %.1f/h of a capacity of %.1f/h (%d shuttles)", d.rate, d.capacity, d.shuttles)
}

// scenarioDemand is the demand and officers' model of a scenario file,
// with sim's defaults for what it leaves out, on the demo's site.
func scenarioDemand(path, siteFile string) (*simdemand.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := sim.ParseScenario(path, data)
	if err != nil {
		return nil, err
	}
	site, err := loadSiteFile(siteFile)
	if err != nil {
		return nil, err
	}
	cfg := sc.Apply(sim.DefaultConfig(site))
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	m := cfg.DemandConfig()
	return &m, nil
}
