package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Outbound deliveries of the audit log (the customs webhooks) keep their
// progress here, beside the core and not in it: each step is a journal
// record of kind "hook", applied to this state live and in replay, so a
// restarted or standby fleetd knows, for each subscriber, how far the
// audit log has been delivered and which entries were given up on.

// What a DeliveryOp does.
const (
	// DeliveryDelivered: every entry up to Seq is delivered (or not for
	// this subscriber): the cursor moves to Seq.
	DeliveryDelivered = "delivered"
	// DeliveryDead: entry Seq was given up on after Attempts, for Reason:
	// it joins the dead letters and the cursor moves past it.
	DeliveryDead = "dead"
	// DeliveryReplay: an admin asked for dead letter Seq (0: all of them)
	// to be delivered again.
	DeliveryReplay = "replay"
	// DeliveryRedelivered: replayed dead letter Seq was delivered.
	DeliveryRedelivered = "redelivered"
)

// DeliveryOp is one step of a subscriber's progress.
type DeliveryOp struct {
	// Subscriber names the subscriber (a country code).
	Subscriber string `json:"sub"`
	// Op is one of the Delivery... constants.
	Op string `json:"op"`
	// Seq is the audit entry the step is about (see the constants).
	Seq uint64 `json:"seq,omitempty"`
	// Attempts and Reason, for DeliveryDead.
	Attempts int    `json:"attempts,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// At is when it happened (wall clock).
	At time.Time `json:"at"`
}

// DeadLetter is an audit entry a subscriber was not given.
type DeadLetter struct {
	Seq      uint64    `json:"seq"`
	Attempts int       `json:"attempts"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Delivery is a subscriber's durable progress through the audit log.
type Delivery struct {
	// Cursor is the last audit entry delivered or dead-lettered; every
	// entry up to it is done with, but for Replay.
	Cursor uint64 `json:"cursor"`
	// Dead are the entries given up on, in the order they were.
	Dead []DeadLetter `json:"dead,omitempty"`
	// Replay are dead letters an admin asked to deliver again, in order:
	// they go before the entries after Cursor.
	Replay []uint64 `json:"replay,omitempty"`
}

func (v Delivery) clone() Delivery {
	v.Dead, v.Replay = slices.Clone(v.Dead), slices.Clone(v.Replay)
	return v
}

// ErrNoDeadLetter: a replay asked for an entry that is not a dead letter.
var ErrNoDeadLetter = errors.New("daemon: no such dead letter")

// applyDeliveries applies journaled delivery steps: the same live and in
// replay.
func (d *Daemon) applyDeliveries(ops []DeliveryOp) {
	if d.hooks == nil {
		d.hooks = map[string]*Delivery{}
	}
	for _, op := range ops {
		v := d.hooks[op.Subscriber]
		if v == nil {
			v = &Delivery{}
			d.hooks[op.Subscriber] = v
		}
		switch op.Op {
		case DeliveryDelivered:
			v.Cursor = max(v.Cursor, op.Seq)
		case DeliveryRedelivered:
			v.Replay = slices.DeleteFunc(v.Replay, func(s uint64) bool { return s == op.Seq })
		case DeliveryDead:
			if i := slices.Index(v.Replay, op.Seq); i >= 0 {
				v.Replay = slices.Delete(v.Replay, i, i+1)
			} else {
				v.Cursor = max(v.Cursor, op.Seq)
			}
			v.Dead = append(v.Dead, DeadLetter{Seq: op.Seq, Attempts: op.Attempts, Reason: op.Reason, At: op.At})
		case DeliveryReplay:
			v.Dead = slices.DeleteFunc(v.Dead, func(dl DeadLetter) bool {
				if op.Seq != 0 && dl.Seq != op.Seq {
					return false
				}
				if !slices.Contains(v.Replay, dl.Seq) {
					v.Replay = append(v.Replay, dl.Seq)
				}
				return true
			})
		}
	}
}

// Deliveries returns every subscriber's progress, as journaled (on a
// standby too: it follows the journal).
func (d *Daemon) Deliveries(ctx context.Context) (map[string]Delivery, error) {
	out := map[string]Delivery{}
	err := d.Do(ctx, func(time.Time, *fleet.Controller, *vehicles.Master) {
		for k, v := range d.hooks {
			out[k] = v.clone()
		}
	})
	return out, err
}

// RecordDeliveries journals delivery steps, in one record, and applies
// them. Only the active instance records: a standby's answer is
// ErrStandby, a deposed one's ErrDeposed.
func (d *Daemon) RecordDeliveries(ctx context.Context, ops ...DeliveryOp) error {
	if len(ops) == 0 {
		return nil
	}
	for _, op := range ops {
		switch {
		case op.Subscriber == "":
			return errors.New("daemon: delivery step without a subscriber")
		case !slices.Contains([]string{DeliveryDelivered, DeliveryDead, DeliveryRedelivered}, op.Op):
			return fmt.Errorf("daemon: delivery step %q cannot be recorded (replay with ReplayDeadLetters)", op.Op)
		}
	}
	var result error
	if derr := d.do(ctx, func(runCtx context.Context) {
		result = d.input(runCtx, record{Kind: kindHook, At: d.now(), Hooks: ops})
	}); derr != nil {
		return derr
	}
	return result
}

// ReplayDeadLetters queues a subscriber's dead letter seq (0: all of
// them) for another delivery, journaled, and returns how many were
// queued. A seq that is not a dead letter is ErrNoDeadLetter.
func (d *Daemon) ReplayDeadLetters(ctx context.Context, subscriber string, seq uint64) (int, error) {
	var n int
	var result error
	if derr := d.do(ctx, func(runCtx context.Context) {
		if v := d.hooks[subscriber]; v != nil {
			for _, dl := range v.Dead {
				if seq == 0 || dl.Seq == seq {
					n++
				}
			}
		}
		switch {
		case n == 0 && seq != 0:
			result = fmt.Errorf("%w: %s has no dead letter %d", ErrNoDeadLetter, subscriber, seq)
		case n > 0:
			result = d.input(runCtx, record{Kind: kindHook, At: d.now(),
				Hooks: []DeliveryOp{{Subscriber: subscriber, Op: DeliveryReplay, Seq: seq, At: time.Now().UTC()}}})
		}
	}); derr != nil {
		return 0, derr
	}
	if result != nil {
		return 0, result
	}
	return n, nil
}
