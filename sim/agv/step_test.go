package agv

import (
	"encoding/json"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// stepRig drives a vehicle with Start, Step and Next on a virtual clock:
// no goroutine, no real time.
type stepRig struct {
	*rig
	now time.Time
}

var t0 = time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)

func startStepped(t *testing.T, cfg Config) *stepRig {
	t.Helper()
	link := &fakeLink{}
	v, err := New(cfg, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &stepRig{rig: &rig{t: t, v: v, link: link, g: v.graph}, now: t0}
	v.Start(r.now)
	return r
}

// until steps the vehicle at each time it asks for, up to t.
func (r *stepRig) until(t time.Time) vda5050.State {
	for {
		next := r.v.Next(r.now)
		if next.After(t) {
			break
		}
		r.now = next
		r.v.Step(r.now)
	}
	r.now = t
	r.v.Step(t)
	return r.link.last(r.t)
}

func (r *stepRig) after(d time.Duration) vda5050.State { return r.until(r.now.Add(d)) }

func (r *stepRig) order(o vda5050.Order) vda5050.State {
	r.hdr.Stamp(&o.Header, DefaultManufacturer, r.v.Serial(), vda5050.TopicOrder, r.now)
	r.v.HandleOrder(o)
	r.v.Step(r.now)
	return r.link.last(r.t)
}

func (r *stepRig) instant(as ...vda5050.Action) vda5050.State {
	m := vda5050.InstantActions{Actions: as}
	r.hdr.Stamp(&m.Header, DefaultManufacturer, r.v.Serial(), vda5050.TopicInstantActions, r.now)
	r.v.HandleInstantActions(m)
	r.v.Step(r.now)
	return r.link.last(r.t)
}

// On a virtual clock the vehicle arrives when the lane says, traverses
// every node in order and, with StatePeriod negative, publishes a state
// only on events: no state a second while it drives.
func TestSteppedDrive(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod, cfg.VisualizationPeriod = -1, -1
	r := startStepped(t, cfg)
	if c := r.link.connections(); len(c) != 1 || c[0] != vda5050.ConnectionOnline {
		t.Fatalf("connections %v, want ONLINE", c)
	}
	o := r.rig.build(spec{id: "o1", from: "w-bay", to: "e-bay"})
	st := r.order(o)
	if !st.Driving {
		t.Fatal("not driving after the order")
	}
	var arrived time.Time
	seqs := []uint32{st.LastNodeSequenceID}
	for range 10_000 {
		r.now = r.v.Next(r.now)
		r.v.Step(r.now)
		st = r.link.last(t)
		if n := len(seqs); n == 0 || seqs[n-1] != st.LastNodeSequenceID {
			seqs = append(seqs, st.LastNodeSequenceID)
		}
		if st.LastNodeID == "e-bay" {
			arrived = r.now
			break
		}
	}
	// 900 m at 25 km/h is 129.6 s (each edge rounds down to the nanosecond)
	if got := arrived.Sub(t0); math.Abs(got.Seconds()-129.6) > 0.001 {
		t.Errorf("arrived after %v, want 129.6 s", got)
	}
	for i, s := range seqs {
		if s != uint32(2*i) {
			t.Fatalf("sequence ids traversed %v: want every node in order", seqs)
		}
	}
	if len(seqs) != len(o.Nodes) {
		t.Errorf("%d nodes traversed, want %d", len(seqs), len(o.Nodes))
	}
	if n := len(r.link.states()); n > len(o.Nodes)+3 {
		t.Errorf("%d states for %d nodes: want states on events only", n, len(o.Nodes))
	}
	if r.link.count(vda5050.TopicVisualization) != 0 {
		t.Error("visualization published with its period off")
	}
	// idle, the heartbeat: every 30 s of the virtual clock
	n := len(r.link.states())
	r.after(5 * time.Minute)
	if got := len(r.link.states()) - n; got < 10 || got > 11 {
		t.Errorf("%d states in 5 idle minutes, want 10", got)
	}
	for i, s := range r.link.states() {
		if err := s.Validate(); err != nil {
			t.Fatalf("state %d invalid: %v", i, err)
		}
		if ts, _ := time.Parse(time.RFC3339Nano, s.Timestamp); ts.Before(t0) || ts.After(r.now) {
			t.Fatalf("state %d stamped %s: not on the virtual clock", i, s.Timestamp)
		}
	}
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("%d goroutines, were %d: stepping must start none", g, goroutines)
	}
	r.v.Stop(r.now)
	if c := r.link.connections(); c[len(c)-1] != vda5050.ConnectionOffline {
		t.Errorf("connections %v, want OFFLINE last", c)
	}
}

