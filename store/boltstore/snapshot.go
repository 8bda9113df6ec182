package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/borderfleet/borderfleet/store"
)

// bucketSnapshots holds the snapshots by seq.
var bucketSnapshots = []byte("snapshots")

// PutSnapshot keeps a snapshot of the state after journal record seq if
// token is current. See store.Store.
func (s *Store) PutSnapshot(ctx context.Context, token uint64, seq uint64, data []byte) error {
	if seq == 0 {
		return fmt.Errorf("boltstore: put snapshot: seq 0")
	}
	return s.fenced(ctx, "put snapshot", token, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSnapshots)
		if err != nil {
			return err
		}
		return b.Put(u64(seq), data)
	})
}

// Snapshots lists the seqs of the snapshots kept. See store.Store.
func (s *Store) Snapshots(ctx context.Context) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: snapshots: %w", err)
	}
	out := []uint64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshots)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, binary.BigEndian.Uint64(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: snapshots: %w", err)
	}
	return out, nil
}

// ReadSnapshot returns the snapshot of seq. See store.Store.
func (s *Store) ReadSnapshot(ctx context.Context, seq uint64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: read snapshot: %w", err)
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshots)
		if b == nil {
			return store.ErrNoSnapshot
		}
		v := b.Get(u64(seq))
		if v == nil {
			return store.ErrNoSnapshot
		}
		out = append([]byte{}, v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: read snapshot %d: %w", seq, err)
	}
	return out, nil
}

// DeleteSnapshots deletes the snapshots before seq before if token is
// current. See store.Store.
func (s *Store) DeleteSnapshots(ctx context.Context, token uint64, before uint64) error {
	return s.fenced(ctx, "delete snapshots", token, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshots)
		if b == nil {
			return nil
		}
		return deleteBefore(b, before, false)
	})
}

// TrimJournal deletes the journal records before index before (never the
// last) if token is current. See store.Store.
func (s *Store) TrimJournal(ctx context.Context, token uint64, before uint64) error {
	return s.fenced(ctx, "trim journal", token, func(tx *bolt.Tx) error {
		return deleteBefore(tx.Bucket(bucketJournal), before, true)
	})
}

// deleteBefore deletes the keys below before from b, but its last key if
// keepLast. It lists the keys first and then deletes them: a cursor's
// First after each Delete walks every leaf emptied so far in the
// transaction (bbolt rebalances them at commit), which made deleting n
// keys take O(n²): minutes, holding the store's write lock, for a day's
// journal compacted at once.
func deleteBefore(b *bolt.Bucket, before uint64, keepLast bool) error {
	if keepLast {
		k, _ := b.Cursor().Last()
		if k == nil {
			return nil
		}
		before = min(before, binary.BigEndian.Uint64(k))
	}
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) < before; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// fenced runs fn in a write transaction if token is current.
func (s *Store) fenced(ctx context.Context, op string, token uint64, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if !current(tx, token) {
			return store.ErrFenced
		}
		return fn(tx)
	})
	if err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return nil
}
