package daemon

import (
	"context"
	"errors"
	"fmt"
)

// ErrJournalLost: the journal no longer has records this instance applied
// (a replicated store failed over to a replica that lacked them). Its state
// is not the journal's any more; it stops, and the next instance replays
// what the journal has.
var ErrJournalLost = errors.New("daemon: the journal lost records this instance applied")

// reconcile keeps the core's state the journal's after the append of one
// record at index idx. A write reported as failed may have reached the
// journal all the same (a replicated store that could not make it durable,
// a reply lost on a broken connection): such records lie between the last
// one applied and idx, and are applied now, in journal order, before the
// new one, as a replay would. An index at or below the last applied one
// means the journal lost records: the instance stops with ErrJournalLost.
func (d *Daemon) reconcile(ctx context.Context, idx uint64) error {
	switch {
	case idx == d.applied+1:
		return nil
	case idx <= d.applied:
		return fmt.Errorf("%w: it appended record %d after applying %d", ErrJournalLost, idx, d.applied)
	}
	es, err := d.cfg.Journal.Read(ctx, d.applied, int(idx-1-d.applied))
	if err == nil && (len(es) != int(idx-1-d.applied) || es[0].Index != d.applied+1) {
		err = fmt.Errorf("read %d records after %d, want %d", len(es), d.applied, idx-1-d.applied)
	}
	if err != nil {
		return fmt.Errorf("%w: records %d to %d, written by writes reported as failed, cannot be read: %v", ErrJournalLost, d.applied+1, idx-1, err)
	}
	for _, e := range es {
		rec, err := decodeRecord(e.Data)
		if err != nil {
			return fmt.Errorf("daemon: journal entry %d: %w", e.Index, err)
		}
		d.log.Warn("a journal write reported as failed was made; applying it", "index", e.Index, "kind", rec.Kind)
		outs, _ := d.apply(e.Index, rec)
		d.publish(outs)
	}
	return nil
}
