package main

import (
	"context"
	"fmt"
	"github.com/borderfleet/borderfleet/e2e/wire"
	"github.com/borderfleet/borderfleet/internal/proc"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// fault sets one fault off and waits until the fleet has it behind it
// (fleetd ready again), except the link cut, whose end comes later.
func (r *runner) fault(ctx context.Context, f Fault) {
	switch f.Kind {
	case Kill:
		r.kill(ctx)
	case Broker:
		if err := r.mq.Restart(); err != nil {
			r.violate("broker restart: %v", err)
		}
	case Redis:
		if err := r.rd.Restart(); err != nil {
			r.violate("redis restart: %v", err)
		}
	case Stall:
		r.stallShuttle(ctx)
	case LinkCut:
		r.cutLink(ctx, "driving", func(s vda5050.State, waited time.Duration) bool {
			return s.Driving && len(s.NodeStates) >= 2 && (len(s.Loads) > 0 || waited > 12*time.Second)
		})
	case PickCut:
		r.cutLink(ctx, "picking", func(s vda5050.State, _ time.Duration) bool { return picking(s) })
	case DiskFull:
		r.diskFull(ctx)
	}
}

// kill SIGKILLs fleetd, starts it again, and times its recovery.
func (r *runner) kill(ctx context.Context) {
	start := time.Now()
	if err := r.fd.kill(); err != nil {
		r.violate("fleetd did not start again: %v", err)
		return
	}
	if _, err := r.cl.ready(ctx, 60*time.Second); err != nil {
		r.violate("after a kill: %v; fleetd said: %s", err, strings.Join(proc.Tail(r.fd.log, 6), " | "))
		return
	}
	took := time.Since(start)
	r.mu.Lock()
	r.recovery = append(r.recovery, took)
	r.mu.Unlock()
	r.logf("fleetd ready again %v after the SIGKILL", took.Round(time.Millisecond))
}

// pick is a shuttle, not singled out by another fault yet, whose last
// state meets cond: drawn with the run's seed among those that do; nil
// if none does.
func (r *runner) pick(cond func(vda5050.State) bool) *shuttle {
	var ok []*shuttle
	for _, sh := range r.shuttles {
		if s, seen := r.w.LastState(sh.serial); seen && !r.singled[sh.serial] && cond(s.Msg) {
			ok = append(ok, sh)
		}
	}
	if len(ok) == 0 {
		return nil
	}
	sh := ok[r.rng.Intn(len(ok))]
	r.singled[sh.serial] = true
	return sh
}

// waitFor polls cond until it holds or within passes.
func waitFor(ctx context.Context, within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stallShuttle breaks the stall shuttle down while it drives (waiting
// for it to drive for a while), then checks that it is taken out of the
// way safely (the wire's conflict check) and drives again once repaired.
func (r *runner) stallShuttle(ctx context.Context) {
	var sh *shuttle
	driving := waitFor(ctx, 20*time.Second, func() bool {
		sh = r.pick(func(s vda5050.State) bool { return s.Driving })
		return sh != nil
	})
	if sh == nil {
		sh = r.pick(func(vda5050.State) bool { return true })
	}
	stallSerial := sh.serial
	at := time.Now()
	s, _ := r.w.LastState(stallSerial)
	if err := sh.p.Signal(syscall.SIGUSR1); err != nil {
		r.violate("stall: signal shuttle-sim: %v", err)
		return
	}
	r.logf("stalled %s at %s (driving %v); repair around %v of vehicle time", stallSerial, s.Msg.LastNodeID, driving, r.o.stall)
	broken := waitFor(ctx, 10*time.Second, func() bool {
		for _, st := range r.w.StatesSince(stallSerial, at) {
			if len(st.Msg.Errors) > 0 && !st.Msg.Driving {
				return true
			}
		}
		return false
	})
	if !broken {
		r.violate("stall: %s never reported its breakdown standing", stallSerial)
		return
	}
	r.async.Add(1)
	go func() {
		defer r.async.Done()
		// repair takes a random time around the mean; allow four means
		within := time.Duration(4*float64(r.o.stall)/r.o.scale) + 30*time.Second
		var moved time.Time
		ok := waitFor(ctx, within, func() bool {
			for _, st := range r.w.StatesSince(stallSerial, at) {
				if len(st.Msg.Errors) == 0 && (st.Msg.Driving || st.Msg.LastNodeID != s.Msg.LastNodeID) {
					moved = st.At
					return true
				}
			}
			return false
		})
		if !ok {
			if driving {
				r.violate("stall: %s did not drive again within %v of its breakdown", stallSerial, within)
			} else {
				r.logf("stall: %s had no work when it broke down, and none came", stallSerial)
			}
			return
		}
		r.mu.Lock()
		r.figs.StallResumedS = moved.Sub(at).Seconds()
		r.mu.Unlock()
		r.logf("stall: %s repaired and driving again %.1fs after its breakdown", stallSerial, moved.Sub(at).Seconds())
	}()
}

// picking: a pick under way, or about to start where the vehicle stands.
func picking(s vda5050.State) bool {
	for _, a := range s.ActionStates {
		if a.ActionType == vda5050.ActionPick && (a.ActionStatus == vda5050.StatusRunning || a.ActionStatus == vda5050.StatusInitializing) {
			return true
		}
	}
	return false
}

// cutLink cuts the link of a shuttle whose state meets cond (waited: how
// long it has looked for one), for --link-cut: one that drives (laden if
// it can be had), or one that picks. It must stop at the end of its
// released base, and go on when the link returns; one that picked must
// come back with the container aboard and carry it on (the checks after
// each fault and at the end see it picked once and delivered).
func (r *runner) cutLink(ctx context.Context, what string, cond func(s vda5050.State, waited time.Duration) bool) {
	start := time.Now()
	var sh *shuttle
	waitFor(ctx, 25*time.Second, func() bool {
		sh = r.pick(func(s vda5050.State) bool { return cond(s, time.Since(start)) })
		return sh != nil
	})
	if sh == nil {
		r.logf("link cut: no shuttle %s within 25 s; cutting any", what)
		sh = r.pick(func(vda5050.State) bool { return true })
	}
	cutSerial := sh.serial
	before, ok := r.w.LastState(cutSerial)
	sh.px.Cut()
	cutAt := time.Now()
	if !ok {
		r.violate("link cut: %s never sent a state", cutSerial)
	}
	// where it may stop: the end of the base it last reported, or of an
	// update of that order published before the cut (it may have had it)
	ends := []string{wire.BaseEnd(before.Msg)}
	for _, o := range r.w.OrdersUntil(cutSerial, cutAt) {
		if o.At.After(before.At) || (o.Msg.OrderID == before.Msg.OrderID && o.Msg.OrderUpdateID > before.Msg.OrderUpdateID) {
			ends = append(ends, wire.OrderBaseEnd(o.Msg))
		}
	}
	r.logf("link of %s cut for %v: at %s, driving %v, picking %v, laden %v, order %s/%d, base ends at %v",
		cutSerial, r.o.linkCut, before.Msg.LastNodeID, before.Msg.Driving, picking(before.Msg), len(before.Msg.Loads) > 0, before.Msg.OrderID, before.Msg.OrderUpdateID, ends)
	driving := what == "driving" // the figures are the driving cut's
	if driving {
		r.mu.Lock()
		r.figs.LinkBaseEnd = ends[0]
		r.mu.Unlock()
	}
	r.async.Add(1)
	go func() {
		defer r.async.Done()
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.o.linkCut):
		}
		sh.px.Restore()
		back := time.Now()
		r.logf("link of %s back", cutSerial)
		var first wire.Seen[vda5050.State]
		if !waitFor(ctx, 3*time.Minute, func() bool {
			ss := r.w.StatesSince(cutSerial, back)
			if len(ss) > 0 {
				first = ss[0]
			}
			return len(ss) > 0
		}) {
			r.violate("link cut: no state from %s within 3 min of its link's return", cutSerial)
			return
		}
		if driving {
			r.mu.Lock()
			r.figs.LinkStoppedAt = first.Msg.LastNodeID
			r.figs.LinkFirstStateS = first.At.Sub(back).Seconds()
			r.mu.Unlock()
		} else {
			r.mu.Lock()
			r.figs.PickCutLaden = len(first.Msg.Loads) > 0
			r.mu.Unlock()
		}
		r.logf("link cut: first state of %s %.1fs after its link came back", cutSerial, first.At.Sub(back).Seconds())
		if first.Msg.Driving || !slices.Contains(ends, first.Msg.LastNodeID) {
			r.violate("link cut: %s came back driving=%v at %s, not stopped at the end of its released base %v",
				cutSerial, first.Msg.Driving, first.Msg.LastNodeID, ends)
		}
		// it goes on: drives again, or its next order is under way
		var moved time.Time
		if waitFor(ctx, 90*time.Second, func() bool {
			for _, st := range r.w.StatesSince(cutSerial, first.At) {
				if st.Msg.Driving || st.Msg.LastNodeID != first.Msg.LastNodeID {
					moved = st.At
					return true
				}
			}
			return false
		}) {
			if driving {
				r.mu.Lock()
				r.figs.LinkContinuedS = moved.Sub(back).Seconds()
				r.mu.Unlock()
			}
			r.logf("link cut: %s stopped at %s and drove on %.1fs after its link came back", cutSerial, first.Msg.LastNodeID, moved.Sub(back).Seconds())
			return
		}
		if len(first.Msg.Loads) > 0 || len(before.Msg.Loads) > 0 {
			r.violate("link cut: %s, laden, did not drive on within 90 s of its link's return", cutSerial)
		} else {
			r.logf("link cut: %s came back empty and got no work within 90 s", cutSerial)
		}
	}()
}

// diskFull fills the bolt store's disk, asks for moves meanwhile (each
// must be refused with a 503 that names the failed store write, or be
// durable), frees the disk and waits until fleetd takes moves again.
func (r *runner) diskFull(ctx context.Context) {
	r.dem.hold.Lock()
	defer r.dem.hold.Unlock()
	filler := filepath.Join(r.boltDir, "filler")
	var undo func()
	switch r.figs.DiskMethod {
	case "tmpfs":
		n, err := fill(filler)
		if err != nil {
			r.violate("disk full: filling %s: %v", r.boltDir, err)
			return
		}
		r.logf("disk full: %s filled with %d MB", r.boltDir, n>>20)
		undo = func() { _ = os.Remove(filler) }
	default:
		st, err := os.Stat(filepath.Join(r.boltDir, "fleetd.db"))
		if err != nil {
			r.violate("disk full: %v", err)
			return
		}
		pid := r.fd.pid()
		if out, err := exec.Command("prlimit", "--pid", fmt.Sprint(pid), fmt.Sprintf("--fsize=%d", st.Size())).CombinedOutput(); err != nil {
			r.violate("disk full: prlimit: %v: %s", err, out)
			return
		}
		r.logf("disk full: fleetd (pid %d) may not grow a file past %d bytes (RLIMIT_FSIZE)", pid, st.Size())
		undo = func() { _ = exec.Command("prlimit", "--pid", fmt.Sprint(pid), "--fsize=unlimited").Run() }
	}
	full := time.Now()
	var refusedKeys []string
	for i := 0; time.Since(full) < r.o.full; i++ {
		key := fmt.Sprintf("chaos-full-%d-%d", r.o.seed, i)
		req := r.dem.request("CHF", i)
		m, a := r.cl.createMove(ctx, key, req)
		switch {
		case a.status == http.StatusCreated || a.status == http.StatusOK:
			r.figs.FullAccepted++
			r.dem.ack(m.ID, ackedMove{key: key, container: req.Container, at: time.Now()})
		case a.status == http.StatusServiceUnavailable && storeFailure(a.msg()):
			r.figs.FullRefused++
			refusedKeys = append(refusedKeys, req.Container)
			if r.figs.FullError == "" {
				r.figs.FullError = a.msg()
				r.logf("disk full: POST /v1/moves answered 503: %s", a.msg())
			}
		default:
			r.violate("disk full: POST /v1/moves answered %d %q: want 503 naming the store's write failure", a.status, a.msg())
		}
		time.Sleep(300 * time.Millisecond)
	}
	undo()
	r.logf("disk freed after %v: %d moves refused, %d taken while full", time.Since(full).Round(time.Millisecond), r.figs.FullRefused, r.figs.FullAccepted)
	if r.figs.FullRefused == 0 {
		r.violate("disk full: fleetd never refused a move while its store's disk was full")
	}
	// fleetd takes work again once it can write
	key := fmt.Sprintf("chaos-full-%d-after", r.o.seed)
	req := r.dem.request("CHF", 999)
	var last answer
	if !waitFor(ctx, 30*time.Second, func() bool {
		m, a := r.cl.createMove(ctx, key, req)
		last = a
		if a.status == http.StatusCreated || a.status == http.StatusOK {
			r.dem.ack(m.ID, ackedMove{key: key, container: req.Container, at: time.Now()})
			return true
		}
		return false
	}) {
		r.violate("disk freed: fleetd still takes no moves after 30 s (last answer %d %s)", last.status, last.msg())
	}
	// what was refused was not acted on: no move of it exists
	ms, err := r.cl.moves(ctx)
	if err != nil {
		r.violate("after the full disk: %v", err)
		return
	}
	for _, m := range ms {
		if slices.Contains(refusedKeys, m.Container) {
			r.violate("disk full: the move for %s was refused (503) and exists all the same (%s, %s)", m.Container, m.ID, m.State)
		}
	}
}

// storeFailure tells whether an error message names a failed store
// write (the journal could not take the input).
func storeFailure(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "not journaled") || strings.Contains(msg, "no space left") || strings.Contains(msg, "store")
}
