package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/borderfleet/borderfleet/internal/proc"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/sim/agv"
	"github.com/borderfleet/borderfleet/sim/demand"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Result is a run's figures, printed as one JSON line.
type Result struct {
	Date     string `json:"date"`
	Vehicles int    `json:"vehicles"`
	Mode     string `json:"mode"` // driving or idle
	Broker   string `json:"broker"`
	Store    string `json:"store"`
	Site     string `json:"site"`
	Bays     int    `json:"yard_bays"`
	Parking  int    `json:"parking"`
	// ConnectS: from the first connection to every vehicle ONLINE.
	ConnectS  float64 `json:"connect_s"`
	DurationS float64 `json:"duration_s"`
	// SentPerS: what the vehicles published (StatesPerS of it states).
	SentPerS   float64 `json:"sent_per_s"`
	StatesPerS float64 `json:"states_per_s"`
	// RawPerS: what a plain subscriber to fleetd's topics got.
	RawPerS float64 `json:"raw_per_s"`
	// IngestPerS: what fleetd's core took (mqtt_messages_received_total).
	IngestPerS  float64 `json:"ingest_per_s"`
	IngestRatio float64 `json:"ingest_ratio"`
	// Dropped: messages fleetd dropped, its inbox full, over the whole run.
	Dropped  int64 `json:"dropped"`
	Rejected int64 `json:"rejected"` // in the window
	// PublishErrors: messages fleetd could not publish (its outbox full,
	// or the client's error), over the run.
	PublishErrors int64 `json:"publish_errors"`
	// JournalErrors: inputs fleetd could not journal, over the run.
	JournalErrors int64 `json:"journal_errors"`
	// Latency: orders that came before the vehicle's next state (its
	// state with news made them due); LatencyAll: every order that
	// followed a state with news, also those that came after one or more
	// repeats of it (made due by a tick or another vehicle's progress, or
	// late).
	Latency      Latency `json:"state_to_order"`
	LatencyAll   Latency `json:"state_to_order_all"`
	Orders       int64   `json:"orders"`
	OrdersPerS   float64 `json:"orders_per_s"`
	Unattributed int64   `json:"orders_unattributed"`
	Instant      int64   `json:"instant_actions"`
	HandlingS    float64 `json:"handling_s"` // a pick or drop
	JournalBatch int     `json:"journal_batch,omitempty"`
	Moves        int     `json:"moves_requested"`
	MoveErrors   int     `json:"move_errors"`
	Driven       int     `json:"vehicles_driven"` // got at least one order
	// APIShuttles: GET /v1/shuttles?limit=100 asked every 200 ms while
	// measuring (APIFailed of them not answered 200).
	APIShuttles Latency `json:"api_shuttles"`
	APIFailed   int     `json:"api_failed"`
	// FleetdCPUPct: fleetd's CPU time over the window, in % of one core.
	FleetdCPUPct  float64 `json:"fleetd_cpu_pct"`
	FleetdRSSMB   float64 `json:"fleetd_rss_mb"`
	FleetdPeakMB  float64 `json:"fleetd_peak_rss_mb"`
	Profile       string  `json:"profile,omitempty"`
	LoadAvg       string  `json:"loadavg,omitempty"` // the machine's, at the end
	Cores         int     `json:"cores"`
	FleetdLogTail string  `json:"-"`
}

// JSON is the result as one line.
func (r Result) JSON() []byte {
	b, _ := json.Marshal(r)
	return b
}

// Run makes one load run (see the package documentation) and returns its
// figures. It cleans up every process it started.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.withDefaults()
	r := &run{cfg: cfg, res: Result{Date: time.Now().UTC().Format(time.RFC3339), Vehicles: cfg.Vehicles, Mode: "driving", Cores: runtime.NumCPU(), HandlingS: cfg.Handling.Seconds(), JournalBatch: cfg.JournalBatch}}
	if cfg.Idle {
		r.res.Mode = "idle"
	}
	defer r.cleanup()
	if err := r.setUp(ctx); err != nil {
		return r.res, err
	}
	err := r.measure(ctx)
	return r.res, err
}

