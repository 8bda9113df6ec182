package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Config is what a Daemon needs. Zero fields take the defaults noted.
type Config struct {
	// Graph is the site's lane graph. Required.
	Graph *routing.Graph
	// Fleet configures the Controller (its Graph is set from Graph). Its
	// Retention applies only with a Journal that keeps an archive of
	// moves (an ArchiveStore: both stores do), where the moves that leave
	// the Controller go; without one every move stays.
	Fleet fleet.Config
	// Vehicles configures the VDA 5050 side (its Graph and Log are set).
	Vehicles vehicles.Config
	// Journal keeps the daemon's inputs and audit log; nil keeps nothing
	// (a restart forgets everything). See Run.
	Journal Journal
	// Owner names this instance in the journal's lease; default
	// hostname-pid.
	Owner string
	// LeaseTTL is how long the lease lasts without renewal; a standby
	// takes over at most this long (plus a poll) after the active instance
	// dies. Default DefaultLeaseTTL (1 s); renewed every third of it on a
	// goroutine of its own (keepLease).
	LeaseTTL time.Duration
	// TimeScale is how much faster than real time the core's clock runs;
	// default 1. fleetd demo runs faster, in step with shuttle-sim's time
	// scale.
	TimeScale float64
	// Clock tells the core's time; default ScaledClock(TimeScale).
	Clock func() time.Time
	// TickEvery is how often, in the core's time, time alone is handed to
	// the core (it also wakes for a gate's release time); default 2 s.
	TickEvery time.Duration
	// StaleAfter: a vehicle that has sent nothing for this long, in real
	// time, is out of dispatch until its next state; default 45 s (VDA
	// 5050 vehicles send a state at least every 30 s).
	StaleAfter time.Duration
	// Seed is part of the journal's settings; default 1. The Controller
	// draws no random numbers (it is deterministic from its events), but
	// journals carry the seed they were written with, and a store is
	// refused with another.
	Seed int64
	// Inbox is how many received messages may wait for the core before
	// more are dropped (and counted); default 4096.
	Inbox int
	// Batch is the most vehicle messages the core journals in one write
	// (group commit, see group.go): it takes what waits in the inbox, up
	// to Batch, writes their records in one Append (one transaction and
	// fsync, or one round trip) and then applies and publishes them.
	// Default (0) and 1: one write per message; group commit is opt-in
	// until measured on a quiet machine (BENCHMARKS.md).
	Batch int
	// BatchBudget bounds a batch by what its records cost to apply (a
	// running average): the core answers nothing else until the batch is
	// applied. Default 20 ms.
	BatchBudget time.Duration
	// Snapshots says when snapshots of the core are written, when the
	// Journal keeps them (a SnapshotStore: both stores do), and whether
	// the journal is compacted; see SnapshotConfig.
	Snapshots SnapshotConfig
	// Log is the daemon's logger; nil discards.
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.TimeScale <= 0 {
		c.TimeScale = 1
	}
	if c.Clock == nil {
		c.Clock = ScaledClock(c.TimeScale)
	}
	if c.TickEvery == 0 {
		c.TickEvery = 2 * time.Second
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = 45 * time.Second
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Inbox == 0 {
		c.Inbox = 4096
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.BatchBudget <= 0 {
		c.BatchBudget = 20 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	c.Snapshots = c.Snapshots.withDefaults()
	return c
}

// Handler gets a message received on a subscription; it must not block.
type Handler func(topic string, payload []byte)

// Bus is what the daemon needs of MQTT. fleetd adapts an *mqttbus.Client
// to it.
type Bus interface {
	// Subscribe has h called with every message on a topic filter.
	Subscribe(filter string, qos byte, h Handler) error
	// Publish sends a message.
	Publish(topic string, qos byte, retained bool, payload []byte) error
}

// Counters are the daemon's message counts.
type Counters struct {
	MessagesIn       int64 // received from vehicles
	MessagesOut      int64 // published
	MessagesRejected int64 // received and not believed: not understood, forged, or from unknown vehicles
	// RejectedBy splits MessagesRejected by reason (vehicles.Refused...).
	RejectedBy       map[string]int64
	MessagesDropped  int64 // received while the inbox was full
	MessagesSame     int64 // states that repeated the last one (not journaled)
	PublishErrors    int64
	ControllerErrors int64 // events the Controller refused
	JournalErrors    int64 // inputs lost because the journal could not take them
	Replayed         int64 // journal records replayed since start
	// FromSnapshot is the journal index of the snapshot the core was
	// restored from at start (0: none, the whole journal was replayed).
	FromSnapshot     uint64
	SnapshotsWritten int64
	SnapshotErrors   int64 // snapshots not taken or not written
	JoinsRefused     int64 // vehicles' joins the Controller refused (vehicles.Master.JoinsRefused)
}

// ErrNotJournaled: the journal did not take an input, which is therefore
// not applied now. It may have reached the journal all the same (a reply
// lost, a write the store could not make durable); if it did, it is applied
// with the next input that is journaled. A request refused so may be sent
// again: a move request with the same idempotency key then returns the
// move the first one made, if it made one.
var ErrNotJournaled = errors.New("daemon: not journaled")

// ErrDeposed: another instance took the lease; this one stops and
// publishes nothing more.
var ErrDeposed = errors.New("daemon: deposed: another fleetd holds the lease")

// Daemon runs the fleet: one goroutine owns the Controller and the
// vehicles' Master; MQTT handlers only hand messages over.
type Daemon struct {
	cfg   Config
	ctl   *fleet.Controller
	wake  time.Time     // the Controller's last Ready.Wake
	dirty []*fleet.Move // its Ready.Changed since the record being applied began
	gone  []*fleet.Move // its Ready.Archived since the record being applied began
	arch  []*fleet.Move // moves that left the Controller, not yet in the archive (archive.go)
	m     *vehicles.Master
	log   *slog.Logger
	inbox chan inMsg
	batch []record // reused by incomingBatch
	// applyCost: a running average of the time a record takes to apply
	// (group.go)
	applyCost time.Duration
	outbox    chan vehicles.Outgoing         // to the publisher goroutine
	reqs      chan func(ctx context.Context) // run on the daemon's goroutine, with Run's ctx
	relink    chan struct{}                  // the broker link came back (LinkBack)

	token   uint64    // the lease's fencing token while active
	applied uint64    // the last journal index applied to the core
	lastAt  time.Time // the core time of the last input
	offset  time.Duration
	au      auditor
	heard   map[string]time.Time // vehicle -> when it was last heard (real time)
	// taken: when the last message taken from the inbox arrived (real
	// time); lastDrop: when the inbox last dropped one (Unix ns, set by
	// receive). See tick.
	taken    time.Time
	lastDrop atomic.Int64
	silent   map[string]bool   // vehicle -> reported silent
	states   map[string]uint64 // vehicle -> the digest of its last state (stateDigest)
	seed     maphash.Seed      // of the digests
	active   atomic.Bool
	stopErr  error                // why this instance stopped, if not deposed
	settings string               // see settings()
	wall     func() time.Time     // real time: arrivals, silence, snapshot age; time.Now but when Stepped
	enc      deflater             // compresses the records this instance journals
	hooks    map[string]*Delivery // subscriber -> outbound delivery progress (not the core's)

	in, out, rejected, dropped, same, pubErr, ctlErr, jErr, replayed atomic.Int64
	// busySince: when (Unix ns of d.wall) the core began the work it is
	// on; 0 while it waits for work (keepLease reads it)
	busySince atomic.Int64
	// leased: takeOver sends when it acquired the lease, to keepLease
	// (nil: nobody keeps it, as in Stepped)
	leased chan<- time.Time

	// snapshots (coresnap.go, snapwrite.go)
	snaps        SnapshotStore // nil: the journal keeps none
	archive      ArchiveStore  // nil: the journal keeps no archive of moves
	snapTried    bool          // the first catch-up looked for a snapshot
	fromSnapshot uint64        // the snapshot restored at start, 0 if none
	snapAt       uint64        // the index of the last snapshot taken or restored
	snapTime     time.Time     // when (wall time)
	snapAfter    time.Time     // no snapshot before (wall time): see Run
	snapBusy     atomic.Bool   // a snapshot is being written
	snapJobs     chan snapJob
	snapOK       atomic.Int64
	snapErr      atomic.Int64

	// what readers see (published.go)
	pub       pubState
	published atomic.Pointer[Published]

	refusedMu  sync.Mutex
	refusedBy  map[string]int64     // vehicle messages refused, by vehicles.Refused... reason
	refusedLog map[string]time.Time // last logged, by reason
	lat        latency
}

type inMsg struct {
	topic   string
	payload []byte
	at      time.Time // real time of arrival
}

// New builds a daemon's core.
func New(cfg Config) (*Daemon, error) {
	if cfg.Graph == nil {
		return nil, errors.New("daemon: config has no lane graph")
	}
	cfg = cfg.withDefaults()
	cfg.Fleet.Graph = cfg.Graph
	snaps, _ := cfg.Journal.(SnapshotStore)
	archive, _ := cfg.Journal.(ArchiveStore)
	if archive == nil {
		cfg.Fleet.Retention = 0 // nowhere to keep the moves that leave: every move stays
	}
	ctl, err := fleet.NewController(cfg.Fleet)
	if err != nil {
		return nil, err
	}
	cfg.Vehicles.Graph = cfg.Graph
	cfg.Vehicles.Log = cfg.Log.With("component", "vehicles")
	m, err := vehicles.New(cfg.Vehicles)
	if err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg, ctl: ctl, m: m, snaps: snaps, archive: archive, snapJobs: make(chan snapJob, 1), refusedBy: map[string]int64{}, refusedLog: map[string]time.Time{}, settings: settings(cfg), wall: time.Now, log: cfg.Log, inbox: make(chan inMsg, cfg.Inbox), outbox: make(chan vehicles.Outgoing, cfg.Inbox), reqs: make(chan func(context.Context)), relink: make(chan struct{}, 1),
		heard: map[string]time.Time{}, silent: map[string]bool{}, states: map[string]uint64{}, seed: maphash.MakeSeed()}
	d.publishView() // readers see the empty core until the first input
	return d, nil
}

// Run runs the fleet until ctx is cancelled. With a journal it first
// takes the lease (standing by, and following the journal, while another
// instance holds it), replays the journal, subscribes on bus, and asks
// every vehicle for its state. It returns ErrDeposed if
// another instance takes the lease, ErrJournalLost if the journal lost
// records it applied.
func (d *Daemon) Run(ctx context.Context, bus Bus) error {
	var lost chan error // nil without a journal: never ready
	if j := d.cfg.Journal; j != nil {
		// the lease is renewed from the moment takeOver acquires it
		// (keepLease), through the rest of the takeover
		lost = make(chan error, 1)
		leased := make(chan time.Time, 1)
		d.leased = leased
		leaseCtx, stopLease := context.WithCancel(ctx)
		leaseDone := make(chan struct{})
		go func() { defer close(leaseDone); d.keepLease(leaseCtx, leased, lost) }()
		stopKeeping := func() { stopLease(); <-leaseDone }
		if err := d.takeOver(ctx); err != nil {
			stopKeeping()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		defer func() { _ = j.Release(context.WithoutCancel(ctx), d.cfg.Owner, d.token) }()
		defer stopKeeping() // before the release
	}
	d.active.Store(true)
	pubCtx, stopPub := context.WithCancel(ctx)
	pubDone := make(chan struct{})
	go d.publisher(pubCtx, bus, pubDone)
	defer func() { stopPub(); <-pubDone }()
	if d.snaps != nil && !d.cfg.Snapshots.off() {
		snapCtx, stopSnap := context.WithCancel(ctx)
		snapDone := make(chan struct{})
		d.snapAt, d.snapTime = max(d.snapAt, d.fromSnapshot), d.wall()
		// a standby that took over has applied many records since its
		// snapshot: the one due at once waits a moment, so that encoding
		// it does not take the CPU from the takeover's first orders
		d.snapAfter = d.wall().Add(snapshotGrace)
		go d.snapshotWriter(snapCtx, snapDone)
		defer func() { stopSnap(); <-snapDone }()
	}
	// subscribed before the vehicles are asked for their states, so that
	// no answer comes before anyone listens (it would be lost, and a
	// standing vehicle would next report at its heartbeat); what comes
	// meanwhile waits in the inbox until the resume is journaled
	for _, s := range d.m.Subscriptions() {
		if err := bus.Subscribe(s.Filter, s.QoS, d.receive); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
	}
	d.resume(ctx)
	tick := time.NewTimer(d.nextTick())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			d.finalSnapshot(ctx)
			return nil
		case msg := <-d.inbox:
			d.busy()
			d.incomingBatch(ctx, msg)
		case fn := <-d.reqs:
			d.busy()
			fn(ctx)
		case <-d.relink:
			d.busy()
			d.resume(ctx)
		case <-tick.C:
			d.busy()
			d.tick(ctx)
			tick.Reset(d.nextTick())
		case err := <-lost:
			if ctx.Err() != nil {
				return nil
			}
			d.active.Store(false)
			return errLeaseLost(err)
		}
		d.publishView() // what a visualization moved, if nothing else
		d.busySince.Store(0)
		if !d.active.Load() {
			if d.stopErr != nil {
				return d.stopErr
			}
			return ErrDeposed
		}
	}
}

// LinkBack tells the daemon that its broker link broke and was repaired
// (the MQTT client reconnected and subscribed again): whatever the
// vehicles published meanwhile is lost, a finished drop's state among
// them, and a broker that restarted has no will to tell that they were
// away. Every vehicle is asked for its state, as after a takeover, rather
// than heard from at its next event or heartbeat. It never blocks (an
// MQTT callback calls it); calls before the daemon takes them collapse
// into one.
func (d *Daemon) LinkBack() {
	select {
	case d.relink <- struct{}{}:
	default:
	}
}

// busy notes that the core begins a piece of work (see keepLease).
func (d *Daemon) busy() { d.busySince.Store(d.wall().UnixNano()) }

// Active reports whether this instance drives the fleet (it holds the
// lease, or runs without a journal).
func (d *Daemon) Active() bool { return d.active.Load() }

// now is the core's time: the clock, carried on from the journal's last
// record after a replay, and never going back.
func (d *Daemon) now() time.Time {
	t := d.cfg.Clock().Add(d.offset)
	if t.Before(d.lastAt) {
		return d.lastAt
	}
	return t
}

// nextTick is when the core next needs time: its gate timers, or
// TickEvery.
func (d *Daemon) nextTick() time.Duration {
	next := d.cfg.TickEvery
	if w := d.wake; !w.IsZero() && w.Sub(d.now()) < next {
		next = w.Sub(d.now())
	}
	// the core's clock runs TimeScale times faster than real time
	return max(time.Duration(float64(next)/d.cfg.TimeScale), 10*time.Millisecond)
}

// receive is the MQTT handler: it copies and hands over, never blocks.
func (d *Daemon) receive(topic string, payload []byte) {
	select {
	case d.inbox <- inMsg{topic: topic, payload: bytes.Clone(payload), at: d.wall()}:
	default:
		d.dropped.Add(1)
		d.lastDrop.Store(d.wall().UnixNano())
	}
}

// vehicleKey is "manufacturer/serial" of a vehicle topic, and its topic.
func vehicleKey(topic string) (string, vda5050.Topic, bool) {
	_, man, serial, t, err := vda5050.ParseTopic(topic)
	if err != nil {
		return "", "", false
	}
	return man + "/" + serial, t, true
}

// incoming takes one message from a vehicle: visualization goes to the
// core for displays only; a state that repeats the last one in all that
// matters only counts as a sign of life; the rest is journaled and
// handled.
func (d *Daemon) incoming(ctx context.Context, msg inMsg) {
	if rec, ok := d.prepare(msg); ok {
		d.input(ctx, rec)
	}
}

// prepare checks a vehicle's message and makes the record to journal
// and apply, if there is one (see incoming).
func (d *Daemon) prepare(msg inMsg) (record, bool) {
	d.in.Add(1)
	d.taken = msg.at
	c, err := d.m.CheckMessage(msg.at, msg.topic, msg.payload)
	if err != nil {
		// garbage, or another vehicle's header on this one's topic: it
		// is no sign of life, and not journaled
		d.refused(msg.topic, err)
		return record{}, false
	}
	key, t, ok := vehicleKey(msg.topic)
	if ok {
		d.heard[key] = msg.at
		if d.silent[key] || t == vda5050.TopicConnection {
			// its next state is news, however alike: after silence, or a
			// link that broke and came back (the state that follows ONLINE
			// puts it back in dispatch)
			delete(d.silent, key)
			delete(d.states, key)
		}
	}
	if t == vda5050.TopicVisualization {
		// positions for displays: they change nothing the core decides
		if _, _, err := d.m.IncomingChecked(d.now(), c); err != nil {
			d.refused(msg.topic, err)
		}
		d.markTopic(msg.topic)
		return record{}, false
	}
	// the message was decoded once, by the check: the digest is made of
	// what it decoded, and the core takes that (IncomingChecked); the
	// bytes are only journaled, trimmed as the decoded state is
	payload := msg.payload
	if st := c.State(); st != nil {
		dg := stateDigest(d.seed, st)
		if last, seen := d.states[key]; seen && last == dg {
			d.same.Add(1)
			return record{}, false
		}
		d.states[key] = dg
		if trimmed, ok := trimChecked(payload); ok {
			payload = trimmed
			trimDecoded(st)
		}
	}
	// (it decoded: it is JSON)
	return record{Kind: kindMessage, At: d.now(), Topic: msg.topic, JSON: payload, checked: c}, true
}

// refused counts a vehicle message that was not believed, by reason, and
// logs it (at most once a second per reason while the fleet is driven:
// a vehicle flooding garbage must not flood the log).
func (d *Daemon) refused(topic string, err error) {
	d.rejected.Add(1)
	reason := vehicles.ReasonOf(err)
	d.refusedMu.Lock()
	d.refusedBy[reason]++
	quiet := time.Since(d.refusedLog[reason]) < time.Second
	if !quiet {
		d.refusedLog[reason] = time.Now()
	}
	d.refusedMu.Unlock()
	// unknown vehicles and those the roster has no room for are logged
	// once each by the Master, and only counted here
	if !quiet && reason != vehicles.RefusedUnknown && reason != vehicles.RefusedFull && d.active.Load() {
		d.log.Warn("message refused", "topic", topic, "reason", reason, "err", err)
	}
}

// tick hands time to the core, and reports vehicles gone silent.
//
// Silence is what fleetd has taken in, not the wall clock: a core that
// falls behind its inbox has heard every vehicle only up to when the last
// message it took arrived, and a vehicle whose states wait in the inbox
// (or were dropped from it) is not silent. So a vehicle is silent when
// nothing of it arrived for StaleAfter before the last message taken
// (now, with the inbox empty), and only if the inbox dropped nothing since
// it was last heard: a dropped message may have been its. (Judged by the
// wall clock, an overloaded fleetd took its whole fleet for silent,
// faulted shuttles whose picks were under way, and gave their moves to
// others; see vehicles.Master on actions called off.)
func (d *Daemon) tick(ctx context.Context) {
	now := d.heardUpTo()
	lastDrop := time.Unix(0, d.lastDrop.Load())
	for key, at := range d.heard {
		if silence := now.Sub(at); silence > d.cfg.StaleAfter && !d.silent[key] && lastDrop.Before(at) {
			d.silent[key] = true
			d.input(ctx, record{Kind: kindSilent, At: d.now(), Vehicle: key, Silence: silence})
		}
	}
	d.input(ctx, record{Kind: kindTick, At: d.now()})
}

// heardUpTo is the time up to which every vehicle message that arrived
// has been taken from the inbox: now when it is empty, else when the
// last one taken arrived (the inbox is first in, first out).
func (d *Daemon) heardUpTo() time.Time {
	if len(d.inbox) == 0 || d.taken.IsZero() {
		return d.wall()
	}
	return d.taken
}

// resume: a fleetd takes over; every vehicle it knows gets StaleAfter to
// report, and is asked for its state.
func (d *Daemon) resume(ctx context.Context) {
	now := d.wall()
	for _, v := range d.m.Vehicles() {
		if v.Connection != "" {
			d.heard[v.Manufacturer+"/"+v.SerialNumber] = now
		}
	}
	d.input(ctx, record{Kind: kindResume, At: d.now()})
}

// input journals one input, applies it to the core, writes the audit
// entries it led to, and publishes what follows: durable before
// published. An input the journal does not take is not applied. ctx is
// Run's: the journal write ends when the daemon stops.
func (d *Daemon) input(ctx context.Context, rec record) error {
	rec.V = journalVersion // made here, now: this fleetd's format
	start := time.Now()
	defer func() {
		if d.active.Load() {
			d.lat.observe(time.Since(start))
		}
	}()
	var idx uint64
	if j := d.cfg.Journal; j != nil {
		if !d.active.Load() {
			return ErrStandby
		}
		b, err := d.enc.encodeRecord(rec)
		if err != nil {
			return err
		}
		idx, err = j.Append(ctx, d.token, b)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // shutting down
		}
		if err != nil {
			d.jErr.Add(1)
			if isFenced(err) {
				d.active.Store(false)
				return ErrDeposed
			}
			d.log.Error("journal write failed; input dropped", "kind", rec.Kind, "err", err)
			return fmt.Errorf("%w: %w", ErrNotJournaled, err)
		}
		if err := d.reconcile(ctx, idx); err != nil {
			d.log.Error("the journal is not this instance's state; stopping", "err", err)
			d.stopErr = err
			d.active.Store(false)
			return err
		}
	}
	applying := time.Now()
	outs, err := d.apply(idx, rec)
	d.noteApply(time.Since(applying), 1)
	if d.cfg.Journal != nil {
		if aerr := d.au.flush(ctx, d.cfg.Journal, d.token); aerr != nil {
			d.log.Error("audit write failed; will retry", "err", aerr)
		}
		if aerr := d.flushArchive(ctx); aerr != nil {
			d.log.Error("archive write failed; will retry", "err", aerr)
		}
	}
	d.publish(outs)
	d.publishView()
	if d.cfg.Journal != nil {
		d.maybeSnapshot()
	}
	return err
}

