package history

import (
	"context"
	"fmt"
	"sync"

	"github.com/borderfleet/borderfleet/store"
)

// batched is a store whose journal and audit appends are held and written
// in batches of n: Append returns the index the record will have. Every
// other write, and every read, writes what is held first, so the store
// is never seen with a snapshot or an archived move ahead of the
// journal. Only one writer may append (the history's daemon): the
// indexes it hands out assume it.
type batched struct {
	store.Store
	n int

	mu     sync.Mutex
	token  uint64
	recs   [][]byte
	audits [][]byte
	last   uint64 // the journal's last index, held records included; 0: not known yet
}

func newBatched(s store.Store, n int) *batched {
	return &batched{Store: s, n: max(n, 1)}
}

// flush writes what is held: the journal's records, then the audit
// log's. mu is held.
func (b *batched) flush(ctx context.Context) error {
	if len(b.recs) > 0 {
		idx, err := b.Store.Append(ctx, b.token, b.recs...)
		if err != nil {
			return err
		}
		if idx != b.last {
			return fmt.Errorf("history: the journal's last record is %d, want %d: another writer?", idx, b.last)
		}
		b.recs = b.recs[:0]
	}
	if len(b.audits) > 0 {
		if _, err := b.Store.AppendAudit(ctx, b.token, b.audits...); err != nil {
			return err
		}
		b.audits = b.audits[:0]
	}
	return nil
}

// Flush writes what is held.
func (b *batched) Flush(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flush(ctx)
}

func (b *batched) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if token != b.token || b.last == 0 || len(recs) == 0 {
		if err := b.flush(ctx); err != nil {
			return 0, err
		}
		b.token = token
		idx, err := b.Store.Append(ctx, token, recs...)
		if err == nil {
			b.last = idx
		}
		return idx, err
	}
	for _, r := range recs {
		b.recs = append(b.recs, append([]byte(nil), r...))
	}
	b.last += uint64(len(recs))
	if len(b.recs) >= b.n {
		if err := b.flush(ctx); err != nil {
			return 0, err
		}
	}
	return b.last, nil
}

func (b *batched) AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if token != b.token || b.last == 0 {
		if err := b.flush(ctx); err != nil {
			return 0, err
		}
		return b.Store.AppendAudit(ctx, token, entries...)
	}
	for _, e := range entries {
		b.audits = append(b.audits, append([]byte(nil), e...))
	}
	return 0, nil // the daemon does not read the index
}

// flushed runs fn after writing what is held.
func (b *batched) flushed(ctx context.Context, fn func() error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.flush(ctx); err != nil {
		return err
	}
	return fn()
}

func (b *batched) Read(ctx context.Context, after uint64, limit int) (es []store.Entry, err error) {
	err = b.flushed(ctx, func() error { es, err = b.Store.Read(ctx, after, limit); return err })
	return es, err
}

func (b *batched) ReadAudit(ctx context.Context, after uint64, limit int) (es []store.Entry, err error) {
	err = b.flushed(ctx, func() error { es, err = b.Store.ReadAudit(ctx, after, limit); return err })
	return es, err
}

func (b *batched) PutSnapshot(ctx context.Context, token, seq uint64, data []byte) error {
	return b.flushed(ctx, func() error { return b.Store.PutSnapshot(ctx, token, seq, data) })
}

func (b *batched) TrimJournal(ctx context.Context, token, before uint64) error {
	return b.flushed(ctx, func() error { return b.Store.TrimJournal(ctx, token, before) })
}

func (b *batched) PutArchived(ctx context.Context, token uint64, moves ...store.Archived) error {
	return b.flushed(ctx, func() error { return b.Store.PutArchived(ctx, token, moves...) })
}

func (b *batched) Release(ctx context.Context, owner string, token uint64) error {
	return b.flushed(ctx, func() error { return b.Store.Release(ctx, owner, token) })
}
