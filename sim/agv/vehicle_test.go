package agv

import (
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// The vehicle drives the base at the lower of its top speed and the lane
// limit, reports its position along the way and every node it traverses.
func TestDriveOrder(t *testing.T) {
	for _, scale := range []float64{1, 60} {
		t.Run("", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := testConfig(t, "w-bay")
				cfg.TimeScale = scale
				r := start(t, cfg)
				defer r.shutdown()
				if got := r.link.connections(); len(got) != 1 || got[0] != vda5050.ConnectionOnline {
					t.Fatalf("connection messages %v, want ONLINE", got)
				}
				o := r.build(spec{id: "o1", from: "w-bay", to: "e-bay"})
				st := r.order(o)
				if !st.Driving || st.LastNodeID != "w-bay" || len(st.NodeStates) != len(o.Nodes)-1 || len(st.EdgeStates) != len(o.Edges) {
					t.Fatalf("after the order: driving %v, last node %s, %d node and %d edge states", st.Driving, st.LastNodeID, len(st.NodeStates), len(st.EdgeStates))
				}
				// 900 m at 25 km/h is 129.6 s; halfway the vehicle is near x = 0
				st = r.after(time.Duration(64.8 / scale * float64(time.Second)))
				if tol := 10 + 7*scale; !st.Driving || math.Abs(st.AgvPosition.X) > tol || *st.Velocity.Vx < 6.9 {
					t.Errorf("halfway: driving %v at x %.1f, vx %.2f", st.Driving, st.AgvPosition.X, *st.Velocity.Vx)
				}
				if st.LastNodeID == "w-bay" || st.LastNodeSequenceID == 0 {
					t.Errorf("halfway: last node %s/%d: no node traversed", st.LastNodeID, st.LastNodeSequenceID)
				}
				st = r.after(time.Duration(66 / scale * float64(time.Second)))
				if st.Driving || st.LastNodeID != "e-bay" || st.LastNodeSequenceID != uint32(2*(len(o.Nodes)-1)) || len(st.NodeStates)+len(st.EdgeStates) != 0 {
					t.Errorf("at the end: driving %v, last node %s/%d, %d node and %d edge states", st.Driving, st.LastNodeID, st.LastNodeSequenceID, len(st.NodeStates), len(st.EdgeStates))
				}
				if math.Abs(st.AgvPosition.X-450) > 0.01 {
					t.Errorf("at the end x = %.2f, want 450", st.AgvPosition.X)
				}
				if st.BatteryState.BatteryCharge >= 70 {
					t.Errorf("battery %.1f %%: driving used nothing", st.BatteryState.BatteryCharge)
				}
				if n := r.link.count(vda5050.TopicVisualization); n < int(100/scale) {
					t.Errorf("%d visualization messages, want about one a second", n)
				}
				if n := len(r.link.states()); n < int(100/scale) {
					t.Errorf("%d states, want at least one a second while driving", n)
				}
			})
		})
	}
}

// Idle, the vehicle still sends a state at least every 30 s.
func TestHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		n := len(r.link.states())
		r.after(5 * time.Minute)
		if got := len(r.link.states()) - n; got < 10 || got > 11 {
			t.Errorf("%d states in 5 idle minutes, want 10", got)
		}
	})
}

// With IdleStatePeriod a standing vehicle reports at that rate, not only
// at the heartbeat.
func TestIdleStatePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig(t, "w-bay")
		cfg.IdleStatePeriod = time.Second
		r := start(t, cfg)
		defer r.shutdown()
		n := len(r.link.states())
		r.after(time.Minute)
		if got := len(r.link.states()) - n; got < 59 || got > 61 {
			t.Errorf("%d states in an idle minute at a 1 s idle period, want 60", got)
		}
	})
}

