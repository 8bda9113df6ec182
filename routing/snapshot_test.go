package routing

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// restored is a new Traffic on tr's graph restored from tr's snapshot,
// through its JSON.
func restored(t require.TestingT, tr *Traffic) *Traffic {
	b, err := json.Marshal(tr.Snapshot())
	require.NoError(t, err)
	var snap TrafficSnapshot
	require.NoError(t, json.Unmarshal(b, &snap))
	twin, err := NewTraffic(tr.g, tr.cfg)
	require.NoError(t, err)
	require.NoError(t, twin.Restore(snap))
	b2, err := json.Marshal(twin.Snapshot())
	require.NoError(t, err)
	require.True(t, bytes.Equal(b, b2), "the restored traffic's snapshot differs from the original's")
	return twin
}

// Random fleets on the default site (with customs holds and diversions),
// driven as the property tests drive them, once straight through and once
// with the traffic controller swapped at a random tick for one restored
// from its snapshot: both runs go through the same states, tick by tick.
func TestTrafficSnapshotRestores(t *testing.T) {
	fewerChecksWhenShort(t)
	site := defaultSite(t)
	places := restingPlaces(site)
	rapid.Check(t, func(rt *rapid.T) {
		g, err := NewGraph(site, GraphConfig{})
		require.NoError(rt, err)
		n := rapid.IntRange(2, min(16, len(places))).Draw(rt, "shuttles")
		seed := rapid.Int64().Draw(rt, "seed")
		customs := rapid.Bool().Draw(rt, "customs")
		divert := rapid.Float64Range(0, 0.2).Draw(rt, "divert probability")
		run := func(cut int) [][32]byte {
			tr, err := NewTraffic(g, TrafficConfig{})
			require.NoError(rt, err)
			rng := rand.New(rand.NewSource(seed))
			starts := append([]string(nil), places...)
			rng.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
			f := newFleetSim(rt, tr, rng, starts[:n], places, 2, 0.01)
			if customs {
				for _, c := range site.Checkpoints {
					f.holds = append(f.holds, c.ID)
				}
				f.divert = divert
			}
			var states [][32]byte
			for f.tick = 0; f.tick < 3000 && !f.finished(); f.tick++ {
				if f.tick == cut {
					f.tr = restored(rt, f.tr)
				}
				f.step()
				f.check()
				b, err := json.Marshal(f.tr.Snapshot())
				require.NoError(rt, err)
				states = append(states, sha256.Sum256(b))
			}
			return states
		}
		want := run(-1)
		cut := rapid.IntRange(0, len(want)-1).Draw(rt, "cut")
		got := run(cut)
		require.Equal(rt, len(want), len(got), "ticks")
		for i := range want {
			require.Equal(rt, want[i], got[i], "state after tick %d, restored at tick %d", i, cut)
		}
	})
}
