package boltstore_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// With compaction on, fleetd trims the journal before the older of the
// two snapshots it keeps; bbolt gives the freed pages to later writes, so
// the file stays at its high-water mark instead of growing with the
// journal (BENCHMARKS.md, "Store size after 7 days"). This runs fleetd's
// cycle of writes on a small scale, 40 times: records appended in small
// transactions, a snapshot put, the snapshots and the journal before the
// older one kept deleted, audit entries appended (never trimmed). The
// file must stop growing once the live set is reached: what the first 10
// cycles made it, plus bbolt's allocation step and what the audit log
// added. Without the reuse (or without the trim) it would hold every
// cycle's records: 64 MB.
func TestCompactionBoundsTheFile(t *testing.T) {
	const (
		cycles    = 40
		perCycle  = 2000 // journal records between snapshots
		recBytes  = 800  // a deflated journal record, on average (the week's: 2.75 GB / 3.47 M)
		batch     = 100  // records a transaction
		snapBytes = 1 << 20
		allocStep = 16 << 20 // bbolt's default AllocSize: the file grows in such steps
	)
	path := filepath.Join(t.TempDir(), "fleet.db")
	s := open(t, path)
	defer s.Close()
	ctx := t.Context()
	tok, err := s.Acquire(ctx, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 2*snapBytes)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(noise)
	rnd := rand.New(rand.NewPCG(1, 2))
	rec := func(n int) []byte { // bbolt stores bytes as they are: any will do
		at := rnd.IntN(len(noise) - n)
		return noise[at : at+n]
	}
	var snaps []uint64
	var after10 int64
	var audit int64
	for c := 1; c <= cycles; c++ {
		var last uint64
		for i := 0; i < perCycle; i += batch {
			recs := make([][]byte, batch)
			for k := range recs {
				recs[k] = rec(recBytes)
			}
			if last, err = s.Append(ctx, tok, recs...); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if _, err := s.AppendAudit(ctx, tok, rec(500)); err != nil {
				t.Fatal(err)
			}
			audit += 500
		}
		if err := s.PutSnapshot(ctx, tok, last, rec(snapBytes)); err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, last)
		if len(snaps) > 2 {
			snaps = snaps[1:]
		}
		if err := s.DeleteSnapshots(ctx, tok, snaps[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.TrimJournal(ctx, tok, snaps[0]); err != nil {
			t.Fatal(err)
		}
		if c == 10 {
			after10 = fileSize(t, path)
			audit = 0
		}
	}
	size := fileSize(t, path)
	t.Logf("file after 10 cycles %.1f MB, after %d %.1f MB (%d records written, %.1f MB)",
		float64(after10)/(1<<20), cycles, float64(size)/(1<<20), cycles*perCycle, float64(cycles*perCycle*recBytes)/(1<<20))
	if bound := after10 + allocStep + audit; size > bound {
		t.Errorf("the file grew to %d bytes after %d cycles of compaction, over %d (its size after 10 cycles, %d, and bbolt's allocation step): freed pages are not reused",
			size, cycles, bound, after10)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
