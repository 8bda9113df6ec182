package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/borderfleet/borderfleet/store"
)

// lease is the record under meta/lease: the token (8 bytes), the expiry in
// Unix nanoseconds (8 bytes), then the owner.
type lease struct {
	token  uint64
	expiry int64
	owner  string
}

func (l lease) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, l.token)
	b = binary.BigEndian.AppendUint64(b, uint64(l.expiry))
	return append(b, l.owner...)
}

// getLease returns the lease in tx, if there is one.
func getLease(tx *bolt.Tx) (lease, bool) {
	v := tx.Bucket(bucketMeta).Get(keyLease)
	if len(v) < 16 {
		return lease{}, false
	}
	return lease{
		token:  binary.BigEndian.Uint64(v),
		expiry: int64(binary.BigEndian.Uint64(v[8:])),
		owner:  string(v[16:]),
	}, true
}

func putLease(tx *bolt.Tx, l lease) error {
	return tx.Bucket(bucketMeta).Put(keyLease, l.encode())
}

// fence returns the current fencing token (0 before the first Acquire).
func fence(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bucketMeta).Get(keyFence)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// current reports whether token is the current fencing token. Token 0 never
// is: Acquire hands out tokens from 1.
func current(tx *bolt.Tx, token uint64) bool {
	return token != 0 && fence(tx) == token
}

// nextFence increments the fencing counter and returns the new token.
func nextFence(tx *bolt.Tx) (uint64, error) {
	t := fence(tx) + 1
	return t, tx.Bucket(bucketMeta).Put(keyFence, u64(t))
}

// Acquire takes the lease for owner. See store.Store.
func (s *Store) Acquire(ctx context.Context, owner string, ttl time.Duration) (uint64, error) {
	if err := check(ctx, ttl); err != nil {
		return 0, fmt.Errorf("boltstore: acquire: %w", err)
	}
	var token uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		now := time.Now()
		// A lease this Store did not hand out was taken by a process that
		// had the file before: bbolt lets one process open it at a time,
		// so that one is gone (killed, or closed the store) and its lease
		// is void at once rather than at its expiry. Its token is fenced
		// by the new one all the same.
		if l, ok := getLease(tx); ok && l.owner != owner && now.UnixNano() < l.expiry && s.issued[l.token] {
			return store.ErrHeld
		}
		var err error
		if token, err = nextFence(tx); err != nil {
			return err
		}
		s.issued[token] = true
		return putLease(tx, lease{token: token, expiry: now.Add(ttl).UnixNano(), owner: owner})
	})
	if err != nil {
		return 0, fmt.Errorf("boltstore: acquire: %w", err)
	}
	return token, nil
}

// Renew extends owner's lease. See store.Store.
func (s *Store) Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error {
	if err := check(ctx, ttl); err != nil {
		return fmt.Errorf("boltstore: renew: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if !current(tx, token) {
			return store.ErrFenced
		}
		want := lease{token: token, owner: owner}
		if l, ok := getLease(tx); ok && (l.token != token || l.owner != owner) {
			return store.ErrFenced
		}
		want.expiry = time.Now().Add(ttl).UnixNano()
		return putLease(tx, want)
	})
	if err != nil {
		return fmt.Errorf("boltstore: renew: %w", err)
	}
	return nil
}

// Release gives the lease up and fences token. See store.Store.
func (s *Store) Release(ctx context.Context, owner string, token uint64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: release: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if !current(tx, token) {
			return nil
		}
		if l, ok := getLease(tx); ok && (l.token != token || l.owner != owner) {
			return nil
		}
		if err := tx.Bucket(bucketMeta).Delete(keyLease); err != nil {
			return err
		}
		_, err := nextFence(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("boltstore: release: %w", err)
	}
	return nil
}

// check refuses a cancelled context and a ttl that is not positive.
func check(ctx context.Context, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("lease ttl %v is not positive", ttl)
	}
	return nil
}
