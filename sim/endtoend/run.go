package endtoend

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/e2e/wire"
	"github.com/borderfleet/borderfleet/internal/proc"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/sim"
)

// runner is one end-to-end run.
type runner struct {
	cfg   Config
	scale float64
	dir   string
	start time.Time // real time the run began

	mq     *proc.Service
	rd     *proc.Service
	fleetd *fleetd
	shut   *proc.Proc
	cl     *client
	spy    *mqttbus.Client
	w      *wire.Watch
	obs    *observer
	op     *operator
	figs   sim.EndToEndFigures
	failed bool
}

func (r *runner) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, "e2e t=%6.1fs  %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
	}
}

// Run runs the scenario end to end and reports it as an in-process run
// of it is reported, with the Recording for a report folder. An error
// is a run that could not be made or measured (a process that did not
// start, an API that did not answer); a run that broke a safety promise
// is a Report that says so (Report.Failed).
func Run(ctx context.Context, cfg Config) (_ sim.Report, _ *sim.Recording, err error) {
	cfg.Sim = cfg.Sim.Defaults()
	if err := cfg.Validate(); err != nil {
		return sim.Report{}, nil, err
	}
	r := &runner{cfg: cfg, scale: cfg.EndToEnd.Scale(), start: time.Now()}
	r.figs = sim.EndToEndFigures{TimeScale: r.scale}
	defer func() { r.teardown(err != nil) }()
	if err := r.setup(ctx); err != nil {
		return sim.Report{}, nil, err
	}
	if err := r.loop(ctx); err != nil {
		return sim.Report{}, nil, err
	}
	rep, rec, err := r.finish(ctx)
	r.failed = err != nil || rep.Failed()
	return rep, rec, err
}

// setup starts the broker, the store, fleetd, the spy and the shuttles.
func (r *runner) setup(ctx context.Context) error {
	c := r.cfg
	r.dir = c.Dir
	if r.dir == "" {
		var err error
		if r.dir, err = os.MkdirTemp("", "borderfleet-e2e"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	r.logf("run folder %s (the logs of every process)", r.dir)
	var err error
	if r.mq, err = proc.StartMosquitto(r.dir); err != nil {
		return fmt.Errorf("endtoend: %w", err)
	}
	r.logf("mosquitto on %s", r.mq.Addr())
	broker := "tcp://" + r.mq.Addr()
	store := c.Store
	switch {
	case store == "redis":
		// an append-only file fsynced on every write, as fleetd's Redis
		// must be configured
		if r.rd, err = proc.StartRedis(r.dir, proc.AppendOnly("always")); err != nil {
			return fmt.Errorf("endtoend: %w", err)
		}
		store = fmt.Sprintf("redis://%s/0", r.rd.Addr())
		r.logf("redis-server on %s (append-only file, fsync always)", r.rd.Addr())
	case store == "bolt":
		store = "bolt:" + filepath.Join(r.dir, "fleetd.db")
	case !strings.Contains(store, "prefix="):
		sep := "?"
		if strings.Contains(store, "?") {
			sep = "&"
		}
		store += fmt.Sprintf("%sprefix=e2e-%d:", sep, time.Now().UnixNano())
	}
	r.figs.Store = strings.SplitN(store, ":", 2)[0]
	token := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	files, err := r.writeFiles(token)
	if err != nil {
		return err
	}
	port, err := proc.FreePort()
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"demo", "--shuttles", "0", "--scenario", files.scenario, "--moves-per-hour", "0", "--config", files.config,
		"--broker", broker, "--store", store, "--time-scale", fmt.Sprint(r.scale), "--owner", "e2e",
		"--listen", listen, "--tokens", files.tokens, "--status-every", "10s", "--seed", fmt.Sprint(c.Sim.Seed)}
	if c.SiteFile != "" {
		args = append(args, "--site", c.SiteFile)
	}
	r.fleetd = &fleetd{bin: c.Fleetd, log: filepath.Join(r.dir, "fleetd.log"), args: args}
	r.cl = &client{base: "http://" + listen, token: token, hc: &http.Client{Timeout: 10 * time.Second}}
	if err := r.fleetd.start(); err != nil {
		return err
	}
	if err := r.cl.ready(ctx, 30*time.Second, r.fleetd.ended); err != nil {
		return fmt.Errorf("%w; fleetd said: %s", err, strings.Join(proc.Tail(r.fleetd.log, 10), " | "))
	}
	r.logf("fleetd ready on %s (store %s)", r.cl.base, store)
	g, err := routing.NewGraph(c.Sim.Site, routing.GraphConfig{})
	if err != nil {
		return err
	}
	r.w = wire.New(g)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if r.spy, err = mqttbus.Connect(cctx, mqttbus.Config{URL: broker, ClientID: "e2e-spy", MaxReconnectInterval: 200 * time.Millisecond}, nil, nil); err != nil {
		return fmt.Errorf("endtoend: the spy: %w", err)
	}
	if err := r.spy.Subscribe("uagv/#", 1, r.w.Add); err != nil {
		return fmt.Errorf("endtoend: the spy: %w", err)
	}
	r.obs = newObserver(c.Sim)
	if r.op, err = newOperator(c.Sim); err != nil {
		return err
	}
	// the clock starts when fleetd's does: its first answer
	if err := r.obs.poll(ctx, r.cl); err != nil {
		return err
	}
	return r.startShuttles()
}

// runFiles are the files fleetd is given.
type runFiles struct{ scenario, config, tokens string }

// writeFiles writes fleetd's tokens, its configuration (the scenario's
// dispatch, charging and tuning; every move kept, so that a move that
// goes missing is seen) and the scenario's demand and officers (fleetd
// demo plays the officers; the runner asks for the moves).
func (r *runner) writeFiles(token string) (runFiles, error) {
	s := r.cfg.Sim
	f := runFiles{scenario: filepath.Join(r.dir, "demand.json"), config: filepath.Join(r.dir, "fleetd.json"), tokens: filepath.Join(r.dir, "tokens.json")}
	tokens := []map[string]string{{"token": token, "name": "e2e", "role": "admin"}}
	config := map[string]any{"dispatch": s.Policy, "charging": s.Charging, "tuning": s.Tuning, "move_retention_h": 0}
	// the demand as the in-process run plays it (sim.Config's
	// DemandConfig), every share stated
	d := s.DemandConfig()
	demand := map[string]any{"moves_per_hour": d.MovesPerHour, "eastbound_share": d.Eastbound, "pre_cleared_share": d.PreCleared,
		"inspected_share": d.Inspected, "refused_share": d.Refused, "inspect_refused_share": d.InspectRefused,
		"decide_after": d.DecideAfter.String(), "inspect_time": d.InspectTime.String()}
	for path, v := range map[string]any{f.tokens: tokens, f.config: config, f.scenario: demand} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return f, err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return f, err
		}
	}
	return f, nil
}

