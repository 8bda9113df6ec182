package boltstore_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/store/storetest"
)

func open(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "fleet.db"))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "fleet.db")
	s := open(t, path)
	tok, err := s.Acquire(t.Context(), "a", 60e9)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), tok, []byte("one"), []byte("two")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAudit(t.Context(), tok, []byte("custody")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	got, err := s.Read(t.Context(), 0, 0)
	if err != nil || len(got) != 2 || string(got[1].Data) != "two" || got[1].Index != 2 {
		t.Fatalf("Read after reopen = %v, %v", got, err)
	}
	// The fence survived: the old token still writes until another is
	// handed out.
	if n, err := s.Append(t.Context(), tok, []byte("three")); err != nil || n != 3 {
		t.Fatalf("Append after reopen = %d, %v", n, err)
	}
	// The lease did not: only one process opens the file, so the one that
	// took it is gone, and another owner takes it at once (a restarted
	// fleetd does not wait out its dead predecessor's lease), fencing the
	// old token.
	tokB, err := s.Acquire(t.Context(), "b", 60e9)
	if err != nil || tokB <= tok {
		t.Fatalf("Acquire by b after reopen = %d, %v; want a token above %d", tokB, err, tok)
	}
	if _, err := s.Append(t.Context(), tok, []byte("four")); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("Append with the old token after b took the lease = %v, want ErrFenced", err)
	}
	// A lease this store handed out holds until it expires, as before.
	if _, err := s.Acquire(t.Context(), "c", 60e9); !errors.Is(err, store.ErrHeld) {
		t.Fatalf("Acquire by c while b holds the lease = %v, want ErrHeld", err)
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.db")
	s := open(t, path)
	defer s.Close()
	// bbolt's flock conflicts between two opens in one process too.
	_, err := boltstore.Open(path)
	if !errors.Is(err, boltstore.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestOpenFails(t *testing.T) {
	dir := t.TempDir()
	if _, err := boltstore.Open(dir); err == nil || !strings.HasPrefix(err.Error(), "boltstore: ") {
		t.Errorf("Open of a directory = %v, want a boltstore error", err)
	}
}