// Pick, drop, charging and pause on the virtual clock, as under Run.
func TestSteppedActions(t *testing.T) {
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod = -1
	cfg.StartSoC = 0.3
	r := startStepped(t, cfg)
	box := vda5050.ActionParameter{Key: "loadId", Value: "MSCU1234565"}
	o := r.rig.build(spec{id: "o1", from: "w-bay", to: "e-bay", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "pick", box)}}})
	o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionDrop, "drop", box)}
	st := r.order(o)
	if st.Driving || actionOf(st, "pick").ActionStatus != vda5050.StatusRunning {
		t.Fatalf("picking: driving %v, pick %+v", st.Driving, actionOf(st, "pick"))
	}
	st = r.after(5 * time.Minute)
	if actionOf(st, "pick").ActionStatus != vda5050.StatusFinished || len(st.Loads) != 1 || !st.Driving {
		t.Fatalf("after 5 min: pick %+v, loads %+v, driving %v", actionOf(st, "pick"), st.Loads, st.Driving)
	}
	st = r.after(60 * time.Second)
	st = r.instant(act(vda5050.ActionStartPause, "p1"))
	if st.Driving || !*st.Paused {
		t.Fatalf("paused: driving %v", st.Driving)
	}
	st = r.after(10 * time.Minute)
	if st.LastNodeID == "e-bay" {
		t.Fatal("drove on while paused")
	}
	r.instant(act(vda5050.ActionStopPause, "p2"))
	st = r.after(70*time.Second + 5*time.Minute)
	if a := actionOf(st, "drop"); a.ActionStatus != vda5050.StatusFinished || len(st.Loads) != 0 || st.LastNodeID != "e-bay" {
		t.Fatalf("after the drop: %+v, loads %+v at %s", a, st.Loads, st.LastNodeID)
	}
	// to the charger and charge 10 min after plugging in
	o = r.rig.build(spec{id: "o2", from: "e-bay", to: "w-charge"})
	o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionStartCharging, "c1")}
	r.order(o)
	st = r.after(3 * time.Minute)
	st = r.after(5 * time.Minute)
	if a := actionOf(st, "c1"); a.ActionStatus != vda5050.StatusFinished || !st.BatteryState.Charging {
		t.Fatalf("plugged in: %+v, charging %v at %s", a, st.BatteryState.Charging, st.LastNodeID)
	}
	before := r.v.Snapshot().SoC
	r.after(10 * time.Minute)
	if got := r.v.Snapshot().SoC - before; math.Abs(got-0.1667) > 0.01 {
		t.Errorf("charged %.3f in 10 min, want about 0.167", got)
	}
	st = r.instant(act(vda5050.ActionStopCharging, "c2"))
	if st.BatteryState.Charging || r.v.Snapshot().Charging {
		t.Fatal("still charging after stopCharging")
	}
}

// A seed always gives the same run: two stepped vehicles with random
// breakdowns publish the same messages.
func TestSteppedRepeatable(t *testing.T) {
	run := func() []byte {
		cfg := testConfig(t, "w-bay")
		cfg.StatePeriod, cfg.MTBF, cfg.MTTR, cfg.Seed = -1, 10*time.Minute, 2*time.Minute, 7
		r := startStepped(t, cfg)
		for i := range 6 {
			from, to := "w-bay", "e-bay"
			if i%2 == 1 {
				from, to = to, from
			}
			r.order(r.rig.build(spec{id: "o" + string(rune('a'+i)), from: from, to: to}))
			r.after(20 * time.Minute)
		}
		var msgs []any
		for _, m := range r.link.msgs {
			msgs = append(msgs, m.msg)
		}
		b, err := json.Marshal(msgs)
		if err != nil {
			t.Fatal(err)
		}
		var breaks int
		for _, s := range r.link.states() {
			if _, ok := errorOf(s, ErrTypeBreakdown); ok {
				breaks++
			}
		}
		if breaks == 0 {
			t.Error("no breakdown in 2 h with MTBF 10 min")
		}
		return b
	}
	if a, b := run(), run(); string(a) != string(b) {
		t.Error("two runs of one seed differ")
	}
}

// With BreakOnArrival a breakdown waits for the vehicle to reach a node:
// none while it stands, and a node action waits for the repair.
func TestBreakOnArrival(t *testing.T) {
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod, cfg.MTBF, cfg.MTTR, cfg.BreakOnArrival, cfg.Seed = -1, time.Minute, 10*time.Minute, true, 3
	r := startStepped(t, cfg)
	r.after(10 * time.Hour)
	if s := r.v.Snapshot(); s.Broken {
		t.Fatal("broke down standing")
	}
	for _, s := range r.link.states() {
		if _, ok := errorOf(s, ErrTypeBreakdown); ok {
			t.Fatal("a breakdown while standing")
		}
	}
	o := r.rig.build(spec{id: "o1", from: "w-bay", to: "w-charge"})
	o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionStartCharging, "c1")}
	st := r.order(o)
	for range 100 {
		r.now = r.v.Next(r.now)
		r.v.Step(r.now)
		if r.v.Snapshot().Broken {
			break
		}
	}
	st = r.link.last(t)
	s := r.v.Snapshot()
	if _, ok := errorOf(st, ErrTypeBreakdown); !ok || !s.Broken || s.OnEdge || st.Driving {
		t.Fatalf("want broken down on a node: broken %v, on an edge %v, driving %v, errors %+v", s.Broken, s.OnEdge, st.Driving, st.Errors)
	}
	for _, a := range st.ActionStates {
		if a.ActionStatus != vda5050.StatusWaiting {
			t.Fatalf("an action started while broken down: %+v", a)
		}
	}
}