// startShuttles starts one shuttle-sim process for the fleet, each
// shuttle its own MQTT connection, on the parking spots an in-process
// run starts them on, with the scenario's vehicle.
func (r *runner) startShuttles() error {
	s := r.cfg.Sim
	mtbf := time.Duration(0)
	if !s.NoBreakdowns {
		mtbf = s.MTBF
	}
	args := []string{"--broker", "tcp://" + r.mq.Addr(), "--shuttles", fmt.Sprint(s.Shuttles),
		"--start", strings.Join(sim.StartNodes(s.Site)[:s.Shuttles], ","), "--soc", fmt.Sprint(s.StartSoC),
		"--ambient", fmt.Sprint(s.AmbientC), "--top-speed", fmt.Sprint(s.TopSpeedKmh), "--handling", s.Handling.String(),
		"--breakdown-mtbf", mtbf.String(), "--breakdown-mttr", s.MTTR.String(), "--seed", fmt.Sprint(s.Seed),
		"--time-scale", fmt.Sprint(r.scale)}
	if r.cfg.SiteFile != "" {
		args = append(args, "--site", r.cfg.SiteFile)
	}
	var err error
	r.shut, err = proc.Start(proc.Spec{Name: "shuttle-sim", Log: filepath.Join(r.dir, "shuttle-sim.log"), Bin: r.cfg.ShuttleSim, Args: args})
	if err != nil {
		return fmt.Errorf("endtoend: shuttle-sim: %w", err)
	}
	r.logf("shuttle-sim: %d shuttles at %gx", s.Shuttles, r.scale)
	return nil
}

