package agv

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// sharingLink checks each state a vehicle publishes against one made
// afresh (stateMsg without the last state to share parts with), and
// keeps its JSON to check later that no later state changed it.
type sharingLink struct {
	fakeLink
	t     *testing.T
	v     *Vehicle
	kept  []*vda5050.State
	bytes [][]byte
}

func (l *sharingLink) Publish(tp vda5050.Topic, msg any) error {
	if s, ok := msg.(*vda5050.State); ok {
		sent := l.v.s.sent
		l.v.s.sent = nil
		fresh := l.v.stateMsg()
		l.v.s.sent = sent
		fresh.Header = s.Header
		if !reflect.DeepEqual(fresh, s) {
			l.t.Fatalf("state %d shares parts that changed:\n got %+v\nwant %+v", s.HeaderID, s, fresh)
		}
		b, err := json.Marshal(s)
		if err != nil {
			l.t.Fatal(err)
		}
		l.kept, l.bytes = append(l.kept, s), append(l.bytes, b)
	}
	return l.fakeLink.Publish(tp, msg)
}

// A state shares with the last one only what did not change: it is what
// a state made afresh would be, and no state changes once published,
// through an order with a horizon and its update, a pick, a pause, a
// drop and a charge.
func TestStatesShareUnchangedParts(t *testing.T) {
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod, cfg.VisualizationPeriod = -1, -1
	cfg.StartSoC = 0.3
	link := &sharingLink{t: t}
	v, err := New(cfg, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	link.v = v
	r := &stepRig{rig: &rig{t: t, v: v, link: &link.fakeLink, g: v.graph}, now: t0}
	v.Start(r.now)

	box := vda5050.ActionParameter{Key: "loadId", Value: "MSCU1234565"}
	o := r.rig.build(spec{id: "o1", from: "w-bay", to: "e-bay", base: 3, noPos: true, acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "pick", box)}}})
	o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionDrop, "drop", box)}
	r.order(o)
	r.after(5*time.Minute + 20*time.Second)
	up := r.rig.build(spec{id: "o1", update: 1, from: "w-bay", to: "e-bay", noPos: true})
	up.Nodes[len(up.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionDrop, "drop", box)}
	up.Nodes, up.Edges = up.Nodes[2:], up.Edges[2:]
	r.order(up)
	r.after(40 * time.Second)
	r.instant(act(vda5050.ActionStartPause, "p1"))
	r.after(2 * time.Minute)
	r.instant(act(vda5050.ActionStopPause, "p2"))
	st := r.after(10 * time.Minute)
	if a := actionOf(st, "drop"); a.ActionStatus != vda5050.StatusFinished || st.LastNodeID != "e-bay" {
		t.Fatalf("after the drop: %+v at %s", a, st.LastNodeID)
	}
	o = r.rig.build(spec{id: "o2", from: "e-bay", to: "w-charge"})
	o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionStartCharging, "c1")}
	r.order(o)
	r.after(20 * time.Minute)
	r.instant(act(vda5050.ActionStopCharging, "c2"))
	r.after(2 * time.Minute)

	shared := 0
	for i, s := range link.kept {
		b, _ := json.Marshal(s)
		if string(b) != string(link.bytes[i]) {
			t.Fatalf("state %d changed after it was published:\nthen %s\n now %s", s.HeaderID, link.bytes[i], b)
		}
		if i == 0 || len(s.NodeStates) == 0 {
			continue
		}
		if prev := link.kept[i-1].NodeStates; len(prev) >= len(s.NodeStates) && &s.NodeStates[0] == &prev[len(prev)-len(s.NodeStates)] {
			shared++
		}
	}
	if len(link.kept) < 30 || shared < 10 {
		t.Errorf("%d states, %d sharing node states with the last: want a day's worth, most sharing", len(link.kept), shared)
	}
}
