package agv

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// FuzzOrder feeds any order that decodes to a vehicle (fresh, then after a
// first order): it never panics, and its state stays valid and consistent
// while it drives.
func FuzzOrder(f *testing.F) {
	r := &rig{t: &testing.T{}}
	site, g := smallSiteForFuzz(f)
	r.g = g
	for _, s := range []spec{
		{id: "o1", from: "w-bay", to: "e-bay"},
		{id: "o1", from: "w-bay", to: "e-bay", base: 3},
		{id: "o1", update: 1, from: "main#2+2", to: "e-bay", firstSeq: 4},
		{id: "o2", from: "w-bay", to: "w-charge", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "p")}, 3: {act(vda5050.ActionStartCharging, "c")}}},
	} {
		o := r.build(s)
		r.hdr.Stamp(&o.Header, "m", "s", vda5050.TopicOrder, time.Unix(0, 0))
		b, _ := json.Marshal(o)
		f.Add(b)
	}
	first := r.build(spec{id: "o1", from: "w-bay", to: "e-bay", base: 3})
	r.hdr.Stamp(&first.Header, "m", "s", vda5050.TopicOrder, time.Unix(0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := vda5050.DecodeOrder(b)
		if err != nil {
			return
		}
		for _, pre := range []bool{false, true} {
			v, err := New(Config{SerialNumber: "s", Site: site, Graph: g, StartNode: "w-bay"}, &fakeLink{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if pre {
				v.order(first)
			}
			v.order(o)
			v.settle()
			for range 20 {
				v.advance(time.Minute)
				s := v.stateMsg()
				v.hdr.Stamp(&s.Header, "m", "s", vda5050.TopicState, time.Unix(0, 0))
				if err := s.Validate(); err != nil {
					t.Fatalf("invalid state: %v", err)
				}
				if len(v.s.nodes) != len(v.s.edges) {
					t.Fatalf("%d nodes and %d edges to go", len(v.s.nodes), len(v.s.edges))
				}
			}
		}
	})
}
