package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/dashboard"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/metrics"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/storeurl"
	"github.com/borderfleet/borderfleet/vehicles"
	"github.com/borderfleet/borderfleet/webhook"
)

// fleetOpts is what fleetd run and fleetd demo share.
type fleetOpts struct {
	file        fileConfig
	timeScale   float64
	statusEvery time.Duration
	statusNote  string // added to each status line (the demo's capacity)
	logJSON     bool
	verbose     bool
	quiet       *slog.Logger // for the embedded broker and the demo's shuttles
	iface       string
	owner       string
	listen      string             // the HTTP API's address ("" none), see resolve
	listenSet   bool               // --listen given
	tokens      string             // --tokens
	auditKeyArg string             // --audit-key
	pprof       bool               // --pprof: /debug/pprof/ beside the API, for admins
	maxSeries   *int               // --metrics-max-shuttle-series, if given
	key         ed25519.PrivateKey // the audit key, once loaded
}

// running is a started fleet.
type running struct {
	site   *geo.Site
	graph  *routing.Graph
	d      *daemon.Daemon
	url    string // the broker's URL
	broker *mqttbus.Broker
	bus    *mqttbus.Client
	store  store.Store
	apiURL string             // the HTTP API's URL, if it runs
	metURL string             // the metrics' URL, beside the API
	webURL string             // the dashboard's URL, beside the API
	hooks  *webhook.Deliverer // the customs webhooks, if any
	wg     sync.WaitGroup
	runErr error
}

// addFleetFlags defines the flags run and demo share.
func addFleetFlags(fs *flag.FlagSet, o *fleetOpts) (config, site, broker, embedded, storeURL *string) {
	config = fs.String("config", "", "configuration `file` (JSON; see the README)")
	site = fs.String("site", "", "site GeoJSON `file` (default: the embedded Baqty–Pokitu site)")
	broker = fs.String("broker", "", "MQTT broker `URL` (tcp://, ssl://, ws://...); default: an embedded broker")
	storeURL = fs.String("store", "", "where state is kept: redis://host:port[/db], or a bolt file (bolt:PATH); default: nothing is kept")
	embedded = fs.String("embedded-broker", "", "`address` of the embedded broker (default "+mqttbus.DefaultBrokerAddr+", or a free port if taken)")
	fs.StringVar(&o.iface, "interface", "", "first level of the VDA 5050 topics (default uagv)")
	fs.StringVar(&o.owner, "owner", "", "this instance's name in the store's lease (default hostname-pid)")
	fs.DurationVar(&o.statusEvery, "status-every", 0, "time between status lines (default 5s; negative: none)")
	fs.BoolVar(&o.logJSON, "log-json", false, "log as JSON")
	fs.BoolVar(&o.verbose, "v", false, "log debug messages")
	fs.Func("listen", "`address` of the HTTP API and /metrics (default "+defaultListen+`; "" for none)`, func(v string) error {
		o.listen, o.listenSet = v, true
		return nil
	})
	fs.StringVar(&o.tokens, "tokens", "", "the HTTP API's tokens `file` (JSON: [{\"token\", \"name\", \"role\"}])")
	fs.BoolVar(&o.pprof, "pprof", false, "serve Go's profiles at /debug/pprof/ beside the API, to admin tokens only")
	fs.StringVar(&o.auditKeyArg, "audit-key", "", "the Ed25519 key `file` (PKCS#8 PEM) that signs audit exports (made by fleetd audit-key -o FILE)")
	fs.Func("metrics-max-shuttle-series", "at most `N` shuttles get a state-of-charge series of their own in /metrics (default 100; 0: none; every shuttle is in the fleet's histogram)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q: want a whole number, 0 or more", v)
		}
		o.maxSeries = &n
		return nil
	})
	return
}

// defaultListen is the HTTP API's address when neither --listen nor the
// configuration file says.
const defaultListen = "127.0.0.1:8080"

// resolve merges the configuration file and the flags and validates the
// result, before anything starts.
func (o *fleetOpts) resolve(config, site, broker, embedded, storeURL string) error {
	f, err := readConfig(config)
	if err != nil {
		return err
	}
	if site != "" {
		f.Site = site
	}
	if broker != "" {
		f.Broker.URL = broker
	}
	if embedded != "" {
		f.Broker.Embedded = embedded
	}
	if storeURL != "" {
		f.Store = storeURL
	}
	if o.iface != "" {
		f.Interface = o.iface
	}
	if !o.listenSet {
		o.listen = defaultListen
		if f.Listen != nil {
			o.listen = *f.Listen
		}
	}
	if o.tokens != "" {
		f.Tokens = o.tokens
	}
	if o.auditKeyArg != "" {
		f.AuditKey = o.auditKeyArg
	}
	if o.maxSeries != nil {
		f.MetricsMaxShuttleSeries = o.maxSeries
	}
	if o.statusEvery == 0 {
		o.statusEvery = time.Duration(f.StatusEveryS * float64(time.Second))
	}
	if o.statusEvery == 0 {
		o.statusEvery = 5 * time.Second
	}
	if o.timeScale == 0 {
		o.timeScale = 1
	}
	if !(o.timeScale > 0) {
		return fmt.Errorf("--time-scale %v: must be positive", o.timeScale)
	}
	if err := f.validate(); err != nil {
		if config != "" {
			return fmt.Errorf("configuration (%s and the flags): %w", config, err)
		}
		return fmt.Errorf("configuration: %w", err)
	}
	o.file = f
	return nil
}

