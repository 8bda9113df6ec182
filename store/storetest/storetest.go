package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/store"
)

// Lease lengths the suite uses: long enough never to expire during a test,
// and short enough to wait for.
const (
	longTTL  = time.Minute
	shortTTL = 50 * time.Millisecond
	// expiryWait bounds how long the suite polls for a short lease to expire.
	expiryWait = 5 * time.Second
)

// Run runs the conformance suite against stores made by open. Each subtest
// calls open once and must get a fresh, empty store; open registers its
// own cleanup (Run closes nothing it did not open).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Empty", testEmpty},
		{"AppendRead", testAppendRead},
		{"AfterAndLimit", testAfterAndLimit},
		{"MultiAppendAtomic", testMultiAppendAtomic},
		{"EmptyAppend", testEmptyAppend},
		{"ConcurrentAppend", testConcurrentAppend},
		{"BinaryRoundTrip", testBinaryRoundTrip},
		{"AuditIndependent", testAuditIndependent},
		{"Fencing", testFencing},
		{"FencedAudit", testFencedAudit},
		{"NoTokenBeforeAcquire", testNoTokenBeforeAcquire},
		{"LeaseHeld", testLeaseHeld},
		{"LeaseSameOwner", testLeaseSameOwner},
		{"LeaseExpired", testLeaseExpired},
		{"Renew", testRenew},
		{"RenewAfterTakeover", testRenewAfterTakeover},
		{"Release", testRelease},
		{"ReleaseNotHeld", testReleaseNotHeld},
		{"BadArguments", testBadArguments},
		{"Snapshots", testSnapshots},
		{"SnapshotsFenced", testSnapshotsFenced},
		{"TrimJournal", testTrimJournal},
		{"Archive", testArchive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, open(t))
		})
	}
}

// acquire takes the lease for owner or fails the test.
func acquire(t *testing.T, s store.Store, owner string) uint64 {
	t.Helper()
	tok, err := s.Acquire(t.Context(), owner, longTTL)
	if err != nil {
		t.Fatalf("Acquire(%q): %v", owner, err)
	}
	return tok
}

// appendOK appends recs to the journal or fails the test, and checks the
// returned index.
func appendOK(t *testing.T, s store.Store, tok uint64, want uint64, recs ...[]byte) {
	t.Helper()
	got, err := s.Append(t.Context(), tok, recs...)
	if err != nil {
		t.Fatalf("Append(%d records): %v", len(recs), err)
	}
	if got != want {
		t.Fatalf("Append(%d records) = %d, want last index %d", len(recs), got, want)
	}
}

// records returns n records "<prefix>1" ... "<prefix>n".
func records(prefix string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "%s%d", prefix, i+1)
	}
	return out
}

// wantEntries checks that got are entries first, first+1, ... with data want.
func wantEntries(t *testing.T, what string, got []store.Entry, first uint64, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, want %d: %v", what, len(got), len(want), got)
	}
	for i, e := range got {
		if e.Index != first+uint64(i) {
			t.Errorf("%s: entry %d has index %d, want %d", what, i, e.Index, first+uint64(i))
		}
		if !bytes.Equal(e.Data, want[i]) {
			t.Errorf("%s: entry %d has data %q, want %q", what, e.Index, e.Data, want[i])
		}
	}
}

func read(t *testing.T, s store.Store, after uint64, limit int) []store.Entry {
	t.Helper()
	got, err := s.Read(t.Context(), after, limit)
	if err != nil {
		t.Fatalf("Read(%d, %d): %v", after, limit, err)
	}
	return got
}

func readAudit(t *testing.T, s store.Store, after uint64, limit int) []store.Entry {
	t.Helper()
	got, err := s.ReadAudit(t.Context(), after, limit)
	if err != nil {
		t.Fatalf("ReadAudit(%d, %d): %v", after, limit, err)
	}
	return got
}

func testEmpty(t *testing.T, s store.Store) {
	if got := read(t, s, 0, 0); len(got) != 0 {
		t.Errorf("Read of an empty journal = %v", got)
	}
	if got := readAudit(t, s, 0, 0); len(got) != 0 {
		t.Errorf("ReadAudit of an empty audit log = %v", got)
	}
	if got := read(t, s, 100, 5); len(got) != 0 {
		t.Errorf("Read(100, 5) of an empty journal = %v", got)
	}
}

