package history

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/demo"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim/agv"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Config is a history to write. Zero fields take the defaults noted.
type Config struct {
	// Daemon is the daemon's configuration, as fleetd run builds it (so
	// that fleetd run with the same configuration recovers the store):
	// its Journal, Clock and TimeScale are set here (the virtual clock,
	// at 1). Its Graph is required.
	Daemon daemon.Config
	// Store is written to; its journal must be empty. Required.
	Store store.Store
	// Site is the vehicles' world. Required.
	Site *geo.Site
	// Duration is how much fleet time the history covers. Required.
	Duration time.Duration
	// Start is when the history begins on the fleet's clock; default
	// Duration before now, so that it ends about now.
	Start time.Time
	// Shuttles is how many simulated shuttles drive; default 8. They
	// are named and placed as fleetd demo's: shuttle-01, ...
	Shuttles int
	// StartSoC is their state of charge at start; default
	// agv.DefaultStartSoC.
	StartSoC float64
	// StatePeriod is how often a driving shuttle sends its state, in
	// fleet time; default 60 s (fleetd demo's shuttles send one a second
	// of real time at its default 60 times real time). Idle, a shuttle
	// sends one on events and every agv.Heartbeat.
	StatePeriod time.Duration
	// Demo is the operators' and officers' traffic (its Poll is ignored).
	Demo demo.Config
	// Poll is how often, in fleet time, operators and officers look at
	// the fleet; default 12 s (fleetd demo's 200 ms at 60 times real
	// time).
	Poll time.Duration
	// Seed seeds the shuttles' faults; default 1.
	Seed int64
	// Batch is how many journal records are written to the store at once;
	// default 1000.
	Batch int
	// Progress, if set, is called every simulated hour.
	Progress func(Progress)
}

// Progress is how far a history has come.
type Progress struct {
	// At is the fleet's time; Done the share of Duration done, 0..1.
	At   time.Time
	Done float64
	// Records is the journal's last index.
	Records uint64
	// Moves and Delivered: moves asked for, and delivered.
	Moves, Delivered int
	// Wall is the real time taken so far.
	Wall time.Duration
}

// Result is what a history wrote.
type Result struct {
	Progress
	// Counters are the daemon's counts at the end.
	Counters daemon.Counters
	// Returned: refused at customs and brought back.
	Returned int
}

func (c Config) withDefaults() Config {
	if c.Start.IsZero() {
		c.Start = time.Now().Add(-c.Duration).Truncate(time.Second)
	}
	if c.Shuttles == 0 {
		c.Shuttles = 8
	}
	if c.StatePeriod == 0 {
		c.StatePeriod = time.Minute
	}
	if c.Poll == 0 {
		c.Poll = 12 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Batch == 0 {
		c.Batch = 1000
	}
	return c
}

// Validate says what is missing or wrong.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("history: no store")
	case c.Site == nil:
		return errors.New("history: no site")
	case c.Daemon.Graph == nil:
		return errors.New("history: the daemon's config has no lane graph")
	case c.Duration <= 0:
		return errors.New("history: the duration must be positive")
	case c.Shuttles < 0 || c.Batch < 0 || c.StatePeriod < 0 || c.Poll < 0:
		return errors.New("history: negative shuttles, batch, state period or poll")
	}
	return nil
}

// Run writes a history into cfg.Store and returns what it wrote. It
// stops early, with what it wrote so far and ctx's error, when ctx ends.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.withDefaults()
	if es, err := cfg.Store.Read(ctx, 0, 1); err != nil {
		return Result{}, fmt.Errorf("history: %w", err)
	} else if len(es) > 0 {
		return Result{}, errors.New("history: the store's journal is not empty: a history starts a new store")
	}
	r := &runner{cfg: cfg, now: cfg.Start, end: cfg.Start.Add(cfg.Duration), wall: time.Now(), byTopic: map[string]*shuttle{}}
	b := newBatched(cfg.Store, cfg.Batch)
	dc := cfg.Daemon
	dc.Journal, dc.Clock, dc.TimeScale = b, func() time.Time { return r.now }, 1
	d, err := daemon.New(dc)
	if err != nil {
		return Result{}, err
	}
	if r.s, err = d.Stepped(ctx); err != nil {
		return Result{}, err
	}
	player, err := demo.New(cfg.Demo, cfg.Site, fleetOf{r.s})
	if err != nil {
		_ = r.s.Close(context.WithoutCancel(ctx))
		return Result{}, err
	}
	r.player = player
	runErr := r.run(ctx)
	if err := b.Flush(context.WithoutCancel(ctx)); err != nil && runErr == nil {
		runErr = err
	}
	if err := r.s.Close(context.WithoutCancel(ctx)); err != nil && runErr == nil {
		runErr = err
	}
	res := Result{Progress: r.progress(), Counters: r.s.Counters(), Returned: r.s.Controller().MoveCounts()[fleet.MoveReturned]}
	return res, runErr
}

// runner is one history under way: the virtual clock and what wakes on it.
type runner struct {
	cfg     Config
	s       *daemon.Stepped
	player  *demo.Player
	now     time.Time
	end     time.Time
	wall    time.Time // when it began, real time
	byTopic map[string]*shuttle
	wakes   wakes
	seq     int
	err     error // the first error of a shuttle's message
}

// shuttle is one simulated vehicle and its next scheduled step.
type shuttle struct {
	av     *agv.Vehicle
	prefix string // its topics without the last level
	wakeAt time.Time
	gen    int
}

