package store

import (
	"context"
	"errors"
	"time"
)

// Entry is one record of a journal or audit log: its index (from 1,
// consecutive) and its bytes.
type Entry struct {
	// Index is the record's position in its log, from 1, without gaps.
	Index uint64
	// Data is the record as it was appended, byte for byte.
	Data []byte
}

// ErrFenced is returned by a write or a Renew whose fencing token is not the
// current one: another instance has acquired the lease since.
var ErrFenced = errors.New("store: fenced: another instance holds the lease")

// ErrHeld is returned by Acquire while another owner holds an unexpired
// lease.
var ErrHeld = errors.New("store: the lease is held by another instance")

// ErrNotDurable is matched by a write the store made but cannot promise to
// keep: a replicated store's replicas did not acknowledge it in time. The
// write may or may not survive; a caller treats it as failed (and must not
// act on it), knowing that it may reappear.
var ErrNotDurable = errors.New("store: write not durable")

// ErrNoSnapshot is returned by ReadSnapshot for a snapshot the store does
// not keep.
var ErrNoSnapshot = errors.New("store: no such snapshot")

// ErrNotArchived is returned by ArchivedMove for a move the archive does
// not hold.
var ErrNotArchived = errors.New("store: no such archived move")

// Archived is a move kept in the archive of moves that left the
// controller's memory: its number (which orders listings), its id, and its
// bytes.
type Archived struct {
	// Num is the move's number (fleet.Move.Num), from 1.
	Num uint64
	// ID is the move's id.
	ID string
	// Data is the move as it was put, byte for byte.
	Data []byte
}

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("store: closed")

// Store is what every store offers. Consumers declare the smaller interfaces
// they use.
type Store interface {
	// Append adds records to the journal atomically and in order, if token
	// is the current fencing token, and returns the index of the last. It
	// returns ErrFenced, and writes nothing, if token is not current.
	// With no records it only checks the token and returns the last index.
	Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error)
	// Read returns journal entries with index > after, in order, at most
	// limit of them (0: all).
	Read(ctx context.Context, after uint64, limit int) ([]Entry, error)
	// AppendAudit is Append for the audit log, a sequence separate from the
	// journal.
	AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error)
	// ReadAudit is Read for the audit log.
	ReadAudit(ctx context.Context, after uint64, limit int) ([]Entry, error)
	// Acquire takes the lease for owner if it is free, expired, or already
	// owner's. Every Acquire returns a new fencing token, greater than all
	// before, which makes every older token fenced. It returns ErrHeld if
	// another owner holds an unexpired lease.
	Acquire(ctx context.Context, owner string, ttl time.Duration) (uint64, error)
	// Renew extends owner's lease by ttl from now. It returns ErrFenced if
	// the current token is not token (someone acquired since) or the lease
	// is no longer owner's.
	Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error
	// Release gives the lease up, so another owner may acquire it at once,
	// and fences token. It is no error, and changes nothing, if the lease is
	// no longer held by owner with token.
	Release(ctx context.Context, owner string, token uint64) error
	// PutSnapshot keeps data, a snapshot of the state after journal
	// record seq (seq > 0), if token is the current fencing token; a
	// snapshot of the same seq is replaced. It returns ErrFenced, and
	// writes nothing, if token is not current.
	PutSnapshot(ctx context.Context, token uint64, seq uint64, data []byte) error
	// Snapshots lists the seqs of the snapshots kept, in increasing order.
	Snapshots(ctx context.Context) ([]uint64, error)
	// ReadSnapshot returns the snapshot of seq, byte for byte as it was
	// put, or ErrNoSnapshot.
	ReadSnapshot(ctx context.Context, seq uint64) ([]byte, error)
	// DeleteSnapshots deletes the snapshots with seq < before, if token is
	// current (else ErrFenced, and it deletes nothing).
	DeleteSnapshots(ctx context.Context, token uint64, before uint64) error
	// TrimJournal deletes the journal records with index < before, but
	// never the last record (so that indexes go on where they were), if
	// token is current (else ErrFenced, and it deletes nothing). Read
	// then returns the records kept, with their indexes: the first may be
	// greater than 1. The audit log is never trimmed.
	TrimJournal(ctx context.Context, token uint64, before uint64) error
	// PutArchived keeps moves in the archive of moves, if token is the
	// current fencing token, all or none. A move whose id the archive
	// holds already is replaced. It returns ErrFenced, and writes
	// nothing, if token is not current. Moves are never deleted.
	PutArchived(ctx context.Context, token uint64, moves ...Archived) error
	// ArchivedMove returns the archived move of an id, or ErrNotArchived.
	ArchivedMove(ctx context.Context, id string) (Archived, error)
	// ListArchived returns archived moves with Num below before (0: every
	// one), highest Num first, at most limit of them (limit > 0).
	ListArchived(ctx context.Context, before uint64, limit int) ([]Archived, error)
	// Close releases the store's resources (not the lease).
	Close() error
}
