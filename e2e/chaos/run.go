package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/borderfleet/borderfleet/e2e/wire"
	"github.com/borderfleet/borderfleet/internal/proc"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
)

// iface is the VDA 5050 interface name of the run's topics.
const iface = "chaos"

// shuttle is one simulated shuttle: its shuttle-sim process and the
// proxy its link goes through.
type shuttle struct {
	serial string
	p      *proc.Proc
	px     *proxy
}

// runner is one chaos run.
type runner struct {
	o     options
	log   io.Writer
	dir   string
	start time.Time
	site  *geo.Site

	mq      *proc.Service
	rd      *proc.Service
	boltDir string // the tmpfs, for the bolt store
	mounted bool
	fd      *fleetd
	cl      *client
	w       *wire.Watch
	spy     *mqttbus.Client
	dem     *demand

	shuttles []*shuttle
	singled  map[string]bool // shuttles a fault singled out
	rng      *rand.Rand      // the seed's: which shuttle a fault singles out

	mu       sync.Mutex
	figs     Figures
	seen     map[string]bool // violations reported, so that each is told once
	recovery []time.Duration
	async    sync.WaitGroup // the link cut's second half
}

// logf logs one line of the fault log: time since start and the seed.
func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "chaos seed=%d t=%6.1fs  %s\n", r.o.seed, time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// violate records a broken promise (once per text).
func (r *runner) violate(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[msg] {
		return
	}
	r.seen[msg] = true
	r.figs.Violations = append(r.figs.Violations, fmt.Sprintf("t=%.1fs %s", time.Since(r.start).Seconds(), msg))
	fmt.Fprintf(r.log, "chaos seed=%d t=%6.1fs  VIOLATION %s\n", r.o.seed, time.Since(r.start).Seconds(), msg)
}

// chaos runs the fleet and the schedule and returns the figures.
func chaos(ctx context.Context, o options, log io.Writer) (_ Figures, err error) {
	r := &runner{o: o, log: log, start: time.Now(), seen: map[string]bool{}, singled: map[string]bool{}, rng: rand.New(rand.NewSource(o.seed))}
	r.figs = Figures{Seed: o.seed, Store: o.store, Scale: o.scale, Shuttles: o.shuttles, Faults: map[string]int{}, Violations: []string{}}
	defer func() {
		if err != nil {
			r.o.keep = true // to see why
		}
		r.teardown()
	}()
	if err := r.setup(ctx); err != nil {
		return r.figs, err
	}
	kinds, _ := o.kinds()
	plan := Plan(o.seed, o.kills, o.duration, kinds)
	r.logf("schedule of %d faults over %v (replay: go run ./e2e/chaos --seed %d --kills %d --duration %v --store %s --faults %s)",
		len(plan), o.duration, o.seed, o.kills, o.duration, o.store, o.faults)
	r.start = time.Now() // the schedule's times count from here
	go r.dem.run(ctx)
	for i, f := range plan {
		if wait := time.Until(r.start.Add(f.At)); wait > 0 {
			select {
			case <-ctx.Done():
				return r.figs, ctx.Err()
			case <-time.After(wait):
			}
		}
		r.logf("fault %d/%d: %s", i+1, len(plan), f)
		r.fault(ctx, f)
		r.figs.Faults[string(f.Kind)]++
		r.check(ctx, f.String())
	}
	r.dem.stop()
	r.async.Wait()
	r.drainAndCheck(ctx)
	return r.finish(), nil
}

