package agv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Conn is one vehicle's MQTT connection, as mqttbus.Client offers it.
// Handlers must not block.
type Conn interface {
	Publish(topic string, qos byte, retained bool, payload []byte) error
	Subscribe(filter string, qos byte, handler func(topic string, payload []byte)) error
	// Disconnect ends the session properly: no will.
	Disconnect()
	// Drop cuts the network link without a DISCONNECT: the will goes out.
	Drop() error
}

// Reconnecter is a Conn that repairs a broken link by itself and calls
// fn each time it has (mqttbus.Client.OnReconnect).
type Reconnecter interface {
	OnReconnect(fn func())
}

// Will is the last will a connection is made with.
type Will struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retained bool
}

// Dial connects one vehicle's client, with its own client id and will.
type Dial func(ctx context.Context, clientID string, will Will) (Conn, error)

// FleetConfig describes a fleet of simulated shuttles.
type FleetConfig struct {
	// Vehicle is the template of every vehicle; SerialNumber, StartNode and
	// Seed are set per vehicle (Seed from the template's and the serial).
	// Graph nil builds one graph that all vehicles share.
	Vehicle Config
	// Shuttles is how many; default 1.
	Shuttles int
	// SerialPrefix makes the serial numbers: prefix + two digits from 01
	// ("shuttle-01"); default "shuttle-".
	SerialPrefix string
	// StartNodes are the vehicles' start nodes in order; the rest start at
	// StartNodes(site) not already taken.
	StartNodes []string
	// Observer, if not nil, is told of every message a vehicle publishes
	// and receives over its link (for measurements; see Observer).
	Observer Observer
	// StartLoads are the ids of the loads the vehicles start with, in
	// order ("": none); the rest start empty.
	StartLoads []string
}

// Observer is told of what a fleet's vehicles send and receive over their
// links, as a load generator measures them. Its methods are called from
// the vehicles' goroutines and the MQTT client's, and must not block.
type Observer interface {
	// Sent: the vehicle published msg on topic t at at; msg is the
	// vda5050 value (a state as a *vda5050.State, which nobody may change).
	Sent(serial string, t vda5050.Topic, msg any, at time.Time)
	// Received: a message on topic t (order or instantActions) came for
	// the vehicle at at, before it is decoded.
	Received(serial string, t vda5050.Topic, at time.Time)
}

// StartNodes lists the site's parking spots alternating between its
// centres (then those of no centre), so that a fleet starts on every side.
func StartNodes(site *geo.Site) []string {
	var sides [][]string
	index := map[string]int{}
	for _, p := range site.Parking {
		i, ok := index[p.Centre]
		if !ok {
			i = len(sides)
			index[p.Centre] = i
			sides = append(sides, nil)
		}
		sides[i] = append(sides[i], p.ID)
	}
	if i, ok := index[""]; ok && i != len(sides)-1 { // spots of no centre last
		sides = append(append(sides[:i:i], sides[i+1:]...), sides[i])
	}
	var out []string
	for k := 0; len(out) < len(site.Parking); k++ {
		for _, s := range sides {
			if k < len(s) {
				out = append(out, s[k])
			}
		}
	}
	return out
}

// Fleet is a set of simulated shuttles on one broker.
type Fleet struct {
	cfg      FleetConfig
	dial     Dial
	log      *slog.Logger
	vehicles []*Vehicle
	links    []*mqttLink
}

// Configs are the configs of cfg's vehicles, as NewFleet makes them:
// serial numbers from the prefix, start nodes, seeds from the template's
// and the serial. A caller that drives vehicles itself (Start, Step)
// makes them with New from these.
func (cfg FleetConfig) Configs() ([]Config, error) {
	if cfg.Shuttles == 0 {
		cfg.Shuttles = 1
	}
	if cfg.SerialPrefix == "" {
		cfg.SerialPrefix = "shuttle-"
	}
	if cfg.Shuttles < 0 {
		return nil, fmt.Errorf("agv: %d shuttles", cfg.Shuttles)
	}
	tmpl := cfg.Vehicle.withDefaults()
	if tmpl.Site == nil {
		return nil, errors.New("agv: no Site")
	}
	if tmpl.Graph == nil {
		g, err := routing.NewGraph(tmpl.Site, routing.GraphConfig{})
		if err != nil {
			return nil, fmt.Errorf("agv: %w", err)
		}
		tmpl.Graph = g
	}
	starts := append([]string(nil), cfg.StartNodes...)
	taken := map[string]bool{}
	for _, s := range starts {
		taken[s] = true
	}
	for _, s := range StartNodes(tmpl.Site) {
		if len(starts) >= cfg.Shuttles {
			break
		}
		if !taken[s] {
			starts = append(starts, s)
		}
	}
	if len(starts) < cfg.Shuttles {
		return nil, fmt.Errorf("agv: %d shuttles but only %d start nodes (the site has %d parking spots)", cfg.Shuttles, len(starts), len(tmpl.Site.Parking))
	}
	out := make([]Config, cfg.Shuttles)
	for i := range out {
		vc := tmpl
		vc.SerialNumber = fmt.Sprintf("%s%02d", cfg.SerialPrefix, i+1)
		vc.StartNode = starts[i]
		if i < len(cfg.StartLoads) {
			vc.StartLoad = cfg.StartLoads[i]
		}
		h := fnv.New64a()
		h.Write([]byte(vc.SerialNumber))
		vc.Seed = tmpl.Seed ^ int64(h.Sum64())
		out[i] = vc
	}
	return out, nil
}

