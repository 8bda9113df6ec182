package daemon

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/borderfleet/borderfleet/store"
)

// ErrSettings: the journal was written with other settings (site, seed,
// policies, roster...): replaying it would not rebuild its state.
var ErrSettings = errors.New("daemon: the store's journal was written with other settings; start fleetd with the same ones, or use a new store")

// ErrStandby: this instance stands by; the active one takes requests.
var ErrStandby = errors.New("daemon: standing by: another fleetd is active")

// Journal records are JSON; larger ones are stored deflated, marked by a
// first byte that JSON never starts with.
const (
	deflated     byte = 0x01
	deflateAbove      = 256 // bytes
)

func encodeRecord(r record) ([]byte, error) { return (*deflater)(nil).encodeRecord(r) }

// deflater compresses journal records with one compressor for every
// record (making one allocates about a megabyte: most of what journaling
// an input cost). Its zero value is ready; it is not safe for concurrent
// use (the daemon's goroutine owns the daemon's). A nil deflater makes a
// compressor for each record.
type deflater struct {
	w *flate.Writer
}

// encodeRecord is a record as journaled: JSON, deflated above
// deflateAbove bytes. What it returns is the caller's.
func (f *deflater) encodeRecord(r record) ([]byte, error) {
	r.V = journalVersion
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("daemon: journal record: %w", err)
	}
	if len(b) <= deflateAbove {
		return b, nil
	}
	if f == nil {
		f = &deflater{}
	}
	var out bytes.Buffer
	out.Grow(len(b)/2 + 16)
	out.WriteByte(deflated)
	if f.w == nil {
		f.w, _ = flate.NewWriter(&out, flate.BestSpeed) // errs only on a bad level
	} else {
		f.w.Reset(&out)
	}
	_, _ = f.w.Write(b) // a bytes.Buffer does not fail
	if err := f.w.Close(); err != nil {
		return nil, fmt.Errorf("daemon: journal record: %w", err)
	}
	return out.Bytes(), nil
}

// inflate undoes encodeRecord's compression.
func inflate(b []byte) ([]byte, error) { return (*inflater)(nil).inflate(b) }

// inflater undoes encodeRecord's compression with one decompressor and
// one buffer for every record (a replay inflates thousands: a
// decompressor for each was a large part of its allocations). What
// inflate returns is good until its next call (decodeRecord keeps none of
// it: json.Unmarshal copies). Its zero value is ready; it is not safe
// for concurrent use. A nil inflater makes a decompressor and a buffer
// for each record.
type inflater struct {
	src bytes.Reader
	r   io.ReadCloser
	out bytes.Buffer
}

func (f *inflater) inflate(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != deflated {
		return b, nil
	}
	if f == nil {
		f = &inflater{}
	}
	f.src.Reset(b[1:])
	if f.r == nil {
		f.r = flate.NewReader(&f.src)
	} else if err := f.r.(flate.Resetter).Reset(&f.src, nil); err != nil {
		return nil, fmt.Errorf("daemon: journal record: %w", err)
	}
	f.out.Reset()
	if _, err := f.out.ReadFrom(io.LimitReader(f.r, 64<<20)); err != nil {
		return nil, fmt.Errorf("daemon: journal record: %w", err)
	}
	return f.out.Bytes(), nil
}

func isFenced(err error) bool { return errors.Is(err, store.ErrFenced) }

// replayPage is how many journal records are read at once.
const replayPage = 1000

// catchUp applies the journal records this instance has not applied yet.
// Nothing is published: what they led to went out when they were first
// handled.
//
// The first catch-up of a new instance restores the newest valid snapshot
// (coresnap.go) and replays only the records after it. Records the
// journal no longer has (compacted after a snapshot, while this instance
// stood by) are skipped by restoring a snapshot that covers them.
//
// The records are read and decoded on a goroutine of their own, a page
// or two ahead of the core that applies them (readahead.go); on the
// first catch-up that reading starts after the newest snapshot while the
// snapshot itself is read and restored.
func (d *Daemon) catchUp(ctx context.Context) error {
	var ra *readAhead
	defer func() { ra.stop() }()
	defer d.publishView() // a standby's readers see what it follows
	if !d.snapTried && d.applied == 0 {
		d.snapTried = true
		if seq := d.newestSnapshot(ctx); seq > 0 {
			ra = d.readAhead(ctx, seq) // the tail, if that snapshot is valid
		}
		switch err := d.loadSnapshot(ctx, 0); {
		case errors.Is(err, errNoSnapshot):
			// replay the journal from its start
		case err != nil:
			return err
		}
		if ra != nil && ra.after != d.applied {
			ra.stop() // another snapshot, or none, was restored
			ra = nil
		}
	}
	for {
		if ra == nil {
			ra = d.readAhead(ctx, d.applied)
		}
		gap, err := d.applyPages(ra)
		ra.stop()
		ra = nil
		if err != nil || gap == 0 {
			return err
		}
		// compacted: the records after d.applied are gone
		err = d.loadSnapshot(ctx, gap-1)
		if errors.Is(err, errNoSnapshot) {
			return fmt.Errorf("%w: the journal starts at record %d after compaction, this instance applied %d, and no valid snapshot covers the gap",
				ErrJournalLost, gap, d.applied)
		}
		if err != nil {
			return err
		}
	}
}