// loop samples the fleet each simulated minute and sets off the
// restarts when their time comes, until the run's hours have passed on
// fleetd's clock.
func (r *runner) loop(ctx context.Context) error {
	c := r.cfg
	end := time.Duration(c.Sim.Hours * float64(time.Hour))
	restarts := plan(c.EndToEnd)
	period := time.Duration(float64(time.Minute) / r.scale)
	t := time.NewTicker(period)
	defer t.Stop()
	lastLog := time.Duration(0)
	failures := 0
	for r.obs.now() < end {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if r.shut.Exited() {
			return fmt.Errorf("endtoend: shuttle-sim ended: %v; it said: %s", r.shut.Err(), strings.Join(proc.Tail(r.shut.Log, 6), " | "))
		}
		if err := r.obs.poll(ctx, r.cl); err != nil {
			// fleetd may be between a kill and its start, or busy: the
			// minute is missed, not the run, unless it goes on
			if failures++; failures > 30 {
				return fmt.Errorf("endtoend: fleetd has not answered for 30 polls: %w; fleetd said: %s", err, strings.Join(proc.Tail(r.fleetd.log, 6), " | "))
			}
			continue
		}
		failures = 0
		if c.Progress != nil {
			c.Progress(min(r.obs.now(), end), end)
		}
		r.op.ask(ctx, r.cl, r.obs.now(), end)
		if now := r.obs.now(); now-lastLog >= 10*time.Minute {
			lastLog = now
			r.logf("%s simulated of %s: %s", now.Round(time.Second), end, r.obs.status())
		}
		for len(restarts) > 0 && r.obs.now() >= restarts[0].at {
			if err := r.restart(ctx, restarts[0]); err != nil {
				return err
			}
			restarts = restarts[1:]
		}
	}
	return nil
}

// restart is one planned restart.
type restart struct {
	at     time.Duration
	broker bool // Mosquitto; else fleetd
}

// plan is the restarts by time.
func plan(e sim.EndToEnd) []restart {
	var out []restart
	for _, at := range e.FleetdRestarts {
		out = append(out, restart{at: time.Duration(at)})
	}
	for _, at := range e.BrokerRestarts {
		out = append(out, restart{at: time.Duration(at), broker: true})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].at < out[j-1].at; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (r *runner) restart(ctx context.Context, rs restart) error {
	if rs.broker {
		r.logf("broker restart at %s: SIGKILL to mosquitto, started again on its port", r.obs.now().Round(time.Second))
		if err := r.mq.Restart(); err != nil {
			return fmt.Errorf("endtoend: %w", err)
		}
		r.figs.BrokerRestarts++
		return nil
	}
	// fleetd's counters start again from zero: take them first
	if err := r.obs.counters(ctx, r.cl); err != nil {
		r.logf("before the kill: %v", err)
	}
	r.obs.restarted()
	r.logf("fleetd restart at %s: SIGKILL, started again on the same store", r.obs.now().Round(time.Second))
	began := time.Now()
	if err := r.fleetd.kill(); err != nil {
		return err
	}
	if err := r.cl.ready(ctx, 60*time.Second, r.fleetd.ended); err != nil {
		return fmt.Errorf("%w; fleetd said: %s", err, strings.Join(proc.Tail(r.fleetd.log, 10), " | "))
	}
	took := time.Since(began)
	r.figs.FleetdRestarts++
	r.figs.RecoveryMaxS = max(r.figs.RecoveryMaxS, took.Seconds())
	r.logf("fleetd ready again after %.2f s", took.Seconds())
	return nil
}

// teardown stops every process the run started, and removes a
// temporary run folder unless the run failed.
func (r *runner) teardown(failed bool) {
	if r.shut != nil {
		r.shut.Stop(5 * time.Second)
	}
	if r.fleetd != nil {
		r.fleetd.stop()
	}
	if r.spy != nil {
		r.spy.Disconnect()
	}
	r.mq.Stop(3 * time.Second)
	r.rd.Stop(3 * time.Second)
	if r.dir == "" || r.cfg.Dir != "" {
		return
	}
	if failed || r.failed {
		r.logf("run folder kept: %s", r.dir)
		return
	}
	_ = os.RemoveAll(r.dir)
}

// fleetd is the fleetd process, killed and started again on the
// schedule.
type fleetd struct {
	bin, log string
	args     []string
	p        *proc.Proc
}

func (f *fleetd) start() error {
	p, err := proc.Start(proc.Spec{Name: "fleetd", Log: f.log, Bin: f.bin, Args: f.args})
	if err != nil {
		return fmt.Errorf("endtoend: fleetd: %w", err)
	}
	f.p = p
	return nil
}

// ended is an error if fleetd ended by itself.
func (f *fleetd) ended() error {
	if f.p != nil && f.p.Exited() {
		return fmt.Errorf("endtoend: fleetd ended: %v; it said: %s", f.p.Err(), strings.Join(proc.Tail(f.log, 8), " | "))
	}
	return nil
}

// kill SIGKILLs fleetd and starts it again at once.
func (f *fleetd) kill() error {
	f.p.Kill()
	<-f.p.Done()
	return f.start()
}

func (f *fleetd) stop() {
	if f.p != nil {
		f.p.Stop(5 * time.Second)
	}
}
