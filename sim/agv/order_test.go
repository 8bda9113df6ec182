package agv

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/borderfleet/borderfleet/vda5050"
)

func TestOrderAcceptance(t *testing.T) {
	route := spec{id: "o1", from: "w-bay", to: "e-bay"}
	withBase := func(s spec, base int) spec { s.base = base; return s }
	cases := []struct {
		name       string
		setup      []spec
		order      func(r *rig) vda5050.Order
		wantErr    string // error type of the rejection; "" when accepted or ignored
		wantOrder  string
		wantUpdate uint32
	}{
		{name: "new order at the vehicle's node", order: func(r *rig) vda5050.Order { return r.build(route) }, wantOrder: "o1"},
		{name: "new order without node positions on the map", order: func(r *rig) vda5050.Order {
			s := route
			s.noPos = true
			return r.build(s)
		}, wantOrder: "o1"},
		{name: "malformed: edge count", wantErr: ErrTypeValidation, order: func(r *rig) vda5050.Order {
			o := r.build(route)
			o.Edges = o.Edges[1:]
			return o
		}},
		{name: "first node out of the deviation range", wantErr: ErrTypeOrder, order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o1", from: "e-park", to: "e-bay"})
		}},
		{name: "temporary first node within the deviation range", wantOrder: "o1", order: func(r *rig) vda5050.Order {
			o := r.orderOf(spec{id: "o1"}, []string{"tmp", "main#2+1"}, []string{"tmp-edge"})
			o.Nodes[0].NodePosition.X, o.Nodes[0].NodePosition.Y = -450.2, 0.3
			return o
		}},
		{name: "unknown node action", wantErr: ErrTypeOrder, order: func(r *rig) vda5050.Order {
			s := route
			s.acts = map[int][]vda5050.Action{2: {act("detectObject", "a1")}}
			return r.build(s)
		}},
		{name: "edge action", wantErr: ErrTypeOrder, order: func(r *rig) vda5050.Order {
			o := r.build(route)
			o.Edges[0].Actions = []vda5050.Action{act(vda5050.ActionPick, "a1")}
			return o
		}},
		{name: "another map", wantErr: ErrTypeOrder, order: func(r *rig) vda5050.Order {
			o := r.build(route)
			o.Nodes[1].NodePosition.MapID = "elsewhere"
			return o
		}},
		{name: "node neither positioned nor on the map", wantErr: ErrTypeOrder, order: func(r *rig) vda5050.Order {
			o := r.orderOf(spec{id: "o1", noPos: true}, []string{"w-bay", "nowhere"}, []string{"e"})
			return o
		}},
		{name: "resend is ignored", setup: []spec{withBase(route, 3)}, wantOrder: "o1", order: func(r *rig) vda5050.Order {
			return r.build(withBase(route, 3))
		}},
		{name: "lower orderUpdateId", setup: []spec{withBase(route, 3), {id: "o1", update: 2, from: "main#2+2", to: "e-bay", firstSeq: 4, base: 2}},
			wantErr: ErrTypeOrderUpdate, wantOrder: "o1", wantUpdate: 2, order: func(r *rig) vda5050.Order {
				return r.build(spec{id: "o1", update: 1, from: "main#2+2", to: "e-bay", firstSeq: 4})
			}},
		{name: "update at the decision point", setup: []spec{withBase(route, 3)}, wantOrder: "o1", wantUpdate: 1, order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o1", update: 1, from: "main#2+2", to: "e-bay", firstSeq: 4})
		}},
		{name: "update with the decision point's id but another sequenceId", setup: []spec{withBase(route, 3)}, wantErr: ErrTypeOrderUpdate, wantOrder: "o1", order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o1", update: 1, from: "main#2+2", to: "e-bay", firstSeq: 8})
		}},
		{name: "update elsewhere", setup: []spec{withBase(route, 3)}, wantErr: ErrTypeOrderUpdate, wantOrder: "o1", order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o1", update: 1, from: "main#2+1", to: "e-bay", firstSeq: 2})
		}},
		{name: "update of a finished order at its last node", setup: []spec{{id: "o1", from: "w-bay", to: "w-bay"}}, wantOrder: "o1", wantUpdate: 1, order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o1", update: 1, from: "w-bay", to: "e-bay"})
		}},
		{name: "new order while active, at the decision point", setup: []spec{withBase(route, 3)}, wantOrder: "o2", order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o2", from: "main#2+2", to: "e-bay", firstSeq: 0})
		}},
		{name: "new order while active, elsewhere", setup: []spec{withBase(route, 3)}, wantErr: ErrTypeOrder, wantOrder: "o1", order: func(r *rig) vda5050.Order {
			return r.build(spec{id: "o2", from: "w-bay", to: "e-bay"})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := start(t, testConfig(t, "w-bay"))
				defer r.shutdown()
				r.instant(act(vda5050.ActionStartPause, "pause")) // keep the vehicle where it is
				for _, s := range c.setup {
					if st := r.order(r.build(s)); len(st.Errors) > 0 {
						t.Fatalf("setup order %s/%d rejected: %+v", s.id, s.update, st.Errors)
					}
				}
				o := c.order(r)
				r.stamp(&o)
				st := r.order(o)
				if st.OrderID != c.wantOrder || st.OrderUpdateID != c.wantUpdate {
					t.Errorf("state has order %q/%d, want %q/%d", st.OrderID, st.OrderUpdateID, c.wantOrder, c.wantUpdate)
				}
				if c.wantErr == "" {
					if len(st.Errors) > 0 {
						t.Errorf("errors %+v, want none", st.Errors)
					}
					return
				}
				e, ok := errorOf(st, c.wantErr)
				if !ok || e.ErrorLevel != vda5050.LevelWarning {
					t.Fatalf("errors %+v, want a %s WARNING", st.Errors, c.wantErr)
				}
				refs := refsOf(e)
				want := map[string]string{"headerId": fmt.Sprint(o.HeaderID), "topic": "order", "orderId": o.OrderID, "orderUpdateId": fmt.Sprint(o.OrderUpdateID)}
				for k, v := range want {
					if refs[k] != v {
						t.Errorf("reference %s = %q, want %q (all: %v)", k, refs[k], v, refs)
					}
				}
			})
		})
	}
}