// logger logs at info (debug with -v).
func (o *fleetOpts) logger(stderr io.Writer) *slog.Logger { return o.loggerAt(stderr, slog.LevelInfo) }

// loggerAt logs at level, or debug with -v: parts whose chatter does not
// help an operator (the embedded broker, the demo's shuttles) log less.
func (o *fleetOpts) loggerAt(stderr io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if o.verbose {
		opts.Level = slog.LevelDebug
	}
	if o.logJSON {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// startFleet loads the site, finds or starts the broker, connects and
// runs the daemon until parent ends. The context it returns is the
// fleet's: it ends when the daemon stops, for whatever reason (parent
// ended, or the daemon was deposed or failed).
func startFleet(parent context.Context, o *fleetOpts, stdout io.Writer, log *slog.Logger) (*running, context.Context, error) {
	ctx, cancel := context.WithCancel(parent)
	r, err := startFleetCtx(ctx, cancel, o, stdout, log)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return r, ctx, nil
}

func startFleetCtx(ctx context.Context, cancel context.CancelFunc, o *fleetOpts, stdout io.Writer, log *slog.Logger) (*running, error) {
	site, err := loadSiteFile(o.file.Site)
	if err != nil {
		return nil, err
	}
	if err := checkWebhooks(o.file.Webhooks, site); err != nil {
		return nil, err // before the store and the broker
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		return nil, err
	}
	r := &running{site: site, graph: g, url: o.file.Broker.URL}
	if o.file.Store != "" {
		r.store, err = storeurl.Open(ctx, o.file.Store)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "store: %s\n", o.file.Store)
	}
	accounts, err := o.file.Broker.accounts()
	if err != nil {
		r.close()
		return nil, err
	}
	if r.url == "" {
		var access *mqttbus.Access
		if accounts != nil {
			access = brokerAccess(accounts)
		}
		r.broker, err = mqttbus.StartBrokerWith(o.file.Broker.Embedded, o.file.Broker.Embedded == "", access, o.quiet)
		if err != nil {
			r.close()
			return nil, err
		}
		r.url = r.broker.URL()
		if access != nil {
			fmt.Fprintf(stdout, "embedded MQTT broker on %s, with %d vehicle accounts\n", r.url, len(accounts.Vehicles))
		} else {
			fmt.Fprintf(stdout, "embedded MQTT broker on %s\n", r.url)
		}
	}
	mc, err := o.file.Broker.mqttConfig(r.url)
	if err != nil {
		r.close()
		return nil, err
	}
	if accounts != nil && mc.Username == "" {
		mc.Username, mc.Password = accounts.Fleetd.Username, accounts.Fleetd.Password
	}
	r.bus, err = mqttbus.Connect(ctx, mc, nil, log)
	if err != nil {
		r.close()
		return nil, err
	}
	r.d, err = o.newDaemon(g, r.journal(), log)
	if err != nil {
		r.close()
		return nil, err
	}
	// what vehicles published while the link was down is lost: ask them
	r.bus.OnReconnect(r.d.LinkBack)
	if err := r.webhooks(o.file.Webhooks, log); err != nil {
		r.close()
		return nil, err
	}
	dctx := ctx // the daemon's
	if r.hooks != nil {
		// the webhooks stop first and acknowledge what they delivered,
		// through the daemon, which stops after them
		var dcancel context.CancelFunc
		dctx, dcancel = context.WithCancel(context.WithoutCancel(ctx))
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer dcancel()
			r.hooks.Run(ctx) // delivers while this instance is active
		}()
		fmt.Fprintf(stdout, "customs webhooks: %v\n", r.hooks.Countries())
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.runErr = r.d.Run(dctx, mqttBus{r.bus})
		cancel() // a deposed daemon takes the rest down with it
	}()
	if o.statusEvery > 0 {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.status(ctx, stdout, o.statusEvery, o.statusNote)
		}()
	}
	return r, nil
}

