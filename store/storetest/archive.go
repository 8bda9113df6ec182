package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/borderfleet/borderfleet/store"
)

// listNums lists the archive below before, limit at a time, and returns
// the numbers and ids it gets, checking each move's bytes against want.
func listNums(t *testing.T, s store.Store, before uint64, limit int, want map[string][]byte) []uint64 {
	t.Helper()
	got, err := s.ListArchived(t.Context(), before, limit)
	if err != nil {
		t.Fatalf("ListArchived(%d, %d): %v", before, limit, err)
	}
	var nums []uint64
	for _, m := range got {
		if !bytes.Equal(m.Data, want[m.ID]) {
			t.Fatalf("ListArchived(%d, %d): move %s (%d) = %q, want %q", before, limit, m.ID, m.Num, m.Data, want[m.ID])
		}
		nums = append(nums, m.Num)
	}
	return nums
}

func testArchive(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.ArchivedMove(ctx, "mv-1"); !errors.Is(err, store.ErrNotArchived) {
		t.Fatalf("ArchivedMove of an empty store = %v, want ErrNotArchived", err)
	}
	if got := listNums(t, s, 0, 10, nil); len(got) != 0 {
		t.Fatalf("ListArchived of an empty store = %v", got)
	}
	tok := acquire(t, s, "a")
	want := map[string][]byte{}
	var batch []store.Archived
	// numbers with gaps, put out of order, in two writes; binary bytes
	for _, n := range []uint64{7, 3, 12, 1, 9, 4, 30, 2} {
		id := fmt.Sprintf("mv-%d", n)
		data := append([]byte{0, 0xff, '\n'}, id...)
		want[id] = data
		batch = append(batch, store.Archived{Num: n, ID: id, Data: data})
	}
	for _, b := range [][]store.Archived{batch[:3], batch[3:]} {
		if err := s.PutArchived(ctx, tok, b...); err != nil {
			t.Fatalf("PutArchived: %v", err)
		}
	}
	// a move put again (a retry, a replay) is replaced, not doubled
	want["mv-9"] = []byte("nine again")
	if err := s.PutArchived(ctx, tok, store.Archived{Num: 9, ID: "mv-9", Data: want["mv-9"]}); err != nil {
		t.Fatalf("PutArchived again: %v", err)
	}
	m, err := s.ArchivedMove(ctx, "mv-9")
	if err != nil || m.Num != 9 || m.ID != "mv-9" || !bytes.Equal(m.Data, want["mv-9"]) {
		t.Fatalf("ArchivedMove(mv-9) = %d %q %q, %v; want 9 mv-9 %q", m.Num, m.ID, m.Data, err, want["mv-9"])
	}
	if _, err := s.ArchivedMove(ctx, "mv-5"); !errors.Is(err, store.ErrNotArchived) {
		t.Fatalf("ArchivedMove(mv-5) = %v, want ErrNotArchived", err)
	}
	for _, c := range []struct {
		before uint64
		limit  int
		want   []uint64
	}{
		{0, 100, []uint64{30, 12, 9, 7, 4, 3, 2, 1}},
		{0, 3, []uint64{30, 12, 9}},
		{9, 3, []uint64{7, 4, 3}},
		{10, 2, []uint64{9, 7}},
		{31, 1, []uint64{30}},
		{1000, 2, []uint64{30, 12}},
		{2, 5, []uint64{1}},
		{1, 5, nil},
	} {
		if got := listNums(t, s, c.before, c.limit, want); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Fatalf("ListArchived(%d, %d) = %v, want %v", c.before, c.limit, got, c.want)
		}
	}
	// paging from the top with the last number seen gives each move once
	var all []uint64
	for before := uint64(0); ; {
		page := listNums(t, s, before, 3, want)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		before = page[len(page)-1]
	}
	if fmt.Sprint(all) != fmt.Sprint([]uint64{30, 12, 9, 7, 4, 3, 2, 1}) {
		t.Fatalf("paging = %v", all)
	}
	if _, err := s.ListArchived(ctx, 0, 0); err == nil {
		t.Fatal("ListArchived with limit 0: no error")
	}
	for _, bad := range []store.Archived{{Num: 0, ID: "mv-0"}, {Num: 5, ID: ""}} {
		if err := s.PutArchived(ctx, tok, bad); err == nil {
			t.Fatalf("PutArchived(%d, %q): no error", bad.Num, bad.ID)
		}
	}
	// fenced: a stale token writes nothing
	acquire(t, s, "a") // a new token fences the old
	if err := s.PutArchived(ctx, tok, store.Archived{Num: 40, ID: "mv-40", Data: []byte("stale")}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("PutArchived with a stale token = %v, want ErrFenced", err)
	}
	if _, err := s.ArchivedMove(ctx, "mv-40"); !errors.Is(err, store.ErrNotArchived) {
		t.Fatalf("a fenced PutArchived wrote: %v", err)
	}
}
