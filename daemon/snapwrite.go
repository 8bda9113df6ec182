package daemon

import (
	"context"
	"time"
)

// SnapshotConfig says when the active daemon writes snapshots of the core
// and what it keeps. Zero fields take the defaults noted.
type SnapshotConfig struct {
	// EveryRecords: a snapshot after this many journal records since the
	// last one; default 2,000 (a recovery replays at most that many
	// records after the snapshot it restores, which on a 2-core machine
	// loaded 10 times over takes up to a second; a week's state costs
	// 7 ms on the core's goroutine and 0.13 s off it to snapshot),
	// negative: never by count.
	EveryRecords int
	// Every: a snapshot when this much wall time has passed since the
	// last one (and records were applied since); default 10 minutes,
	// negative: never by time. Both negative: no snapshots.
	Every time.Duration
	// Keep is how many snapshots are kept (the newest); default and
	// least 2, so that a recovery that finds the newest corrupted falls
	// back to the one before.
	Keep int
	// Compact deletes the journal records before the oldest snapshot
	// kept (never the audit log); default off.
	Compact bool
}

func (c SnapshotConfig) withDefaults() SnapshotConfig {
	if c.EveryRecords == 0 {
		c.EveryRecords = 2_000
	}
	if c.Every == 0 {
		c.Every = 10 * time.Minute
	}
	c.Keep = max(c.Keep, 2)
	return c
}

// off reports whether no snapshots are to be written.
func (c SnapshotConfig) off() bool { return c.EveryRecords < 0 && c.Every < 0 }

// SnapshotStore is what the daemon needs of a store for snapshots (see
// package store); a Journal that also is one gets them.
type SnapshotStore interface {
	PutSnapshot(ctx context.Context, token uint64, seq uint64, data []byte) error
	Snapshots(ctx context.Context) ([]uint64, error)
	ReadSnapshot(ctx context.Context, seq uint64) ([]byte, error)
	DeleteSnapshots(ctx context.Context, token uint64, before uint64) error
	TrimJournal(ctx context.Context, token uint64, before uint64) error
}

// snapshotGrace is how long after it becomes active the daemon takes no
// snapshot (wall time).
const snapshotGrace = 2 * time.Second

// snapJob is a snapshot encoded on the daemon's goroutine, to be written
// off it.
type snapJob struct {
	seq   uint64
	token uint64
	at    time.Time
	core  coreState
}

// snapshotDue reports whether a snapshot should be taken now.
func (d *Daemon) snapshotDue() bool {
	c := d.cfg.Snapshots
	if d.snaps == nil || c.off() || d.applied <= d.snapAt || d.snapBusy.Load() || !d.active.Load() || d.wall().Before(d.snapAfter) {
		return false
	}
	return c.EveryRecords > 0 && d.applied-d.snapAt >= uint64(c.EveryRecords) ||
		c.Every > 0 && d.wall().Sub(d.snapTime) >= c.Every
}

// maybeSnapshot takes a snapshot when one is due and hands it to the
// writer: the core's goroutine only copies the state out (it must be the
// one after d.applied); encoding, compression, checksum and the store's
// write happen off it. A write still under way defers the next snapshot.
func (d *Daemon) maybeSnapshot() {
	if !d.snapshotDue() {
		return
	}
	start := time.Now()
	core, err := d.coreState()
	if err != nil {
		d.snapErr.Add(1)
		d.log.Error("snapshot not taken", "err", err)
		return
	}
	d.snapAt, d.snapTime = d.applied, d.wall()
	d.snapBusy.Store(true)
	select {
	case d.snapJobs <- snapJob{seq: d.applied, token: d.token, at: d.now(), core: core}:
		d.log.Debug("snapshot taken", "seq", d.applied, "took", time.Since(start).Round(time.Microsecond))
	default:
		d.snapBusy.Store(false) // no writer (not running)
	}
}

// finalSnapshot writes a snapshot of the core as it stops, when records
// were applied since the last one and no write is under way: the next
// fleetd (a restart, an upgrade, a standby taking over) replays nothing
// this one decided, so a newer version does not decide its tail again
// under other rules. It writes on the core's goroutine, still holding the
// lease, within a few seconds; a failure is logged, and the next fleetd
// replays from the snapshot before.
func (d *Daemon) finalSnapshot(ctx context.Context) {
	if d.snaps == nil || d.cfg.Snapshots.off() || !d.active.Load() || d.applied <= d.snapAt || d.snapBusy.Load() {
		return
	}
	core, err := d.coreState()
	if err != nil {
		d.snapErr.Add(1)
		d.log.Error("snapshot at stop not taken", "err", err)
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalSnapshotWithin)
	defer cancel()
	if err := d.writeSnapshot(wctx, snapJob{seq: d.applied, token: d.token, at: d.now(), core: core}); err != nil {
		d.snapErr.Add(1)
		d.log.Error("snapshot at stop not written", "seq", d.applied, "err", err)
		return
	}
	d.snapAt = d.applied
}

// finalSnapshotWithin bounds the snapshot a stopping daemon writes.
const finalSnapshotWithin = 5 * time.Second

// snapshotWriter writes the snapshots maybeSnapshot hands it, then keeps
// the newest Keep and, with Compact, trims the journal before the oldest
// kept, until ctx ends. Every write is fenced by the lease's token.
func (d *Daemon) snapshotWriter(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-d.snapJobs:
			if err := d.writeSnapshot(ctx, job); err != nil && ctx.Err() == nil {
				d.snapErr.Add(1)
				d.log.Error("snapshot not written", "seq", job.seq, "err", err)
			}
			d.snapBusy.Store(false)
		}
	}
}

func (d *Daemon) writeSnapshot(ctx context.Context, job snapJob) error {
	start := time.Now()
	core, err := job.core.encode()
	if err != nil {
		return err
	}
	b, err := encodeSnapshot(job.seq, job.at, core)
	if err != nil {
		return err
	}
	if err := d.snaps.PutSnapshot(ctx, job.token, job.seq, b); err != nil {
		return err
	}
	d.snapOK.Add(1)
	d.log.Info("snapshot written", "seq", job.seq, "bytes", len(b), "took", time.Since(start).Round(time.Millisecond))
	seqs, err := d.snaps.Snapshots(ctx)
	if err != nil {
		return err
	}
	keep := d.cfg.Snapshots.Keep
	if len(seqs) <= keep {
		return nil
	}
	oldest := seqs[len(seqs)-keep]
	if err := d.snaps.DeleteSnapshots(ctx, job.token, oldest); err != nil {
		return err
	}
	if d.cfg.Snapshots.Compact {
		if err := d.snaps.TrimJournal(ctx, job.token, oldest); err != nil {
			return err
		}
		d.log.Info("journal compacted", "before", oldest)
	}
	return nil
}
