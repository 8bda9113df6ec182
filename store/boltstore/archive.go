package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/borderfleet/borderfleet/store"
)

// The archive of moves is two buckets: bucketArchive holds each move by
// its number (8 bytes, big-endian, so that a cursor walks them in order),
// the value its id's length (uvarint), its id and its bytes;
// bucketArchiveIDs holds each move's number by its id.
var (
	bucketArchive    = []byte("archive")
	bucketArchiveIDs = []byte("archive-ids")
)

// PutArchived keeps moves in the archive if token is current. See
// store.Store.
func (s *Store) PutArchived(ctx context.Context, token uint64, moves ...store.Archived) error {
	for _, m := range moves {
		if m.Num == 0 || m.ID == "" {
			return fmt.Errorf("boltstore: put archived: move %q of number %d: want an id and a number from 1", m.ID, m.Num)
		}
	}
	return s.fenced(ctx, "put archived", token, func(tx *bolt.Tx) error {
		byNum, err := tx.CreateBucketIfNotExists(bucketArchive)
		if err != nil {
			return err
		}
		byID, err := tx.CreateBucketIfNotExists(bucketArchiveIDs)
		if err != nil {
			return err
		}
		for _, m := range moves {
			if old := byID.Get([]byte(m.ID)); old != nil && binary.BigEndian.Uint64(old) != m.Num {
				if err := byNum.Delete(old); err != nil {
					return err
				}
			}
			v := binary.AppendUvarint(nil, uint64(len(m.ID)))
			v = append(append(v, m.ID...), m.Data...)
			if err := byNum.Put(u64(m.Num), v); err != nil {
				return err
			}
			if err := byID.Put([]byte(m.ID), u64(m.Num)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ArchivedMove returns the archived move of an id. See store.Store.
func (s *Store) ArchivedMove(ctx context.Context, id string) (store.Archived, error) {
	if err := ctx.Err(); err != nil {
		return store.Archived{}, fmt.Errorf("boltstore: archived move: %w", err)
	}
	var out store.Archived
	err := s.db.View(func(tx *bolt.Tx) error {
		byID, byNum := tx.Bucket(bucketArchiveIDs), tx.Bucket(bucketArchive)
		if byID == nil || byNum == nil {
			return store.ErrNotArchived
		}
		k := byID.Get([]byte(id))
		if k == nil {
			return store.ErrNotArchived
		}
		var err error
		out, err = archived(k, byNum.Get(k))
		return err
	})
	if err != nil {
		return store.Archived{}, fmt.Errorf("boltstore: archived move %q: %w", id, err)
	}
	return out, nil
}

// ListArchived returns archived moves below a number, highest first. See
// store.Store.
func (s *Store) ListArchived(ctx context.Context, before uint64, limit int) ([]store.Archived, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("boltstore: list archived: limit %d: want 1 or more", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: list archived: %w", err)
	}
	out := []store.Archived{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArchive)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			// the first at or after before, then one back
			if k, _ = c.Seek(u64(before)); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			m, err := archived(k, v)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: list archived: %w", err)
	}
	return out, nil
}

// archived decodes one entry of bucketArchive, copying its bytes out of
// the transaction.
func archived(k, v []byte) (store.Archived, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n || len(k) != 8 {
		return store.Archived{}, errors.New("corrupted archive entry")
	}
	return store.Archived{Num: binary.BigEndian.Uint64(k), ID: string(v[w : w+int(n)]), Data: append([]byte{}, v[w+int(n):]...)}, nil
}
