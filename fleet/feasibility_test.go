package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/routing"
)

// fakeView is a fleetView set by hand, for the checkers and rankers alone.
type fakeView struct {
	at       time.Time
	routes   map[[2]string]routing.Reach
	booked   map[string]bool // bays with another pick booked
	occupied map[string]bool // bays a shuttle stands at or drives to
	dropDue  map[string]bool // bays where a drop comes first
	waits    map[string]time.Duration
	in, max  map[string]int
	energy   moveKWh
	centre   string
}

func (v fakeView) now() time.Time              { return v.at }
func (v fakeView) handling() time.Duration     { return 5 * time.Minute }
func (v fakeView) vehicle() charging.Vehicle   { return charging.DefaultVehicle() }
func (v fakeView) ambientC() float64           { return 0 }
func (v fakeView) centreNear(candidate) string { return v.centre }
func (v fakeView) gateTime(_, _ string) time.Duration {
	return time.Minute
}
func (v fakeView) reach(from, to string) routing.Reach { return v.routes[[2]string{from, to}] }
func (v fakeView) canPick(bay string, _ *Move) bool    { return !v.booked[bay] }
func (v fakeView) bayFree(bay string) bool             { return !v.occupied[bay] }
func (v fakeView) bayFirst(bay string, _ *Move, _ window) bool {
	return !v.dropDue[bay]
}
func (v fakeView) bayWait(bay string, _ *Move, _ window) time.Duration { return v.waits[bay] }
func (v fakeView) inbound(c string) int                                { return v.in[c] }
func (v fakeView) maxInbound(c string) int                             { return v.max[c] }
func (v fakeView) fullReason(c string, n int) string                   { return "full" }
func (v fakeView) moveEnergy(_, _ string) moveKWh                      { return v.energy }

func newFakeView() fakeView {
	return fakeView{at: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC),
		routes: map[[2]string]routing.Reach{
			{"park", "kz-bay-01"}:      {OK: true, Metres: 200, Duration: 40 * time.Second},
			{"kz-bay-01", "cn-bay-01"}: {OK: true, Metres: 3000, Duration: 600 * time.Second},
		},
		booked: map[string]bool{}, occupied: map[string]bool{}, dropDue: map[string]bool{}, waits: map[string]time.Duration{},
		in: map[string]int{"cn-lc": 3}, max: map[string]int{"cn-lc": 20}, energy: moveKWh{delivered: 10, refused: 20}, centre: "kz-lc"}
}

// Each checker says no for its own reason, by kind, and yes otherwise;
// the first that says no is the answer.
func TestFeasibilityCheckers(t *testing.T) {
	m := &Move{ID: "m1", Origin: "kz-bay-01", Destination: "cn-bay-01", originCentre: "kz-lc", destCentre: "cn-lc"}
	cd := candidate{r: &shuttleRec{id: "s1"}, at: "park", soc: 0.8}
	for _, tc := range []struct {
		name string
		set  func(*fakeView, *candidate)
		want RejectKind
	}{
		{"feasible", func(*fakeView, *candidate) {}, ""},
		{"centre full", func(v *fakeView, _ *candidate) { v.in["cn-lc"] = 20 }, RejectCentreFull},
		{"origin booked", func(v *fakeView, _ *candidate) { v.booked["kz-bay-01"] = true }, RejectOriginBooked},
		{"origin occupied", func(v *fakeView, _ *candidate) { v.occupied["kz-bay-01"] = true }, RejectOriginOccupied},
		{"occupied by itself", func(v *fakeView, c *candidate) {
			v.occupied["kz-bay-01"], c.at = true, "kz-bay-01"
			v.routes[[2]string{"kz-bay-01", "kz-bay-01"}] = routing.Reach{OK: true}
		}, ""},
		{"free soon: the bay is its own then", func(v *fakeView, c *candidate) { v.occupied["kz-bay-01"], c.delay = true, time.Minute }, ""},
		{"drop due first", func(v *fakeView, _ *candidate) { v.dropDue["kz-bay-01"] = true }, RejectDropDueFirst},
		{"no route", func(_ *fakeView, c *candidate) { c.at = "nowhere" }, RejectNoRoute},
		{"no station", func(v *fakeView, _ *candidate) { v.energy.why = whyNoStation }, RejectNoStation},
		{"no route between the bays", func(v *fakeView, _ *candidate) { v.energy.why = whyNoRoute }, RejectNoRoute},
		{"battery", func(_ *fakeView, c *candidate) { c.soc = 0.25 }, RejectBattery},
		{"the first no wins", func(v *fakeView, c *candidate) { v.in["cn-lc"], c.soc = 20, 0.25 }, RejectCentreFull},
	} {
		v, c := newFakeView(), cd
		tc.set(&v, &c)
		k, why := feasible(v, feasibilityChecks, c, m)
		assert.Equal(t, tc.want, k, "%s: %s", tc.name, why)
		if tc.want != "" {
			assert.NotEmpty(t, why, tc.name)
		}
	}
	v := newFakeView()
	k, _ := backhaul{pendingIn: map[string]bool{"cn-lc": true}}.check(v, cd, &Move{originCentre: "kz-lc"})
	assert.Equal(t, RejectKind(""), k, "its own centre's move")
	v.centre = "cn-lc"
	k, _ = backhaul{pendingIn: map[string]bool{"cn-lc": true}}.check(v, cd, &Move{originCentre: "kz-lc"})
	assert.Equal(t, RejectEmptyAcross, k, "across the border empty while its own centre waits")
}

// The lookahead's cost is the sum of its rankers: driving, the weighted
// wait for bays, less the priority's worth, and lateness past a deadline.
func TestRankers(t *testing.T) {
	v := newFakeView()
	tu := DefaultTuning()
	m := &Move{Origin: "kz-bay-01", Destination: "cn-bay-01", Priority: 1}
	cost := func(m *Move, t time.Duration) float64 {
		var c float64
		for _, rk := range rankers(tu) {
			c += rk.cost(v, candidate{}, m, t)
		}
		return c
	}
	assert.Equal(t, 40.0-600, cost(m, 40*time.Second), "40 s away, priority 1")
	v.waits["cn-bay-01"] = 10 * time.Second
	assert.Equal(t, 40.0+4*10-600, cost(m, 40*time.Second), "a bay busy for 10 s then")
	m.Deadline = v.at.Add(40*time.Second + 10*time.Minute + 600*time.Second - time.Minute)
	assert.Equal(t, 40.0+4*10-600+10*60, cost(m, 40*time.Second), "a minute late")
}