func testAppendRead(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	var all [][]byte
	for i := range 5 {
		rec := fmt.Appendf(nil, "rec%d", i+1)
		all = append(all, rec)
		appendOK(t, s, tok, uint64(i+1), rec)
	}
	wantEntries(t, "Read(0, 0)", read(t, s, 0, 0), 1, all)
}

func testAfterAndLimit(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	all := records("r", 2500) // more than one page of a paging store
	appendOK(t, s, tok, 2500, all...)
	tests := []struct {
		after uint64
		limit int
		first uint64
		n     int
	}{
		{0, 0, 1, 2500},
		{0, 1, 1, 1},
		{0, 10, 1, 10},
		{3, 0, 4, 2497},
		{3, 2, 4, 2},
		{1000, 1500, 1001, 1500},
		{999, 1001, 1000, 1001},
		{2499, 0, 2500, 1},
		{2499, 10, 2500, 1},
		{2500, 0, 0, 0},
		{9999, 3, 0, 0},
	}
	for _, tt := range tests {
		what := fmt.Sprintf("Read(%d, %d)", tt.after, tt.limit)
		var want [][]byte
		if tt.n > 0 {
			want = all[tt.first-1 : int(tt.first-1)+tt.n]
		}
		wantEntries(t, what, read(t, s, tt.after, tt.limit), tt.first, want)
	}
}

func testMultiAppendAtomic(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	appendOK(t, s, tok, 3, records("x", 3)...)
	appendOK(t, s, tok, 7, records("y", 4)...)
	// A fenced multi-record append writes none of its records.
	acquire(t, s, "a")
	if _, err := s.Append(t.Context(), tok, records("z", 5)...); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("fenced Append = %v, want ErrFenced", err)
	}
	want := append(records("x", 3), records("y", 4)...)
	wantEntries(t, "Read after a fenced append", read(t, s, 0, 0), 1, want)
}

func testEmptyAppend(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	appendOK(t, s, tok, 0)
	appendOK(t, s, tok, 2, records("x", 2)...)
	appendOK(t, s, tok, 2)
	if n, err := s.AppendAudit(t.Context(), tok); err != nil || n != 0 {
		t.Errorf("AppendAudit() of nothing = %d, %v; want 0, nil", n, err)
	}
}

func testBinaryRoundTrip(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef\x00\xff"), 1<<14)
	recs := [][]byte{
		{},
		{0},
		all,
		[]byte("\xff\xfe not utf-8 \x80"),
		[]byte("1-0"),
		[]byte(`{"json":"with \"quotes\" and \\ backslashes"}`),
		[]byte("\r\n\t  trailing space "),
		big,
	}
	appendOK(t, s, tok, uint64(len(recs)), recs...)
	if _, err := s.AppendAudit(t.Context(), tok, recs...); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	wantEntries(t, "Read", read(t, s, 0, 0), 1, recs)
	wantEntries(t, "ReadAudit", readAudit(t, s, 0, 0), 1, recs)
	// Changing what Read returned must not change the store.
	got := read(t, s, 2, 1)
	got[0].Data[0] ^= 0xff
	wantEntries(t, "Read after changing a returned slice", read(t, s, 2, 1), 3, recs[2:3])
}

func testAuditIndependent(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	appendOK(t, s, tok, 3, records("j", 3)...)
	n, err := s.AppendAudit(t.Context(), tok, records("a", 2)...)
	if err != nil || n != 2 {
		t.Fatalf("AppendAudit = %d, %v; want 2, nil", n, err)
	}
	appendOK(t, s, tok, 4, []byte("j4"))
	if n, err = s.AppendAudit(t.Context(), tok, []byte("a3")); err != nil || n != 3 {
		t.Fatalf("AppendAudit = %d, %v; want 3, nil", n, err)
	}
	wantEntries(t, "Read", read(t, s, 0, 0), 1, records("j", 4))
	wantEntries(t, "ReadAudit", readAudit(t, s, 0, 0), 1, records("a", 3))
	wantEntries(t, "ReadAudit(1, 1)", readAudit(t, s, 1, 1), 2, [][]byte{[]byte("a2")})
}

