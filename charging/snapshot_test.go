package charging

import (
	"encoding/json"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// roundTrip restores a new scheduler over stations from s's snapshot,
// through its JSON.
func roundTrip(t require.TestingT, stations []Station, s *Scheduler) *Scheduler {
	b, err := json.Marshal(s.Snapshot())
	require.NoError(t, err)
	var snap SchedulerSnapshot
	require.NoError(t, json.Unmarshal(b, &snap))
	twin, err := NewScheduler(stations, SchedulerConfig{})
	require.NoError(t, err)
	require.NoError(t, twin.Restore(snap))
	return twin
}

func snapJSON(t require.TestingT, s *Scheduler) string {
	b, err := json.Marshal(s.Snapshot())
	require.NoError(t, err)
	return string(b)
}

// A scheduler restored from a snapshot taken after random operations
// answers the operations after it exactly as the original does, and ends
// in the same state.
func TestSchedulerSnapshotRestores(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); testing.Short() && f != nil && f.Value.String() == f.DefValue {
		require.NoError(t, flag.Set("rapid.checks", "30"))
		t.Cleanup(func() { _ = flag.Set("rapid.checks", f.DefValue) })
	}
	rapid.Check(t, func(rt *rapid.T) {
		var stations []Station
		for i := range rapid.IntRange(1, 3).Draw(rt, "stations") {
			k := rapid.IntRange(1, 4).Draw(rt, "chargers")
			stations = append(stations, Station{ID: string(rune('a' + i)), Chargers: k, ChargerKW: 350,
				GridCapKW: rapid.Float64Range(200, float64(k)*350).Draw(rt, "grid cap")})
		}
		s, err := NewScheduler(stations, SchedulerConfig{})
		require.NoError(rt, err)
		var twin *Scheduler
		now := t0
		ops := rapid.IntRange(1, 60).Draw(rt, "ops")
		cut := rapid.IntRange(0, ops).Draw(rt, "cut")
		for i := range ops {
			if i == cut {
				twin = roundTrip(rt, stations, s)
				require.Equal(rt, snapJSON(rt, s), snapJSON(rt, twin), "restored")
			}
			var op func(*Scheduler) string
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0, 1, 2:
				from := rapid.Float64Range(0, 0.9).Draw(rt, "from")
				r := Request{Shuttle: "s", Station: rapid.SampledFrom(stations).Draw(rt, "station").ID, Vehicle: DefaultVehicle(),
					FromSoC: from, ToSoC: rapid.Float64Range(from+0.01, 1).Draw(rt, "to"),
					Earliest: now.Add(time.Duration(rapid.IntRange(0, 300).Draw(rt, "after")) * time.Minute),
					Urgent:   rapid.IntRange(0, 3).Draw(rt, "urgent") == 0}
				op = func(s *Scheduler) string {
					sl, ch, err := s.Reserve(r)
					return fmt.Sprintf("%+v %+v %v", sl, ch, err)
				}
			case 3:
				id := rapid.IntRange(1, 40).Draw(rt, "slot")
				op = func(s *Scheduler) string { return fmt.Sprint(s.Cancel(id), s.CheckIn(id+1, now)) }
			case 4:
				id, frac := rapid.IntRange(1, 40).Draw(rt, "slot"), rapid.Float64Range(0, 1).Draw(rt, "when")
				op = func(s *Scheduler) string {
					sl, ok := s.Slot(id)
					if !ok {
						return "none"
					}
					return fmt.Sprint(s.Finish(id, sl.Start.Add(time.Duration(frac*float64(sl.End.Sub(sl.Start))))))
				}
			default:
				now = now.Add(time.Duration(rapid.IntRange(1, 90).Draw(rt, "advance")) * time.Minute)
				at := now
				op = func(s *Scheduler) string { return fmt.Sprintf("%+v %+v", s.Expire(at), s.Done(at)) }
			}
			got := op(s)
			if twin != nil {
				require.Equal(rt, got, op(twin), "op %d after a snapshot before op %d", i, cut)
			}
		}
		if twin == nil {
			twin = roundTrip(rt, stations, s)
		}
		require.Equal(rt, snapJSON(rt, s), snapJSON(rt, twin), "at the end")
	})
}