// NewFleet makes the vehicles of cfg; Run connects and runs them. log may
// be nil.
func NewFleet(cfg FleetConfig, dial Dial, log *slog.Logger) (*Fleet, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dial == nil {
		return nil, errors.New("agv: no Dial")
	}
	cfgs, err := cfg.Configs()
	if err != nil {
		return nil, err
	}
	f := &Fleet{cfg: cfg, dial: dial, log: log}
	for _, vc := range cfgs {
		l := &mqttLink{dial: dial, log: log.With("serial", vc.SerialNumber), obs: cfg.Observer}
		v, err := New(vc, l, log)
		if err != nil {
			return nil, err
		}
		l.v = v
		f.vehicles = append(f.vehicles, v)
		f.links = append(f.links, l)
	}
	return f, nil
}

// Vehicles are the fleet's vehicles, for fault injection.
func (f *Fleet) Vehicles() []*Vehicle { return f.vehicles }

// Run connects every vehicle (each its own client with its will), runs
// them until ctx is cancelled, then has each publish OFFLINE and
// disconnect gracefully. It fails at once if a vehicle cannot connect.
func (f *Fleet) Run(ctx context.Context) error {
	defer func() {
		for _, l := range f.links {
			l.disconnect()
		}
	}()
	if err := f.connect(ctx); err != nil {
		return err
	}
	f.log.Info("shuttles connected", "n", len(f.vehicles))
	var wg sync.WaitGroup
	for _, v := range f.vehicles {
		wg.Go(func() {
			if err := v.Run(ctx); err != nil {
				f.log.Error("vehicle stopped", "serial", v.Serial(), "err", err)
			}
		})
	}
	wg.Wait()
	return nil
}

// connectAtOnce is how many vehicles connect at the same time: a broker
// round trip each, so a fleet of thousands is up in seconds, not minutes.
const connectAtOnce = 16

// connect connects every vehicle, connectAtOnce at a time; the first
// failure stops the rest and is returned.
func (f *Fleet) connect(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan *mqttLink)
	errs := make(chan error, connectAtOnce)
	var wg sync.WaitGroup
	for range min(connectAtOnce, len(f.links)) {
		wg.Go(func() {
			for l := range next {
				if err := l.Restore(ctx); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	for _, l := range f.links {
		select {
		case next <- l:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err, ok := <-errs; ok {
		return err
	}
	return ctx.Err()
}

// RunFleet makes and runs a fleet until ctx is cancelled; see Fleet.Run.
func RunFleet(ctx context.Context, cfg FleetConfig, dial Dial, log *slog.Logger) error {
	f, err := NewFleet(cfg, dial, log)
	if err != nil {
		return err
	}
	return f.Run(ctx)
}

// mqttLink is a vehicle's Link over a Conn that it can cut and restore.
type mqttLink struct {
	dial Dial
	log  *slog.Logger
	v    *Vehicle
	obs  Observer // or nil

	mu   sync.Mutex
	conn Conn
}

// Publish marshals msg and sends it with the topic's QoS and retain flag.
func (l *mqttLink) Publish(t vda5050.Topic, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("agv: %s: %w", t, err)
	}
	l.mu.Lock()
	c := l.conn
	l.mu.Unlock()
	if c == nil {
		return fmt.Errorf("agv: %s: link down", t)
	}
	qos, retained := byte(0), false
	switch t {
	case vda5050.TopicConnection:
		qos, retained = 1, true
	case vda5050.TopicFactsheet:
		retained = true
	}
	if err := c.Publish(l.v.Topic(t), qos, retained, b); err != nil {
		return err
	}
	if l.obs != nil {
		l.obs.Sent(l.v.Serial(), t, msg, time.Now())
	}
	return nil
}

// Cut drops the link so that the broker sends the will, and keeps it down.
func (l *mqttLink) Cut() error {
	l.mu.Lock()
	c := l.conn
	l.conn = nil
	l.mu.Unlock()
	if c == nil {
		return errors.New("agv: link already down")
	}
	err := c.Drop()
	c.Disconnect() // stop reconnecting; the socket is gone, so no DISCONNECT reaches the broker
	return err
}

// Restore connects with a fresh will and subscribes to order and
// instantActions.
func (l *mqttLink) Restore(ctx context.Context) error {
	w := l.v.Will()
	payload, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("agv: will: %w", err)
	}
	id := l.v.cfg.Manufacturer + "-" + l.v.Serial()
	c, err := l.dial(ctx, id, Will{Topic: l.v.Topic(vda5050.TopicConnection), Payload: payload, QoS: 1, Retained: true})
	if err != nil {
		return fmt.Errorf("agv: connect %s: %w", id, err)
	}
	for _, t := range []vda5050.Topic{vda5050.TopicOrder, vda5050.TopicInstantActions} {
		if err := c.Subscribe(l.v.Topic(t), 0, func(_ string, p []byte) {
			if l.obs != nil {
				l.obs.Received(l.v.Serial(), t, time.Now())
			}
			l.v.HandleMessage(t, p)
		}); err != nil {
			c.Disconnect()
			return fmt.Errorf("agv: %s: %w", id, err)
		}
	}
	if rc, ok := c.(Reconnecter); ok {
		rc.OnReconnect(l.v.Reconnected)
	}
	l.mu.Lock()
	l.conn = c
	l.mu.Unlock()
	return nil
}

func (l *mqttLink) disconnect() {
	l.mu.Lock()
	c := l.conn
	l.conn = nil
	l.mu.Unlock()
	if c != nil {
		c.Disconnect()
	}
}