// apply runs one input through the core; it is the same live and in
// replay. It returns the messages to publish and the Controller's verdict
// on an event.
func (d *Daemon) apply(idx uint64, rec record) ([]vehicles.Outgoing, error) {
	if idx > 0 {
		d.applied = idx
	}
	if rec.At.After(d.lastAt) {
		d.lastAt = rec.At
	}
	now := rec.At
	var outs []vehicles.Outgoing
	var evs []fleet.Event
	var result error
	switch rec.Kind {
	case kindMessage:
		var err error
		if rec.checked != nil {
			evs, outs, err = d.m.IncomingChecked(now, rec.checked) // live: decoded once, by prepare
		} else {
			evs, outs, err = d.m.Incoming(now, rec.Topic, rec.payload())
		}
		if err != nil {
			d.refused(rec.Topic, err)
		}
		d.markTopic(rec.Topic)
	case kindTick:
		evs, outs = d.m.Tick(now)
		d.markTick()
	case kindSilent:
		man, serial, _ := strings.Cut(rec.Vehicle, "/")
		evs = d.m.Silent(now, man, serial, rec.Silence)
		if id, ok := d.m.VehicleID(man, serial); ok {
			d.markShuttle(id)
		}
	case kindResume:
		outs = d.m.Resumed(now)
		d.markAll()
	case kindAdmit:
		d.markAll()
		var err error
		outs, err = d.m.Added(now, *rec.Entry)
		result = err
	case kindHook:
		d.applyDeliveries(rec.Hooks)
		return nil, nil
	case kindEvent:
		d.pub.aggr, d.pub.stats = true, true // a lane closed, a decision taken: recount
		ev, err := rec.Event.decode(rec.V)
		if err != nil {
			return nil, err
		}
		evs = []fleet.Event{ev}
		if fc, ok := ev.(fleet.FaultCleared); ok {
			// an operator's clearing goes through the vehicle's side first:
			// it knows reasons the Controller does not
			evs, err = d.m.ClearFault(now, fc.Shuttle)
			if err != nil {
				return nil, err
			}
		}
	}
	for _, ev := range evs {
		o, err := d.handle(now, ev)
		outs = append(outs, o...)
		if j, ok := ev.(fleet.ShuttleJoined); ok && err != nil {
			d.m.JoinFailed(j.Shuttle, err)
		}
		if rec.Kind == kindEvent {
			result = err
		}
	}
	if rec.Kind == kindTick {
		o, _ := d.handle(now, fleet.Tick{})
		outs = append(outs, o...)
	}
	for _, o := range outs {
		d.markShuttle(o.Vehicle)
	}
	d.au.note(idx, d.dirty)
	d.archived(d.gone)
	clear(d.dirty)
	clear(d.gone)
	d.dirty, d.gone = d.dirty[:0], d.gone[:0]
	return outs, result
}

