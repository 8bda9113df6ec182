package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// syncBuffer is a log that tests read while a daemon writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// journaledCore is core on a journal, with a log: recovery (catchUp) runs
// on it as it runs in fleetd.
func journaledCore(t testing.TB, j Journal, log *syncBuffer) *Daemon {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	cfg := Config{Graph: g, Journal: j, Fleet: fleet.Config{Charging: charging.Opportunity{}},
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Minute}}
	if log != nil {
		cfg.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	d, err := New(cfg)
	require.NoError(t, err)
	return d
}

// goldenStore is a bolt store holding the first n records of the v2
// golden journal (all of them for n < 0), and the lease's token.
func goldenStore(t testing.TB, n int) (*boltstore.Store, uint64) {
	t.Helper()
	byFile, err := goldenRecords()
	require.NoError(t, err)
	recs := byFile["v2-demo-2026-12-06.jsonl.gz"]
	require.NotEmpty(t, recs)
	if n >= 0 {
		recs = recs[:n]
	}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	tok, err := st.Acquire(ctx, "test", time.Hour)
	require.NoError(t, err)
	var raw [][]byte
	for _, r := range recs {
		b, err := encodeRecord(r)
		require.NoError(t, err)
		raw = append(raw, b)
	}
	_, err = st.Append(ctx, tok, raw...)
	require.NoError(t, err)
	return st, tok
}

// snapshotAfter is the snapshot, as stored, of the core that replayed the
// first n golden records.
func snapshotAfter(t testing.TB, n int) []byte {
	t.Helper()
	st, _ := goldenStore(t, n)
	d := journaledCore(t, st, nil)
	require.NoError(t, d.catchUp(context.Background()))
	require.Equal(t, uint64(n), d.applied)
	core, err := d.encodeCore()
	require.NoError(t, err)
	b, err := encodeSnapshot(uint64(n), time.Now(), core)
	require.NoError(t, err)
	return b
}

// Recovery restores the newest valid snapshot and replays only the
// records after it, to the state a replay of the whole journal builds; a
// snapshot that is corrupted, truncated or of an unknown version is passed
// over for the one before, the reason logged with the snapshot's index;
// with none valid the journal is replayed from its start, unless it was
// compacted.
func TestRecoveryFromSnapshots(t *testing.T) {
	ctx := context.Background()
	st, tok := goldenStore(t, -1)
	full := journaledCore(t, st, nil)
	require.NoError(t, full.catchUp(ctx))
	total := full.applied
	want := snapshotOf(t, full)

	good := snapshotAfter(t, 1200)
	require.NoError(t, st.PutSnapshot(ctx, tok, 1200, good))
	older := snapshotAfter(t, 700)
	require.NoError(t, st.PutSnapshot(ctx, tok, 700, older))

	recover := func(t *testing.T) (*Daemon, string, error) {
		log := &syncBuffer{}
		d := journaledCore(t, st, log)
		err := d.catchUp(ctx)
		return d, log.String(), err
	}
	t.Run("newest", func(t *testing.T) {
		d, _, err := recover(t)
		require.NoError(t, err)
		assert.Equal(t, uint64(1200), d.Counters().FromSnapshot)
		assert.Equal(t, int64(total-1200), d.Counters().Replayed, "only the tail is replayed")
		requireSameCore(t, want, snapshotOf(t, d), "recovered from the snapshot of record 1200")
	})

	// a newer snapshot that is not valid, in each way, falls back to 1200
	var f snapshotFile
	raw, err := inflateSnapshot(good)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &f))
	reencode := func(f snapshotFile) []byte {
		b, err := json.Marshal(f)
		require.NoError(t, err)
		return deflateSnapshot(b)
	}
	flipped := bytes.Clone(f.Core) // one digit changed: valid JSON, not the state written
	i := len(flipped) / 2
	for flipped[i] < '0' || flipped[i] > '8' {
		i++
	}
	flipped[i]++
	newer := f
	newer.Seq = 2000
	newerV := newer
	newerV.V = 99
	newerCore := newer
	newerCore.Core = flipped
	for name, bad := range map[string][]byte{
		"truncated":       good[:len(good)/2],
		"not deflated":    []byte(`{"v":1}`),
		"checksum":        reencode(newerCore),
		"unknown version": reencode(newerV),
		"other index":     good, // stored under 2000, holds 1200
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, st.PutSnapshot(ctx, tok, 2000, bad))
			d, log, err := recover(t)
			require.NoError(t, err)
			assert.Equal(t, uint64(1200), d.Counters().FromSnapshot)
			assert.Contains(t, log, "snapshot=2000")
			assert.Contains(t, log, "trying an older one")
			requireSameCore(t, want, snapshotOf(t, d), "recovered past a bad snapshot")
		})
	}
	require.NoError(t, st.DeleteSnapshots(ctx, tok, 2001)) // none left

	t.Run("none valid", func(t *testing.T) {
		require.NoError(t, st.PutSnapshot(ctx, tok, 1200, good[:100]))
		d, log, err := recover(t)
		require.NoError(t, err)
		assert.Equal(t, uint64(0), d.Counters().FromSnapshot)
		assert.Equal(t, int64(total-1), d.Counters().Replayed, "every record but the config")
		assert.Contains(t, log, "no valid snapshot")
		requireSameCore(t, want, snapshotOf(t, d), "replayed from the start")
	})

	t.Run("compacted", func(t *testing.T) {
		require.NoError(t, st.PutSnapshot(ctx, tok, 700, older))
		require.NoError(t, st.PutSnapshot(ctx, tok, 1200, good))
		require.NoError(t, st.TrimJournal(ctx, tok, 700))
		d, _, err := recover(t)
		require.NoError(t, err)
		requireSameCore(t, want, snapshotOf(t, d), "recovered after compaction")
		// the newest bad: the older one still has its tail
		require.NoError(t, st.PutSnapshot(ctx, tok, 1200, good[:100]))
		d, _, err = recover(t)
		require.NoError(t, err)
		assert.Equal(t, uint64(700), d.Counters().FromSnapshot)
		requireSameCore(t, want, snapshotOf(t, d), "recovered from the older snapshot after compaction")
		// none valid: the journal cannot be replayed
		require.NoError(t, st.DeleteSnapshots(ctx, tok, 2000))
		_, _, err = recover(t)
		assert.ErrorIs(t, err, ErrJournalLost)
	})
}

