package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
)

// Results of one attempt, as counted (Counts).
const (
	ResultDelivered  = "delivered"   // 2xx
	ResultFailed     = "failed"      // another status, a timeout, a refused connection: tried again
	ResultDeadLetter = "dead_letter" // failed MaxAttempts times: given up on
)

// page is how many audit entries are read at once.
const page = 256

// Deliverer delivers the audit log to every subscriber.
type Deliverer struct {
	cfg  Config
	subs []*sub
}

// New checks the config and builds a Deliverer.
func New(cfg Config) (*Deliverer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Deliverer{cfg: cfg}
	for _, s := range cfg.Subscribers {
		d.subs = append(d.subs, &sub{cfg: &d.cfg, Subscriber: s, counts: map[string]int64{},
			log: cfg.Log.With("subscriber", s.Country)})
	}
	return d, nil
}

// Run delivers until ctx is cancelled, one goroutine per subscriber,
// while the fleet is active; it returns when they have all stopped.
func (d *Deliverer) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range d.subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx)
		}()
	}
	wg.Wait()
}

// sub is one subscriber's sender.
type sub struct {
	Subscriber
	cfg *Config
	log *slog.Logger

	mu       sync.Mutex
	counts   map[string]int64 // by result
	head     uint64           // the entry being delivered, 0 if none
	attempts int              // failed attempts at head
	lastErr  string           // of the last failed attempt
	lastAt   time.Time        // of the last attempt
	upto     uint64           // delivered up to here, maybe not yet journaled
}

// outcome of delivering one entry.
type outcome int

const (
	delivered outcome = iota
	dead
	interrupted // ctx ended or this instance stood down: nothing recorded
)

// run delivers while ctx lasts: a session per spell of being active.
func (s *sub) run(ctx context.Context) {
	for ctx.Err() == nil {
		if !s.cfg.Fleet.Active() {
			if !sleep(ctx, s.cfg.Poll) {
				return
			}
			continue
		}
		if err := s.session(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("webhook delivery paused", "err", err)
			sleep(ctx, s.cfg.BackoffBase)
		}
	}
}

// acks batches acknowledgements of delivered entries.
type acks struct {
	durable uint64 // the cursor as journaled
	upto    uint64 // delivered (or not for this subscriber) up to here
	n       int    // delivered since the last acknowledgement
	last    time.Time
}

// flush journals the cursor, with extra steps after it, if force or the
// batch is due.
func (s *sub) flush(ctx context.Context, a *acks, force bool, extra ...daemon.DeliveryOp) error {
	due := force || a.n >= s.cfg.AckBatch || time.Since(a.last) >= s.cfg.AckEvery
	if !due || (a.upto <= a.durable && len(extra) == 0) {
		return nil
	}
	var ops []daemon.DeliveryOp
	if a.upto > a.durable {
		ops = append(ops, daemon.DeliveryOp{Subscriber: s.Country, Op: daemon.DeliveryDelivered, Seq: a.upto, At: time.Now().UTC()})
	}
	ops = append(ops, extra...)
	if err := s.cfg.Fleet.RecordDeliveries(ctx, ops...); err != nil {
		return fmt.Errorf("webhook: recording progress: %w", err)
	}
	a.durable, a.n, a.last = max(a.durable, a.upto), 0, time.Now()
	return nil
}

// session delivers from the journaled progress on: first the replays,
// then the audit log after the cursor.
func (s *sub) session(ctx context.Context) (err error) {
	st, err := s.cfg.Fleet.Deliveries(ctx)
	if err != nil {
		return err
	}
	a := &acks{durable: st[s.Country].Cursor, upto: st[s.Country].Cursor, last: time.Now()}
	defer func() {
		// acknowledge what went out, also on the way out (a SIGTERM)
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if ferr := s.flush(fctx, a, true); ferr != nil && err == nil && ctx.Err() == nil {
			err = ferr
		}
	}()
	for ctx.Err() == nil {
		if err := s.replays(ctx, a); err != nil {
			return err
		}
		es, err := readAudit(ctx, s.cfg.Audit, a.upto, page)
		if err != nil {
			return err
		}
		s.setUpto(a.upto)
		if len(es) == 0 {
			// caught up: acknowledge when due, so that a trickle of
			// entries is not one journal write each
			if err := s.flush(ctx, a, false); err != nil {
				return err
			}
			if !sleep(ctx, s.cfg.Poll) {
				return nil
			}
			continue
		}
		vis, err := visible(ctx, s.cfg.Fleet, s.cfg.Site, s.Country, es)
		if err != nil {
			return err
		}
		for i, e := range es {
			s.setUpto(a.upto)
			if !vis[i] {
				a.upto = e.Seq
				continue
			}
			out, tries, reason := s.deliver(ctx, e)
			switch out {
			case interrupted:
				return nil
			case delivered:
				a.upto, a.n = e.Seq, a.n+1
				if err := s.flush(ctx, a, false); err != nil {
					return err
				}
			case dead:
				s.log.Warn("webhook entry dead-lettered", "seq", e.Seq, "attempts", tries, "reason", reason)
				// the cursor up to the entry before, then the dead letter
				// (which moves the cursor past it), in one record
				if err := s.flush(ctx, a, true, daemon.DeliveryOp{Subscriber: s.Country, Op: daemon.DeliveryDead,
					Seq: e.Seq, Attempts: tries, Reason: reason, At: time.Now().UTC()}); err != nil {
					return err
				}
				a.upto, a.durable = e.Seq, e.Seq
			}
		}
	}
	return nil
}