// handle gives one event to the Controller and returns the messages its
// commands become.
func (d *Daemon) handle(now time.Time, ev fleet.Event) ([]vehicles.Outgoing, error) {
	rd, err := d.ctl.Handle(now, ev)
	d.markStep(rd)
	d.wake, d.dirty, d.gone = rd.Wake, append(d.dirty, rd.Changed...), append(d.gone, rd.Archived...)
	for _, ill := range rd.Illegal {
		// a defect in the core, logged live and in replay alike: a replay
		// that meets one the live run did not is a replay that diverged
		d.log.Error("illegal transition", "event", fmt.Sprintf("%T", ev), "at", now, "live", d.active.Load(), "what", ill)
	}
	if err != nil {
		d.ctlErr.Add(1)
		if d.active.Load() {
			d.log.Warn("controller refused an event", "event", fmt.Sprintf("%T", ev), "err", err)
		}
	}
	return d.m.Commands(now, rd.Commands), err
}

// publish hands messages to the publisher goroutine: a slow or broken
// link never holds up the core. A full outbox drops (orders and cancels
// are sent again until a state confirms them).
func (d *Daemon) publish(outs []vehicles.Outgoing) {
	if !d.active.Load() {
		return
	}
	for _, o := range outs {
		select {
		case d.outbox <- o:
		default:
			d.pubErr.Add(1)
		}
	}
}

