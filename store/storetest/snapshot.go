package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/borderfleet/borderfleet/store"
)

// wantSnapshots checks the seqs of the snapshots kept.
func wantSnapshots(t *testing.T, s store.Store, want ...uint64) {
	t.Helper()
	got, err := s.Snapshots(t.Context())
	if err != nil {
		t.Fatalf("Snapshots: %v", err)
	}
	if want == nil {
		want = []uint64{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Snapshots = %v, want %v", got, want)
	}
}

func testSnapshots(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantSnapshots(t, s)
	if _, err := s.ReadSnapshot(ctx, 1); !errors.Is(err, store.ErrNoSnapshot) {
		t.Fatalf("ReadSnapshot of an empty store = %v, want ErrNoSnapshot", err)
	}
	tok := acquire(t, s, "a")
	big := bytes.Repeat([]byte{0, 1, 0xfe, 0xff, '\n', 'x'}, 200_000) // binary, over a megabyte
	for _, p := range []struct {
		seq  uint64
		data []byte
	}{{10, []byte("ten")}, {3, []byte("three")}, {25, big}, {10, []byte("ten again")}} {
		if err := s.PutSnapshot(ctx, tok, p.seq, p.data); err != nil {
			t.Fatalf("PutSnapshot(%d): %v", p.seq, err)
		}
	}
	wantSnapshots(t, s, 3, 10, 25)
	for seq, want := range map[uint64][]byte{3: []byte("three"), 10: []byte("ten again"), 25: big} {
		got, err := s.ReadSnapshot(ctx, seq)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("ReadSnapshot(%d) = %d bytes, %v; want %d bytes as put", seq, len(got), err, len(want))
		}
	}
	if _, err := s.ReadSnapshot(ctx, 4); !errors.Is(err, store.ErrNoSnapshot) {
		t.Fatalf("ReadSnapshot(4) = %v, want ErrNoSnapshot", err)
	}
	if err := s.DeleteSnapshots(ctx, tok, 10); err != nil {
		t.Fatalf("DeleteSnapshots(10): %v", err)
	}
	wantSnapshots(t, s, 10, 25)
	if err := s.DeleteSnapshots(ctx, tok, 10); err != nil {
		t.Fatalf("DeleteSnapshots(10) again: %v", err)
	}
	wantSnapshots(t, s, 10, 25)
}

func testSnapshotsFenced(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := acquire(t, s, "a")
	if err := s.PutSnapshot(ctx, old, 1, []byte("one")); err != nil {
		t.Fatal(err)
	}
	tok := acquire(t, s, "a") // a new token fences the old
	if err := s.PutSnapshot(ctx, old, 2, []byte("stale")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("PutSnapshot with a stale token = %v, want ErrFenced", err)
	}
	if err := s.DeleteSnapshots(ctx, old, 100); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("DeleteSnapshots with a stale token = %v, want ErrFenced", err)
	}
	appendOK(t, s, tok, 3, records("j", 3)...)
	if err := s.TrimJournal(ctx, old, 3); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("TrimJournal with a stale token = %v, want ErrFenced", err)
	}
	wantSnapshots(t, s, 1)
	wantEntries(t, "Read", read(t, s, 0, 0), 1, records("j", 3))
}

func testTrimJournal(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := acquire(t, s, "a")
	if err := s.TrimJournal(ctx, tok, 5); err != nil {
		t.Fatalf("TrimJournal of an empty journal: %v", err)
	}
	appendOK(t, s, tok, 6, records("j", 6)...)
	if _, err := s.AppendAudit(ctx, tok, records("a", 4)...); err != nil {
		t.Fatal(err)
	}
	if err := s.TrimJournal(ctx, tok, 4); err != nil {
		t.Fatalf("TrimJournal(4): %v", err)
	}
	all := records("j", 6)
	wantEntries(t, "Read after TrimJournal(4)", read(t, s, 0, 0), 4, all[3:])
	wantEntries(t, "Read(0, 2) after TrimJournal(4)", read(t, s, 0, 2), 4, all[3:5])
	wantEntries(t, "Read(4, 0)", read(t, s, 4, 0), 5, all[4:])
	wantEntries(t, "ReadAudit", readAudit(t, s, 0, 0), 1, records("a", 4))
	// never the last record: the indexes go on
	if err := s.TrimJournal(ctx, tok, 100); err != nil {
		t.Fatalf("TrimJournal(100): %v", err)
	}
	wantEntries(t, "Read after TrimJournal(100)", read(t, s, 0, 0), 6, all[5:])
	appendOK(t, s, tok, 7, []byte("j7"))
	wantEntries(t, "Read after an append", read(t, s, 0, 0), 6, [][]byte{all[5], []byte("j7")})
}
