package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultLeaseTTL is Config.LeaseTTL's default. A standby takes over
// between two and three thirds of it after the active instance dies, plus
// a poll (a sixth of it) and the records it has not applied yet: about
// 1 s with 1 s (BENCHMARKS.md, "Failover on a week of history"). It is
// short because the lease is renewed on a goroutine of its own
// (keepLease), not between the core's work: a busy core keeps its lease;
// only a process or a store that cannot answer for two thirds of it loses
// it, and then the fencing token keeps the deposed instance from writing.
const DefaultLeaseTTL = time.Second

// coreStall is how long the core may spend on one piece of work before
// keepLease stops renewing: a core stuck that long (a deadlock, a store
// call that never returns) lets a standby take over rather than hold the
// fleet. The core's longest legitimate work is a batch bounded by
// BatchBudget or a snapshot taken in milliseconds.
const coreStall = 30 * time.Second

// keepLease renews the lease every third of LeaseTTL until ctx is
// cancelled, on its own goroutine, so that the core's work (a backlog of
// vehicle messages, a snapshot taken, a burst of requests) never delays a
// renewal. It sends on lost, once, and returns when the lease is lost:
// another instance took it (the store says fenced), or no renewal has
// succeeded for a whole LeaseTTL (the store did not answer: another may
// have taken it), or the core has been stuck on one piece of work for
// coreStall. A renewal that fails for another reason (a timeout, a
// replica that did not acknowledge) is tried again at the next third
// while the lease has time left.
//
// It starts when takeOver sends on leased the time it acquired the lease
// (d.token is set by then), so that the rest of the takeover (the last
// catch-up, the audit log's writes, the resume) does not eat into it.
func (d *Daemon) keepLease(ctx context.Context, leased <-chan time.Time, lost chan<- error) {
	var renewed time.Time
	select {
	case <-ctx.Done():
		return
	case renewed = <-leased:
	}
	ttl := d.cfg.LeaseTTL
	every := time.NewTicker(ttl / 3)
	defer every.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-every.C:
		}
		now := d.wall()
		if since := d.busySince.Load(); since != 0 && now.Sub(time.Unix(0, since)) > coreStall {
			lost <- fmt.Errorf("daemon: the core has been busy with one piece of work for %v; letting the lease go",
				now.Sub(time.Unix(0, since)).Round(time.Second))
			return
		}
		left := renewed.Add(ttl).Sub(now)
		rctx, cancel := context.WithTimeout(ctx, max(left, ttl/3))
		start := d.wall()
		err := d.cfg.Journal.Renew(rctx, d.cfg.Owner, d.token, ttl)
		cancel()
		switch {
		case err == nil:
			renewed = start
			continue
		case ctx.Err() != nil:
			return
		case isFenced(err):
			lost <- err
			return
		}
		if d.wall().Sub(renewed) >= ttl {
			lost <- fmt.Errorf("daemon: the lease was not renewed for %v: %w", d.wall().Sub(renewed).Round(time.Millisecond), err)
			return
		}
		d.log.Warn("lease renewal failed; trying again", "owner", d.cfg.Owner, "left", left.Round(time.Millisecond), "err", err)
	}
}

// errLeaseLost is what Run returns for a lost lease: ErrDeposed with the
// reason.
func errLeaseLost(err error) error {
	if errors.Is(err, ErrDeposed) {
		return err
	}
	return fmt.Errorf("%w (%v)", ErrDeposed, err)
}
