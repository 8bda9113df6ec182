package daemon

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// core is a daemon without a journal or a bus, configured as fleetd (and
// the golden journals' writer) configures it, on a lane graph of its own
// (lane closures are the graph's state): records are applied to it as a
// replay applies them.
func core(t testing.TB) *Daemon { return coreKeeping(t, 0) }

// coreKeeping is core with a Controller whose ended moves leave after
// retention (0: they stay), into the daemon's moves pending for the
// archive (the daemon has no store to write them to).
func coreKeeping(t testing.TB, retention time.Duration) *Daemon {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := New(Config{Graph: g, Fleet: fleet.Config{Charging: charging.Opportunity{}},
		Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Minute}})
	require.NoError(t, err)
	if retention > 0 {
		d.cfg.Fleet.Retention = retention // New keeps every move without a store
		d.ctl, err = fleet.NewController(d.cfg.Fleet)
		require.NoError(t, err)
	}
	return d
}

// goldenRecords are the records of the golden journals, decoded, by file.
var goldenRecords = sync.OnceValues(func() (map[string][]record, error) {
	files, err := filepath.Glob("testdata/journal/*.jsonl.gz")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no golden journals: %v", err)
	}
	out := map[string][]record{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		z, err := gzip.NewReader(fh)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(z)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			r, err := decodeRecord(bytes.Clone(sc.Bytes()))
			if err != nil {
				return nil, err
			}
			out[filepath.Base(f)] = append(out[filepath.Base(f)], r)
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// applied is what one record led to: the messages to publish and the
// Controller's verdict.
type applied struct {
	Topics   []string
	Payloads []string
	Err      string
}

func applyOne(d *Daemon, idx uint64, r record) applied {
	outs, err := d.apply(idx, r)
	var a applied
	for _, o := range outs {
		a.Topics = append(a.Topics, o.Topic)
		a.Payloads = append(a.Payloads, string(o.Payload))
	}
	if err != nil {
		a.Err = err.Error()
	}
	return a
}

// snapshotOf is the core's state as a snapshot stores it.
func snapshotOf(t testing.TB, d *Daemon) []byte {
	t.Helper()
	b, err := d.encodeCore()
	require.NoError(t, err)
	return b
}

// requireSameCore fails with the first lines where two cores' JSON
// (indented) differ.
func requireSameCore(t require.TestingT, want, got []byte, msg string, args ...any) {
	if bytes.Equal(want, got) {
		return
	}
	lines := func(b []byte) []string {
		var out bytes.Buffer
		if json.Indent(&out, b, "", " ") != nil {
			return []string{string(b)}
		}
		return strings.Split(out.String(), "\n")
	}
	a, b := lines(want), lines(got)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from, to := max(0, i-8), i+8
	require.Fail(t, fmt.Sprintf(msg, args...), "first difference at line %d:\nwant:\n%s\ngot:\n%s", i+1,
		strings.Join(a[from:min(to, len(a))], "\n"), strings.Join(b[from:min(to, len(b))], "\n"))
}

// operatorEvent draws an operator's or officer's event, valid or not, on
// the default site and the golden journals' shuttles and moves.
func operatorEvent(t *rapid.T, at time.Time) record {
	bays := []string{"kz-bay-01", "kz-bay-04", "kz-bay-09", "cn-bay-02", "cn-bay-06", "cn-bay-10"}
	shuttles := []string{"shuttle-01", "shuttle-02", "shuttle-03", "nobody"}
	moves := []string{"demo-1-00001", "demo-1-00003", "demo-1-00008", "demo-1-00012", "snap-1", "snap-2"}
	lanes := []string{"kz-yard-cut", "cn-yard-cut"}
	containers := []string{"CSQU3054383", "MSKU6011672", "TGHU9990009"}
	var ev fleet.Event
	switch rapid.IntRange(0, 11).Draw(t, "kind") {
	case 0, 1:
		ev = fleet.MoveRequested{ID: rapid.SampledFrom([]string{"snap-1", "snap-2", "snap-3"}).Draw(t, "id"),
			Container: rapid.SampledFrom(containers).Draw(t, "container"), Origin: rapid.SampledFrom(bays).Draw(t, "origin"),
			Destination: rapid.SampledFrom(bays).Draw(t, "destination"), Priority: rapid.IntRange(0, 3).Draw(t, "priority"),
			PreCleared: rapid.Bool().Draw(t, "precleared")}
	case 2:
		ev = fleet.CustomsDecision{Checkpoint: rapid.SampledFrom([]string{"kz-bakhty-out", "cn-pokitu-in", "kz-bakhty-in", "cn-pokitu-out"}).Draw(t, "cp"),
			Move: rapid.SampledFrom(moves).Draw(t, "move"), Decision: rapid.SampledFrom([]fleet.Verdict{fleet.DecisionRelease, fleet.DecisionInspect, fleet.DecisionRefuse}).Draw(t, "verdict"),
			Officer: "o", Country: rapid.SampledFrom([]string{"KZ", "CN"}).Draw(t, "country")}
	case 3:
		ev = fleet.PauseRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	case 4:
		ev = fleet.ResumeRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	case 5:
		ev = fleet.LaneClosed{Lane: rapid.SampledFrom(lanes).Draw(t, "lane"), By: "op"}
	case 6:
		ev = fleet.LaneReopened{Lane: rapid.SampledFrom(lanes).Draw(t, "lane"), By: "op"}
	case 7:
		ev = fleet.ChargeRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	case 8:
		ev = fleet.ParkRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	case 9:
		ev = fleet.CancelRequested{Move: rapid.SampledFrom(moves).Draw(t, "move"), By: "op"}
	case 10:
		ev = fleet.EmergencyStopRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	default:
		ev = fleet.EmergencyReleaseRequested{Shuttle: rapid.SampledFrom(shuttles).Draw(t, "shuttle")}
	}
	ej, err := encodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	return record{V: journalVersion, Kind: kindEvent, At: at, Event: ej}
}

// TestSnapshotPlusTailIsReplay: for random runs (a golden journal, with
// random operators' and officers' events put in at random places), a
// snapshot taken after a random record, stored, read back and restored,
// then given the records after it, is exactly the core that replayed
// every record (ended moves kept for good, or leaving the Controller after
// a random retention, into the moves pending for the archive): the same
// state, compared field by field (as the
// snapshot's JSON: every field of every package's state) right after the
// restore and at the end, and the same messages out and verdicts for
// every record of the tail.
func TestSnapshotPlusTailIsReplay(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); testing.Short() && f != nil && f.Value.String() == f.DefValue {
		require.NoError(t, flag.Set("rapid.checks", "30"))
		t.Cleanup(func() { _ = flag.Set("rapid.checks", f.DefValue) })
	}
	byFile, err := goldenRecords()
	require.NoError(t, err)
	var files []string
	for f := range byFile {
		files = append(files, f)
	}
	slices.Sort(files)
	rapid.Check(t, func(rt *rapid.T) {
		golden := byFile[rapid.SampledFrom(files).Draw(rt, "journal")]
		recs := append([]record(nil), golden...)
		for n := rapid.IntRange(0, 12).Draw(rt, "events"); n > 0; n-- {
			i := rapid.IntRange(1, len(recs)).Draw(rt, "at")
			at := recs[i-1].At
			recs = append(recs[:i], append([]record{operatorEvent(rt, at)}, recs[i:]...)...)
		}
		cut := rapid.IntRange(1, len(recs)-1).Draw(rt, "cut")
		tail := min(len(recs), cut+rapid.IntRange(1, 600).Draw(rt, "tail"))
		retention := rapid.SampledFrom([]time.Duration{0, 30 * time.Second, 3 * time.Minute, 10 * time.Minute}).Draw(rt, "retention")

		full := coreKeeping(t, retention)
		for i, r := range recs[:cut] {
			applyOne(full, uint64(i+1), r)
		}
		want := snapshotOf(t, full)
		stored, err := encodeSnapshot(uint64(cut), time.Now(), want)
		require.NoError(t, err)
		cs, err := decodeSnapshot(stored, uint64(cut))
		require.NoError(t, err)
		restored := coreKeeping(t, retention)
		require.NoError(t, restored.restore(cs))
		requireSameCore(rt, want, snapshotOf(t, restored), "restored state after record %d", cut)
		for i := cut; i < tail; i++ {
			a, b := applyOne(full, uint64(i+1), recs[i]), applyOne(restored, uint64(i+1), recs[i])
			require.Equal(rt, a, b, "what record %d (%s) led to, after a snapshot of record %d", i+1, recs[i].Kind, cut)
		}
		requireSameCore(rt, snapshotOf(t, full), snapshotOf(t, restored), "state after record %d, snapshot of record %d", tail, cut)
	})
}

// Whatever a store returns as a snapshot, decoding it errs or gives a
// state; it never panics. A state restores or is refused, on a new core.
func FuzzDecodeSnapshot(f *testing.F) {
	if b, err := os.ReadFile(goldenSnapshot); err == nil {
		f.Add(b, uint64(goldenSnapshotSeq))
	}
	f.Add(deflateSnapshot([]byte(`{"v":1,"seq":3,"sha256":"","core":{}}`)), uint64(3))
	f.Add([]byte{}, uint64(1))
	f.Fuzz(func(t *testing.T, b []byte, seq uint64) {
		cs, err := decodeSnapshot(b, seq)
		if err != nil {
			return
		}
		_ = core(t).restore(cs)
	})
}