// publisher sends what the core hands it, in order, while this instance
// is active; it returns when ctx ends.
func (d *Daemon) publisher(ctx context.Context, bus Bus, done chan<- struct{}) {
	defer close(done)
	quiet, ordered := false, false
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-d.outbox:
			if !d.active.Load() {
				continue // deposed: not a word more
			}
			if err := bus.Publish(o.Topic, o.QoS, o.Retained, o.Payload); err != nil {
				d.pubErr.Add(1)
				if !quiet {
					d.log.Warn("publish failed", "topic", o.Topic, "err", err)
				}
				quiet = true // until one goes through
				continue
			}
			quiet = false
			d.out.Add(1)
			if !ordered && o.Kind == vda5050.TopicOrder {
				// the fleet drives again: what recovery and failover
				// are measured to (BENCHMARKS.md)
				ordered = true
				d.log.Info("first order published", "vehicle", o.Vehicle, "order", orderID(o))
			}
		}
	}
}

// orderID is an order's id, for the log.
func orderID(o vehicles.Outgoing) string {
	if m, ok := o.Msg.(*vda5050.Order); ok {
		return fmt.Sprintf("%s/%d", m.OrderID, m.OrderUpdateID)
	}
	return ""
}

// Do runs fn on the daemon's goroutine, with the core to itself, and
// returns when it has run (or ctx ends first). fn must not keep the
// pointers it is given, nor change anything through them.
func (d *Daemon) Do(ctx context.Context, fn func(now time.Time, ctl *fleet.Controller, m *vehicles.Master)) error {
	return d.do(ctx, func(context.Context) { fn(d.now(), d.ctl, d.m) })
}

