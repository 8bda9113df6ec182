package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim/demand"
)

// fakeFleet records what the player submits; its clock and gate queue are
// set by the test.
type fakeFleet struct {
	now   time.Time
	queue []fleet.GateWait
	got   []fleet.Event
}

func (f *fakeFleet) Submit(_ context.Context, ev fleet.Event) error {
	f.got = append(f.got, ev)
	return nil
}

func (f *fakeFleet) Active() bool { return true }

func (f *fakeFleet) GateQueue(context.Context) ([]fleet.GateWait, time.Time, error) {
	return f.queue, f.now, nil
}

func site(t *testing.T) *geo.Site {
	s, err := geo.Default()
	require.NoError(t, err)
	return s
}

func TestMovesAtTheRateBothWays(t *testing.T) {
	f := &fakeFleet{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	p, err := New(Config{MovesPerHour: 60, Seed: 3}, site(t), f)
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; i < 10*60; i++ { // ten hours a minute at a time
		require.NoError(t, p.Step(ctx))
		f.now = f.now.Add(time.Minute)
	}
	dirs := map[string]int{}
	s := site(t)
	centre := map[string]string{}
	for _, b := range s.Bays {
		centre[b.ID] = b.Centre
	}
	for _, ev := range f.got {
		m := ev.(fleet.MoveRequested)
		_, err := fleet.ParseContainer(m.Container)
		require.NoError(t, err, "a valid ISO 6346 number")
		require.NotEqual(t, centre[m.Origin], centre[m.Destination])
		dirs[centre[m.Origin]]++
	}
	assert.InDelta(t, 600, len(f.got), 90, "about 60 an hour for ten hours")
	assert.Len(t, dirs, 2, "both ways")
	assert.Equal(t, len(f.got), p.Moves())
}

func TestOfficersDecideOnceEachStage(t *testing.T) {
	f := &fakeFleet{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	p, err := New(Config{NoMoves: true, Inspected: 1, NoRefusals: true, DecideAfter: time.Minute, InspectTime: 10 * time.Minute}, site(t), f)
	require.NoError(t, err)
	ctx := context.Background()
	f.queue = []fleet.GateWait{{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Shuttle: "s1"}}
	var decisions []fleet.CustomsDecision
	for i := 0; i < 60; i++ {
		require.NoError(t, p.Step(ctx))
		for _, ev := range f.got {
			decisions = append(decisions, ev.(fleet.CustomsDecision))
		}
		f.got = nil
		f.now = f.now.Add(time.Minute)
	}
	require.Len(t, decisions, 1, "one decision however long it waits")
	assert.Equal(t, fleet.DecisionInspect, decisions[0].Decision)
	assert.Equal(t, "KZ", decisions[0].Country, "the gate's own country decides")

	// at the inspection bay: released after the inspection time
	f.queue = []fleet.GateWait{{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Shuttle: "s1", Inspection: true, AtInspectionBay: true}}
	start := f.now
	for len(f.got) == 0 {
		require.NoError(t, p.Step(ctx))
		f.now = f.now.Add(time.Minute)
	}
	assert.Equal(t, fleet.DecisionRelease, f.got[0].(fleet.CustomsDecision).Decision)
	assert.Equal(t, 10*time.Minute, f.now.Sub(start)-time.Minute)
}

func TestNoOfficersLeavesTheGatesToOthers(t *testing.T) {
	f := &fakeFleet{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	p, err := New(Config{NoMoves: true, NoOfficers: true, DecideAfter: time.Minute}, site(t), f)
	require.NoError(t, err)
	f.queue = []fleet.GateWait{{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Shuttle: "s1"},
		{Checkpoint: "cn-pokitu-in", Country: "CN", Move: "m2", Shuttle: "s2", Held: "seal alert"}}
	for i := 0; i < 60; i++ {
		require.NoError(t, p.Step(context.Background()))
		f.now = f.now.Add(time.Minute)
	}
	assert.Empty(t, f.got, "neither a move nor a decision")
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{{Eastbound: 1.5}, {Inspected: 0.7, Refused: 0.5}, {MovesPerHour: -1}, {MaxMoves: -2}} {
		_, err := New(c, site(t), &fakeFleet{})
		assert.Error(t, err, "%+v", c)
	}
	_, err := New(Config{}, &geo.Site{}, &fakeFleet{})
	assert.ErrorContains(t, err, "two logistics centres")
}

// A Model (a scenario's, as `fleetd demo --scenario` gives it) replaces
// the demo's own rate and shares; its rate 0 plays the officers only.
func TestModelReplacesTheDemosShares(t *testing.T) {
	ctx := context.Background()
	f := &fakeFleet{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	m := demand.Config{MovesPerHour: 120, Eastbound: 1, PreCleared: 1, DecideAfter: time.Minute, InspectTime: 10 * time.Minute}
	p, err := New(Config{MovesPerHour: 5, Eastbound: 0.5, Seed: 3, Model: &m}, site(t), f)
	require.NoError(t, err)
	for i := 0; i < 5*60; i++ {
		require.NoError(t, p.Step(ctx))
		f.now = f.now.Add(time.Minute)
	}
	s := site(t)
	centre := map[string]string{}
	for _, b := range s.Bays {
		centre[b.ID] = b.Centre
	}
	assert.InDelta(t, 600, len(f.got), 90, "the model's 120 an hour, not the demo's 5")
	for _, ev := range f.got {
		mv := ev.(fleet.MoveRequested)
		assert.True(t, mv.PreCleared, "the model's pre-cleared share, 1")
		assert.Equal(t, s.Centres[0].ID, centre[mv.Origin], "all eastbound: the model's share, 1")
	}
	f = &fakeFleet{now: f.now}
	m.MovesPerHour = 0
	p, err = New(Config{Seed: 3, Model: &m}, site(t), f)
	require.NoError(t, err)
	for i := 0; i < 60; i++ {
		require.NoError(t, p.Step(ctx))
		f.now = f.now.Add(time.Minute)
	}
	assert.Empty(t, f.got, "rate 0: officers only")
}