// daemonConfig is the daemon's configuration from the file and flags:
// fleetd run and demo drive the fleet with it, and fleetd history writes
// a store with it that they recover (the journal's settings are part of
// it).
func (o *fleetOpts) daemonConfig(g *routing.Graph, j daemon.Journal, log *slog.Logger) (daemon.Config, error) {
	policy, err := charging.PolicyByName(orDefault(o.file.Charging, "opportunity"))
	if err != nil {
		return daemon.Config{}, err
	}
	roster, err := vehicles.NewRoster(o.file.Roster...)
	if err != nil {
		return daemon.Config{}, err
	}
	snaps, err := o.file.Snapshots.daemon()
	if err != nil {
		return daemon.Config{}, err
	}
	retention, err := o.file.moveRetention()
	if err != nil {
		return daemon.Config{}, err
	}
	return daemon.Config{
		Graph: g,
		Fleet: fleet.Config{Dispatch: o.file.Dispatch, Charging: policy, HoldWithoutDeclaration: o.file.HoldWithoutDeclaration, Tuning: o.file.Tuning,
			Retention: retention},
		Vehicles: vehicles.Config{Roster: roster, Interface: o.file.Interface, AutoAdmit: o.file.AutoAdmit, MaxVehicles: o.file.MaxVehicles,
			// the core's clock runs timeScale times faster than real
			// time; a resend waits 5 s of real time, a factsheet
			// request 30 s
			ResendAfter:    time.Duration(float64(5*time.Second) * o.timeScale),
			FactsheetEvery: time.Duration(float64(vehicles.DefaultFactsheetEvery) * o.timeScale),
			// vehicles stamp their messages with the wall clock, not
			// the core's (scaled) one: Check compares with the wall
			MaxClockSkew: time.Duration(o.file.MaxClockSkewS * float64(time.Second))},
		Journal:    j,
		Owner:      o.owner,
		StaleAfter: time.Duration(orDefaultF(o.file.StaleAfterS, 45) * float64(time.Second)),
		LeaseTTL:   time.Duration(orDefaultF(o.file.LeaseTTLS, daemon.DefaultLeaseTTL.Seconds()) * float64(time.Second)),
		TimeScale:  o.timeScale,
		Snapshots:  snaps,
		Batch:      o.file.JournalBatch,
		Log:        log,
	}, nil
}

// newDaemon makes the daemon of daemonConfig.
func (o *fleetOpts) newDaemon(g *routing.Graph, j daemon.Journal, log *slog.Logger) (*daemon.Daemon, error) {
	cfg, err := o.daemonConfig(g, j, log)
	if err != nil {
		return nil, err
	}
	return daemon.New(cfg)
}

// webhooks builds the customs webhooks' deliverer, if any are
// configured: they need a store, whose audit log they deliver.
func (r *running) webhooks(c webhooksConfig, log *slog.Logger) error {
	if len(c.Subscribers) == 0 {
		return nil
	}
	if r.store == nil {
		return errors.New("webhooks: they deliver the store's audit log: set a store")
	}
	subs, err := c.subscribers()
	if err != nil {
		return err
	}
	r.hooks, err = webhook.New(webhook.Config{Subscribers: subs, Site: r.site, Fleet: r.d, Audit: r.store,
		Timeout: seconds(c.TimeoutS), BackoffBase: seconds(c.BackoffBaseS), BackoffCap: seconds(c.BackoffCapS),
		MaxAttempts: c.MaxAttempts, AckEvery: seconds(c.AckEveryS), Log: log.With("component", "webhook")})
	return err
}

// checkWebhooks checks the webhooks' subscribers against the site.
func checkWebhooks(c webhooksConfig, site *geo.Site) error {
	if len(c.Subscribers) == 0 {
		return nil
	}
	subs, err := c.subscribers()
	if err != nil {
		return err
	}
	return webhook.CheckSubscribers(subs, site)
}

