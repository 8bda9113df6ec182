package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// wire follows every VDA 5050 message on the broker: finished picks and
// drops by container (none may finish twice), two vehicles at a node
// that holds one (a conflict), and each vehicle's states and orders, for
// the link-cut and stall checks.
type wire struct {
	mu        sync.Mutex
	g         *routing.Graph
	at        map[string]string // vehicle -> last node
	finished  map[string]bool   // action id -> finished
	picks     map[string]int    // load id -> finished picks
	drops     map[string]int
	actions   map[string]string // action id -> "pick:<load>" or "drop:<load>", from orders
	conflicts []string
	states    map[string][]seenState // vehicle -> its states, in arrival order
	orders    map[string][]seenOrder // vehicle -> orders published to it
}

type seenState struct {
	at time.Time
	s  vda5050.State
}

type seenOrder struct {
	at time.Time
	o  vda5050.Order
}

func newWire(g *routing.Graph) *wire {
	return &wire{g: g, at: map[string]string{}, finished: map[string]bool{}, picks: map[string]int{},
		drops: map[string]int{}, actions: map[string]string{}, states: map[string][]seenState{}, orders: map[string][]seenOrder{}}
}

// add is the spy's MQTT handler.
func (w *wire) add(topic string, payload []byte) {
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
		w.orders[serial] = append(w.orders[serial], seenOrder{now, o})
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
		w.states[serial] = append(w.states[serial], seenState{now, s})
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

// tally is what the wire shows so far.
type tally struct {
	picks, drops            map[string]int
	doublePicks, doubleDrop []string
	conflicts               []string
}

func (w *wire) tally() tally {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := tally{picks: map[string]int{}, drops: map[string]int{}, conflicts: append([]string(nil), w.conflicts...)}
	for l, n := range w.picks {
		out.picks[l] = n
		if n > 1 {
			out.doublePicks = append(out.doublePicks, fmt.Sprintf("%s picked %d times", l, n))
		}
	}
	for l, n := range w.drops {
		out.drops[l] = n
		if n > 1 {
			out.doubleDrop = append(out.doubleDrop, fmt.Sprintf("%s dropped %d times", l, n))
		}
	}
	return out
}

// lastState is a vehicle's last state seen, and whether there was one.
func (w *wire) lastState(serial string) (seenState, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ss := w.states[serial]
	if len(ss) == 0 {
		return seenState{}, false
	}
	return ss[len(ss)-1], true
}

// statesSince are a vehicle's states that arrived after t.
func (w *wire) statesSince(serial string, t time.Time) []seenState {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []seenState
	for _, s := range w.states[serial] {
		if s.at.After(t) {
			out = append(out, s)
		}
	}
	return out
}

// ordersUntil are the orders published to a vehicle up to t.
func (w *wire) ordersUntil(serial string, t time.Time) []seenOrder {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []seenOrder
	for _, o := range w.orders[serial] {
		if !o.at.After(t) {
			out = append(out, o)
		}
	}
	return out
}

// baseEnd is the last released node of what a vehicle was told to drive:
// of its state's remaining nodes, or its last node when none are left.
func baseEnd(s vda5050.State) string {
	end := s.LastNodeID
	for _, n := range s.NodeStates {
		if n.Released {
			end = n.NodeID
		}
	}
	return end
}

// orderBaseEnd is the last released node of an order.
func orderBaseEnd(o vda5050.Order) string {
	end := ""
	for _, n := range o.Nodes {
		if n.Released {
			end = n.NodeID
		}
	}
	return end
}
