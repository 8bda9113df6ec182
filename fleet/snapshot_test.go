package fleet

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/routing"
)

// restoredController is a Controller restored, on a lane graph of its
// own, from c's snapshot through its JSON; its snapshot is c's.
func restoredController(t *testing.T, c *Controller) *Controller {
	t.Helper()
	b, err := json.Marshal(c.Snapshot())
	require.NoError(t, err)
	var s Snapshot
	require.NoError(t, json.Unmarshal(b, &s))
	g, err := routing.NewGraph(c.site, routing.GraphConfig{})
	require.NoError(t, err)
	cfg := c.cfg
	cfg.Graph = g
	r, err := Restore(cfg, s)
	require.NoError(t, err)
	b2, err := json.Marshal(r.Snapshot())
	require.NoError(t, err)
	require.True(t, bytes.Equal(b, b2), "the restored Controller's snapshot differs from the original's")
	return r
}

// Every transcript, with the Controller swapped before each block for
// one restored from its snapshot, says what it says run straight through:
// the same commands, moves' transitions and shuttles' changes, block by
// block, and the same state at the end.
func TestSnapshotInTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "transcripts", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			items := parseTranscript(string(data))
			straight := newTranscript(t, path)
			want := make([][]string, len(items))
			for i, it := range items {
				if it.input != nil {
					want[i] = straight.run(it)
				}
			}
			end, err := json.Marshal(straight.h.c.Snapshot())
			require.NoError(t, err)
			for cut, it := range items {
				if it.input == nil {
					continue
				}
				tr := newTranscript(t, path)
				for i, it := range items {
					if it.input == nil {
						continue
					}
					if i == cut {
						tr.h.c = restoredController(t, tr.h.c)
					}
					require.Equal(t, want[i], tr.run(it), "the block of line %d, restored before the block of line %d", it.line, items[cut].line)
				}
				got, err := json.Marshal(tr.h.c.Snapshot())
				require.NoError(t, err)
				require.True(t, bytes.Equal(end, got), "the state at the end, restored before the block of line %d", items[cut].line)
			}
		})
	}
}