// serveAPI starts the HTTP API on o.listen with tokens, and the
// Prometheus metrics at /metrics beside it (no token), until ctx (the
// fleet's) ends; a demo whose default address is taken takes a free
// port.
func (r *running) serveAPI(ctx context.Context, o *fleetOpts, tokens []api.Token, log *slog.Logger, anyPort bool) error {
	if o.listen == "" {
		return nil
	}
	acfg := api.Config{Fleet: r.d, Archive: r.d, Site: r.site, Graph: r.graph, Tokens: tokens, AuditKey: o.key, Log: log.With("component", "api")}
	if r.store != nil {
		acfg.Audit = r.store
	}
	mcfg := metrics.Config{Fleet: r.d, Site: r.site, Graph: r.graph, MaxShuttleSeries: o.file.maxShuttleSeries(), Log: log.With("component", "metrics")}
	if r.hooks != nil {
		acfg.Webhooks, mcfg.Webhooks = r.hooks, r.hooks.Counts
	}
	srv, err := api.New(acfg)
	if err != nil {
		return err
	}
	mets, err := metrics.New(mcfg)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mets.Handler())
	mux.Handle("/v1/", srv.Handler())
	mux.Handle("/", dashboard.Handler())
	if o.pprof {
		mux.Handle("/debug/pprof/", srv.AdminOnly(pprofHandler()))
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil && anyPort {
		host, _, _ := net.SplitHostPort(o.listen)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return fmt.Errorf("HTTP API: %w", err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// requests (the event stream too) end when the fleet stops
		BaseContext: func(net.Listener) context.Context { return ctx }}
	r.apiURL = "http://" + ln.Addr().String() + "/v1"
	r.metURL = "http://" + ln.Addr().String() + "/metrics"
	r.webURL = "http://" + ln.Addr().String() + "/"
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP API stopped", "err", err)
		}
	}()
	go func() {
		defer r.wg.Done()
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	return nil
}

// printMetrics says where the metrics and the dashboard are, if they
// are served.
func (r *running) printMetrics(w io.Writer) {
	if r.metURL != "" {
		fmt.Fprintf(w, "Prometheus metrics on %s (no token: firewall it like the API)\n", r.metURL)
	}
	if r.webURL != "" {
		fmt.Fprintf(w, "dashboard on %s (sign in with an API token)\n", r.webURL)
	}
}

// apiTokens reads the tokens file, if there is one.
func (o *fleetOpts) apiTokens() ([]api.Token, error) {
	if o.file.Tokens == "" {
		return nil, nil
	}
	return api.LoadTokens(o.file.Tokens)
}

// status prints a line on what the fleet does every so often, note at
// its end.
func (r *running) status(ctx context.Context, w io.Writer, every time.Duration, note string) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s, err := r.d.Snapshot(ctx)
			if err != nil {
				return
			}
			fmt.Fprintln(w, s.Line()+note)
		}
	}
}

// wait waits for the daemon's goroutines and closes the connections.
func (r *running) wait() error {
	r.wg.Wait()
	r.close()
	return r.runErr
}

// journal is the store as the daemon's journal, or nil.
func (r *running) journal() daemon.Journal {
	if r.store == nil {
		return nil
	}
	return r.store
}

func (r *running) close() {
	if r.bus != nil {
		r.bus.Disconnect()
	}
	if r.store != nil {
		_ = r.store.Close()
	}
	if r.broker != nil {
		_ = r.broker.Close()
	}
}

func loadSiteFile(path string) (*geo.Site, error) {
	if path == "" {
		return geo.Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := geo.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultF(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

// syncWriter lets the status goroutine and the command write to one
// output.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// signalContext is cancelled on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// runDaemon is `fleetd run`: the fleet controller for real vehicles.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = &syncWriter{w: stdout}, &syncWriter{w: stderr}
	fs := newFlagSet("run", stderr)
	var o fleetOpts
	config, site, broker, embedded, storeURL := addFleetFlags(fs, &o)
	autoAdmit := fs.Bool("auto-admit", false, "admit vehicles that are not on the roster")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd run: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := o.resolve(*config, *site, *broker, *embedded, *storeURL); err != nil {
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	if *autoAdmit {
		o.file.AutoAdmit = true
	}
	tokens, err := o.apiTokens()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	if o.key, err = o.auditKey(stderr); err != nil {
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	log := o.logger(stderr)
	o.quiet = o.loggerAt(stderr, slog.LevelError)
	ctx, stop := signalContext()
	defer stop()
	r, fleetCtx, err := startFleet(ctx, &o, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	if err := r.serveAPI(fleetCtx, &o, tokens, log, false); err != nil {
		stop()
		_ = r.wait()
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "fleetd: driving VDA 5050 vehicles on %s (topics %s/v2/...); %d on the roster, auto-admit %v\n",
		r.url, orDefault(o.file.Interface, "uagv"), len(o.file.Roster), o.file.AutoAdmit)
	switch {
	case r.apiURL == "":
		fmt.Fprintln(stdout, "HTTP API off (--listen \"\")")
	case len(tokens) == 0:
		fmt.Fprintf(stdout, "HTTP API on %s: no --tokens file, so only /v1/health and /v1/ready answer\n", r.apiURL)
	default:
		fmt.Fprintf(stdout, "HTTP API on %s (%d tokens)\n", r.apiURL, len(tokens))
	}
	if r.apiURL != "" {
		printAuditKey(stdout, o.key, "")
	}
	r.printMetrics(stdout)
	<-fleetCtx.Done()
	if err := r.wait(); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "fleetd run: %v\n", err)
		return 1
	}
	return 0
}