// do runs fn on the daemon's goroutine and returns when it has run (or
// ctx ends first). fn gets Run's context (not ctx), for the journal
// writes it makes: an input is journaled, or not, whether or not the
// caller still waits for it.
func (d *Daemon) do(ctx context.Context, fn func(runCtx context.Context)) error {
	done := make(chan struct{})
	req := func(runCtx context.Context) {
		defer close(done)
		fn(runCtx)
	}
	select {
	case d.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit hands an event (an operator's move, a customs decision, a pause)
// to the Controller, journaled like every input, and returns its verdict.
func (d *Daemon) Submit(ctx context.Context, ev fleet.Event) error {
	ej, err := encodeEvent(ev)
	if err != nil {
		return err
	}
	var result error
	if derr := d.do(ctx, func(runCtx context.Context) {
		result = d.input(runCtx, record{Kind: kindEvent, At: d.now(), Event: ej})
	}); derr != nil {
		return derr
	}
	return result
}

// Admit puts a vehicle on the roster, journaled like every input: from
// then on it is driven like those of the configured roster, and its
// messages are no longer left alone.
func (d *Daemon) Admit(ctx context.Context, e vehicles.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var result error
	if derr := d.do(ctx, func(runCtx context.Context) {
		for _, x := range d.cfg.Vehicles.Roster.Entries() {
			if x.SerialNumber == e.SerialNumber {
				result = fmt.Errorf("%w: %s (%s)", vehicles.ErrDuplicate, e.SerialNumber, x.Manufacturer)
				return
			}
		}
		result = d.input(runCtx, record{Kind: kindAdmit, At: d.now(), Entry: &e})
	}); derr != nil {
		return derr
	}
	return result
}

// Counters returns the message counts so far.
func (d *Daemon) Counters() Counters {
	d.refusedMu.Lock()
	by := maps.Clone(d.refusedBy)
	d.refusedMu.Unlock()
	return Counters{MessagesIn: d.in.Load(), MessagesOut: d.out.Load(), MessagesRejected: d.rejected.Load(), RejectedBy: by,
		MessagesDropped: d.dropped.Load(), MessagesSame: d.same.Load(), PublishErrors: d.pubErr.Load(),
		ControllerErrors: d.ctlErr.Load(), JournalErrors: d.jErr.Load(), Replayed: d.replayed.Load(),
		FromSnapshot: d.fromSnapshot, SnapshotsWritten: d.snapOK.Load(), SnapshotErrors: d.snapErr.Load(),
		JoinsRefused: d.m.JoinsRefused()}
}

// ScaledClock is a clock that starts now and runs scale times faster than
// real time: a demo's minutes pass in seconds, in step with simulated
// vehicles running at the same scale.
func ScaledClock(scale float64) func() time.Time {
	start := time.Now()
	if scale == 1 {
		return time.Now
	}
	return func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * scale)) }
}