func (r *runner) run(ctx context.Context) error {
	cfgs, err := agv.FleetConfig{Shuttles: r.cfg.Shuttles, SerialPrefix: "shuttle-",
		Vehicle: agv.Config{Site: r.cfg.Site, Graph: r.cfg.Daemon.Graph, StartSoC: r.cfg.StartSoC, Seed: r.cfg.Seed,
			StatePeriod: r.cfg.StatePeriod, VisualizationPeriod: -1, Interface: r.cfg.Daemon.Vehicles.Interface}}.Configs()
	if err != nil {
		return err
	}
	var all []*shuttle
	for _, vc := range cfgs {
		v := &shuttle{}
		if v.av, err = agv.New(vc, link{r, v}, nil); err != nil {
			return err
		}
		v.prefix = v.av.Topic(vda5050.TopicOrder)
		v.prefix = v.prefix[:len(v.prefix)-len(vda5050.TopicOrder)]
		r.byTopic[v.prefix] = v
		all = append(all, v)
	}
	for _, v := range all {
		v.av.Start(r.now)
		r.schedule(v)
		if err := r.deliver(); err != nil {
			return err
		}
	}
	tickAt, playAt := r.s.NextTick(), r.now
	nextHour, renewAt := r.now.Add(time.Hour), time.Now().Add(r.s.LeaseTTL()/3)
	for {
		t := tickAt
		if playAt.Before(t) {
			t = playAt
		}
		if len(r.wakes) > 0 && r.wakes[0].at.Before(t) {
			t = r.wakes[0].at
		}
		if t.After(r.end) {
			return nil
		}
		r.now = t
		switch {
		case len(r.wakes) > 0 && !r.wakes[0].at.After(t):
			w := heap.Pop(&r.wakes).(wake)
			if w.gen == w.v.gen {
				w.v.wakeAt = time.Time{}
				w.v.av.Step(r.now)
				r.schedule(w.v)
			}
		case !tickAt.After(t):
			err = r.s.Tick(ctx)
			tickAt = r.s.NextTick()
			if soon := r.now.Add(10 * time.Millisecond); tickAt.Before(soon) {
				tickAt = soon // a timer already due: not again at once
			}
		default:
			err = r.player.Step(ctx)
			playAt = playAt.Add(r.cfg.Poll)
		}
		if err == nil {
			err = r.deliver()
		}
		if err != nil {
			return err
		}
		if !r.now.Before(nextHour) {
			nextHour = nextHour.Add(time.Hour)
			if r.cfg.Progress != nil {
				r.cfg.Progress(r.progress())
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if time.Now().After(renewAt) {
			if err := r.s.Renew(ctx); err != nil {
				return err
			}
			renewAt = time.Now().Add(r.s.LeaseTTL() / 3)
		}
	}
}

func (r *runner) progress() Progress {
	counts := r.s.Controller().MoveCounts()
	return Progress{At: r.now, Done: float64(r.now.Sub(r.cfg.Start)) / float64(r.cfg.Duration), Records: r.s.Applied(),
		Moves: r.player.Moves(), Delivered: counts[fleet.MoveDelivered], Wall: time.Since(r.wall)}
}

// schedule has a shuttle stepped when it next wants to be.
func (r *runner) schedule(v *shuttle) { r.poke(v, v.av.Next(r.now)) }

// poke has a shuttle stepped at t, unless it is to be sooner.
func (r *runner) poke(v *shuttle, t time.Time) {
	if !v.wakeAt.IsZero() && !v.wakeAt.After(t) && !v.wakeAt.Before(r.now) {
		return
	}
	v.gen++
	v.wakeAt = t
	r.seq++
	heap.Push(&r.wakes, wake{at: t, seq: r.seq, v: v, gen: v.gen})
}

// deliver hands what the daemon published to the shuttles, each to take
// it in a step now.
func (r *runner) deliver() error {
	if r.err != nil {
		return r.err
	}
	for _, o := range r.s.Outgoing() {
		v, ok := r.byTopic[o.Topic[:len(o.Topic)-len(o.Kind)]]
		if !ok {
			continue
		}
		v.av.HandleValue(o.Kind, o.Msg, o.Payload)
		r.poke(v, r.now)
	}
	return nil
}

// link carries a shuttle's messages to the daemon as JSON on their
// topics, as the broker would.
type link struct {
	r *runner
	v *shuttle
}

func (l link) Publish(t vda5050.Topic, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if err := l.r.s.Receive(context.Background(), l.v.prefix+string(t), b); err != nil && l.r.err == nil {
		l.r.err = err
	}
	return nil
}

// fleetOf is the demo's view of a stepped daemon.
type fleetOf struct{ s *daemon.Stepped }

func (f fleetOf) Submit(ctx context.Context, ev fleet.Event) error { return f.s.Submit(ctx, ev) }
func (f fleetOf) Active() bool                                     { return f.s.Active() }
func (f fleetOf) GateQueue(context.Context) ([]fleet.GateWait, time.Time, error) {
	q, at := f.s.GateQueue()
	return q, at, nil
}

// wake is a shuttle's scheduled step; gen voids an older one.
type wake struct {
	at  time.Time
	seq int
	v   *shuttle
	gen int
}

type wakes []wake

func (w wakes) Len() int { return len(w) }
func (w wakes) Less(i, j int) bool {
	if !w[i].at.Equal(w[j].at) {
		return w[i].at.Before(w[j].at)
	}
	return w[i].seq < w[j].seq
}
func (w wakes) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *wakes) Push(x any)   { *w = append(*w, x.(wake)) }
func (w *wakes) Pop() any {
	old := *w
	x := old[len(old)-1]
	*w = old[:len(old)-1]
	return x
}