// A snapshot written with other settings is refused, as the journal is.
func TestSnapshotOfOtherSettings(t *testing.T) {
	ctx := context.Background()
	st, tok := goldenStore(t, 300)
	require.NoError(t, st.PutSnapshot(ctx, tok, 300, snapshotAfter(t, 300)))
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := New(Config{Graph: g, Journal: st, Fleet: fleet.Config{Charging: charging.Threshold{}},
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Minute}})
	require.NoError(t, err)
	assert.ErrorIs(t, d.catchUp(ctx), ErrSettings)
}

// goldenSnapshot is a snapshot written by the first fleetd that wrote
// them (snapshot version 1), of the v2 golden journal after its record
// goldenSnapshotSeq; its .json sidecar lists what it holds.
const (
	goldenSnapshot    = "testdata/snapshot/v1-v2-demo-2026-12-06-1500.snap"
	goldenSnapshotSeq = 1500
)

// goldenSnapshotState is what a golden snapshot holds, in short.
type goldenSnapshotState struct {
	Applied  uint64            `json:"applied"`
	Moves    map[string]string `json:"moves"`    // id -> state
	Shuttles map[string]string `json:"shuttles"` // id -> state
	Vehicles []string          `json:"vehicles"`
}

// Snapshots that an earlier fleetd wrote load under this one: they
// decode, restore, and take the rest of their journal. A change of the
// format that breaks this must come with a decoder for the old version
// (coreDecoders), not a new golden file. -update writes the file (and
// its sidecar) only if it is missing.
func TestGoldenSnapshotLoads(t *testing.T) {
	update := false
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		// written once: a golden snapshot is never rewritten (a new
		// version of the format gets a new file beside it)
		if _, err := os.Stat(goldenSnapshot); errors.Is(err, os.ErrNotExist) {
			update = true
			require.NoError(t, os.MkdirAll(filepath.Dir(goldenSnapshot), 0o755))
			require.NoError(t, os.WriteFile(goldenSnapshot, snapshotAfter(t, goldenSnapshotSeq), 0o644))
		}
	}
	b, err := os.ReadFile(goldenSnapshot)
	require.NoError(t, err, "run with -update to write it")
	cs, err := decodeSnapshot(b, goldenSnapshotSeq)
	require.NoError(t, err)
	d := core(t)
	require.NoError(t, d.restore(cs))
	got := goldenSnapshotState{Applied: d.applied, Moves: map[string]string{}, Shuttles: map[string]string{}}
	for _, m := range d.ctl.Moves() {
		got.Moves[m.ID] = string(m.State)
	}
	for _, v := range d.m.Vehicles() {
		got.Vehicles = append(got.Vehicles, v.ID)
		if st, _, ok := d.ctl.ShuttleState(v.ID); ok {
			got.Shuttles[v.ID] = string(st)
		}
	}
	sidecar := goldenSnapshot + ".json"
	if update {
		j, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(sidecar, append(j, '\n'), 0o644))
	}
	j, err := os.ReadFile(sidecar)
	require.NoError(t, err)
	var want goldenSnapshotState
	require.NoError(t, json.Unmarshal(j, &want))
	assert.Equal(t, want, got)

	byFile, err := goldenRecords()
	require.NoError(t, err)
	for i, r := range byFile["v2-demo-2026-12-06.jsonl.gz"][goldenSnapshotSeq:] {
		_, _ = d.apply(uint64(goldenSnapshotSeq+i+1), r)
	}
	assert.NotEmpty(t, d.ctl.Moves())
}
