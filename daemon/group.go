package daemon

import (
	"context"
	"fmt"
	"time"
)

// Group commit. Under load the core finds more messages waiting in its
// inbox than the one it took; it takes those too, up to Config.Batch,
// and journals their records in one Append: one bbolt transaction and
// fsync, or one Redis round trip, for the lot, where each message cost
// one before. It waits for nothing: at low load a batch is the one
// message there is, so no message waits for others to arrive. The
// records are applied in order only once the Append has returned, each
// then as a record on its own is (its audit entries written, what it
// leads to handed to the publisher): every command of the batch is
// durable before it is published. Operators' requests and ticks keep their one record each
// (input): their callers wait for their own verdict.
//
// A batch is also bounded by what its records cost to apply: the core
// answers nothing else (an operator's request, a tick) until the whole
// batch is applied, so it takes at most as many as the last records took
// Config.BatchBudget to apply (a running average). Where handling a message is
// cheap next to a write (a standing fleet) batches are long; where the
// core's own work per message is the cost (a large fleet driving), they
// shrink to one, as before group commit, and requests wait no longer.

// noteApply adds the time n records took to apply to the running average
// of one.
func (d *Daemon) noteApply(took time.Duration, n int) {
	if n <= 0 {
		return
	}
	per := took / time.Duration(n)
	if d.applyCost == 0 {
		d.applyCost = per
		return
	}
	d.applyCost = (3*d.applyCost + per) / 4
}

// batchLimit is how many messages the next batch may take.
func (d *Daemon) batchLimit() int {
	if d.applyCost <= 0 {
		return d.cfg.Batch
	}
	return max(1, min(d.cfg.Batch, int(d.cfg.BatchBudget/d.applyCost)))
}

// incomingBatch handles msg and the vehicle messages waiting behind it,
// up to Config.Batch and the apply budget (batchLimit), with one journal
// write.
func (d *Daemon) incomingBatch(ctx context.Context, msg inMsg) {
	if d.cfg.Journal == nil || d.cfg.Batch <= 1 {
		d.incoming(ctx, msg)
		return
	}
	recs := d.batch[:0]
	if rec, ok := d.prepare(msg); ok {
		recs = append(recs, rec)
	}
	for n, limit := 1, d.batchLimit(); n < limit; n++ {
		var more bool
		select {
		case msg, more = <-d.inbox:
		default:
		}
		if !more {
			break
		}
		if rec, ok := d.prepare(msg); ok {
			recs = append(recs, rec)
		}
	}
	d.batch = recs[:0]
	switch len(recs) {
	case 0:
	case 1:
		d.input(ctx, recs[0])
	default:
		d.inputs(ctx, recs)
	}
	clear(recs) // the records' payloads go with the batch
}

// inputs is input for several records of vehicle messages: journaled in
// one write, then each applied and published in order. A failed write
// loses them all (each counted, as input counts one), and applies none.
func (d *Daemon) inputs(ctx context.Context, recs []record) {
	start := time.Now()
	defer func() {
		if d.active.Load() {
			took := time.Since(start)
			for range recs {
				d.lat.observe(took)
			}
		}
	}()
	if !d.active.Load() {
		return
	}
	bs := make([][]byte, 0, len(recs))
	keep := recs[:0]
	for _, rec := range recs {
		rec.V = journalVersion
		b, err := encodeRecord(rec)
		if err != nil {
			d.log.Error("a vehicle message could not be encoded; dropped", "topic", rec.Topic, "err", err)
			continue
		}
		bs = append(bs, b)
		keep = append(keep, rec)
	}
	if len(keep) == 0 {
		return
	}
	last, err := d.cfg.Journal.Append(ctx, d.token, bs...)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down
		}
		d.jErr.Add(int64(len(keep)))
		if isFenced(err) {
			d.active.Store(false)
			return
		}
		d.log.Error("journal write failed; inputs dropped", "records", len(keep), "err", fmt.Errorf("%w: %w", ErrNotJournaled, err))
		return
	}
	first := last - uint64(len(keep)) + 1
	if err := d.reconcile(ctx, first); err != nil {
		d.log.Error("the journal is not this instance's state; stopping", "err", err)
		d.stopErr = err
		d.active.Store(false)
		return
	}
	// each record then as input has it: applied, its audit entries and
	// archived moves written, what it leads to handed to the publisher
	// (which sends while the core goes on: handing a whole batch's
	// messages over at once could fill the outbox, which drops)
	var applyTime time.Duration
	for i, rec := range keep {
		applying := time.Now()
		outs, _ := d.apply(first+uint64(i), rec)
		applyTime += time.Since(applying)
		if aerr := d.au.flush(ctx, d.cfg.Journal, d.token); aerr != nil {
			d.log.Error("audit write failed; will retry", "err", aerr)
		}
		if aerr := d.flushArchive(ctx); aerr != nil {
			d.log.Error("archive write failed; will retry", "err", aerr)
		}
		d.publish(outs)
	}
	d.noteApply(applyTime, len(keep))
	d.publishView()
	d.maybeSnapshot()
}
