package webhook

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
)

// ErrNoSubscriber: no subscriber for that country is configured.
var ErrNoSubscriber = errors.New("webhook: no subscriber for that country")

// Status is a subscriber's state, for admins.
type Status struct {
	Country string `json:"country"`
	URL     string `json:"url"`
	// Cursor is the last audit entry delivered or dead-lettered, as
	// journaled: a restart resumes after it.
	Cursor uint64 `json:"cursor"`
	// Delivered is how far this instance has delivered, acknowledged or
	// not yet (at least Cursor).
	Delivered uint64 `json:"delivered"`
	// Backlog counts the entries the country may see after Delivered,
	// and the dead letters queued for replay.
	Backlog int `json:"backlog"`
	// Head is the entry being tried, while it fails; Attempts are its
	// failed attempts and LastError the last one's reason.
	Head      uint64    `json:"head,omitempty"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	LastTry   time.Time `json:"last_try,omitzero"`
	// DeadLetters counts the dead letters; Replaying those queued for
	// another delivery.
	DeadLetters int `json:"dead_letters"`
	Replaying   int `json:"replaying"`
	// Counts are this instance's attempts since it started, by result
	// (delivered, failed, dead_letter).
	Counts map[string]int64 `json:"counts"`
}

// Status reports every subscriber, in config order.
func (d *Deliverer) Status(ctx context.Context) ([]Status, error) {
	st, err := d.cfg.Fleet.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(d.subs))
	for _, s := range d.subs {
		v := st[s.Country]
		s.mu.Lock()
		upto := max(s.upto, v.Cursor)
		s.mu.Unlock()
		backlog, err := d.backlog(ctx, s.Country, upto)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		x := Status{Country: s.Country, URL: s.URL, Cursor: v.Cursor, Delivered: upto, Backlog: backlog + len(v.Replay),
			Head: s.head, Attempts: s.attempts, LastError: s.lastErr, LastTry: s.lastAt,
			DeadLetters: len(v.Dead), Replaying: len(v.Replay), Counts: maps.Clone(s.counts)}
		s.mu.Unlock()
		out = append(out, x)
	}
	return out, nil
}

// backlog counts the entries after cursor that country may see.
func (d *Deliverer) backlog(ctx context.Context, country string, cursor uint64) (int, error) {
	n := 0
	for {
		es, err := readAudit(ctx, d.cfg.Audit, cursor, page*4)
		if err != nil || len(es) == 0 {
			return n, err
		}
		vis, err := visible(ctx, d.cfg.Fleet, d.cfg.Site, country, es)
		if err != nil {
			return n, err
		}
		for _, v := range vis {
			if v {
				n++
			}
		}
		cursor = es[len(es)-1].Seq
	}
}

// DeadLetters returns a subscriber's dead letters, oldest first.
func (d *Deliverer) DeadLetters(ctx context.Context, country string) ([]daemon.DeadLetter, error) {
	if !d.has(country) {
		return nil, fmt.Errorf("%w: %q", ErrNoSubscriber, country)
	}
	st, err := d.cfg.Fleet.Deliveries(ctx)
	if err != nil {
		return nil, err
	}
	return st[country].Dead, nil
}

// Replay queues a subscriber's dead letter seq (0: all) for another
// delivery, before the entries after the cursor, and returns how many
// were queued.
func (d *Deliverer) Replay(ctx context.Context, country string, seq uint64) (int, error) {
	if !d.has(country) {
		return 0, fmt.Errorf("%w: %q", ErrNoSubscriber, country)
	}
	return d.cfg.Fleet.ReplayDeadLetters(ctx, country, seq)
}

// Counts are this instance's attempts by country and result, every
// result of every subscriber present (zero if none).
func (d *Deliverer) Counts() map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, s := range d.subs {
		by := map[string]int64{ResultDelivered: 0, ResultFailed: 0, ResultDeadLetter: 0}
		s.mu.Lock()
		maps.Copy(by, s.counts)
		s.mu.Unlock()
		out[s.Country] = by
	}
	return out
}

// Countries are the subscribers' countries, in config order.
func (d *Deliverer) Countries() []string {
	out := make([]string, 0, len(d.subs))
	for _, s := range d.subs {
		out = append(out, s.Country)
	}
	return out
}

func (d *Deliverer) has(country string) bool { return slices.Contains(d.Countries(), country) }
