package sim

import (
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Recording a run changes nothing it does: the same seed gives the same
// report with and without it, on both vehicle paths, with operators and
// closures drawing their own random numbers.
func TestRecordingChangesNothing(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	for _, vda := range []bool{false, true} {
		c := DefaultConfig(site)
		c.Shuttles, c.Hours, c.Seed, c.VDA5050 = 8, 3, 5, vda
		c.MTBF, c.OperatorEventsPerHour = 5*3600e9, 4
		plain, err := Run(c)
		require.NoError(t, err)
		rep, rec, err := RunWith(c, Options{Record: true})
		require.NoError(t, err)
		require.NotNil(t, rec)
		plain.WallSeconds, rep.WallSeconds = 0, 0
		assert.Equal(t, plain, rep, "vda %v", vda)
		assert.Greater(t, plain.MovesDelivered, 0)
	}
}

// A recording holds a sample each simulated minute that adds up, every
// delivery's lead time, and events in time order.
func TestRecording(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	c := DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed, c.StartSoC = 10, 4, 2, 0.35
	c.MTBF = 10 * 3600e9
	r, rec, err := RunWith(c, Options{Record: true})
	require.NoError(t, err)
	require.Len(t, rec.Samples, 4*60)
	assert.Len(t, rec.Shuttles, 10)
	last := rec.Samples[len(rec.Samples)-1]
	assert.Equal(t, r.MovesDelivered, last.Delivered)
	assert.Equal(t, r.MovesPending, last.Pending)
	for i, s := range rec.Samples {
		n := 0
		for _, a := range s.Activity {
			n += a
		}
		assert.Equal(t, 10, n, "sample %d: every shuttle has one activity", i)
		for j, st := range rec.Stations {
			assert.LessOrEqual(t, s.ChargersInUse[j], st.Chargers)
			assert.LessOrEqual(t, s.GridKW[j], st.GridCapKW+1e-6)
		}
	}
	assert.Len(t, rec.LeadTimesS, r.MovesDelivered)
	assert.NotEmpty(t, rec.GateWaitsS)
	kinds := map[string]int{}
	for i, ev := range rec.Events {
		kinds[ev.Kind]++
		if i > 0 {
			assert.LessOrEqual(t, rec.Events[i-1].T, ev.T, "events in time order")
		}
	}
	for _, k := range []string{EventMove, EventGate, EventCharge} {
		assert.Positive(t, kinds[k], k)
	}
	if r.Breakdowns > 0 {
		assert.Positive(t, kinds[EventFault])
	}
	in := 0
	for _, s := range rec.Samples {
		for _, n := range s.ChargersInUse {
			in += n
		}
	}
	assert.Positive(t, in, "some shuttle charged, starting at 35 %")
}

// A move's history entries are put on the shuttle of their assignment:
// the one its entries name, the entries that name none included.
func TestShuttlesOf(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &fleet.Move{ID: "m1", State: fleet.MoveToPickup, Shuttle: "s3", History: []fleet.MoveTransition{
		{At: at, From: fleet.MovePending, To: fleet.MoveAssigned},
		{At: at, From: fleet.MoveAssigned, To: fleet.MoveToPickup},
		{At: at, From: fleet.MoveToPickup, To: fleet.MoveLoading, Actor: "shuttle s1"},
		{At: at, From: fleet.MoveLoading, To: fleet.MovePending, Actor: "shuttle s1"},
		{At: at, From: fleet.MovePending, To: fleet.MoveAssigned},
		{At: at, From: fleet.MoveAssigned, To: fleet.MoveToPickup},
	}}
	assert.Equal(t, []string{"s1", "s1", "s1", "s1", "s3", "s3"}, shuttlesOf(m))
}
