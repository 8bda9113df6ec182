package charging

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A fleet that drains alike: 20 shuttles must all charge in 7.5 h, a
// session takes 40 minutes, 8 chargers. As late as possible, 8 start at
// 7.5 h, 8 forty minutes before and the last 4 eighty minutes before.
func TestLatestStartsSpreadsAWave(t *testing.T) {
	must, takes := 450*time.Minute, 40*time.Minute
	dues := make([]Due, 20)
	for i := range dues {
		dues[i] = Due{Shuttle: string(rune('a' + i)), Must: must, Takes: takes}
	}
	count := map[time.Duration]int{}
	for _, s := range LatestStarts(dues, nil, 8) {
		count[s]++
	}
	assert.Equal(t, map[time.Duration]int{must: 8, must - takes: 8, must - 2*takes: 4}, count)
}

// Enough chargers: nobody is sent early.
func TestLatestStartsWithChargersEnough(t *testing.T) {
	dues := []Due{{"a", time.Hour, 30 * time.Minute}, {"b", time.Hour, 30 * time.Minute}, {"c", 2 * time.Hour, time.Hour}}
	assert.Equal(t, []time.Duration{time.Hour, time.Hour, 2 * time.Hour}, LatestStarts(dues, nil, 3))
}

// A booked session holds its charger until it ends: with one charger
// busy for 50 minutes, a shuttle that must charge in an hour for 30
// minutes may wait for it; a second such shuttle must go before the first,
// which is impossible after the booking: it gets the latest start it could
// have had, before the booked one ends.
func TestLatestStartsAfterBookedSessions(t *testing.T) {
	dues := []Due{{"a", time.Hour, 30 * time.Minute}, {"b", time.Hour, 30 * time.Minute}}
	got := LatestStarts(dues, []Busy{{End: 50 * time.Minute}}, 1)
	assert.ElementsMatch(t, []time.Duration{time.Hour, 30 * time.Minute}, got)
	assert.Equal(t, []time.Duration{0}, LatestStarts([]Due{{"a", 0, time.Hour}}, nil, 0), "no chargers: each at its must")
}

// For any sessions and no bookings: none starts after its shuttle must
// charge, and never more sessions at once than chargers.
func TestLatestStartsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		chargers := rapid.IntRange(1, 6).Draw(t, "chargers")
		n := rapid.IntRange(0, 30).Draw(t, "n")
		dues := make([]Due, n)
		for i := range dues {
			dues[i] = Due{Shuttle: string(rune('A' + i)),
				Must:  time.Duration(rapid.IntRange(0, 600).Draw(t, "must")) * time.Minute,
				Takes: time.Duration(rapid.IntRange(1, 90).Draw(t, "takes")) * time.Minute}
		}
		starts := LatestStarts(dues, nil, chargers)
		require.Len(t, starts, n)
		for i, s := range starts {
			if s > dues[i].Must {
				t.Fatalf("session %d starts at %v, after its must %v", i, s, dues[i].Must)
			}
			at := 0 // sessions running at s (its own included)
			for j, o := range starts {
				if o <= s && s < o+dues[j].Takes {
					at++
				}
			}
			if at > chargers {
				t.Fatalf("%d sessions at once at %v on %d chargers: %v", at, s, chargers, starts)
			}
		}
	})
}
