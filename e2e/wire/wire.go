// Package wire follows every VDA 5050 message on a broker, as a spy
// subscribed to an interface's topics sees them: finished picks and drops
// by container (none may finish twice), two vehicles at a node that holds
// one (a conflict), and each vehicle's states and orders. The end-to-end
// tests and the chaos command check their runs with it.
package wire

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Watch follows every VDA 5050 message on the broker: finished picks and
// drops by container (none may finish twice), two vehicles at a node
// that holds one (a conflict), and each vehicle's states and orders, for
// the link-cut and stall checks.
type Watch struct {
	mu        sync.Mutex
	g         *routing.Graph
	at        map[string]string // vehicle -> last node
	finished  map[string]bool   // action id -> finished
	picks     map[string]int    // load id -> finished picks
	drops     map[string]int
	actions   map[string]string // action id -> "pick:<load>" or "drop:<load>", from orders
	conflicts []string
	states    map[string][]Seen[vda5050.State] // vehicle -> its states, in arrival order
	orders    map[string][]Seen[vda5050.Order] // vehicle -> orders published to it
}

// Seen is a message and when it arrived.
type Seen[T any] struct {
	At  time.Time
	Msg T
}

// New watches vehicles on the lanes of g.
func New(g *routing.Graph) *Watch {
	return &Watch{g: g, at: map[string]string{}, finished: map[string]bool{}, picks: map[string]int{},
		drops: map[string]int{}, actions: map[string]string{}, states: map[string][]Seen[vda5050.State]{}, orders: map[string][]Seen[vda5050.Order]{}}
}

// Add is the spy's MQTT handler: a message on topic.
func (w *Watch) Add(topic string, payload []byte) {
	_, _, serial, t, err := vda5050.ParseTopic(topic)
	if err != nil {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	switch t {
	case vda5050.TopicOrder:
		o, err := vda5050.DecodeOrder(payload)
		if err != nil {
			return
		}
		w.orders[serial] = append(w.orders[serial], Seen[vda5050.Order]{now, o})
		for _, n := range o.Nodes {
			for _, a := range n.Actions {
				for _, p := range a.ActionParameters {
					if p.Key == "loadId" {
						w.actions[a.ActionID] = a.ActionType + ":" + fmt.Sprint(p.Value)
					}
				}
			}
		}
	case vda5050.TopicState:
		s, err := vda5050.DecodeState(payload)
		if err != nil {
			return
		}
		w.states[serial] = append(w.states[serial], Seen[vda5050.State]{now, s})
		if s.LastNodeID != "" && w.at[serial] != s.LastNodeID {
			w.at[serial] = s.LastNodeID
			if i, ok := w.g.Node(s.LastNodeID); ok && w.g.Nodes[i].Capacity <= 1 {
				for other, node := range w.at {
					if other != serial && node == s.LastNodeID {
						w.conflicts = append(w.conflicts, fmt.Sprintf("%s and %s both at %s", serial, other, node))
					}
				}
			}
		}
		for _, a := range s.ActionStates {
			if a.ActionStatus != vda5050.StatusFinished || w.finished[a.ActionID] {
				continue
			}
			w.finished[a.ActionID] = true
			kind, load, ok := strings.Cut(w.actions[a.ActionID], ":")
			if !ok {
				continue
			}
			switch kind {
			case vda5050.ActionPick:
				w.picks[load]++
			case vda5050.ActionDrop:
				w.drops[load]++
			}
		}
	}
}

// Tally is what the wire shows so far: finished picks and drops by
// load, those that finished more than once, and the conflicts.
type Tally struct {
	Picks, Drops             map[string]int
	DoublePicks, DoubleDrops []string
	Conflicts                []string
}

// Tally is what the wire shows so far.
func (w *Watch) Tally() Tally {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := Tally{Picks: map[string]int{}, Drops: map[string]int{}, Conflicts: append([]string(nil), w.conflicts...)}
	for l, n := range w.picks {
		out.Picks[l] = n
		if n > 1 {
			out.DoublePicks = append(out.DoublePicks, fmt.Sprintf("%s picked %d times", l, n))
		}
	}
	for l, n := range w.drops {
		out.Drops[l] = n
		if n > 1 {
			out.DoubleDrops = append(out.DoubleDrops, fmt.Sprintf("%s dropped %d times", l, n))
		}
	}
	return out
}

// LastState is a vehicle's last state seen, and whether there was one.
func (w *Watch) LastState(serial string) (Seen[vda5050.State], bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ss := w.states[serial]
	if len(ss) == 0 {
		return Seen[vda5050.State]{}, false
	}
	return ss[len(ss)-1], true
}

// StatesSince are a vehicle's states that arrived after t.
func (w *Watch) StatesSince(serial string, t time.Time) []Seen[vda5050.State] {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Seen[vda5050.State]
	for _, s := range w.states[serial] {
		if s.At.After(t) {
			out = append(out, s)
		}
	}
	return out
}

// OrdersUntil are the orders published to a vehicle up to t.
func (w *Watch) OrdersUntil(serial string, t time.Time) []Seen[vda5050.Order] {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Seen[vda5050.Order]
	for _, o := range w.orders[serial] {
		if !o.At.After(t) {
			out = append(out, o)
		}
	}
	return out
}

// BaseEnd is the last released node of what a vehicle was told to drive:
// of its state's remaining nodes, or its last node when none are left.
func BaseEnd(s vda5050.State) string {
	end := s.LastNodeID
	for _, n := range s.NodeStates {
		if n.Released {
			end = n.NodeID
		}
	}
	return end
}

// OrderBaseEnd is the last released node of an order.
func OrderBaseEnd(o vda5050.Order) string {
	end := ""
	for _, n := range o.Nodes {
		if n.Released {
			end = n.NodeID
		}
	}
	return end
}

// Counts are the states and orders seen so far, and each vehicle's
// lowest battery charge in its states (percent, as VDA 5050 states it).
type Counts struct {
	States, Orders int
	MinBattery     map[string]float64
}

// Counts is what the wire carried so far.
func (w *Watch) Counts() Counts {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := Counts{MinBattery: map[string]float64{}}
	for v, ss := range w.states {
		out.States += len(ss)
		for i, s := range ss {
			if b := s.Msg.BatteryState.BatteryCharge; i == 0 || b < out.MinBattery[v] {
				out.MinBattery[v] = b
			}
		}
	}
	for _, os := range w.orders {
		out.Orders += len(os)
	}
	return out
}
