package audit

import (
	"errors"
	"fmt"
)

// ErrBroken is matched (errors.Is) by every error of Verify and VerifyFrom.
var ErrBroken = errors.New("audit: chain broken")

// BrokenError says which entry breaks the chain and how.
type BrokenError struct {
	// Seq is the Seq the entry should have (its position in the log).
	Seq uint64
	// Container is the entry's container.
	Container string
	// Hash is the hash the entry carries.
	Hash string
	// Reason says what is wrong.
	Reason string
}

// Error names the entry and the reason.
func (e *BrokenError) Error() string {
	if e.Container == "" {
		return fmt.Sprintf("audit: chain broken at entry %d: %s", e.Seq, e.Reason)
	}
	return fmt.Sprintf("audit: chain broken at entry %d (container %s): %s", e.Seq, e.Container, e.Reason)
}

// Is makes errors.Is(err, ErrBroken) true.
func (e *BrokenError) Is(target error) bool { return target == ErrBroken }

// Verify checks a whole log: the first entry has Seq 1 and no Prev, each
// next one follows its predecessor (Seq+1, Prev its Hash), and every Hash
// matches its entry. It returns a *BrokenError for the first entry that does
// not, or nil.
func Verify(entries []Entry) error {
	return VerifyFrom(nil, entries)
}

// VerifyFrom is Verify for entries that follow prev (nil: the log's start),
// for checking a log piece by piece.
func VerifyFrom(prev *Entry, entries []Entry) error {
	for i := range entries {
		e := &entries[i]
		want := Chain(prev, *e)
		broken := func(format string, a ...any) error {
			return &BrokenError{Seq: want.Seq, Container: e.Container, Hash: e.Hash, Reason: fmt.Sprintf(format, a...)}
		}
		switch {
		case e.Seq != want.Seq:
			return broken("seq %d, want %d", e.Seq, want.Seq)
		case e.Prev != want.Prev:
			return broken("prev %s does not link to the hash of entry %d (%s)", short(e.Prev), want.Seq-1, short(want.Prev))
		case e.Hash != HashOf(*e):
			return broken("hash %s does not match the entry's content", short(e.Hash))
		}
		prev = e
	}
	return nil
}

// short abbreviates a hash for messages.
func short(h string) string {
	switch {
	case h == "":
		return `""`
	case len(h) > 12:
		return h[:12] + "…"
	}
	return h
}
