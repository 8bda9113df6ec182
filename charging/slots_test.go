package charging

import (
	"errors"
	"flag"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var t0 = time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)

func req(shuttle, station string, from, to float64, earliest time.Time) Request {
	return Request{Shuttle: shuttle, Station: station, Vehicle: DefaultVehicle(), FromSoC: from, ToSoC: to, Earliest: earliest}
}

func newScheduler(t *testing.T, st ...Station) *Scheduler {
	t.Helper()
	s, err := NewScheduler(st, SchedulerConfig{})
	require.NoError(t, err)
	return s
}

func TestReserveFirstFree(t *testing.T) {
	s := newScheduler(t, Station{ID: "kz", Chargers: 2, ChargerKW: 350, GridCapKW: 1000})
	a, _, err := s.Reserve(req("a", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	assert.Equal(t, t0, a.Start)
	assert.Equal(t, 39*time.Minute, a.End.Sub(a.Start))
	assert.Equal(t, 350.0, a.PowerKW)
	b, _, err := s.Reserve(req("b", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	assert.Equal(t, t0, b.Start, "the second charger")
	assert.NotEqual(t, a.Charger, b.Charger)
	c, _, err := s.Reserve(req("c", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	assert.Equal(t, a.End, c.Start, "waits for the first charger to free up")
	assert.InDelta(t, 2*350/0.95, s.DrawKW("kz", t0.Add(10*time.Minute)), 1e-9)
}

func TestGridCapSharesPower(t *testing.T) {
	// two chargers, but the grid carries only one and a half at full power
	s := newScheduler(t, Station{ID: "kz", Chargers: 2, ChargerKW: 350, GridCapKW: 1.5 * 350 / 0.95})
	a, _, err := s.Reserve(req("a", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	b, _, err := s.Reserve(req("b", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	assert.Equal(t, t0, b.Start, "starts at once with what power is left")
	assert.Equal(t, 175.0, b.PowerKW, "half power finishes sooner than waiting for full power")
	assert.True(t, b.End.After(a.End))
	for m := 0; m < 120; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		assert.LessOrEqual(t, s.DrawKW("kz", at), 1.5*350/0.95+1e-9, "at %v", at)
	}
}

func TestTaperFreesPower(t *testing.T) {
	// a session tapering from 80 to 100 % leaves power for another
	s := newScheduler(t, Station{ID: "cn", Chargers: 2, ChargerKW: 350, GridCapKW: 400})
	a, _, err := s.Reserve(req("a", "cn", 0.8, 1, t0))
	require.NoError(t, err)
	b, _, err := s.Reserve(req("b", "cn", 0.2, 0.5, t0))
	require.NoError(t, err)
	assert.True(t, b.Start.Before(a.End), "b starts while a is still in its taper")
	assert.True(t, b.Start.After(a.Start), "but not while a draws full power")
}

func TestNoShowAndFinish(t *testing.T) {
	s := newScheduler(t, Station{ID: "kz", Chargers: 1, ChargerKW: 350, GridCapKW: 350 / 0.95})
	a, _, err := s.Reserve(req("a", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	b, _, err := s.Reserve(req("b", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	assert.Equal(t, a.End, b.Start)
	assert.Empty(t, s.Expire(t0.Add(4*time.Minute)), "still within the no-show timeout")
	gone := s.Expire(t0.Add(6 * time.Minute))
	require.Len(t, gone, 1)
	assert.Equal(t, "a", gone[0].Request.Shuttle)
	c, _, err := s.Reserve(req("c", "kz", 0.5, 0.6, t0.Add(6*time.Minute)))
	require.NoError(t, err)
	assert.Equal(t, t0.Add(6*time.Minute), c.Start, "a's window is free again")

	require.NoError(t, s.CheckIn(b.ID, b.Start))
	gone = s.Expire(b.Start.Add(time.Hour))
	require.Len(t, gone, 1, "c did not come; b checked in")
	assert.Equal(t, "c", gone[0].Request.Shuttle)
	require.NoError(t, s.Finish(b.ID, b.Start.Add(10*time.Minute)))
	_, ok := s.Slot(b.ID)
	assert.False(t, ok)
	assert.ErrorIs(t, s.Finish(b.ID, b.Start), ErrUnknownSlot)
	assert.ErrorIs(t, s.CheckIn(999, t0), ErrUnknownSlot)
}

func TestUrgentGoesFirst(t *testing.T) {
	s := newScheduler(t, Station{ID: "kz", Chargers: 1, ChargerKW: 350, GridCapKW: 350 / 0.95})
	a, _, err := s.Reserve(req("a", "kz", 0.5, 0.8, t0))
	require.NoError(t, err)
	require.NoError(t, s.CheckIn(a.ID, t0))
	b, _, err := s.Reserve(req("b", "kz", 0.5, 0.8, t0))
	require.NoError(t, err)
	u := req("u", "kz", 0.21, 0.5, t0)
	u.Urgent = true
	us, ch, err := s.Reserve(u)
	require.NoError(t, err)
	assert.Equal(t, a.End, us.Start, "after the session already plugged in, before b")
	require.Len(t, ch.Moved, 1)
	assert.Equal(t, b.ID, ch.Moved[0].ID)
	assert.Equal(t, us.End, ch.Moved[0].Start)
	assert.Empty(t, ch.Dropped)

	// b can no longer meet a deadline once another urgent request comes
	s2 := newScheduler(t, Station{ID: "kz", Chargers: 1, ChargerKW: 350, GridCapKW: 350 / 0.95})
	late := req("late", "kz", 0.5, 0.8, t0)
	late.Latest = t0.Add(30 * time.Minute)
	l, _, err := s2.Reserve(late)
	require.NoError(t, err)
	u2 := req("u2", "kz", 0.2, 0.4, t0)
	u2.Urgent = true
	_, ch, err = s2.Reserve(u2)
	require.NoError(t, err)
	require.Len(t, ch.Dropped, 1)
	assert.Equal(t, l.ID, ch.Dropped[0].ID)
	_, ok := s2.Slot(l.ID)
	assert.False(t, ok)
}

func TestReserveErrors(t *testing.T) {
	s := newScheduler(t, Station{ID: "kz", Chargers: 1, ChargerKW: 350, GridCapKW: 400})
	tests := []struct {
		name string
		r    Request
		want string
	}{
		{"unknown station", req("a", "moon", 0.2, 0.8, t0), `no station "moon"`},
		{"upside down", req("a", "kz", 0.8, 0.2, t0), "from 0.8 to 0.2"},
		{"no earliest", req("a", "kz", 0.2, 0.8, time.Time{}), "has no earliest start"},
	}
	for _, tc := range tests {
		_, _, err := s.Reserve(tc.r)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
	r := req("a", "kz", 0.2, 0.8, t0)
	r.Latest = t0.Add(20 * time.Minute)
	_, _, err := s.Reserve(r)
	assert.ErrorIs(t, err, ErrNoSlot)
	assert.ErrorContains(t, err, `charging: no slot at "kz" for "a"`)

	_, err = NewScheduler([]Station{{ID: "x", Chargers: 0, ChargerKW: 1, GridCapKW: 1}}, SchedulerConfig{})
	assert.ErrorContains(t, err, "needs at least one")
	_, err = NewScheduler([]Station{{ID: "x", Chargers: 1, ChargerKW: 1, GridCapKW: 1}, {ID: "x", Chargers: 1, ChargerKW: 1, GridCapKW: 1}}, SchedulerConfig{})
	assert.ErrorContains(t, err, "listed twice")
}

// checkInvariants verifies what the scheduler promises about its bookings.
func checkInvariants(t interface{ Fatalf(string, ...any) }, s *Scheduler) {
	for id, st := range s.stations {
		for c, list := range st.chargers {
			for i := 1; i < len(list); i++ {
				if list[i].Start.Before(list[i-1].End) {
					t.Fatalf("station %s charger %d double-booked: %v-%v and %v-%v", id, c,
						list[i-1].Start, list[i-1].End, list[i].Start, list[i].End)
				}
			}
		}
		var times []time.Time
		for _, sl := range st.all {
			at := sl.Start
			times = append(times, at)
			for _, seg := range sl.Profile {
				at = at.Add(seg.Duration)
				times = append(times, at)
			}
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		for _, at := range times {
			sum := 0.0
			for _, sl := range st.all {
				sum += sl.powerAt(at)
			}
			if sum > st.GridCapKW+1e-6 {
				t.Fatalf("station %s draws %.1f kW at %v, over its %.1f kW cap", id, sum, at, st.GridCapKW)
			}
		}
		for _, sl := range st.all {
			r := sl.Request
			switch {
			case sl.Start.Before(r.Earliest):
				t.Fatalf("slot %d starts %v before its earliest %v", sl.ID, sl.Start, r.Earliest)
			case !r.Latest.IsZero() && sl.End.After(r.Latest):
				t.Fatalf("slot %d ends %v after its latest %v", sl.ID, sl.End, r.Latest)
			case sl.End.Sub(sl.Start) != ProfileDuration(sl.Profile):
				t.Fatalf("slot %d window %v does not match its profile %v", sl.ID, sl.End.Sub(sl.Start), ProfileDuration(sl.Profile))
			}
			if got := r.Vehicle.SoCAfter(r.FromSoC, sl.End.Sub(sl.Start), sl.PowerKW); got < r.ToSoC-1e-6 {
				t.Fatalf("slot %d reaches %.4f, not %.4f", sl.ID, got, r.ToSoC)
			}
			if s.slots[sl.ID] != sl {
				t.Fatalf("slot %d booked but not indexed", sl.ID)
			}
		}
	}
}

// Random stations and random sequences of reservations, cancellations,
// check-ins, finishes and no-show expiries: no charger double-booked, no
// cap exceeded, every booked window serves its request, and no accepted
// slot is lost without being reported.
func TestSchedulerProperties(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); testing.Short() && f != nil && f.Value.String() == f.DefValue {
		require.NoError(t, flag.Set("rapid.checks", "30"))
		t.Cleanup(func() { _ = flag.Set("rapid.checks", f.DefValue) })
	}
	rapid.Check(t, func(rt *rapid.T) {
		var stations []Station
		for i := range rapid.IntRange(1, 3).Draw(rt, "stations") {
			k := rapid.IntRange(1, 6).Draw(rt, "chargers")
			kw := rapid.SampledFrom([]float64{150, 350}).Draw(rt, "charger kW")
			cap := rapid.Float64Range(0.3*kw, float64(k)*kw/0.95).Draw(rt, "grid cap")
			stations = append(stations, Station{ID: string(rune('a' + i)), Chargers: k, ChargerKW: kw, GridCapKW: cap})
		}
		s, err := NewScheduler(stations, SchedulerConfig{})
		if err != nil {
			rt.Fatalf("%v", err)
		}
		live := map[int]bool{}
		now := t0
		for range rapid.IntRange(1, 60).Draw(rt, "ops") {
			switch rapid.IntRange(0, 9).Draw(rt, "op") {
			case 0, 1, 2, 3, 4, 5:
				from := rapid.Float64Range(0, 0.9).Draw(rt, "from")
				r := Request{Shuttle: "s", Station: rapid.SampledFrom(stations).Draw(rt, "station").ID, Vehicle: DefaultVehicle(),
					FromSoC: from, ToSoC: rapid.Float64Range(from+0.01, 1).Draw(rt, "to"),
					Earliest: now.Add(time.Duration(rapid.IntRange(0, 600).Draw(rt, "after")) * time.Minute),
					Urgent:   rapid.IntRange(0, 4).Draw(rt, "urgent") == 0}
				if rapid.Bool().Draw(rt, "deadline") {
					r.Latest = r.Earliest.Add(time.Duration(rapid.IntRange(30, 600).Draw(rt, "window")) * time.Minute)
				}
				sl, ch, err := s.Reserve(r)
				for _, d := range ch.Dropped {
					delete(live, d.ID)
				}
				if err != nil {
					if !errors.Is(err, ErrNoSlot) {
						rt.Fatalf("reserve: %v", err)
					}
					break
				}
				live[sl.ID] = true
			case 6:
				if id, ok := pick(rt, live); ok {
					if err := s.Cancel(id); err != nil {
						rt.Fatalf("cancel: %v", err)
					}
					delete(live, id)
				}
			case 7:
				if id, ok := pick(rt, live); ok {
					sl, _ := s.Slot(id)
					if !now.After(sl.End) {
						if err := s.CheckIn(id, now); err != nil {
							rt.Fatalf("check in: %v", err)
						}
					}
				}
			case 8:
				if id, ok := pick(rt, live); ok {
					sl, _ := s.Slot(id)
					at := sl.Start.Add(time.Duration(rapid.Float64Range(0, 1).Draw(rt, "when") * float64(sl.End.Sub(sl.Start))))
					if err := s.Finish(id, at); err != nil {
						rt.Fatalf("finish: %v", err)
					}
					delete(live, id)
				}
			case 9:
				now = now.Add(time.Duration(rapid.IntRange(1, 120).Draw(rt, "advance")) * time.Minute)
				for _, sl := range s.Expire(now) {
					delete(live, sl.ID)
				}
			}
			checkInvariants(rt, s)
			if len(live) != len(s.slots) {
				rt.Fatalf("%d slots accepted and not released, %d booked", len(live), len(s.slots))
			}
			for id := range live {
				if _, ok := s.slots[id]; !ok {
					rt.Fatalf("accepted slot %d vanished", id)
				}
			}
		}
	})
}

func pick(rt *rapid.T, live map[int]bool) (int, bool) {
	if len(live) == 0 {
		return 0, false
	}
	ids := make([]int, 0, len(live))
	for id := range live {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return rapid.SampledFrom(ids).Draw(rt, "slot"), true
}

// Placing one request among 100 chargers (10 stations of 10) holding
// 10,000 reservations. Goal: under 100 µs.
func BenchmarkReserve10k(b *testing.B) {
	var stations []Station
	for i := 0; i < 10; i++ {
		stations = append(stations, Station{ID: string(rune('a' + i)), Chargers: 10, ChargerKW: 350, GridCapKW: 2000})
	}
	s, err := NewScheduler(stations, SchedulerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	// 1,000 sessions of 20 to 60 % (27 minutes at full power) per station,
	// one asked for every 8 minutes, over five and a half days: the grid
	// cap (5 sessions at full power) keeps each station about 70 % busy
	for i := 0; i < 10000; i++ {
		st := stations[i%10].ID
		r := req("s", st, 0.2, 0.6, t0.Add(time.Duration(i/10)*8*time.Minute))
		if _, _, err := s.Reserve(r); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(s.slots); n != 10000 {
		b.Fatalf("%d slots", n)
	}
	mid := t0.Add(60 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sl, _, err := s.Reserve(req("probe", "e", 0.3, 0.7, mid))
		if err != nil {
			b.Fatal(err)
		}
		s.Cancel(sl.ID)
	}
}

// InUse counts the slots whose window holds an instant, start included and
// end not, as a listing of the slots would.
func TestInUseCountsTheSlotsUnderWay(t *testing.T) {
	s := newScheduler(t, Station{ID: "kz", Chargers: 3, ChargerKW: 350, GridCapKW: 2000})
	a, _, err := s.Reserve(req("a", "kz", 0.2, 0.8, t0))
	require.NoError(t, err)
	b, _, err := s.Reserve(req("b", "kz", 0.5, 0.8, t0.Add(10*time.Minute)))
	require.NoError(t, err)
	count := func(at time.Time) int {
		n := 0
		for _, sl := range s.Slots("kz") {
			if !sl.Start.After(at) && sl.End.After(at) {
				n++
			}
		}
		return n
	}
	for _, at := range []time.Time{t0.Add(-time.Second), a.Start, b.Start, b.End.Add(-time.Nanosecond), b.End, a.End.Add(-time.Nanosecond), a.End, a.End.Add(time.Hour)} {
		assert.Equal(t, count(at), s.InUse("kz", at), "at %s", at.Sub(t0))
	}
	assert.Equal(t, 2, s.InUse("kz", b.Start))
	assert.Equal(t, 0, s.InUse("kz", a.End))
	assert.Equal(t, 0, s.InUse("nowhere", a.Start), "an unknown station has none")
}
