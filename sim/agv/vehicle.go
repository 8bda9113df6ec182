package agv

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Link carries a vehicle's messages to the broker. Publish gets a
// vda5050 message value with its header already stamped (a state as a
// *vda5050.State, made for the message and not changed after; it shares
// the parts that did not change with the vehicle's earlier states, so no
// receiver may change it either) and chooses QoS and retain flag by topic
// (connection and factsheet retained, connection QoS 1, the rest QoS 0).
type Link interface {
	Publish(t vda5050.Topic, msg any) error
}

// Cutter is a Link that can be broken for a link-loss fault. Cut breaks
// the link without an MQTT DISCONNECT, so that the broker publishes the
// vehicle's will, and keeps it down; Restore connects again with the same
// will. A vehicle whose link is not a Cutter ignores link losses.
type Cutter interface {
	Cut() error
	Restore(ctx context.Context) error
}

// Vehicle is one simulated shuttle. Create it with New, start it with Run;
// the Handle methods, Breakdown and LoseLink may be called from any
// goroutine and never block.
type Vehicle struct {
	cfg   Config
	graph *routing.Graph
	link  Link
	log   *slog.Logger
	hdr   vda5050.Headers

	mu    sync.Mutex
	queue []any
	wake  chan struct{}

	s state // owned by Run
}

// New checks cfg and makes a vehicle standing at its start node. log may
// be nil.
func New(cfg Config, link Link, log *slog.Logger) (*Vehicle, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if link == nil {
		return nil, fmt.Errorf("agv: vehicle %s: no link", cfg.SerialNumber)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := cfg.Graph
	if g == nil {
		var err error
		if g, err = routing.NewGraph(cfg.Site, routing.GraphConfig{}); err != nil {
			return nil, fmt.Errorf("agv: %w", err)
		}
	}
	start, ok := g.Node(cfg.StartNode)
	if !ok {
		return nil, fmt.Errorf("agv: StartNode %q is not a node of the lane graph", cfg.StartNode)
	}
	v := &Vehicle{cfg: cfg, graph: g, link: link, log: log.With("serial", cfg.SerialNumber), wake: make(chan struct{}, 1)}
	v.s = state{
		lastNode: cfg.StartNode,
		pos:      g.Nodes[start].XY,
		soc:      cfg.StartSoC,
		loads:    []vda5050.Load{},
		rng:      rand.New(rand.NewSource(cfg.Seed)),
	}
	if cfg.StartLoad != "" {
		v.s.loads = []vda5050.Load{{LoadID: cfg.StartLoad}}
	}
	v.s.nextBreak = v.draw(cfg.MTBF)
	v.s.nextLoss = v.draw(cfg.LinkLossMTBF)
	return v, nil
}

// Serial is the vehicle's serial number.
func (v *Vehicle) Serial() string { return v.cfg.SerialNumber }

// Topic is the MQTT topic of message type t for this vehicle.
func (v *Vehicle) Topic(t vda5050.Topic) string {
	return vda5050.TopicName(v.cfg.Interface, v.cfg.Manufacturer, v.cfg.SerialNumber, t)
}

// Will is the vehicle's last will: a connection message CONNECTIONBROKEN,
// stamped now (its header is stale by design when the broker sends it).
func (v *Vehicle) Will() vda5050.Connection {
	var c vda5050.Connection
	v.hdr.Stamp(&c.Header, v.cfg.Manufacturer, v.cfg.SerialNumber, vda5050.TopicConnection, time.Now())
	c.ConnectionState = vda5050.ConnectionBroken
	return c
}

// Inputs queued for Run.
type (
	orderIn   struct{ o vda5050.Order }
	instantIn struct{ a vda5050.InstantActions }
	invalidIn struct {
		topic    vda5050.Topic
		headerID *uint32
		err      error
	}
	breakdownIn struct{ repair time.Duration }
	linkLossIn  struct{ outage time.Duration }
	restoredIn  struct{ err error }
	// reconnectedIn: the link repaired itself (see Reconnected)
	reconnectedIn struct{}
)

// Reconnected tells the vehicle that its link broke and was repaired
// without it (the MQTT client reconnected by itself): the broker has
// published its will, CONNECTIONBROKEN, and whatever it published
// meanwhile is lost. It publishes ONLINE and a state at once, as VDA 5050
// has a vehicle do on connecting, so that the master control knows it is
// back and what it has.
func (v *Vehicle) Reconnected() { v.post(reconnectedIn{}) }

// HandleOrder queues an order. It is validated as vda5050 validates a
// decoded one, then accepted or rejected by Run.
func (v *Vehicle) HandleOrder(o vda5050.Order) { v.post(orderIn{o}) }

// HandleInstantActions queues instant actions.
func (v *Vehicle) HandleInstantActions(a vda5050.InstantActions) { v.post(instantIn{a}) }

// HandleInvalid reports a message on topic t that could not be decoded or
// validated: the vehicle reports a validationError WARNING with the
// message's headerId when payload has one.
func (v *Vehicle) HandleInvalid(t vda5050.Topic, payload []byte, err error) {
	v.post(invalidIn{topic: t, headerID: headerIDOf(payload), err: err})
}

// HandleValue queues a message sent to the vehicle on topic t as the
// sender holds it, without the wire in between (an in-process run): msg
// is a *vda5050.Order or *vda5050.InstantActions; anything else is
// decoded from payload (HandleMessage).
func (v *Vehicle) HandleValue(t vda5050.Topic, msg any, payload []byte) {
	switch m := msg.(type) {
	case *vda5050.Order:
		v.HandleOrder(*m)
	case *vda5050.InstantActions:
		v.HandleInstantActions(*m)
	default:
		v.HandleMessage(t, payload)
	}
}

// HandleMessage decodes a message the vehicle received on topic t (order
// or instantActions) and queues it, or reports it as invalid.
func (v *Vehicle) HandleMessage(t vda5050.Topic, payload []byte) {
	switch t {
	case vda5050.TopicOrder:
		o, err := decodeOrder(payload)
		if err != nil {
			v.HandleInvalid(t, payload, err)
			return
		}
		v.post(orderIn{o})
	case vda5050.TopicInstantActions:
		a, err := decodeInstantActions(payload)
		if err != nil {
			v.HandleInvalid(t, payload, err)
			return
		}
		v.post(instantIn{a})
	default:
		v.HandleInvalid(t, payload, fmt.Errorf("agv: a vehicle takes no %q messages", t))
	}
}

// Breakdown makes the vehicle break down now: a FATAL error and no
// driving or handling for repair (vehicle time), then the error clears.
// Zero repair means a random time around Config.MTTR.
func (v *Vehicle) Breakdown(repair time.Duration) { v.post(breakdownIn{repair}) }

// LoseLink cuts the vehicle's MQTT link now, so that the broker publishes
// its will, and restores it after outage (vehicle time). Zero outage means
// a random time around Config.LinkOutage.
func (v *Vehicle) LoseLink(outage time.Duration) { v.post(linkLossIn{outage}) }

func (v *Vehicle) post(x any) {
	v.mu.Lock()
	v.queue = append(v.queue, x)
	v.mu.Unlock()
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

func (v *Vehicle) take() []any {
	v.mu.Lock()
	defer v.mu.Unlock()
	q := v.queue
	v.queue = nil
	return q
}

// Run drives the vehicle until ctx is cancelled: it publishes ONLINE, then
// state on every event and periodically, and on return OFFLINE (the caller
// then disconnects gracefully). It returns nil when ctx is cancelled.
// (Start, Step and Stop drive it on a caller's clock instead.)
func (v *Vehicle) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	v.begin(time.Now())
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		v.step(time.Now(), v.handle, func(c Cutter) {
			wg.Go(func() { v.post(restoredIn{c.Restore(runCtx)}) })
		})
		timer.Reset(v.nextWake(time.Now()))
		select {
		case <-ctx.Done():
			v.end(time.Now())
			return nil
		case <-timer.C:
		case <-v.wake:
		}
	}
}

