package history

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/store"
)

// Copied is what Copy copied.
type Copied struct {
	Records, Audit, Snapshots, Archived int
}

// copyOwner holds the target's lease while Copy writes.
const copyOwner = "fleetd-history-copy"

// Copy copies a store's journal, audit log, snapshots and archive of
// moves into another whose journal is empty (of another kind, say: a
// history written once into Redis, copied into a bolt file), index for
// index. The source's journal must be whole (not compacted): the
// target's indexes start at 1. Nothing may write to either meanwhile.
func Copy(ctx context.Context, from, to store.Store) (Copied, error) {
	var c Copied
	if es, err := to.Read(ctx, 0, 1); err != nil {
		return c, fmt.Errorf("history: %w", err)
	} else if len(es) > 0 {
		return c, errors.New("history: the target's journal is not empty")
	}
	const ttl = 30 * time.Second
	token, err := to.Acquire(ctx, copyOwner, ttl)
	if err != nil {
		return c, fmt.Errorf("history: the target's lease: %w", err)
	}
	defer func() { _ = to.Release(context.WithoutCancel(ctx), copyOwner, token) }()
	const page = 5000
	for after := uint64(0); ; {
		es, err := from.Read(ctx, after, page)
		if err != nil {
			return c, fmt.Errorf("history: reading the journal: %w", err)
		}
		if len(es) == 0 {
			break
		}
		if after == 0 && es[0].Index != 1 {
			return c, fmt.Errorf("history: the source's journal starts at record %d (compacted): Copy needs it whole", es[0].Index)
		}
		recs := make([][]byte, len(es))
		for i, e := range es {
			recs[i] = e.Data
		}
		idx, err := to.Append(ctx, token, recs...)
		if err != nil {
			return c, fmt.Errorf("history: writing the journal: %w", err)
		}
		if last := es[len(es)-1].Index; idx != last {
			return c, fmt.Errorf("history: copied record %d as %d (the source's journal has gaps?)", last, idx)
		}
		c.Records += len(es)
		after = idx
		if err := to.Renew(ctx, copyOwner, token, ttl); err != nil {
			return c, fmt.Errorf("history: the target's lease: %w", err)
		}
	}
	for after := uint64(0); ; {
		es, err := from.ReadAudit(ctx, after, page)
		if err != nil {
			return c, fmt.Errorf("history: reading the audit log: %w", err)
		}
		if len(es) == 0 {
			break
		}
		recs := make([][]byte, len(es))
		for i, e := range es {
			recs[i] = e.Data
		}
		if after, err = to.AppendAudit(ctx, token, recs...); err != nil {
			return c, fmt.Errorf("history: writing the audit log: %w", err)
		}
		c.Audit += len(es)
	}
	seqs, err := from.Snapshots(ctx)
	if err != nil {
		return c, fmt.Errorf("history: %w", err)
	}
	for _, seq := range seqs {
		b, err := from.ReadSnapshot(ctx, seq)
		if err != nil {
			return c, fmt.Errorf("history: %w", err)
		}
		if err := to.PutSnapshot(ctx, token, seq, b); err != nil {
			return c, fmt.Errorf("history: %w", err)
		}
		c.Snapshots++
	}
	for before := uint64(0); ; {
		ms, err := from.ListArchived(ctx, before, 1000)
		if err != nil {
			return c, fmt.Errorf("history: reading the archive: %w", err)
		}
		if len(ms) == 0 {
			break
		}
		if err := to.PutArchived(ctx, token, ms...); err != nil {
			return c, fmt.Errorf("history: writing the archive: %w", err)
		}
		c.Archived += len(ms)
		before = ms[len(ms)-1].Num
		if before <= 1 {
			break
		}
	}
	return c, nil
}