// The vehicle stops at the decision point, asks for a new base, and goes
// on when the update arrives.
func TestDecisionPointAndUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		o := r.build(spec{id: "o1", from: "w-bay", to: "e-bay", base: 4})
		r.order(o)
		st := r.after(20 * time.Second)
		dp := o.Nodes[3]
		if st.Driving || st.LastNodeID != dp.NodeID || st.NewBaseRequest == nil || !*st.NewBaseRequest {
			t.Fatalf("want stopped at the decision point %s with newBaseRequest: driving %v at %s, newBaseRequest %v", dp.NodeID, st.Driving, st.LastNodeID, st.NewBaseRequest)
		}
		if len(st.NodeStates) != len(o.Nodes)-4 || st.NodeStates[0].Released {
			t.Fatalf("horizon: %d node states (first released %v), want %d unreleased", len(st.NodeStates), st.NodeStates[0].Released, len(o.Nodes)-4)
		}
		up := r.build(spec{id: "o1", update: 1, from: dp.NodeID, to: "e-bay", firstSeq: dp.SequenceID})
		st = r.order(up)
		if !st.Driving || st.OrderUpdateID != 1 || *st.NewBaseRequest {
			t.Fatalf("after the update: driving %v, update %d, newBaseRequest %v", st.Driving, st.OrderUpdateID, *st.NewBaseRequest)
		}
		st = r.after(3 * time.Minute)
		if st.LastNodeID != "e-bay" || st.LastNodeSequenceID != o.Nodes[len(o.Nodes)-1].SequenceID {
			t.Fatalf("end: at %s/%d, want e-bay/%d", st.LastNodeID, st.LastNodeSequenceID, o.Nodes[len(o.Nodes)-1].SequenceID)
		}
	})
}

func TestPickAndDrop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		box := vda5050.ActionParameter{Key: "loadId", Value: "MSCU1234565"}
		o := r.build(spec{id: "o1", from: "w-bay", to: "e-bay", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "pick", box)}}})
		o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionDrop, "drop", box), act(vda5050.ActionDrop, "drop2")}
		st := r.order(o)
		if st.Driving || actionOf(st, "pick").ActionStatus != vda5050.StatusRunning || len(st.Loads) != 0 {
			t.Fatalf("picking: driving %v, pick %+v, loads %+v", st.Driving, actionOf(st, "pick"), st.Loads)
		}
		st = r.after(5*time.Minute + time.Second)
		if actionOf(st, "pick").ActionStatus != vda5050.StatusFinished || len(st.Loads) != 1 || st.Loads[0].LoadID != "MSCU1234565" || !st.Driving {
			t.Fatalf("after the pick: %+v, loads %+v, driving %v", actionOf(st, "pick"), st.Loads, st.Driving)
		}
		st = r.after(130 * time.Second)
		if st.Driving || actionOf(st, "drop").ActionStatus != vda5050.StatusRunning || actionOf(st, "drop2").ActionStatus != vda5050.StatusWaiting {
			t.Fatalf("at the drop bay: driving %v, drop %+v, drop2 %+v", st.Driving, actionOf(st, "drop"), actionOf(st, "drop2"))
		}
		st = r.after(5 * time.Minute)
		if a := actionOf(st, "drop"); a.ActionStatus != vda5050.StatusFinished || st.Loads == nil || len(st.Loads) != 0 {
			t.Fatalf("after the drop: %+v, loads %#v", a, st.Loads)
		}
		if a := actionOf(st, "drop2"); a.ActionStatus != vda5050.StatusFailed || a.ResultDescription == "" {
			t.Fatalf("drop with nothing aboard: %+v, want FAILED with a reason", a)
		}
		// a pick when laden fails
		r.order(r.build(spec{id: "o2", from: "e-bay", to: "e-bay", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "p1", box)}}}))
		st = r.after(5 * time.Minute)
		r.order(r.build(spec{id: "o3", from: "e-bay", to: "e-bay", acts: map[int][]vda5050.Action{0: {act(vda5050.ActionPick, "p2", box)}}}))
		st = r.after(time.Second)
		if a := actionOf(st, "p2"); a.ActionStatus != vda5050.StatusFailed || a.ResultDescription == "" {
			t.Fatalf("pick when laden: %+v, want FAILED with a reason", a)
		}
	})
}