// replays delivers the dead letters an admin asked for, each recorded at
// once (replays are rare).
func (s *sub) replays(ctx context.Context, a *acks) error {
	st, err := s.cfg.Fleet.Deliveries(ctx)
	if err != nil {
		return err
	}
	for _, seq := range st[s.Country].Replay {
		es, err := readAudit(ctx, s.cfg.Audit, seq-1, 1)
		if err != nil {
			return err
		}
		if len(es) == 0 || es[0].Seq != seq {
			return fmt.Errorf("webhook: replayed entry %d is not in the audit log", seq)
		}
		out, tries, reason := s.deliver(ctx, es[0])
		op := daemon.DeliveryOp{Subscriber: s.Country, Op: daemon.DeliveryRedelivered, Seq: seq, At: time.Now().UTC()}
		switch out {
		case interrupted:
			return nil
		case dead:
			op.Op, op.Attempts, op.Reason = daemon.DeliveryDead, tries, reason
		}
		if err := s.flush(ctx, a, true, op); err != nil {
			return err
		}
	}
	return nil
}

// deliver tries to POST one entry until it is delivered, MaxAttempts
// have failed, or ctx ends (or this instance stands down).
func (s *sub) deliver(ctx context.Context, e audit.Entry) (outcome, int, string) {
	body, err := json.Marshal(Event{ID: e.Hash, Country: s.Country, Entry: e})
	if err != nil {
		return dead, 0, err.Error() // cannot happen for a decoded entry
	}
	bo := Backoff{Base: s.cfg.BackoffBase, Cap: s.cfg.BackoffCap}
	for n := 1; ; n++ {
		if ctx.Err() != nil || !s.cfg.Fleet.Active() {
			return interrupted, n - 1, ""
		}
		err := s.post(ctx, e, body)
		if err == nil {
			s.note(ResultDelivered, 0, 0, nil)
			return delivered, n, ""
		}
		if ctx.Err() != nil {
			return interrupted, n, ""
		}
		if n >= s.cfg.MaxAttempts {
			s.note(ResultFailed, e.Seq, n, err)
			s.note(ResultDeadLetter, 0, 0, nil)
			return dead, n, err.Error()
		}
		s.note(ResultFailed, e.Seq, n, err)
		if !sleep(ctx, bo.Delay(n)) {
			return interrupted, n, ""
		}
	}
}

// post sends one attempt: nil for a 2xx answer.
func (s *sub) post(ctx context.Context, e audit.Entry, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "borderfleet-webhook/1")
	req.Header.Set(HeaderIdempotencyKey, e.Hash)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(s.Secret, ts, body))
	req.Header.Set(HeaderEvent, e.Event)
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("timeout after %v", s.cfg.Timeout)
		}
		return err
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10)) // read to the end: the connection is kept
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(answer[:min(len(answer), 200)]))
	}
	return nil
}

// note counts an attempt and keeps the head's state for Status.
func (s *sub) note(result string, head uint64, attempts int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[result]++
	s.head, s.attempts, s.lastAt = head, attempts, time.Now().UTC()
	s.lastErr = ""
	if err != nil {
		s.lastErr = err.Error()
	}
}

// setUpto notes how far this instance has delivered, for Status.
func (s *sub) setUpto(seq uint64) {
	s.mu.Lock()
	s.upto = max(s.upto, seq)
	s.mu.Unlock()
}

// sleep waits d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