// run is one run's state.
type run struct {
	cfg     Config
	res     Result
	dir     string
	temp    bool
	site    *geo.Site
	graph   *routing.Graph
	url     string // the broker's
	procs   []*proc.Proc
	fd      *proc.Proc
	api     *client
	probe   *probe
	serials []string
	raw     atomic.Int64
	rawC    *mqttbus.Client
	stopV   context.CancelFunc
	vdone   chan error
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.Log, "bench: "+format+"\n", args...)
}

func (r *run) setUp(ctx context.Context) error {
	if err := r.makeDir(); err != nil {
		return err
	}
	if err := r.makeSite(); err != nil {
		return err
	}
	if err := r.startServices(); err != nil {
		return err
	}
	if err := r.startFleetd(ctx); err != nil {
		return err
	}
	r.serials = make([]string, r.cfg.Vehicles)
	for i := range r.serials {
		r.serials[i] = fmt.Sprintf("%s%02d", serialPrefix, i+1)
	}
	r.probe = newProbe(r.serials)
	if os.Getenv("BORDERFLEET_BENCH_TRACE") != "" {
		f, err := os.Create(filepath.Join(r.dir, "latency.txt"))
		if err != nil {
			return err
		}
		r.probe.trace = f
	}
	if err := r.subscribeRaw(ctx); err != nil {
		return err
	}
	return r.startVehicles(ctx)
}

func (r *run) makeDir() error {
	r.dir = r.cfg.Dir
	if r.dir == "" {
		d, err := os.MkdirTemp("", "fleetd-bench")
		if err != nil {
			return err
		}
		r.dir, r.temp = d, true
		return nil
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	if db := filepath.Join(r.dir, "fleetd.db"); r.cfg.Store == "bolt" {
		if _, err := os.Stat(db); err == nil {
			return fmt.Errorf("load: %s exists, an earlier run's store: use another directory or remove it", db)
		}
	}
	return nil
}

// makeSite loads the site file, or generates one with parking for every
// vehicle and a bay for every vehicle (see maxBays), so that each vehicle
// can have a move of its own.
func (r *run) makeSite() error {
	path := r.cfg.Site
	if path == "" {
		k := r.cfg.Vehicles
		opts := sitegen.Options{Parking: max(4, (k+1)/2), Bays: min(maxBays(k), max(2, (k+1)/2)), DistanceM: 1000, Checkpoints: 1}
		_, b, err := sitegen.Generate(r.cfg.Seed, opts)
		if err != nil {
			return fmt.Errorf("load: site: %s", firstLines(err.Error(), 5))
		}
		path = filepath.Join(r.dir, "site.geojson")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		r.res.Site = fmt.Sprintf("generated: seed %d, %d bays and %d parking spots a centre, 1000 m, 1 checkpoint", r.cfg.Seed, opts.Bays, opts.Parking)
		r.cfg.Site = path
	} else {
		r.res.Site = path
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if r.site, err = geo.Load(b); err != nil {
		return fmt.Errorf("load: %s: %s", path, firstLines(err.Error(), 5))
	}
	if r.graph, err = routing.NewGraph(r.site, routing.GraphConfig{}); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	r.res.Parking = len(r.site.Parking)
	for _, c := range r.site.Centres {
		r.res.Bays += len(r.site.BaysOf(c.ID))
	}
	if r.res.Parking < r.cfg.Vehicles {
		return fmt.Errorf("load: the site has %d parking spots for %d vehicles", r.res.Parking, r.cfg.Vehicles)
	}
	return nil
}

// startServices starts the broker and the store the run asks for.
func (r *run) startServices() error {
	switch r.cfg.Broker {
	case "mosquitto":
		m, err := proc.StartMosquitto(r.dir, proc.MosquittoConf("max_queued_messages 100000"), proc.DieWithParent())
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("load: %w (install it, or use --broker embedded)", err)
		}
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		r.procs = append(r.procs, m.Proc())
		r.url, r.res.Broker = "tcp://"+m.Addr(), "mosquitto (private, loopback)"
	case "embedded":
		port, err := proc.FreePort()
		if err != nil {
			return err
		}
		r.url, r.res.Broker = fmt.Sprintf("tcp://127.0.0.1:%d", port), "embedded (in fleetd)"
	default:
		r.url, r.res.Broker = r.cfg.Broker, r.cfg.Broker
	}
	switch s := r.cfg.Store; {
	case s == "bolt":
		r.cfg.Store, r.res.Store = "bolt:"+filepath.Join(r.dir, "fleetd.db"), "bolt"
	case s == "redis":
		rd, err := proc.StartRedis(r.dir, proc.DieWithParent())
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("load: %w (install it, or use another --store)", err)
		}
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		r.procs = append(r.procs, rd.Proc())
		r.cfg.Store, r.res.Store = "redis://"+rd.Addr()+"/0", "redis (private, loopback)"
	default:
		r.res.Store = s
	}
	return nil
}

