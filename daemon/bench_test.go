package daemon

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/storeurl"
	"github.com/borderfleet/borderfleet/vehicles"
)

// journalOnly hides a store's snapshots: a daemon on it replays the whole
// journal.
type journalOnly struct{ Journal }

// BenchmarkRecovery measures recovery, from process start (the site
// loaded, the lane graph built, the core made) to ready (the store's
// journal applied), for a store that `fleetd demo` wrote (see
// BENCHMARKS.md): BORDERFLEET_BENCH_STORE is its URL (bolt:PATH or
// redis://...), BORDERFLEET_BENCH_TIME_SCALE the demo's --time-scale
// (default 60; it is part of the journal's settings). "replay" replays
// the whole journal; "snapshot" restores the newest snapshot and replays
// the records after it. It also reports the size of a snapshot of the
// last state and the time to encode it on the core's goroutine.
// Without BORDERFLEET_BENCH_STORE it is skipped.
func BenchmarkRecovery(b *testing.B) {
	url := os.Getenv("BORDERFLEET_BENCH_STORE")
	if url == "" {
		b.Skip("BORDERFLEET_BENCH_STORE is not set (see BENCHMARKS.md)")
	}
	scale := 60.0
	if s := os.Getenv("BORDERFLEET_BENCH_TIME_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := storeurl.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// as fleetd demo --time-scale scale configures the daemon
	recover := func(b *testing.B, j Journal) *Daemon {
		site, err := geo.Default()
		if err != nil {
			b.Fatal(err)
		}
		g, err := routing.NewGraph(site, routing.GraphConfig{})
		if err != nil {
			b.Fatal(err)
		}
		roster, err := vehicles.NewRoster()
		if err != nil {
			b.Fatal(err)
		}
		d, err := New(Config{Graph: g, Journal: j, Fleet: fleet.Config{Charging: charging.Opportunity{}},
			Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: time.Duration(float64(5*time.Second) * scale)}})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.catchUp(ctx); err != nil {
			b.Fatal(err)
		}
		return d
	}
	var last *Daemon
	for _, c := range []struct {
		name string
		j    Journal
	}{{"replay", journalOnly{st}}, {"snapshot", st}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				last = recover(b, c.j)
			}
			b.ReportMetric(float64(last.applied), "records")
			b.ReportMetric(float64(last.Counters().Replayed), "replayed")
			b.ReportMetric(float64(last.Counters().FromSnapshot), "snapshot-index")
		})
	}
	// what the core's goroutine does for a snapshot: copy the state out
	b.Run("take", func(b *testing.B) {
		for b.Loop() {
			if _, err := last.coreState(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// what the writer does: encode, checksum, deflate
	b.Run("encode", func(b *testing.B) {
		var n int
		for b.Loop() {
			core, err := last.encodeCore()
			if err != nil {
				b.Fatal(err)
			}
			n = len(core)
			if _, err := encodeSnapshot(last.applied, time.Now(), core); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "json-bytes")
		core, _ := last.encodeCore()
		stored, err := encodeSnapshot(last.applied, time.Now(), core)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(stored)), "stored-bytes")
	})
}

// On a store that `fleetd demo` wrote (BORDERFLEET_BENCH_STORE, as for
// BenchmarkRecovery), a snapshot taken after each of BORDERFLEET_BENCH_CUTS
// (default 20) records spread over the journal, restored into a new core,
// leads to the same messages and verdicts as the core that replayed
// everything for the next 2,000 records, and to the same state.
func TestSnapshotPlusTailOnStore(t *testing.T) {
	url := os.Getenv("BORDERFLEET_BENCH_STORE")
	if url == "" {
		t.Skip("BORDERFLEET_BENCH_STORE is not set (see BENCHMARKS.md)")
	}
	scale := 60.0
	if s := os.Getenv("BORDERFLEET_BENCH_TIME_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	cuts := 20
	if s := os.Getenv("BORDERFLEET_BENCH_CUTS"); s != "" {
		var err error
		if cuts, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := storeurl.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []record
	var idx []uint64
	for after := uint64(0); ; {
		es, err := st.Read(ctx, after, replayPage)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			r, err := decodeRecord(e.Data)
			if err != nil {
				t.Fatal(err)
			}
			recs, idx = append(recs, r), append(idx, e.Index)
			after = e.Index
		}
		if len(es) < replayPage {
			break
		}
	}
	mk := func() *Daemon {
		site, err := geo.Default()
		if err != nil {
			t.Fatal(err)
		}
		g, err := routing.NewGraph(site, routing.GraphConfig{})
		if err != nil {
			t.Fatal(err)
		}
		roster, err := vehicles.NewRoster()
		if err != nil {
			t.Fatal(err)
		}
		d, err := New(Config{Graph: g, Fleet: fleet.Config{Charging: charging.Opportunity{}},
			Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: time.Duration(float64(5*time.Second) * scale)}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	full := mk()
	const tail = 2000
	every := max(1, len(recs)/cuts)
	var twin *Daemon
	twinUntil, checked := 0, 0
	for i, r := range recs {
		if i > 0 && i%every == 0 && twin == nil {
			want := snapshotOf(t, full)
			stored, err := encodeSnapshot(idx[i-1], time.Now(), want)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := decodeSnapshot(stored, idx[i-1])
			if err != nil {
				t.Fatal(err)
			}
			twin = mk()
			if err := twin.restore(cs); err != nil {
				t.Fatal(err)
			}
			requireSameCore(t, want, snapshotOf(t, twin), "restored after record %d", idx[i-1])
			twinUntil = i + tail
			checked++
		}
		a := applyOne(full, idx[i], r)
		if twin != nil {
			require.Equal(t, a, applyOne(twin, idx[i], r), "record %d", idx[i])
			if i+1 == twinUntil || i+1 == len(recs) {
				requireSameCore(t, snapshotOf(t, full), snapshotOf(t, twin), "after record %d", idx[i])
				twin = nil
			}
		}
	}
	t.Logf("%d records, %d snapshots each followed for up to %d records", len(recs), checked, tail)
}