// setup starts the services, fleetd, the shuttles, the spy and the
// operators' client.
func (r *runner) setup(ctx context.Context) error {
	var err error
	if r.dir, err = os.MkdirTemp("", "borderfleet-chaos"); err != nil {
		return err
	}
	r.logf("run folder %s (logs of every process)", r.dir)
	if r.site, err = geo.Default(); err != nil {
		return err
	}
	g, err := routing.NewGraph(r.site, routing.GraphConfig{})
	if err != nil {
		return err
	}
	if err := r.binaries(ctx); err != nil {
		return err
	}
	if r.mq, err = proc.StartMosquitto(r.dir); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	r.logf("mosquitto on tcp://%s", r.mq.Addr())
	storeURL := ""
	switch r.o.store {
	case "redis":
		// fsynced on every write, so that what it acknowledged survives
		// its SIGKILL (as a production Redis under fleetd must be
		// configured)
		if r.rd, err = proc.StartRedis(r.dir, proc.AppendOnly("always")); err != nil {
			return fmt.Errorf("chaos: %w", err)
		}
		storeURL = fmt.Sprintf("redis://%s/0?prefix=chaos:", r.rd.Addr())
		r.logf("redis-server on %s (append-only file, fsync always)", r.rd.Addr())
	case "bolt":
		r.boltDir = filepath.Join(r.dir, "bolt")
		if err := mountTmpfs(r.boltDir, r.o.diskSize); err != nil {
			r.figs.DiskMethod = "rlimit"
			r.logf("no tmpfs (%v): a full disk is simulated with RLIMIT_FSIZE on fleetd (prlimit)", err)
			if err := os.MkdirAll(r.boltDir, 0o750); err != nil {
				return err
			}
		} else {
			r.mounted, r.figs.DiskMethod = true, "tmpfs"
			r.logf("bolt store on a tmpfs of %s at %s", r.o.diskSize, r.boltDir)
		}
		storeURL = "bolt:" + filepath.Join(r.boltDir, "fleetd.db")
	}
	token := fmt.Sprintf("chaos-%d-%d", r.o.seed, time.Now().UnixNano())
	tokens := filepath.Join(r.dir, "tokens.json")
	tb, _ := json.Marshal([]map[string]string{{"token": token, "name": "chaos", "role": "admin"}})
	if err := os.WriteFile(tokens, tb, 0o600); err != nil {
		return err
	}
	port, err := proc.FreePort()
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	r.fd = &fleetd{bin: r.o.fleetdBin, log: filepath.Join(r.dir, "fleetd.log"), args: []string{"demo",
		"--shuttles", "0", "--moves-per-hour", "0", "--no-refusals", "--broker", "tcp://" + r.mq.Addr(), "--store", storeURL,
		"--time-scale", fmt.Sprint(r.o.scale), "--interface", iface, "--owner", "chaos", "--listen", listen,
		"--tokens", tokens, "--status-every", "5s", "--seed", fmt.Sprint(r.o.seed)}}
	r.cl = &client{base: "http://" + listen, token: token, hc: &http.Client{Timeout: 15 * time.Second}}
	if err := r.fd.start(); err != nil {
		return err
	}
	if _, err := r.cl.ready(ctx, 30*time.Second); err != nil {
		return fmt.Errorf("%w; fleetd said: %s", err, strings.Join(proc.Tail(r.fd.log, 10), " | "))
	}
	r.logf("fleetd ready on %s", r.cl.base)
	r.w = wire.New(g)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if r.spy, err = mqttbus.Connect(cctx, mqttbus.Config{URL: "tcp://" + r.mq.Addr(), ClientID: "chaos-spy", MaxReconnectInterval: 200 * time.Millisecond}, nil, nil); err != nil {
		return err
	}
	if err := r.spy.Subscribe(iface+"/#", 1, r.w.Add); err != nil {
		return err
	}
	// one shuttle-sim process for each shuttle, each on a link of its own
	// (a proxy to the broker that the link-cut fault cuts), so that the
	// faults can single out whichever shuttle drives when they come
	for i, start := range r.startNodes() {
		px, err := newProxy(r.mq.Addr)
		if err != nil {
			return err
		}
		sh := &shuttle{serial: fmt.Sprintf("s%d-01", i+1), px: px}
		r.shuttles = append(r.shuttles, sh)
		name := fmt.Sprintf("shuttle-sim-%d", i+1)
		sh.p, err = proc.Start(proc.Spec{Name: name, Log: filepath.Join(r.dir, name+".log"), Bin: r.o.shuttleBin,
			Args: []string{"--broker", px.URL(), "--interface", iface,
				"--time-scale", fmt.Sprint(r.o.scale), "--serial-prefix", fmt.Sprintf("s%d-", i+1), "--seed", fmt.Sprint(r.o.seed),
				"--start", start, "--breakdown-mttr", r.o.stall.String()}})
		if err != nil {
			return err
		}
	}
	r.dem = newDemand(r)
	return nil
}

// startNodes are the shuttles' parking spots, both centres in turn.
func (r *runner) startNodes() []string {
	var west, east []string
	for _, p := range r.site.Parking {
		switch p.Centre {
		case r.site.Centres[0].ID:
			west = append(west, p.ID)
		case r.site.Centres[1].ID:
			east = append(east, p.ID)
		}
	}
	var out []string
	for i := 0; len(out) < r.o.shuttles && (i < len(west) || i < len(east)); i++ {
		if i < len(west) {
			out = append(out, west[i])
		}
		if i < len(east) {
			out = append(out, east[i])
		}
	}
	return out[:r.o.shuttles]
}

// binaries builds fleetd and shuttle-sim unless given.
func (r *runner) binaries(ctx context.Context) error {
	for _, b := range []struct {
		path *string
		pkg  string
	}{{&r.o.fleetdBin, "fleetd"}, {&r.o.shuttleBin, "shuttle-sim"}} {
		if *b.path != "" {
			continue
		}
		*b.path = filepath.Join(r.dir, b.pkg)
		out, err := exec.CommandContext(ctx, "go", "build", "-o", *b.path, "github.com/borderfleet/borderfleet/cmd/"+b.pkg).CombinedOutput()
		if err != nil {
			return fmt.Errorf("building %s (run from the module, or give --%s): %v\n%s", b.pkg, b.pkg, err, out)
		}
	}
	return nil
}

// teardown stops every process this run started, in order, and removes
// the run's folder unless it is to be kept.
func (r *runner) teardown() {
	if r.dem != nil {
		r.dem.stop()
	}
	for _, sh := range r.shuttles {
		sh.p.Stop(5 * time.Second)
	}
	if r.fd != nil {
		r.fd.stop()
	}
	if r.spy != nil {
		r.spy.Disconnect()
	}
	for _, sh := range r.shuttles {
		sh.px.Close()
	}
	r.mq.Stop(3 * time.Second)
	r.rd.Stop(3 * time.Second)
	if r.mounted {
		if err := unmount(r.boltDir); err != nil {
			r.logf("%v", err)
		}
	}
	if r.dir == "" {
		return
	}
	if r.o.keep || len(r.figs.Violations) > 0 {
		r.logf("run folder kept: %s", r.dir)
		return
	}
	_ = os.RemoveAll(r.dir)
}
