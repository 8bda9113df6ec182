package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/borderfleet/borderfleet/store"
)

// ErrLocked is returned by Open when another process has the file open.
var ErrLocked = errors.New("boltstore: the file is in use by another process (another fleetd?)")

// lockTimeout is how long Open waits for the file lock.
const lockTimeout = time.Second

// Bucket and key names.
var (
	bucketJournal = []byte("journal")
	bucketAudit   = []byte("audit")
	bucketMeta    = []byte("meta")
	keyFence      = []byte("fence")
	keyLease      = []byte("lease")
)

// Store is a store.Store in a bbolt file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	// issued are the lease tokens this Store handed out since Open; read
	// and written only in bolt's write transactions, which run one at a
	// time.
	issued map[uint64]bool
}

var _ store.Store = (*Store)(nil)

// Open opens the store in the file at path, creating the file (and its
// directory) if need be.
func Open(path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJournal, bucketAudit, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return &Store{db: db, path: path, issued: map[uint64]bool{}}, nil
}

// Path returns the file the store is in.
func (s *Store) Path() string { return s.path }

// Append adds recs to the journal if token is current. See store.Store.
func (s *Store) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	return s.append(ctx, bucketJournal, token, recs)
}

// AppendAudit adds entries to the audit log if token is current. See
// store.Store.
func (s *Store) AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error) {
	return s.append(ctx, bucketAudit, token, entries)
}

// Read returns journal entries after index after. See store.Store.
func (s *Store) Read(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	return s.read(ctx, bucketJournal, after, limit)
}

// ReadAudit returns audit entries after index after. See store.Store.
func (s *Store) ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	return s.read(ctx, bucketAudit, after, limit)
}

func (s *Store) append(ctx context.Context, bucket []byte, token uint64, recs [][]byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("boltstore: append: %w", err)
	}
	var last uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		if !current(tx, token) {
			return store.ErrFenced
		}
		b := tx.Bucket(bucket)
		b.FillPercent = 1 // keys only ever grow
		if k, _ := b.Cursor().Last(); k != nil {
			last = binary.BigEndian.Uint64(k)
		}
		for _, r := range recs {
			last++
			if err := b.Put(u64(last), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("boltstore: append: %w", err)
	}
	return last, nil
}

func (s *Store) read(ctx context.Context, bucket []byte, after uint64, limit int) ([]store.Entry, error) {
	if limit < 0 {
		return nil, fmt.Errorf("boltstore: read: negative limit %d", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: read: %w", err)
	}
	var out []store.Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			if limit > 0 && len(out) == limit {
				break
			}
			// v is valid only inside the transaction.
			out = append(out, store.Entry{Index: binary.BigEndian.Uint64(k), Data: append([]byte{}, v...)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: read: %w", err)
	}
	return out, nil
}

// Close closes the file and lets another process open it.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close %s: %w", s.path, err)
	}
	return nil
}

// u64 encodes an index or token as a key or value.
func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}
