package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Stepped is a daemon driven on its Config's Clock, synchronously: no
// goroutine owns the core and no timer runs; the caller hands it inputs
// in time order and takes what it publishes. Each input goes the way Run
// takes it (journaled, applied, audit entries and archived moves written,
// snapshots taken, written and the journal compacted as configured), so
// the store it leaves is one Run would have left. It is how a fleet's
// history is written at full speed (package demo/history).
//
// Unlike Run, it measures silence, arrivals and the age of the last
// snapshot on the Clock as well (Run: on the wall clock), so that a
// virtual clock sees what real time at TimeScale 1 would.
type Stepped struct {
	d        *Daemon
	stopSnap context.CancelFunc
	snapDone chan struct{}
}

// Stepped takes the lease (ErrHeld-like failure if another instance
// holds it: a Stepped daemon does not stand by), applies the journal,
// and resumes as Run does. Close releases the lease.
func (d *Daemon) Stepped(ctx context.Context) (*Stepped, error) {
	if d.cfg.Journal == nil {
		return nil, errors.New("daemon: a stepped daemon needs a journal")
	}
	d.wall = d.cfg.Clock
	if err := d.takeOver(ctx); err != nil {
		return nil, err
	}
	d.active.Store(true)
	s := &Stepped{d: d}
	if d.snaps != nil && !d.cfg.Snapshots.off() {
		var snapCtx context.Context
		snapCtx, s.stopSnap = context.WithCancel(context.WithoutCancel(ctx))
		s.snapDone = make(chan struct{})
		d.snapAt, d.snapTime = max(d.snapAt, d.fromSnapshot), d.wall()
		go d.snapshotWriter(snapCtx, s.snapDone)
	}
	d.resume(ctx)
	return s, nil
}

// Now is the core's time.
func (s *Stepped) Now() time.Time { return s.d.now() }

// NextTick is when the core next wants time: TickEvery after now, or
// sooner for a gate's timer.
func (s *Stepped) NextTick() time.Time {
	now := s.d.now()
	next := now.Add(s.d.cfg.TickEvery)
	if w := s.d.wake; !w.IsZero() && w.Before(next) {
		next = w
	}
	return next
}

// Receive takes one message from a vehicle, as the bus hands it to Run.
func (s *Stepped) Receive(ctx context.Context, topic string, payload []byte) error {
	s.d.incoming(ctx, inMsg{topic: topic, payload: payload, at: s.d.wall()})
	return s.err()
}

// Tick hands time to the core (and reports vehicles gone silent), as
// Run's timer does.
func (s *Stepped) Tick(ctx context.Context) error {
	s.d.tick(ctx)
	return s.err()
}

// Submit hands an event to the Controller and returns its verdict, as
// Daemon.Submit.
func (s *Stepped) Submit(ctx context.Context, ev fleet.Event) error {
	ej, err := encodeEvent(ev)
	if err != nil {
		return err
	}
	if err := s.d.input(ctx, record{Kind: kindEvent, At: s.d.now(), Event: ej}); err != nil {
		return err
	}
	return s.err()
}

// GateQueue lists the containers waiting for customs, and the time.
func (s *Stepped) GateQueue() ([]fleet.GateWait, time.Time) { return s.d.ctl.GateQueue(), s.d.now() }

// Active reports whether it still holds the lease.
func (s *Stepped) Active() bool { return s.d.active.Load() }

// Outgoing returns what the core published since the last call, in
// order.
func (s *Stepped) Outgoing() []vehicles.Outgoing {
	var outs []vehicles.Outgoing
	for {
		select {
		case o := <-s.d.outbox:
			outs = append(outs, o)
		default:
			return outs
		}
	}
}

// Renew renews the lease, as Run does every third of LeaseTTL of wall
// time: the caller does it as often.
func (s *Stepped) Renew(ctx context.Context) error {
	if err := s.d.cfg.Journal.Renew(ctx, s.d.cfg.Owner, s.d.token, s.d.cfg.LeaseTTL); err != nil {
		s.d.active.Store(false)
		return fmt.Errorf("%w (%v)", ErrDeposed, err)
	}
	return nil
}

// LeaseTTL is the lease's time to live.
func (s *Stepped) LeaseTTL() time.Duration { return s.d.cfg.LeaseTTL }

// Counters are the daemon's counts.
func (s *Stepped) Counters() Counters { return s.d.Counters() }

// Controller is the core's Controller, to be read between inputs only.
func (s *Stepped) Controller() *fleet.Controller { return s.d.ctl }

// Applied is the index of the last journal record applied.
func (s *Stepped) Applied() uint64 { return s.d.applied }

// err is why the daemon stopped, if it did.
func (s *Stepped) err() error {
	if s.d.active.Load() {
		return nil
	}
	if s.d.stopErr != nil {
		return s.d.stopErr
	}
	return ErrDeposed
}

// Close waits for a snapshot under way, stops the snapshot writer and
// releases the lease.
func (s *Stepped) Close(ctx context.Context) error {
	if s.stopSnap != nil {
		for s.d.snapBusy.Load() {
			time.Sleep(10 * time.Millisecond) // a write under way ends by itself
		}
		s.stopSnap()
		<-s.snapDone
	}
	s.d.active.Store(false)
	return s.d.cfg.Journal.Release(ctx, s.d.cfg.Owner, s.d.token)
}