func TestCharging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig(t, "w-bay")
		cfg.StartSoC = 0.3
		r := start(t, cfg)
		defer r.shutdown()
		// not at a station
		st := r.instant(act(vda5050.ActionStartCharging, "c0"))
		if a := actionOf(st, "c0"); a.ActionStatus != vda5050.StatusFailed || st.BatteryState.Charging {
			t.Fatalf("startCharging off a station: %+v, charging %v", a, st.BatteryState.Charging)
		}
		o := r.build(spec{id: "o1", from: "w-bay", to: "w-charge"})
		o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionStartCharging, "c1")}
		r.order(o)
		st = r.after(time.Minute) // 50 m, then 3 min to plug in
		if a := actionOf(st, "c1"); a.ActionStatus != vda5050.StatusRunning || st.LastNodeID != "w-charge" {
			t.Fatalf("plugging in at %s: %+v", st.LastNodeID, a)
		}
		st = r.after(3 * time.Minute)
		if a := actionOf(st, "c1"); a.ActionStatus != vda5050.StatusFinished || !st.BatteryState.Charging {
			t.Fatalf("plugged in: %+v, charging %v", a, st.BatteryState.Charging)
		}
		before := st.BatteryState.BatteryCharge
		st = r.after(10 * time.Minute) // 350 kW for 10 min is 58 kWh, 16.7 %
		if got := st.BatteryState.BatteryCharge - before; got < 15 || got > 18 {
			t.Errorf("charged %.1f %% in 10 min, want about 16.7", got)
		}
		st = r.instant(act(vda5050.ActionStopCharging, "c2"))
		if a := actionOf(st, "c2"); a.ActionStatus != vda5050.StatusFinished || st.BatteryState.Charging {
			t.Fatalf("stopCharging: %+v, charging %v", a, st.BatteryState.Charging)
		}
		// charging stops by itself when full
		r.instant(act(vda5050.ActionStartCharging, "c3"))
		st = r.after(3 * time.Hour)
		full := false
		for _, s := range r.link.states() {
			full = full || s.BatteryState.BatteryCharge == 100
		}
		if st.BatteryState.Charging || !full {
			t.Fatalf("after 3 h: charging %v at %.1f %%, full once: %v", st.BatteryState.Charging, st.BatteryState.BatteryCharge, full)
		}
	})
}

func TestCancelOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		st := r.instant(act(vda5050.ActionCancelOrder, "x0"))
		if e, ok := errorOf(st, ErrTypeNoOrderToCancel); actionOf(st, "x0").ActionStatus != vda5050.StatusFailed || !ok || e.ErrorLevel != vda5050.LevelWarning || refsOf(e)["actionId"] != "x0" {
			t.Fatalf("cancel without an order: %+v, errors %+v", actionOf(st, "x0"), st.Errors)
		}
		o := r.build(spec{id: "o1", from: "w-bay", to: "e-bay", base: 10})
		o.Nodes[len(o.Nodes)-1].Actions = []vda5050.Action{act(vda5050.ActionDrop, "drop")}
		o.Nodes[5].Actions = []vda5050.Action{act(vda5050.ActionStopCharging, "s5")}
		r.order(o)
		st = r.after(1500 * time.Millisecond) // 10 m into the first 19 m edge
		st = r.instant(act(vda5050.ActionCancelOrder, "x1"))
		if a := actionOf(st, "x1"); a.ActionStatus != vda5050.StatusRunning || !st.Driving {
			t.Fatalf("cancel while driving: %+v, driving %v", a, st.Driving)
		}
		for _, id := range []string{"drop", "s5"} {
			if a := actionOf(st, id); a.ActionStatus != vda5050.StatusFailed {
				t.Errorf("waiting action %s after cancel: %+v, want FAILED", id, a)
			}
		}
		st = r.after(10 * time.Second)
		if a := actionOf(st, "x1"); a.ActionStatus != vda5050.StatusFinished || st.Driving || st.LastNodeID != o.Nodes[1].NodeID || len(st.NodeStates) != 0 {
			t.Fatalf("after cancel: %+v, driving %v at %s, %d node states", a, st.Driving, st.LastNodeID, len(st.NodeStates))
		}
		if st.OrderID != "o1" {
			t.Errorf("orderId %q after cancel, want o1 kept", st.OrderID)
		}
		// the next order starts where it stopped
		st = r.order(r.build(spec{id: "o2", from: o.Nodes[1].NodeID, to: "e-bay"}))
		if st.OrderID != "o2" || len(st.Errors) != 0 {
			t.Fatalf("order after cancel: %q, errors %+v", st.OrderID, st.Errors)
		}
	})
}

func TestPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		r.order(r.build(spec{id: "o1", from: "w-bay", to: "e-bay"}))
		r.after(10 * time.Second)
		st := r.instant(act(vda5050.ActionStartPause, "p1"))
		if st.Driving || !*st.Paused || actionOf(st, "p1").ActionStatus != vda5050.StatusFinished {
			t.Fatalf("paused: driving %v, paused %v, %+v", st.Driving, *st.Paused, actionOf(st, "p1"))
		}
		x := st.AgvPosition.X
		st = r.after(time.Minute)
		if st.AgvPosition.X != x || st.Driving {
			t.Fatalf("moved while paused: x %.2f -> %.2f", x, st.AgvPosition.X)
		}
		st = r.instant(act(vda5050.ActionStopPause, "p2"))
		if !st.Driving || *st.Paused {
			t.Fatalf("resumed: driving %v, paused %v", st.Driving, *st.Paused)
		}
		st = r.after(130 * time.Second)
		if st.LastNodeID != "e-bay" {
			t.Fatalf("after resuming: at %s, want e-bay", st.LastNodeID)
		}
	})
}

func TestBatteryEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig(t, "w-bay")
		cfg.StartSoC = 0.00005 // 17.5 Wh: about 10 m
		r := start(t, cfg)
		defer r.shutdown()
		r.order(r.build(spec{id: "o1", from: "w-bay", to: "e-bay"}))
		st := r.after(30 * time.Second)
		e, ok := errorOf(st, ErrTypeBatteryEmpty)
		if !ok || e.ErrorLevel != vda5050.LevelFatal || st.Driving || st.BatteryState.BatteryCharge != 0 {
			t.Fatalf("errors %+v, driving %v, charge %.2f: want a FATAL batteryEmpty and a stop", st.Errors, st.Driving, st.BatteryState.BatteryCharge)
		}
		x := st.AgvPosition.X
		if st = r.after(time.Minute); st.AgvPosition.X != x {
			t.Fatalf("moved with an empty battery")
		}
	})
}

func TestBreakdownAndLinkLoss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		r.order(r.build(spec{id: "o1", from: "w-bay", to: "e-bay"}))
		r.v.Breakdown(10 * time.Minute)
		synctest.Wait()
		st := r.link.last(t)
		if e, ok := errorOf(st, ErrTypeBreakdown); !ok || e.ErrorLevel != vda5050.LevelFatal || st.Driving {
			t.Fatalf("broken: errors %+v, driving %v", st.Errors, st.Driving)
		}
		st = r.after(10*time.Minute + time.Second)
		if _, ok := errorOf(st, ErrTypeBreakdown); ok || !st.Driving {
			t.Fatalf("repaired: errors %+v, driving %v", st.Errors, st.Driving)
		}
		n := len(r.link.states())
		r.v.LoseLink(time.Minute)
		st = r.after(30 * time.Second)
		if r.link.cuts != 1 || len(r.link.states()) != n {
			t.Fatalf("link down: %d cuts, %d states sent meanwhile", r.link.cuts, len(r.link.states())-n)
		}
		r.after(31 * time.Second)
		if c := r.link.connections(); r.link.restores != 1 || c[len(c)-1] != vda5050.ConnectionOnline || len(r.link.states()) == n {
			t.Fatalf("link back: %d restores, connections %v", r.link.restores, c)
		}
	})
}

// Random faults follow their mean times.
func TestRandomFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig(t, "w-bay")
		cfg.MTBF, cfg.MTTR, cfg.LinkLossMTBF, cfg.LinkOutage = time.Hour, time.Minute, time.Hour, time.Minute
		cfg.TimeScale = 60
		r := start(t, cfg)
		defer r.shutdown()
		breakdowns := 0
		was := false
		for range 20 * 60 {
			st := r.after(time.Second) // a minute of vehicle time
			_, now := errorOf(st, ErrTypeBreakdown)
			if now && !was {
				breakdowns++
			}
			was = now
		}
		if breakdowns < 8 || breakdowns > 40 || r.link.cuts < 8 || r.link.cuts > 40 {
			t.Errorf("in 20 h with MTBF 1 h: %d breakdowns, %d link losses", breakdowns, r.link.cuts)
		}
	})
}

func TestShutdownOffline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		r.shutdown()
		c := r.link.connections()
		if len(c) != 2 || c[0] != vda5050.ConnectionOnline || c[1] != vda5050.ConnectionOffline {
			t.Fatalf("connections %v, want ONLINE then OFFLINE", c)
		}
		if w := r.v.Will(); w.ConnectionState != vda5050.ConnectionBroken || w.Validate() != nil {
			t.Fatalf("will %+v", w)
		}
	})
}

func TestFactsheet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, testConfig(t, "w-bay"))
		defer r.shutdown()
		r.instant(act(vda5050.ActionFactsheetRequest, "f1"))
		r.link.mu.Lock()
		defer r.link.mu.Unlock()
		for _, m := range r.link.msgs {
			if f, ok := m.msg.(vda5050.Factsheet); ok {
				if err := f.Validate(); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatal("no factsheet published")
	})
}
