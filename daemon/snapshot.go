package daemon

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Snapshot is what the fleet is doing at one moment, for status lines
// and displays.
type Snapshot struct {
	At       time.Time
	Moves    map[fleet.MoveState]int
	Shuttles map[fleet.ShuttleState]int
	Vehicles []vehicles.Vehicle
	Gates    []fleet.GateWait
	Counters Counters
}

// Snapshot takes a snapshot on the daemon's goroutine.
func (d *Daemon) Snapshot(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	err := d.Do(ctx, func(now time.Time, ctl *fleet.Controller, m *vehicles.Master) {
		s = Snapshot{At: now, Moves: map[fleet.MoveState]int{}, Shuttles: map[fleet.ShuttleState]int{},
			Vehicles: m.Vehicles(), Gates: ctl.GateQueue()}
		for st, n := range ctl.MoveCounts() { // those archived included
			s.Moves[st] = n
		}
		for _, v := range s.Vehicles {
			if st, _, ok := ctl.ShuttleState(v.ID); ok {
				s.Shuttles[st]++
			}
		}
	})
	s.Counters = d.Counters()
	return s, err
}

// Line is the snapshot as one line for people: moves delivered and under
// way, shuttles by state, messages.
func (s Snapshot) Line() string {
	var b strings.Builder
	total := 0
	for _, n := range s.Moves {
		total += n
	}
	fmt.Fprintf(&b, "%s  moves: %d delivered of %d", s.At.Format("15:04:05"), s.Moves[fleet.MoveDelivered], total)
	if r := s.Moves[fleet.MoveReturned]; r > 0 {
		fmt.Fprintf(&b, ", %d refused and returned", r)
	}
	under := 0
	for st, n := range s.Moves {
		switch st {
		case fleet.MovePending, fleet.MoveDelivered, fleet.MoveReturned, fleet.MoveCancelled, fleet.MoveFailed:
		default:
			under += n
		}
	}
	fmt.Fprintf(&b, ", %d under way, %d pending", under, s.Moves[fleet.MovePending])
	if n := s.Moves[fleet.MoveToDropoff] + s.Moves[fleet.MoveUnloading]; n > 0 {
		fmt.Fprintf(&b, ", %d across the border", n)
	}
	if len(s.Gates) > 0 {
		fmt.Fprintf(&b, ", %d at customs", len(s.Gates))
	}
	b.WriteString(" | shuttles: ")
	b.WriteString(countLine(s.Shuttles))
	if out := len(s.Vehicles) - sum(s.Shuttles); out > 0 {
		fmt.Fprintf(&b, ", %d not joined", out)
	}
	return b.String()
}

func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// countLine lists counts by key, largest first: "4 idle, 2 charging".
func countLine[K ~string](m map[K]int) string {
	keys := make([]K, 0, len(m))
	for k, n := range m {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// GateQueue lists the containers waiting for customs, and the time.
func (d *Daemon) GateQueue(ctx context.Context) ([]fleet.GateWait, time.Time, error) {
	var q []fleet.GateWait
	var at time.Time
	err := d.Do(ctx, func(now time.Time, ctl *fleet.Controller, _ *vehicles.Master) { q, at = ctl.GateQueue(), now })
	return q, at, err
}
