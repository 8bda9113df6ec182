package fleet

import (
	"fmt"
	"github.com/borderfleet/borderfleet/charging"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staggerHarness asks for a move from each KZ bay (so that the fleet is
// busy, and nobody charges for the opportunity), then joins n shuttles at
// the KZ parking spots with the same low state of charge, close to where
// they must charge.
func staggerHarness(t *testing.T, n int, soc float64) (*harness, map[ShuttleState]int) {
	h := newHarness(t, "greedy", nil)
	for i := range 10 {
		num := fmt.Sprintf("CSQU30543%d", i)
		h.send(request(fmt.Sprintf("m%d", i+1), fmt.Sprintf("%s%d", num, CheckDigit(num)), fmt.Sprintf("kz-bay-%02d", i+1), "cn-bay-01", true))
	}
	for i := range n {
		h.send(ShuttleJoined{Shuttle: fmt.Sprintf("s%02d", i+1), Node: fmt.Sprintf("kz-park-%02d", i+1), SoC: soc})
	}
	for range 3 { // the first sent to charge drives on: the next may follow it
		for i := range n {
			if id := fmt.Sprintf("s%02d", i+1); h.state(id) == ShuttleToCharger {
				h.drive(id)
			}
		}
		h.wait(time.Minute)
	}
	states := map[ShuttleState]int{}
	for i := range n {
		states[h.state(fmt.Sprintf("s%02d", i+1))]++
	}
	return h, states
}

// Ten shuttles that started alike must all charge within ten minutes; the
// default site's stations can charge 8 at full power at once (4 each,
// within their grid caps), and a session takes more than half an hour.
// Two of them charge now, early, while the chargers are free, and the
// other eight take moves; without staggering all ten would take moves and
// two would wait for a charger in half an hour.
func TestChargingIsStaggeredBeforeAWave(t *testing.T) {
	h, states := staggerHarness(t, 10, 0.31)
	assert.Equal(t, 2, states[ShuttleToCharger]+states[ShuttleCharging], "%v", states)
	assert.Equal(t, 8, states[ShuttleToPickup]+states[ShuttleLoading]+states[ShuttleLadenTransit], "%v", states)
	for _, r := range h.c.recs {
		if r.slot != 0 {
			assert.Greater(t, r.soc, 0.30, "charged before it must")
		}
	}
	s := h.c.stagger(h.now)
	assert.Empty(t, s.forward, "the two with slots hold chargers, the eight at work fit the rest")
}

// Eight shuttles alike fit the chargers: none is sent early.
func TestNoStaggerWhenTheChargersSuffice(t *testing.T) {
	_, states := staggerHarness(t, 8, 0.31)
	assert.Zero(t, states[ShuttleToCharger]+states[ShuttleCharging], "%v", states)
}

// mustSoC asks the policy: the default (opportunity) must charge below 30 %
// and charges to the vehicle's MaxSoC.
func TestMustSoCIsThePolicys(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	must, target := h.c.mustSoC()
	require.InDelta(t, 0.30, must, 1e-6)
	assert.Equal(t, h.c.cfg.Vehicle.MaxSoC, target)
}

// A shuttle that stands reports its charge as it drains (BatteryReported):
// the policy sees it and sends a parked shuttle that fell below its
// threshold to charge; a report that makes no sense is refused.
func TestBatteryReportedWhileStanding(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	h.c.cfg.Charging = charging.Threshold{} // below 35 %, busy or not
	h.send(ShuttleJoined{Shuttle: "s1", Node: "kz-park-01", SoC: 0.40})
	h.wait(time.Minute)
	require.Equal(t, ShuttleIdle, h.state("s1"), "40 %: no need")
	h.send(BatteryReported{Shuttle: "s1", SoC: 0.30})
	h.wait(time.Minute)
	assert.Equal(t, 0.30, h.c.shuttles["s1"].soc)
	assert.Equal(t, ShuttleToCharger, h.state("s1"), "30 %, reported standing: it goes to charge")
	assert.ErrorContains(t, h.refuse(BatteryReported{Shuttle: "s1", SoC: math.NaN()}), "state of charge")
	assert.ErrorContains(t, h.refuse(BatteryReported{Shuttle: "s9", SoC: 0.5}), `unknown shuttle "s9"`)
}

// A shuttle the policy sends to charge that gets no slot (the station's
// grid power spoken for by those charging) is not idle: it waits for a
// charger, at its station, until a slot is to be had. Eight shuttles at
// 20 % in the KZ yard, no work: the KZ station charges 4 at full power, so
// the others wait, and the stuck panel shows them so.
func TestNoSlotIsAWaitForACharger(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	const n = 8
	for i := range n {
		h.send(ShuttleJoined{Shuttle: fmt.Sprintf("s%02d", i+1), Node: fmt.Sprintf("kz-park-%02d", i+1), SoC: 0.2})
	}
	waiting := map[string]time.Time{}
	for range 40 {
		for i := range n {
			id := fmt.Sprintf("s%02d", i+1)
			h.drive(id)
			if h.state(id) == ShuttleCharging {
				continue
			}
			if a, since := h.c.ActivitySince(id); a.Kind == ActivityWaitCharger {
				assert.Equal(t, "kz-charging", a.Detail, "%s waits at its centre's station", id)
				assert.Equal(t, ShuttleIdle, h.state(id))
				if first, ok := waiting[id]; ok {
					assert.Equal(t, first, since, "%s: one wait, from when it began", id)
				} else {
					waiting[id] = since
				}
			}
		}
		h.wait(time.Minute)
	}
	assert.NotEmpty(t, waiting, "some shuttle waited for a charger slot")
	charging := 0
	for i := range n {
		if h.state(fmt.Sprintf("s%02d", i+1)) == ShuttleCharging {
			charging++
		}
	}
	assert.Positive(t, charging)
	assert.Less(t, charging, n, "not all at once: the grid cap")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A charger that comes free goes to the shuttle waiting for one with the
// least charge, not to the first to ask (the lowest id).
func TestFreedChargerGoesToTheLowestCharge(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	const n = 8
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("s%02d", i+1)
		h.send(ShuttleJoined{Shuttle: ids[i], Node: fmt.Sprintf("kz-park-%02d", i+1), SoC: 0.2})
	}
	settle := func() {
		for range 10 {
			for _, id := range ids {
				h.drive(id)
			}
			h.wait(time.Minute)
		}
	}
	settle()
	var waiting, charging []string
	for _, id := range ids {
		switch a := h.c.Activity(id); {
		case a.Kind == ActivityWaitCharger:
			waiting = append(waiting, id)
		case h.state(id) == ShuttleCharging:
			charging = append(charging, id)
		}
	}
	require.GreaterOrEqual(t, len(waiting), 2, "two or more wait: %v", waiting)
	require.NotEmpty(t, charging)
	last := waiting[len(waiting)-1]
	h.soc[last] = 0.1
	h.send(BatteryReported{Shuttle: last, SoC: 0.1})
	h.soc[charging[0]] = 0.8
	h.finish(charging[0]) // a charger comes free
	for _, id := range ids {
		h.drive(id)
	}
	assert.Contains(t, []ShuttleState{ShuttleToCharger, ShuttleCharging}, h.state(last), "%s, with the least charge, took it: %s", last, h.c.Explain(last))
	assert.Equal(t, ActivityWaitCharger, h.c.Activity(waiting[0]).Kind, "%s, first by id, waits on: %s (waiting %v, charging %v)", waiting[0], h.c.Explain(waiting[0]), waiting, charging)
}