func (r *run) startFleetd(ctx context.Context) error {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return err
	}
	token := hex.EncodeToString(tok)
	tokens := filepath.Join(r.dir, "tokens.json")
	if err := os.WriteFile(tokens, fmt.Appendf(nil, `[{"token": %q, "name": "bench", "role": "admin"}]`, token), 0o600); err != nil {
		return err
	}
	port, err := proc.FreePort()
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"run", "--site", r.cfg.Site, "--auto-admit", "--listen", listen, "--tokens", tokens, "--status-every", "-1s"}
	if r.cfg.Broker == "embedded" {
		args = append(args, "--embedded-broker", strings.TrimPrefix(r.url, "tcp://"))
	} else {
		args = append(args, "--broker", r.url)
	}
	if r.cfg.Store != "none" {
		args = append(args, "--store", r.cfg.Store)
	}
	if r.cfg.Profile > 0 {
		args = append(args, "--pprof")
	}
	if r.cfg.JournalBatch > 0 {
		conf := filepath.Join(r.dir, "fleetd.json")
		if err := os.WriteFile(conf, fmt.Appendf(nil, `{"journal_batch": %d}`, r.cfg.JournalBatch), 0o644); err != nil {
			return err
		}
		args = append(args, "--config", conf)
	}
	r.fd, err = proc.Start(proc.Spec{Name: "fleetd", Log: filepath.Join(r.dir, "fleetd.log"), Bin: r.cfg.Fleetd, Args: args, DieWithParent: true})
	if err != nil {
		return err
	}
	r.api = &client{base: "http://" + listen, token: token, hc: &http.Client{Timeout: 2 * time.Minute}}
	if err := r.api.ready(ctx, 2*time.Minute, r.fd); err != nil {
		return err
	}
	r.logf("fleetd ready (%s, store %s, broker %s)", listen, r.res.Store, r.url)
	return nil
}

// subscribeRaw counts, in the window, what the broker delivers on the
// topics fleetd listens to.
func (r *run) subscribeRaw(ctx context.Context) error {
	c, err := mqttbus.Connect(ctx, mqttbus.Config{URL: r.url, ClientID: "bench-raw"}, nil, nil)
	if err != nil {
		return fmt.Errorf("load: raw subscriber: %w", err)
	}
	r.rawC = c
	for _, t := range []vda5050.Topic{vda5050.TopicState, vda5050.TopicConnection, vda5050.TopicFactsheet, vda5050.TopicVisualization} {
		if err := c.Subscribe(vda5050.Subscription(vda5050.DefaultInterface, t), 0, func(string, []byte) {
			if r.probe.inWindow(time.Now()) {
				r.raw.Add(1)
			}
		}); err != nil {
			return fmt.Errorf("load: raw subscriber: %w", err)
		}
	}
	return nil
}

// online counts the vehicles' ONLINE messages, to know when all are up.
type online struct {
	*probe
	n atomic.Int64
}

func (o *online) Sent(serial string, t vda5050.Topic, msg any, at time.Time) {
	if c, ok := msg.(vda5050.Connection); ok && c.ConnectionState == vda5050.ConnectionOnline {
		o.n.Add(1)
	}
	o.probe.Sent(serial, t, msg, at)
}

