package agv

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// fakeLink records what a vehicle publishes.
type fakeLink struct {
	mu       sync.Mutex
	msgs     []sent
	cuts     int
	restores int
}

type sent struct {
	topic vda5050.Topic
	msg   any
}

func (f *fakeLink) Publish(t vda5050.Topic, msg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, sent{t, msg})
	return nil
}

func (f *fakeLink) Cut() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cuts++
	return nil
}

func (f *fakeLink) Restore(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restores++
	return nil
}

func (f *fakeLink) states() []vda5050.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []vda5050.State
	for _, m := range f.msgs {
		if s, ok := m.msg.(*vda5050.State); ok {
			out = append(out, *s)
		}
	}
	return out
}

func (f *fakeLink) count(t vda5050.Topic) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.msgs {
		if m.topic == t {
			n++
		}
	}
	return n
}

func (f *fakeLink) connections() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.msgs {
		if c, ok := m.msg.(vda5050.Connection); ok {
			out = append(out, c.ConnectionState)
		}
	}
	return out
}

// last is the last state published; it fails the test if there is none.
func (f *fakeLink) last(t *testing.T) vda5050.State {
	t.Helper()
	ss := f.states()
	if len(ss) == 0 {
		t.Fatal("no state published")
	}
	return ss[len(ss)-1]
}

var (
	smallOnce  sync.Once
	smallSite  *geo.Site
	smallGraph *routing.Graph
	smallErr   error
)

// small is the tiny test site: one lane from w-charge over w-bay, a gate
// and e-bay to e-park, cut into 20 m blocks.
func small(t testing.TB) (*geo.Site, *routing.Graph) {
	t.Helper()
	smallOnce.Do(func() {
		var b []byte
		if b, smallErr = os.ReadFile("../../geo/testdata/small.geojson"); smallErr != nil {
			return
		}
		if smallSite, smallErr = geo.Load(b); smallErr != nil {
			return
		}
		smallGraph, smallErr = routing.NewGraph(smallSite, routing.GraphConfig{})
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallSite, smallGraph
}

func smallSiteForFuzz(f *testing.F) (*geo.Site, *routing.Graph) { return small(f) }

func testConfig(t *testing.T, start string) Config {
	site, g := small(t)
	return Config{SerialNumber: "shuttle-01", Site: site, Graph: g, StartNode: start, AmbientC: -17}
}

// rig is a vehicle running under synctest with a fake link.
type rig struct {
	t    *testing.T
	v    *Vehicle
	link *fakeLink
	g    *routing.Graph
	hdr  vda5050.Headers
	stop context.CancelFunc
	done chan struct{}
}

func start(t *testing.T, cfg Config) *rig {
	t.Helper()
	link := &fakeLink{}
	v, err := New(cfg, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	r := &rig{t: t, v: v, link: link, g: v.graph, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		if err := v.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	synctest.Wait()
	return r
}

// shutdown stops Run and checks that every state published was valid.
func (r *rig) shutdown() {
	r.stop()
	<-r.done
	for i, s := range r.link.states() {
		if err := s.Validate(); err != nil {
			b, _ := json.Marshal(s)
			r.t.Errorf("state %d invalid: %v\n%s", i, err, b)
		}
	}
}

// after lets d of fake time pass and waits until the vehicle is idle.
func (r *rig) after(d time.Duration) vda5050.State {
	time.Sleep(d)
	synctest.Wait()
	return r.link.last(r.t)
}

// stamp gives an order its header.
func (r *rig) stamp(o *vda5050.Order) {
	r.hdr.Stamp(&o.Header, DefaultManufacturer, r.v.Serial(), vda5050.TopicOrder, time.Now())
}

// order sends an order, stamped unless it is already.
func (r *rig) order(o vda5050.Order) vda5050.State {
	if o.Timestamp == "" {
		r.stamp(&o)
	}
	r.v.HandleOrder(o)
	synctest.Wait()
	return r.link.last(r.t)
}

func (r *rig) instant(as ...vda5050.Action) vda5050.State {
	m := vda5050.InstantActions{Actions: as}
	r.hdr.Stamp(&m.Header, DefaultManufacturer, r.v.Serial(), vda5050.TopicInstantActions, time.Now())
	r.v.HandleInstantActions(m)
	synctest.Wait()
	return r.link.last(r.t)
}

// spec describes an order along a route: the nodes from the route between
// two places, the first `base` nodes released, actions at node indexes.
type spec struct {
	id       string
	update   uint32
	from, to string
	firstSeq uint32
	base     int // released nodes; 0 means all
	acts     map[int][]vda5050.Action
	noPos    bool
}

func (r *rig) build(s spec) vda5050.Order {
	r.t.Helper()
	var nodes, edges []string
	if s.from == s.to {
		nodes = []string{s.from}
	} else {
		rt, err := r.g.Route(s.from, s.to, routing.Limits{})
		if err != nil {
			r.t.Fatal(err)
		}
		nodes, edges = rt.Nodes, rt.Edges
	}
	return r.orderOf(s, nodes, edges)
}

func (r *rig) orderOf(s spec, nodes, edges []string) vda5050.Order {
	base := s.base
	if base == 0 {
		base = len(nodes)
	}
	o := vda5050.Order{OrderID: s.id, OrderUpdateID: s.update}
	for i, id := range nodes {
		n := vda5050.Node{NodeID: id, SequenceID: s.firstSeq + uint32(2*i), Released: i < base, Actions: s.acts[i]}
		if !s.noPos {
			k, _ := r.g.Node(id)
			n.NodePosition = &vda5050.NodePosition{X: r.g.Nodes[k].XY[0], Y: r.g.Nodes[k].XY[1], MapID: r.g.MapID}
		}
		o.Nodes = append(o.Nodes, n)
	}
	for i, id := range edges {
		o.Edges = append(o.Edges, vda5050.Edge{EdgeID: id, SequenceID: s.firstSeq + uint32(2*i+1), Released: i+1 < base, StartNodeID: nodes[i], EndNodeID: nodes[i+1]})
	}
	return o
}

func act(typ, id string, params ...vda5050.ActionParameter) vda5050.Action {
	return vda5050.Action{ActionType: typ, ActionID: id, BlockingType: vda5050.BlockingHard, ActionParameters: params}
}

// errorOf returns the error of a type in a state, if any.
func errorOf(s vda5050.State, typ string) (vda5050.Error, bool) {
	for _, e := range s.Errors {
		if e.ErrorType == typ {
			return e, true
		}
	}
	return vda5050.Error{}, false
}

func actionOf(s vda5050.State, id string) vda5050.ActionState {
	for _, a := range s.ActionStates {
		if a.ActionID == id {
			return a
		}
	}
	return vda5050.ActionState{}
}

func refsOf(e vda5050.Error) map[string]string {
	m := map[string]string{}
	for _, r := range e.ErrorReferences {
		m[r.ReferenceKey] = r.ReferenceValue
	}
	return m
}