// A pause holds a node action under way: it ends later by as long as the
// vehicle was paused, as package sim's own model has it (TestPauseHoldsAction).
func TestSteppedPauseHoldsAction(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pause, resume time.Duration // from the start of a 5-minute pick
		want          time.Duration
	}{
		{"no pause", 0, 0, 5 * time.Minute},
		{"resumed before the end", time.Minute, 3 * time.Minute, 7 * time.Minute},
		{"resumed after the end", 2 * time.Minute, 10 * time.Minute, 13 * time.Minute},
	} {
		cfg := testConfig(t, "w-bay")
		cfg.StatePeriod = -1
		r := startStepped(t, cfg)
		box := vda5050.ActionParameter{Key: "loadId", Value: "MSCU1234565"}
		r.order(r.rig.build(spec{id: "o1", from: "w-bay", to: "w-bay", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "pick", box)}}}))
		start := r.now
		if tc.resume > 0 {
			r.until(start.Add(tc.pause))
			r.instant(act(vda5050.ActionStartPause, "p1"))
			r.until(start.Add(tc.resume))
			r.instant(act(vda5050.ActionStopPause, "p2"))
		}
		var done time.Time
		for range 1000 {
			r.now = r.v.Next(r.now)
			r.v.Step(r.now)
			if actionOf(r.link.last(t), "pick").ActionStatus == vda5050.StatusFinished {
				done = r.now
				break
			}
		}
		if got := done.Sub(start); got != tc.want {
			t.Errorf("%s: the pick ended after %v, want %v", tc.name, got, tc.want)
		}
	}
}

// With PauseAtNode a pause stops the vehicle at the end of its edge.
func TestPauseAtNode(t *testing.T) {
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod, cfg.PauseAtNode = -1, true
	r := startStepped(t, cfg)
	o := r.rig.build(spec{id: "o1", from: "w-bay", to: "e-bay"})
	r.order(o)
	r.after(1500 * time.Millisecond) // 10 m into the first 19 m edge
	st := r.instant(act(vda5050.ActionStartPause, "p1"))
	if !st.Driving || !*st.Paused {
		t.Fatalf("paused mid-edge: driving %v, paused %v: want it to drive on to the node", st.Driving, *st.Paused)
	}
	st = r.after(time.Minute)
	if st.Driving || st.LastNodeID != o.Nodes[1].NodeID || r.v.Snapshot().OnEdge {
		t.Fatalf("a minute later: driving %v at %s, want stopped at %s", st.Driving, st.LastNodeID, o.Nodes[1].NodeID)
	}
	r.instant(act(vda5050.ActionStopPause, "p2"))
	if st = r.after(3 * time.Minute); st.LastNodeID != "e-bay" {
		t.Fatalf("resumed: at %s, want e-bay", st.LastNodeID)
	}
}

// A vehicle started with a load reports it from its first state, and a
// FleetConfig hands each vehicle its own.
func TestStartLoad(t *testing.T) {
	cfg := testConfig(t, "w-bay")
	cfg.StatePeriod, cfg.VisualizationPeriod = -1, -1
	cfg.StartLoad = "BFDU0000017"
	r := startStepped(t, cfg)
	st := r.link.last(t)
	if len(st.Loads) != 1 || st.Loads[0].LoadID != "BFDU0000017" {
		t.Fatalf("loads %+v, want BFDU0000017", st.Loads)
	}
	fc := FleetConfig{Vehicle: testConfig(t, ""), Shuttles: 2, StartNodes: []string{"w-bay", "e-bay"}, StartLoads: []string{"", "BFDU0000021"}}
	cfgs, err := fc.Configs()
	if err != nil {
		t.Fatal(err)
	}
	if cfgs[0].StartLoad != "" || cfgs[1].StartLoad != "BFDU0000021" || cfgs[1].StartNode != "e-bay" {
		t.Fatalf("configs: %q at %s, %q at %s", cfgs[0].StartLoad, cfgs[0].StartNode, cfgs[1].StartLoad, cfgs[1].StartNode)
	}
}