const serialPrefix = "load-"

func (r *run) startVehicles(ctx context.Context) error {
	obs := &online{probe: r.probe}
	fc := agv.FleetConfig{Shuttles: r.cfg.Vehicles, SerialPrefix: serialPrefix, Observer: obs,
		Vehicle: agv.Config{Site: r.site, Graph: r.graph, StatePeriod: r.cfg.Period, IdleStatePeriod: r.cfg.Period, Handling: r.cfg.Handling,
			VisualizationPeriod: -1, Seed: r.cfg.Seed}}
	f, err := agv.NewFleet(fc, agv.MQTTDial(mqttbus.Config{URL: r.url, ClientID: "load"}, nil), nil)
	if err != nil {
		return err
	}
	vctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stopV, r.vdone = stop, make(chan error, 1)
	start := time.Now()
	go func() { r.vdone <- f.Run(vctx) }()
	within := 2*time.Minute + time.Duration(r.cfg.Vehicles)*20*time.Millisecond
	for obs.n.Load() < int64(r.cfg.Vehicles) {
		select {
		case err := <-r.vdone:
			r.vdone <- err
			return fmt.Errorf("load: vehicles stopped while connecting: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > within {
			return fmt.Errorf("load: %d of %d vehicles online after %v", obs.n.Load(), r.cfg.Vehicles, within)
		}
	}
	r.res.ConnectS = round2(time.Since(start).Seconds())
	r.logf("%d vehicles online in %.1f s", r.cfg.Vehicles, r.res.ConnectS)
	return nil
}

// askMoves asks for cfg.Moves pre-cleared moves, from the bays of each
// centre to the bays of the next in turn, four requests at a time.
func (r *run) askMoves(ctx context.Context) error {
	if r.cfg.Moves == 0 {
		return nil
	}
	var bays [][]string
	for _, c := range r.site.Centres {
		var ids []string
		for _, b := range r.site.BaysOf(c.ID) {
			ids = append(ids, b.ID)
		}
		if len(ids) > 0 {
			bays = append(bays, ids)
		}
	}
	if len(bays) < 2 {
		return errors.New("load: the site needs bays in two centres for moves")
	}
	next := make(chan int)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for n := range next {
				from, to := bays[n%len(bays)], bays[(n+1)%len(bays)]
				i := n / len(bays)
				c := string(demand.Container("LODU", n))
				m := moveRequest{Container: c, Origin: from[i%len(from)], Destination: to[(i+1)%len(to)], Declaration: "LOAD-" + c, PreCleared: true}
				if err := r.api.createMove(ctx, m); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for n := range r.cfg.Moves {
		next <- n
	}
	close(next)
	wg.Wait()
	r.res.Moves, r.res.MoveErrors = r.cfg.Moves, int(errs.Load())
	if errs.Load() == int64(r.cfg.Moves) {
		return fmt.Errorf("load: no move was taken: %v", firstErr.Load())
	}
	return nil
}

// measure asks for the moves, waits out the warm-up, then measures for
// the duration.
func (r *run) measure(ctx context.Context) error {
	t := time.Now()
	if err := r.askMoves(ctx); err != nil {
		return err
	}
	if r.cfg.Moves > 0 {
		r.logf("%d moves asked for in %.1f s (%d refused)", r.cfg.Moves, time.Since(t).Seconds(), r.res.MoveErrors)
	}
	if err := sleep(ctx, r.cfg.Warmup); err != nil {
		return err
	}
	c0, err := r.api.counters(ctx)
	if err != nil {
		return err
	}
	u0, err := usageOf(r.fd.Pid())
	if err != nil {
		return err
	}
	t0 := time.Now()
	r.probe.open(t0)
	r.logf("measuring for %v", r.cfg.Duration)
	apiCtx, stopAPI := context.WithCancel(ctx)
	defer stopAPI()
	apiDone := make(chan struct{})
	go func() {
		defer close(apiDone)
		r.res.APIShuttles, r.res.APIFailed = r.api.apiProbe(apiCtx)
	}()
	var prof chan error
	if r.cfg.Profile > 0 {
		prof = make(chan error, 1)
		go func() {
			if err := sleep(ctx, (r.cfg.Duration-r.cfg.Profile)/2); err != nil {
				prof <- err
				return
			}
			path := filepath.Join(r.dir, "fleetd.cpu.pprof")
			prof <- r.api.profile(ctx, r.cfg.Profile, path, filepath.Join(r.dir, "fleetd.heap.pprof"))
			r.res.Profile = path
		}()
	}
	if err := sleep(ctx, r.cfg.Duration); err != nil {
		return err
	}
	t1 := time.Now()
	r.probe.close(t1)
	stopAPI()
	<-apiDone
	u1, err := usageOf(r.fd.Pid())
	if err != nil {
		return err
	}
	c1, err := r.api.counters(ctx)
	if err != nil {
		return err
	}
	if prof != nil {
		if err := <-prof; err != nil {
			return err
		}
	}
	w := t1.Sub(t0).Seconds()
	p := r.probe
	res := &r.res
	res.DurationS = round2(w)
	res.SentPerS = round2(float64(p.sent.Load()) / w)
	res.StatesPerS = round2(float64(p.statesSent.Load()) / w)
	res.RawPerS = round2(float64(r.raw.Load()) / w)
	const in, dropped, rejected, jerr = "borderfleet_mqtt_messages_received_total", "borderfleet_mqtt_messages_dropped_total", "borderfleet_mqtt_messages_rejected_total", "borderfleet_journal_errors_total"
	res.IngestPerS = round2((c1[in] - c0[in]) / w)
	if res.RawPerS > 0 {
		res.IngestRatio = math.Round(res.IngestPerS/res.RawPerS*10000) / 10000
	}
	res.Dropped = int64(c1[dropped])
	res.Rejected = int64(c1[rejected] - c0[rejected])
	res.JournalErrors = int64(c1[jerr])
	res.PublishErrors = int64(c1["borderfleet_mqtt_publish_errors_total"])
	res.Latency, res.LatencyAll = p.latency()
	res.Orders, res.Unattributed, res.Instant = p.orders.Load(), p.unattributed.Load(), p.instant.Load()
	res.OrdersPerS = round2(float64(res.Orders) / w)
	res.Driven = p.driven()
	res.FleetdCPUPct = round2(float64(u1.cpu-u0.cpu) / float64(t1.Sub(t0)) * 100)
	res.FleetdRSSMB = round2(float64(u1.rss) / (1 << 20))
	res.FleetdPeakMB = round2(float64(u1.peak) / (1 << 20))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		res.LoadAvg = strings.Join(f[:min(3, len(f))], " ")
	}
	return nil
}

// cleanup stops the vehicles, fleetd and the services, and removes a
// temporary directory.
func (r *run) cleanup() {
	if r.stopV != nil {
		r.stopV()
		select {
		case <-r.vdone:
		case <-time.After(time.Minute):
			r.logf("vehicles did not stop within a minute")
		}
	}
	if r.rawC != nil {
		r.rawC.Disconnect()
	}
	r.fd.Stop(20 * time.Second)
	if r.fd != nil && r.fd.Exited() {
		r.res.FleetdLogTail = strings.Join(proc.Tail(r.fd.Log, 20), "\n")
	}
	for i := len(r.procs) - 1; i >= 0; i-- {
		r.procs[i].Stop(5 * time.Second)
	}
	if r.temp {
		_ = os.RemoveAll(r.dir)
	}
}

// maxBays is the most yard bays a centre of a generated site gets for k
// vehicles: sitegen's 1,000 up to 2,000 vehicles, 400 beyond (each yard's
// ring holds its parking spots too, and every place must lie within
// 50 km of the site's origin: 5,000 spots and 400 bays a centre reach
// 38 km).
func maxBays(k int) int {
	if k <= 2*sitegen.MaxBaysOption {
		return sitegen.MaxBaysOption
	}
	return 400
}

// firstLines is at most n lines of s, saying how many more there were.
func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n  ... and %d more lines", len(lines)-n)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