// applyPages applies the records read ahead, in order, until the last.
// It returns the index the journal goes on at when that is not the next
// one (records were compacted away: nothing of that page is applied).
func (d *Daemon) applyPages(ra *readAhead) (gap uint64, err error) {
	for p := range ra.pages {
		if len(p.es) > 0 && p.es[0].Index != d.applied+1 {
			return p.es[0].Index, nil
		}
		for i, e := range p.es {
			rec := p.recs[i]
			if rec.Kind == kindConfig {
				if rec.Settings != d.settings {
					return 0, fmt.Errorf("%w:\n  journal: %s\n  now:     %s", ErrSettings, rec.Settings, d.settings)
				}
				d.applied = e.Index
				continue
			}
			_, _ = d.apply(e.Index, rec)
			d.replayed.Add(1)
		}
		if p.err != nil {
			return 0, p.err
		}
	}
	return 0, nil
}

// takeOver takes the lease: while another instance holds it, this one
// stands by and follows the journal, so that it is ready to take over
// within a lease's time when the other dies. Then it applies what is left
// of the journal, carries the clock on from its last record and writes the
// audit entries the last active instance did not.
func (d *Daemon) takeOver(ctx context.Context) error {
	j := d.cfg.Journal
	start := time.Now()
	if err := d.catchUp(ctx); err != nil {
		return err
	}
	// the phases of a takeover, for the log: recovery (snapshot and
	// tail), standing by (the lease held by another), the last
	// catch-up, the audit log's and archive's writes
	recovered := time.Now()
	var leased time.Time
	poll := time.NewTicker(d.cfg.LeaseTTL / 6)
	defer poll.Stop()
	standing := false
	for {
		token, err := j.Acquire(ctx, d.cfg.Owner, d.cfg.LeaseTTL)
		if err == nil {
			d.token = token
			leased = time.Now()
			if d.leased != nil {
				d.leased <- leased // once: the channel holds one
			}
			break
		}
		switch {
		case errors.Is(err, store.ErrNotDurable):
			// a replicated store could not make the token durable (its
			// replicas are down or still syncing): not yet, try again
			d.log.Warn("the lease is not durable yet; trying again", "owner", d.cfg.Owner, "err", err)
		case !errors.Is(err, store.ErrHeld):
			return fmt.Errorf("daemon: taking the lease: %w", err)
		case !standing:
			standing = true
			d.log.Info("standing by: another fleetd holds the lease", "owner", d.cfg.Owner)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case fn := <-d.reqs:
			fn(ctx)
		case <-poll.C:
			if err := d.catchUp(ctx); err != nil {
				return err
			}
			if err := d.au.prune(ctx, j); err != nil {
				return err
			}
			if err := d.pruneArchive(ctx); err != nil {
				return err
			}
		}
	}
	if err := d.catchUp(ctx); err != nil {
		return err
	}
	caught := time.Now()
	if d.applied == 0 {
		// a new journal: it starts with the settings it is written with
		b, err := d.enc.encodeRecord(record{Kind: kindConfig, At: d.cfg.Clock(), Settings: d.settings})
		if err != nil {
			return err
		}
		if d.applied, err = j.Append(ctx, d.token, b); err != nil {
			return fmt.Errorf("daemon: journal: %w", err)
		}
	}
	if ahead := d.lastAt.Sub(d.cfg.Clock()); ahead > 0 {
		d.offset = ahead // a faster clock (a demo) carries on where it was
	}
	d.au.live = true
	if err := d.au.flush(ctx, j, d.token); err != nil {
		return err
	}
	audited := time.Now()
	if err := d.flushArchive(ctx); err != nil {
		d.log.Error("archive write failed; will retry", "err", err)
	}
	ms := func(from, to time.Time) time.Duration { return to.Sub(from).Round(time.Millisecond) }
	d.log.Info("active: journal replayed", "owner", d.cfg.Owner, "token", d.token, "records", d.applied,
		"snapshot", d.fromSnapshot, "replayed", d.replayed.Load(), "took", time.Since(start).Round(time.Millisecond),
		"recovery", ms(start, recovered), "standing_by", ms(recovered, leased), "last_catch_up", ms(leased, caught),
		"audit", ms(caught, audited), "archive", ms(audited, time.Now()))
	return nil
}

// trimState cuts a state down to what the core reads, which is what is
// journaled and handled (the same live and in replay): it drops velocity,
// distanceSinceLastNode and information, and keeps only the first of
// nodeStates and edgeStates (the core asks only whether there are any).
// It also returns a digest without what changes in every message (header,
// position, battery below a tenth of a percent): two states with one
// digest mean the same to the core. ok is false for what is not a JSON
// object; it goes to the core as it came, to be refused there.
func trimState(payload []byte) (trimmed []byte, digest string, ok bool) {
	if trimmed, digest, ok := trimStateFast(payload); ok {
		return trimmed, digest, true
	}
	return trimStateMap(payload)
}

// trimStateMap is trimState by way of a map of the state's members: for
// what trimStateFast does not take.
func trimStateMap(payload []byte) (trimmed []byte, digest string, ok bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return payload, "", false
	}
	for _, k := range []string{"velocity", "distanceSinceLastNode", "information"} {
		delete(m, k)
	}
	for _, k := range []string{"nodeStates", "edgeStates"} {
		var list []json.RawMessage
		if raw, has := m[k]; has && json.Unmarshal(raw, &list) == nil && len(list) > 1 {
			m[k], _ = json.Marshal(list[:1])
		}
	}
	trimmed, err := json.Marshal(m)
	if err != nil {
		return payload, "", false
	}
	for _, k := range []string{"headerId", "timestamp", "agvPosition"} {
		delete(m, k)
	}
	if raw, has := m["batteryState"]; has {
		var b map[string]any
		if json.Unmarshal(raw, &b) == nil {
			if c, isNum := b["batteryCharge"].(float64); isNum {
				b["batteryCharge"] = math.Round(c*10) / 10
			}
			m["batteryState"], _ = json.Marshal(b)
		}
	}
	d, err := json.Marshal(m) // map keys sorted: the same state, the same digest
	if err != nil {
		return payload, "", false
	}
	return trimmed, string(d), true
}
