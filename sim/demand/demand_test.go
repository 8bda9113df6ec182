package demand

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

func threeCentres() *geo.Site {
	return &geo.Site{Centres: []geo.Centre{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "none"}},
		Bays: []geo.Bay{{ID: "a1", Centre: "a"}, {ID: "b1", Centre: "b"}, {ID: "c1", Centre: "c"}, {ID: "insp"}}}
}

// Moves spread over every pair of centres with bays, both ways at the
// configured share, pre-cleared at theirs.
func TestMoves(t *testing.T) {
	m, err := New(Config{MovesPerHour: 60, Eastbound: 0.75, PreCleared: 0.3}, threeCentres())
	require.NoError(t, err)
	rng := rand.New(rand.NewSource(1))
	pairs, east, pre := map[string]int{}, 0, 0
	var gaps time.Duration
	const n = 6000
	for range n {
		gaps += m.Gap(rng)
		mv := m.Move(rng)
		a, b := mv.Origin[:1], mv.Destination[:1]
		require.NotEqual(t, a, b)
		if a < b {
			east++
			pairs[a+b]++
		} else {
			pairs[b+a]++
		}
		if mv.PreCleared {
			pre++
		}
	}
	assert.Len(t, pairs, 3, "%v", pairs)
	for p, k := range pairs {
		assert.InDelta(t, n/3, k, n/20, p)
	}
	assert.InDelta(t, 0.75, float64(east)/n, 0.03)
	assert.InDelta(t, 0.3, float64(pre)/n, 0.03)
	assert.InDelta(t, time.Minute.Seconds(), (gaps / n).Seconds(), 3)
}

// Officers decide at the configured shares and times.
func TestOfficers(t *testing.T) {
	m, err := New(Config{Inspected: 0.2, Refused: 0.1, InspectRefused: 0.5, DecideAfter: time.Minute, InspectTime: 20 * time.Minute}, threeCentres())
	require.NoError(t, err)
	rng := rand.New(rand.NewSource(2))
	got := map[fleet.Verdict]int{}
	var waited time.Duration
	const n = 10000
	for range n {
		d, after := m.AtStopLine(rng)
		got[d]++
		waited += after
	}
	assert.InDelta(t, 0.2*n, got[fleet.DecisionInspect], 0.02*n)
	assert.InDelta(t, 0.1*n, got[fleet.DecisionRefuse], 0.02*n)
	assert.InDelta(t, 60, (waited / n).Seconds(), 3)
	refused := 0
	for range n {
		d, after := m.AfterInspection(rng)
		assert.Equal(t, 20*time.Minute, after)
		if d == fleet.DecisionRefuse {
			refused++
		}
	}
	assert.InDelta(t, 0.5*n, refused, 0.03*n)
}

func TestContainerAndErrors(t *testing.T) {
	for _, n := range []int{0, 1, 999999, 1000001, -3} {
		_, err := fleet.ParseContainer(string(Container("BFLU", n)))
		assert.NoError(t, err, n)
	}
	assert.Equal(t, Container("BFLU", 1), Container("BFLU", 1000001))
	_, err := New(Config{}, &geo.Site{Centres: []geo.Centre{{ID: "a"}}})
	assert.ErrorIs(t, err, ErrSite)
	for _, c := range []Config{{Eastbound: 1.5}, {Inspected: 0.7, Refused: 0.5}, {MovesPerHour: -1}, {DecideAfter: -1}} {
		_, err := New(c, threeCentres())
		assert.Error(t, err, "%+v", c)
	}
	m, err := New(Config{}, threeCentres())
	require.NoError(t, err)
	assert.Greater(t, m.Gap(nil), 1000*time.Hour, "no demand: no move, no draw")
}
