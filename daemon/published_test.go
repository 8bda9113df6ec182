package daemon

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the daemon publishes after each input, copying only what the
// input marked, is what a publication made afresh from the core shows:
// every golden journal (real fleet days: joins, moves, gates, pauses,
// faults, closed lanes) replayed one record at a time, and compared after
// each. The whole fleet is never copied afresh by time here (the wall
// clock stands still), so a change no mark caught would show.
func TestPublishedIsTheCoreAfterEveryInput(t *testing.T) {
	files, err := filepath.Glob("testdata/journal/*.jsonl.gz")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d := core(t)
			stand := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
			d.wall = func() time.Time { return stand }
			recs := ReadGolden(t, f)
			partial, shared := 0, 0
			for i, b := range recs {
				rec, err := decodeRecord(b)
				require.NoError(t, err, "record %d", i+1)
				if rec.Kind == kindConfig {
					continue
				}
				last := d.Published()
				_, _ = d.apply(uint64(i+1), rec)
				d.publishView()
				got := d.Published()
				if got == last {
					continue
				}
				want := NewPublished(got.Version, got.At, d.cfg.Graph, d.ctl, d.m)
				requireSamePublished(t, want, got, i+1, rec.Kind == kindTick || rec.Kind == kindEvent)
				if got.SameRoster(last) {
					partial++
					for c := 0; c < got.Len(); c += RowChunk {
						if !got.ChangedChunk(last, c) {
							shared++
						}
					}
				}
			}
			t.Logf("%d records, %d publications copied in part, %d chunks shared", len(recs), partial, shared)
			assert.Positive(t, partial, "publications that copied only what changed")
		})
	}
}

// requireSamePublished fails unless two publications show the same.
func requireSamePublished(t *testing.T, want, got *Published, rec int, counted bool) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len(), "record %d: shuttles", rec)
	for i := range want.Len() {
		require.Equal(t, *want.Row(i), *got.Row(i), "record %d: shuttle %s", rec, want.Row(i).ID)
	}
	require.Equal(t, want.MoveCounts, got.MoveCounts, "record %d: move counts", rec)
	require.Equal(t, want.MoveSeq, got.MoveSeq, "record %d: move change number", rec)
	require.Equal(t, want.Gates, got.Gates, "record %d: gates", rec)
	require.Equal(t, want.ClosedLanes, got.ClosedLanes, "record %d: closed lanes", rec)
	require.Equal(t, want.Slots, got.Slots, "record %d: charger slots", rec)
	if counted { // stats are counted with ticks and requests only
		require.Equal(t, want.Stats, got.Stats, "record %d: stats", rec)
	}
}

// ReadGolden reads a golden journal's records (testdata/*.jsonl.gz); the
// external tests (golden_test.go) use it too.
func ReadGolden(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	z, err := gzip.NewReader(f)
	require.NoError(t, err)
	var recs [][]byte
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		recs = append(recs, append([]byte(nil), sc.Bytes()...))
	}
	require.NoError(t, sc.Err())
	return recs
}