// A rejection's WARNING stays until an order is accepted.
func TestRejectionClearedByNextOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		st := r.order(r.build(spec{id: "o1", from: "e-park", to: "e-bay"}))
		if _, ok := errorOf(st, ErrTypeOrder); !ok {
			t.Fatalf("errors %+v, want orderError", st.Errors)
		}
		st = r.after(Heartbeat)
		if _, ok := errorOf(st, ErrTypeOrder); !ok {
			t.Fatalf("orderError gone before an order was accepted: %+v", st.Errors)
		}
		st = r.order(r.build(spec{id: "o2", from: "w-bay", to: "w-bay"}))
		if len(st.Errors) != 0 || st.OrderID != "o2" {
			t.Fatalf("after an accepted order: order %q, errors %+v", st.OrderID, st.Errors)
		}
	})
}

// A message that does not decode is a validationError, not a crash.
func TestInvalidMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		r.v.HandleMessage(vda5050.TopicOrder, []byte(`{"headerId": 7, "orderId": 3}`))
		r.v.HandleMessage(vda5050.TopicInstantActions, []byte(`not json`))
		synctest.Wait()
		st := r.link.last(t)
		n := 0
		for _, e := range st.Errors {
			if e.ErrorType == ErrTypeValidation {
				n++
				if refs := refsOf(e); refs["topic"] == "order" && refs["headerId"] != "7" {
					t.Errorf("references %v, want headerId 7", refs)
				}
			}
		}
		if n != 2 {
			t.Fatalf("errors %+v, want two validationErrors", st.Errors)
		}
	})
}

// appendEdges keeps the edges in order and reuses the vehicle's array:
// edges cut from the front make room for those appended.
func TestAppendEdges(t *testing.T) {
	var arr, edges, want []vda5050.Edge
	id := 0
	next := func(n int) []vda5050.Edge {
		var out []vda5050.Edge
		for range n {
			id++
			out = append(out, vda5050.Edge{EdgeID: fmt.Sprint(id)})
		}
		return out
	}
	grew := 0
	for round := range 200 {
		more := next(1 + round%3)
		before := cap(arr)
		edges = appendEdges(edges, &arr, more)
		want = append(want, more...)
		if cap(arr) != before {
			grew++
		}
		cut := min(len(edges), round%4)
		edges, want = edges[cut:], want[cut:]
		if !slices.EqualFunc(edges, want, func(a, b vda5050.Edge) bool { return a.EdgeID == b.EdgeID }) {
			t.Fatalf("round %d: edges %v, want %v", round, edges, want)
		}
	}
	if grew > 10 || grew == 0 {
		t.Errorf("the array grew %d times for at most a few dozen edges at once", grew)
	}
}
