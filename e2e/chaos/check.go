package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/e2e/wire"
	"github.com/borderfleet/borderfleet/internal/proc"
)

// check looks at the fleet after a fault, once fleetd is ready: every
// acknowledged move still there, nothing picked or dropped twice on the
// wire, no two shuttles at one node, and no duplicate drop or illegal
// transition by fleetd's metrics.
func (r *runner) check(ctx context.Context, after string) {
	r.mu.Lock()
	r.figs.Checks++
	r.mu.Unlock()
	if _, err := r.cl.ready(ctx, 60*time.Second); err != nil {
		r.violate("after %s: %v; fleetd said: %s", after, err, strings.Join(proc.Tail(r.fd.log, 6), " | "))
		return
	}
	acked, _, _ := r.dem.snapshot()
	ms, err := r.cl.moves(ctx)
	if err != nil {
		r.violate("after %s: %v", after, err)
		return
	}
	have := map[string]apiMove{}
	for _, m := range ms {
		have[m.ID] = m
	}
	for id, a := range acked {
		if m, ok := have[id]; !ok || m.Container != a.container {
			r.mu.Lock()
			r.figs.Lost++
			r.mu.Unlock()
			r.violate("after %s: move %s (%s, key %s) acknowledged at t=%.1fs is missing", after, id, a.container, a.key, a.at.Sub(r.start).Seconds())
		}
	}
	r.wireChecks()
	mets, err := r.cl.metrics(ctx)
	if err != nil {
		r.violate("after %s: %v", after, err)
		return
	}
	if n := mets["borderfleet_duplicate_drops_total"]; n > 0 {
		r.violate("fleetd counts %g duplicate drops", n)
	}
	if n := mets["borderfleet_illegal_transitions_total"]; n > 0 {
		r.violate("fleetd counts %g illegal transitions%s", n, r.illegalLogged())
	}
}

// wireChecks reports double picks and drops and conflicts seen on the
// wire.
func (r *runner) wireChecks() wire.Tally {
	t := r.w.Tally()
	for _, s := range t.DoublePicks {
		r.violate("double pick: %s", s)
	}
	for _, s := range t.DoubleDrops {
		r.violate("delivered twice: %s", s)
	}
	for _, s := range t.Conflicts {
		r.violate("conflict: %s", s)
	}
	return t
}

// drainAndCheck waits until every acknowledged move is delivered, then
// checks each move's history and the figures.
func (r *runner) drainAndCheck(ctx context.Context) {
	r.logf("faults done; waiting up to %v for every acknowledged move to be delivered", r.o.drain)
	var undelivered []string
	ok := waitFor(ctx, r.o.drain, func() bool {
		acked, _, _ := r.dem.snapshot()
		ms, err := r.cl.moves(ctx)
		if err != nil {
			return false
		}
		state := map[string]string{}
		for _, m := range ms {
			state[m.ID] = m.State
		}
		undelivered = undelivered[:0]
		for id := range acked {
			if state[id] != "delivered" {
				undelivered = append(undelivered, fmt.Sprintf("%s:%s", id, state[id]))
			}
		}
		return len(undelivered) == 0
	})
	if !ok {
		r.violate("%d acknowledged moves not delivered %v after the last fault: %v", len(undelivered), r.o.drain, undelivered)
	}
	r.check(ctx, "the end")
	acked, asked, pending := r.dem.snapshot()
	r.figs.MovesRequested, r.figs.MovesAcked = asked, len(acked)
	if pending > 0 {
		r.violate("%d move requests never acknowledged", pending)
	}
	t := r.wireChecks()
	r.figs.DoublePicks, r.figs.DeliveredTwice, r.figs.Conflicts = len(t.DoublePicks), len(t.DoubleDrops), len(t.Conflicts)
	for id, a := range acked {
		m, err := r.cl.move(ctx, id)
		if err != nil {
			r.violate("the end: %v", err)
			continue
		}
		delivered, laden := 0, 0
		for _, h := range m.History {
			switch h.To {
			case "delivered":
				delivered++
			case "laden":
				laden++
			}
		}
		if delivered > 0 {
			r.figs.MovesDelivered++
		}
		if delivered > 1 {
			r.figs.DeliveredTwice++
			r.violate("move %s (%s) delivered %d times by its history", id, a.container, delivered)
		}
		if laden > 1 {
			r.figs.DoublePicks++
			r.violate("move %s (%s) laden %d times by its history (a second pick)", id, a.container, laden)
		}
		if t.Drops[a.container] != 1 && delivered == 1 {
			r.logf("note: %s's drop not seen on the wire (%d): the spy may have missed it during a broker restart", a.container, t.Drops[a.container])
		}
	}
	if mets, err := r.cl.metrics(ctx); err == nil {
		r.figs.DuplicateDrops = int(mets["borderfleet_duplicate_drops_total"])
		r.figs.IllegalTrans = int(mets["borderfleet_illegal_transitions_total"])
	}
}

// finish fills in the last figures.
func (r *runner) finish() Figures {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum, top time.Duration
	for _, d := range r.recovery {
		sum += d
		top = max(top, d)
	}
	if len(r.recovery) > 0 {
		r.figs.RecoveryMeanMS = float64(sum.Milliseconds()) / float64(len(r.recovery))
		r.figs.RecoveryMaxMS = float64(top.Milliseconds())
	}
	exits := r.fd.unplanned()
	r.figs.FleetdExits = len(exits)
	for _, e := range exits {
		fmt.Fprintf(r.log, "chaos seed=%d  fleetd exit: %s\n", r.o.seed, e)
	}
	r.figs.WallS = time.Since(r.start).Seconds()
	r.figs.OK = len(r.figs.Violations) == 0
	return r.figs
}

// illegalLogged quotes the first few illegal transitions fleetd logged, so
// that a violation says which ones without a look in the run folder.
func (r *runner) illegalLogged() string {
	b, err := os.ReadFile(r.fd.log)
	if err != nil {
		return ""
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "illegal transition") && len(got) < 3 {
			got = append(got, line)
		}
	}
	if len(got) == 0 {
		return ""
	}
	return ":\n    " + strings.Join(got, "\n    ")
}
