package agv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

func TestStartNodes(t *testing.T) {
	site, err := geo.Default()
	if err != nil {
		t.Fatal(err)
	}
	got := StartNodes(site)
	if len(got) != len(site.Parking) {
		t.Fatalf("%d start nodes, %d parking spots", len(got), len(site.Parking))
	}
	centre := map[string]string{}
	for _, p := range site.Parking {
		centre[p.ID] = p.Centre
	}
	if len(got) >= 2 && centre[got[0]] == centre[got[1]] {
		t.Errorf("the first two start nodes %v are in one centre", got[:2])
	}
	if _, err := NewFleet(FleetConfig{Vehicle: Config{Site: site}, Shuttles: len(got) + 1}, func(context.Context, string, Will) (Conn, error) { return nil, nil }, nil); err == nil {
		t.Error("a fleet larger than the parking spots was made")
	}
}

// observer watches one vehicle's topics on a real broker.
type observer struct {
	mu   sync.Mutex
	msgs map[vda5050.Topic][][]byte
	seen map[vda5050.Topic]int // how far wait has looked
	c    *mqttbus.Client
}

func (o *observer) wait(t *testing.T, topic vda5050.Topic, what string, ok func([]byte) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) { // polling a real broker: no synctest here
		o.mu.Lock()
		ms := o.msgs[topic][o.seen[topic]:]
		o.mu.Unlock()
		for _, m := range ms {
			o.seen[topic]++
			if ok(m) {
				return
			}
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for tp, ms := range o.msgs {
		t.Logf("%s: %d messages, last %s", tp, len(ms), ms[len(ms)-1])
	}
	t.Fatalf("no %s message: %s", topic, what)
}

func connState(want string) func([]byte) bool {
	return func(b []byte) bool {
		c, err := vda5050.DecodeConnection(b)
		return err == nil && c.ConnectionState == want
	}
}

// The fleet runner against a real broker: ONLINE, a factsheet on request,
// an order driven node by node, a malformed order reported, a link loss
// seen as CONNECTIONBROKEN then ONLINE, and OFFLINE on shutdown.
func TestFleetOverMQTT(t *testing.T) {
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		t.Skip("BORDERFLEET_TEST_MQTT_URL is not set: scripts/test.sh starts a private Mosquitto and sets it")
	}
	site, err := geo.Default()
	if err != nil {
		t.Fatal(err)
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("it%d-", time.Now().UnixNano()%1e9)
	serial := prefix + "01"
	topic := func(tp vda5050.Topic) string { return vda5050.TopicName("", DefaultManufacturer, serial, tp) }

	ob := &observer{msgs: map[vda5050.Topic][][]byte{}, seen: map[vda5050.Topic]int{}}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	ob.c, err = mqttbus.Connect(t.Context(), mqttbus.Config{URL: url, ClientID: prefix + "observer"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ob.c.Disconnect()
	err = ob.c.Subscribe(vda5050.TopicName("", DefaultManufacturer, serial, "#"), 1, func(tp string, p []byte) {
		_, _, _, typ, err := vda5050.ParseTopic(tp)
		if err != nil {
			return
		}
		ob.mu.Lock()
		ob.msgs[typ] = append(ob.msgs[typ], append([]byte(nil), p...))
		ob.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}

	f, err := NewFleet(FleetConfig{
		Vehicle:      Config{Site: site, Graph: g, TimeScale: 60, AmbientC: -17, LinkOutage: time.Minute},
		Shuttles:     1,
		SerialPrefix: prefix,
	}, MQTTDial(mqttbus.Config{URL: url, MaxReconnectInterval: time.Second}, log), log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() {
		stop()
		<-done
	}()
	ob.wait(t, vda5050.TopicConnection, "ONLINE", connState(vda5050.ConnectionOnline))

	var hdr vda5050.Headers
	publish := func(tp vda5050.Topic, msg any, h *vda5050.Header) {
		hdr.Stamp(h, DefaultManufacturer, serial, tp, time.Now())
		b, _ := json.Marshal(msg)
		if err := ob.c.Publish(topic(tp), 0, false, b); err != nil {
			t.Fatal(err)
		}
	}
	ia := vda5050.InstantActions{Actions: []vda5050.Action{{ActionType: vda5050.ActionFactsheetRequest, ActionID: "f1", BlockingType: vda5050.BlockingNone}}}
	publish(vda5050.TopicInstantActions, &ia, &ia.Header)
	ob.wait(t, vda5050.TopicFactsheet, "a valid factsheet", func(b []byte) bool {
		_, err := vda5050.DecodeFactsheet(b)
		if err != nil {
			t.Errorf("factsheet: %v", err)
		}
		return true
	})

	// an order over the first few nodes of a route from the start spot
	from := f.Vehicles()[0].cfg.StartNode
	rt, err := g.Route(from, site.Bays[0].ID, routing.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	nodes, edges := rt.Nodes[:min(4, len(rt.Nodes))], rt.Edges[:min(3, len(rt.Edges))]
	o := vda5050.Order{OrderID: "it-1"}
	for i, id := range nodes {
		k, _ := g.Node(id)
		o.Nodes = append(o.Nodes, vda5050.Node{NodeID: id, SequenceID: uint32(2 * i), Released: true,
			NodePosition: &vda5050.NodePosition{X: g.Nodes[k].XY[0], Y: g.Nodes[k].XY[1], MapID: site.MapID}})
	}
	for i, id := range edges {
		o.Edges = append(o.Edges, vda5050.Edge{EdgeID: id, SequenceID: uint32(2*i + 1), Released: true, StartNodeID: nodes[i], EndNodeID: nodes[i+1]})
	}
	publish(vda5050.TopicOrder, &o, &o.Header)
	last := nodes[len(nodes)-1]
	ob.wait(t, vda5050.TopicState, "order accepted", func(b []byte) bool {
		s, err := vda5050.DecodeState(b)
		return err == nil && s.OrderID == "it-1"
	})
	ob.wait(t, vda5050.TopicState, "traversed "+nodes[1], func(b []byte) bool {
		s, err := vda5050.DecodeState(b)
		return err == nil && s.LastNodeID == nodes[1] && s.LastNodeSequenceID == 2
	})
	ob.wait(t, vda5050.TopicState, "arrived at "+last, func(b []byte) bool {
		s, err := vda5050.DecodeState(b)
		return err == nil && s.LastNodeID == last && !s.Driving && len(s.NodeStates) == 0
	})

	// a malformed order is a validationError, not a crash
	if err := ob.c.Publish(topic(vda5050.TopicOrder), 0, false, []byte(`{"headerId": 99, "orderId": `)); err != nil {
		t.Fatal(err)
	}
	ob.wait(t, vda5050.TopicState, "validationError", func(b []byte) bool {
		s, err := vda5050.DecodeState(b)
		return err == nil && len(s.Errors) > 0 && s.Errors[0].ErrorType == ErrTypeValidation
	})

	// link loss: the will, then ONLINE again
	f.Vehicles()[0].LoseLink(time.Minute) // one real second at scale 60
	ob.wait(t, vda5050.TopicConnection, "CONNECTIONBROKEN (the will)", connState(vda5050.ConnectionBroken))
	ob.wait(t, vda5050.TopicConnection, "ONLINE after the outage", connState(vda5050.ConnectionOnline))

	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil
	ob.wait(t, vda5050.TopicConnection, "OFFLINE on shutdown", connState(vda5050.ConnectionOffline))
}

// fakeConn is a Conn that keeps its subscriptions' handlers.
type fakeConn struct {
	mu       sync.Mutex
	handlers map[string]func(string, []byte)
	topics   []string
}

func (c *fakeConn) Publish(topic string, _ byte, _ bool, _ []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.topics = append(c.topics, topic)
	return nil
}

func (c *fakeConn) Subscribe(filter string, _ byte, h func(string, []byte)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handlers == nil {
		c.handlers = map[string]func(string, []byte){}
	}
	c.handlers[filter] = h
	return nil
}

func (c *fakeConn) Disconnect() {}
func (c *fakeConn) Drop() error { return nil }

// countingObserver counts what an Observer is told, by topic.
type countingObserver struct {
	mu             sync.Mutex
	sent, received map[vda5050.Topic]int
	states         int
}

func (o *countingObserver) Sent(_ string, t vda5050.Topic, msg any, _ time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[t]++
	if _, ok := msg.(*vda5050.State); ok {
		o.states++
	}
}

func (o *countingObserver) Received(_ string, t vda5050.Topic, _ time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.received[t]++
}

// A fleet's Observer hears of every message its vehicles publish and of
// every one that comes for them.
func TestFleetObserver(t *testing.T) {
	site, g := small(t)
	obs := &countingObserver{sent: map[vda5050.Topic]int{}, received: map[vda5050.Topic]int{}}
	conns := map[string]*fakeConn{}
	var mu sync.Mutex
	dial := func(_ context.Context, id string, _ Will) (Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		c := &fakeConn{}
		conns[id] = c
		return c, nil
	}
	f, err := NewFleet(FleetConfig{Vehicle: Config{Site: site, Graph: g}, Shuttles: 2, StartNodes: []string{"w-bay", "e-bay"}, Observer: obs}, dial, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for { // real goroutines and a real clock: poll until both vehicles have announced themselves
		obs.mu.Lock()
		n := obs.states
		obs.mu.Unlock()
		mu.Lock()
		ready := len(conns) == 2
		mu.Unlock()
		if n >= 2 && ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d states observed after 10 s, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	c := conns[DefaultManufacturer+"-shuttle-01"]
	mu.Unlock()
	if c == nil {
		t.Fatal("no connection for shuttle-01")
	}
	c.mu.Lock()
	h := c.handlers[f.Vehicles()[0].Topic(vda5050.TopicOrder)]
	c.mu.Unlock()
	if h == nil {
		t.Fatal("shuttle-01 did not subscribe to its order topic")
	}
	h("", []byte(`{"not": "an order"}`))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.received[vda5050.TopicOrder] != 1 {
		t.Errorf("%d orders observed received, want 1", obs.received[vda5050.TopicOrder])
	}
	if obs.sent[vda5050.TopicConnection] < 4 { // ONLINE and OFFLINE of each
		t.Errorf("%d connection messages observed, want ONLINE and OFFLINE of both", obs.sent[vda5050.TopicConnection])
	}
}