// begin starts the vehicle's clock at now and announces it: ONLINE, and
// a state.
func (v *Vehicle) begin(now time.Time) {
	v.s.last = now
	v.publishConnection(vda5050.ConnectionOnline, now)
	v.s.dirty = true
}

// step brings the vehicle to now: vehicle time passes, queued input is
// handled (by handle), a link due back is restored (by restore) and what
// is due is published.
func (v *Vehicle) step(now time.Time, handle func(any), restore func(Cutter)) {
	v.advanceTo(now)
	for _, in := range v.take() {
		handle(in)
	}
	v.settle()
	if v.s.restore && !v.s.restoring {
		v.s.restore, v.s.restoring = false, true
		restore(v.link.(Cutter))
	}
	v.publish(now)
}

// end publishes the last state and OFFLINE, unless the link is down.
func (v *Vehicle) end(now time.Time) {
	v.advanceTo(now)
	if !v.s.linkDown {
		v.publishState(now)
		v.publishConnection(vda5050.ConnectionOffline, now)
	}
}

func (v *Vehicle) handle(in any) {
	switch in := in.(type) {
	case orderIn:
		v.order(in.o)
	case instantIn:
		v.instant(in.a)
	case invalidIn:
		refs := []vda5050.ErrorReference{{ReferenceKey: "topic", ReferenceValue: string(in.topic)}}
		if in.headerID != nil {
			refs = append(refs, vda5050.ErrorReference{ReferenceKey: "headerId", ReferenceValue: fmt.Sprint(*in.headerID)})
		}
		v.warn("validationError", in.err.Error(), refs)
	case breakdownIn:
		v.breakDown(in.repair)
	case linkLossIn:
		v.loseLink(in.outage)
	case restoredIn:
		v.restored(in.err)
	case reconnectedIn:
		if !v.s.linkDown {
			v.publishConnection(vda5050.ConnectionOnline, v.s.last)
			v.s.dirty = true
			v.log.Info("link back; ONLINE again")
		}
	}
}

// advanceTo moves vehicle time on to real time now.
func (v *Vehicle) advanceTo(now time.Time) {
	d := now.Sub(v.s.last)
	v.s.last = now
	if d > 0 {
		v.advance(time.Duration(float64(d) * v.cfg.TimeScale))
	}
}

// real converts vehicle time to real time, rounding up.
func (v *Vehicle) real(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(float64(d) / v.cfg.TimeScale))
}

// nextWake is how long Run may sleep: until the next event, publication
// or heartbeat.
func (v *Vehicle) nextWake(now time.Time) time.Duration {
	w := v.s.lastState.Add(Heartbeat).Sub(now)
	if v.moving() {
		if v.cfg.StatePeriod > 0 {
			w = min(w, v.s.lastState.Add(v.cfg.StatePeriod).Sub(now))
		}
		if v.cfg.VisualizationPeriod > 0 {
			w = min(w, v.s.lastVis.Add(v.cfg.VisualizationPeriod).Sub(now))
		}
	} else if v.cfg.IdleStatePeriod > 0 {
		w = min(w, v.s.lastState.Add(v.cfg.IdleStatePeriod).Sub(now))
	}
	if ev, ok := v.nextEvent(); ok {
		w = min(w, v.real(ev))
	}
	return max(w, time.Millisecond)
}

func (v *Vehicle) draw(mean time.Duration) time.Duration {
	if mean <= 0 {
		return -1
	}
	return time.Duration(v.s.rng.ExpFloat64()*float64(mean)) + 1
}
