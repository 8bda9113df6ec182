package daemon

import (
	"context"
	"fmt"

	"github.com/borderfleet/borderfleet/store"
)

// readAhead reads journal records after an index and decodes them on a
// goroutine of its own, a page or two ahead of the core that applies
// them: reading (the store's round trips) and decoding (inflating, JSON)
// are a large part of a replay, and need not wait for the core.
type readAhead struct {
	after  uint64 // where it started
	pages  chan page
	cancel context.CancelFunc
}

// page is a page of records read and decoded: the entries and their
// records up to the first that failed, and why it failed. The last page
// has fewer than replayPage entries, or an error.
type page struct {
	es   []store.Entry
	recs []record
	err  error
}

// readAhead starts reading the records after index after.
func (d *Daemon) readAhead(ctx context.Context, after uint64) *readAhead {
	ctx, cancel := context.WithCancel(ctx)
	ra := &readAhead{after: after, pages: make(chan page, 2), cancel: cancel}
	go func() {
		defer close(ra.pages)
		var f inflater
		for {
			p := readPage(ctx, d.cfg.Journal, &f, after)
			select {
			case ra.pages <- p:
			case <-ctx.Done():
				return
			}
			if p.err != nil || len(p.es) < replayPage {
				return
			}
			after = p.es[len(p.es)-1].Index
		}
	}()
	return ra
}

// readPage reads and decodes the page of records after index after.
func readPage(ctx context.Context, j Journal, f *inflater, after uint64) page {
	es, err := j.Read(ctx, after, replayPage)
	if err != nil {
		return page{err: fmt.Errorf("daemon: reading the journal: %w", err)}
	}
	p := page{es: es, recs: make([]record, len(es))}
	for i, e := range es {
		if p.recs[i], err = f.decodeRecord(e.Data); err != nil {
			p.es, p.recs = es[:i], p.recs[:i]
			p.err = fmt.Errorf("daemon: journal entry %d: %w", e.Index, err)
			break
		}
	}
	return p
}

// stop ends the reading and waits for it to end. A nil readAhead is
// stopped.
func (ra *readAhead) stop() {
	if ra == nil {
		return
	}
	ra.cancel()
	for range ra.pages {
		// drained: the reader returns
	}
}
