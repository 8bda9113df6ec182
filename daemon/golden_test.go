package daemon_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden journals' .state.json from what they replay to")

// goldenState is what a golden journal's inputs leave in the core, as far
// as the inputs alone decide it (not what the dispatcher did with them,
// which may change from one version to the next): the moves asked for,
// the declarations filed, the lanes closed.
type goldenState struct {
	Records      int            `json:"records"`
	Kinds        map[string]int `json:"kinds"`
	Events       map[string]int `json:"events"`
	Moves        []goldenMove   `json:"moves"`
	Declarations []string       `json:"declarations"`
	ClosedLanes  []string       `json:"closed_lanes"`
}

type goldenMove struct {
	ID          string `json:"id"`
	Container   string `json:"container"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Priority    int    `json:"priority"`
}

// Journals that an earlier fleetd wrote (testdata/journal/*.jsonl.gz, one
// record per line as the store holds it, inflated) replay under this one:
// every record decodes, the daemon replays them all into the core, and
// what the inputs decide is as the journal's .state.json says. A change of
// the record format that breaks this must come with a decoder for the old
// format, not with a new golden file: the files are only ever added.
//
// Each file is named for the record version it holds. v1-demo-2026-12-06
// and v2-demo-2026-12-06 are each `fleetd demo --shuttles 3 --duration
// 30s --store bolt:...` (the default site, 60 times real time) with an
// operator, by fleetctl, pausing and resuming, stopping and releasing a
// shuttle, closing and reopening kz-yard-cut, filing a declaration, asking
// for a move, changing its priority and reading its seals (v2 also takes
// a shuttle out of service and back, and cancels a move): v1 written just
// before records had a version (events named by their Go types and
// fields), v2 just after.
func TestGoldenJournalsReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/journal/*.jsonl.gz")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			recs := daemon.ReadGolden(t, f)
			got := goldenState{Records: len(recs), Kinds: map[string]int{}, Events: map[string]int{}}
			for i, b := range recs {
				kind, ev, err := daemon.DecodeRecord(b)
				require.NoError(t, err, "record %d", i+1)
				got.Kinds[kind]++
				if ev != nil {
					got.Events[strings.TrimPrefix(fmt.Sprintf("%T", ev), "fleet.")]++
				}
			}

			st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
			require.NoError(t, err)
			defer st.Close()
			ctx := context.Background()
			token, err := st.Acquire(ctx, "golden", time.Minute)
			require.NoError(t, err)
			_, err = st.Append(ctx, token, recs...)
			require.NoError(t, err)
			require.NoError(t, st.Release(ctx, "golden", token))

			d, stop, done := asFleetd(t, st)
			require.Eventually(t, func() bool {
				select {
				case <-done:
					return true
				default:
				}
				return d.Active()
			}, 30*time.Second, 20*time.Millisecond)
			select {
			case <-done:
				require.NoError(t, stop(), "the replay stopped the daemon")
			default:
			}
			require.NoError(t, d.Do(ctx, func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) {
				for _, m := range ctl.Moves() {
					got.Moves = append(got.Moves, goldenMove{m.ID, string(m.Container), m.Origin, m.Destination, m.Priority})
					for _, dl := range ctl.Declarations(m.Container) {
						got.Declarations = append(got.Declarations, string(m.Container)+" "+dl.Country+" "+dl.Reference)
					}
				}
				got.ClosedLanes = append([]string{}, ctl.ClosedLanes()...)
			}))

			golden := strings.TrimSuffix(f, ".jsonl.gz") + ".state.json"
			if *updateGolden {
				b, err := json.MarshalIndent(got, "", "  ")
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(golden, append(b, '\n'), 0o644))
			}
			b, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to write it")
			var want goldenState
			require.NoError(t, json.Unmarshal(b, &want))
			assert.Equal(t, want, got)
		})
	}
}

// asFleetd runs a daemon on st configured as `fleetd run` and `fleetd
// demo` configure it by default (the settings the golden journals were
// written with).
func asFleetd(t *testing.T, st *boltstore.Store) (*daemon.Daemon, func() error, <-chan struct{}) {
	t.Helper()
	d, _, stop, done := running(t, st, "now", time.Second, fleet.Config{Charging: charging.Opportunity{}},
		vehicles.Config{AutoAdmit: true, ResendAfter: 5 * time.Minute})
	return d, stop, done
}