func testFencing(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := acquire(t, s, "a")
	appendOK(t, s, old, 1, []byte("a1"))
	// A new Acquire, even by the same owner, fences every older token.
	for _, owner := range []string{"a", "a"} {
		tok := acquire(t, s, owner)
		if tok <= old {
			t.Fatalf("Acquire returned token %d after %d: tokens must grow", tok, old)
		}
		if _, err := s.Append(ctx, old, []byte("stale")); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("Append with stale token %d (current %d) = %v, want ErrFenced", old, tok, err)
		}
		if _, err := s.Append(ctx, old); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("empty Append with stale token = %v, want ErrFenced", err)
		}
		old = tok
	}
	if _, err := s.Append(ctx, old+1, []byte("future")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Append with a token never handed out = %v, want ErrFenced", err)
	}
	appendOK(t, s, old, 2, []byte("a2"))
	wantEntries(t, "Read", read(t, s, 0, 0), 1, [][]byte{[]byte("a1"), []byte("a2")})
}

func testFencedAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := acquire(t, s, "a")
	if _, err := s.AppendAudit(ctx, old, []byte("x")); err != nil {
		t.Fatal(err)
	}
	tok := acquire(t, s, "a")
	if _, err := s.AppendAudit(ctx, old, []byte("stale1"), []byte("stale2")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("AppendAudit with stale token = %v, want ErrFenced", err)
	}
	if n, err := s.AppendAudit(ctx, tok, []byte("y")); err != nil || n != 2 {
		t.Fatalf("AppendAudit = %d, %v; want 2, nil", n, err)
	}
	wantEntries(t, "ReadAudit", readAudit(t, s, 0, 0), 1, [][]byte{[]byte("x"), []byte("y")})
	if got := read(t, s, 0, 0); len(got) != 0 {
		t.Errorf("journal after audit appends: %v", got)
	}
}

func testNoTokenBeforeAcquire(t *testing.T, s store.Store) {
	for _, tok := range []uint64{0, 1} {
		if _, err := s.Append(t.Context(), tok, []byte("x")); !errors.Is(err, store.ErrFenced) {
			t.Errorf("Append(token %d) before any Acquire = %v, want ErrFenced", tok, err)
		}
		if _, err := s.AppendAudit(t.Context(), tok, []byte("x")); !errors.Is(err, store.ErrFenced) {
			t.Errorf("AppendAudit(token %d) before any Acquire = %v, want ErrFenced", tok, err)
		}
	}
	if got := read(t, s, 0, 0); len(got) != 0 {
		t.Errorf("journal after fenced appends: %v", got)
	}
}

func testConcurrentAppend(t *testing.T, s store.Store) {
	tok := acquire(t, s, "a")
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Two records per append: they must land side by side.
				a, b := fmt.Appendf(nil, "w%d-%d-a", w, i), fmt.Appendf(nil, "w%d-%d-b", w, i)
				if _, err := s.Append(t.Context(), tok, a, b); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Append: %v", err)
	}
	got := read(t, s, 0, 0)
	if len(got) != 2*writers*each {
		t.Fatalf("%d entries after concurrent appends, want %d", len(got), 2*writers*each)
	}
	seen := make(map[string]bool)
	for i := 0; i < len(got); i += 2 {
		a, b := got[i], got[i+1]
		if a.Index != uint64(i+1) || b.Index != uint64(i+2) {
			t.Fatalf("indexes %d, %d at %d", a.Index, b.Index, i)
		}
		if !bytes.HasSuffix(a.Data, []byte("-a")) || string(b.Data) != string(a.Data[:len(a.Data)-1])+"b" {
			t.Fatalf("records %q and %q of one append are not side by side", a.Data, b.Data)
		}
		if seen[string(a.Data)] {
			t.Fatalf("record %q twice", a.Data)
		}
		seen[string(a.Data)] = true
	}
}
