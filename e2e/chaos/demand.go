package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// demand asks for moves through the API at a steady rate, both ways
// between the site's two centres, as an operator does: each with an
// Idempotency-Key, sent again (same key) until fleetd acknowledges it.
type demand struct {
	r     *runner
	west  []string
	east  []string
	every time.Duration

	mu      sync.Mutex
	hold    sync.Mutex // held by a fault that wants the API to itself
	n       int
	pending []pendingMove
	acked   map[string]ackedMove // move id -> what was asked
	status  map[int]int          // answers by status (0: none)
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

type pendingMove struct {
	key string
	req moveRequest
}

type ackedMove struct {
	key, container string
	at             time.Time
}

func newDemand(r *runner) *demand {
	d := &demand{r: r, every: time.Duration(float64(time.Minute) / r.o.movesPerMin), acked: map[string]ackedMove{},
		status: map[int]int{}, done: make(chan struct{}), stopped: make(chan struct{})}
	for _, b := range r.site.BaysOf(r.site.Centres[0].ID) {
		d.west = append(d.west, b.ID)
	}
	for _, b := range r.site.BaysOf(r.site.Centres[1].ID) {
		d.east = append(d.east, b.ID)
	}
	return d
}

// containerNo is a valid ISO 6346 number: owner code "CHA" (or "CHF"
// for the probes of a full disk), category U, serial n.
func containerNo(owner string, n int) string {
	first := fmt.Sprintf("%sU%06d", owner, n%1000000)
	return fmt.Sprintf("%s%d", first, fleet.CheckDigit(first))
}

// request is the n-th move: west to east and back in turn, over the
// bays round the yard.
func (d *demand) request(owner string, n int) moveRequest {
	from, to := d.west, d.east
	if n%2 == 1 {
		from, to = to, from
	}
	i := n / 2
	c := containerNo(owner, n)
	return moveRequest{Container: c, Origin: from[i%len(from)], Destination: to[(i+3)%len(to)], Declaration: "CHAOS-" + c}
}

func (d *demand) run(ctx context.Context) {
	defer close(d.stopped)
	t := time.NewTicker(d.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.done:
			d.flush(ctx)
			return
		case <-t.C:
		}
		d.mu.Lock()
		d.pending = append(d.pending, pendingMove{key: fmt.Sprintf("chaos-%d-%d", d.r.o.seed, d.n), req: d.request("CHA", d.n)})
		d.n++
		d.mu.Unlock()
		d.send(ctx)
	}
}

// send tries every pending request once.
func (d *demand) send(ctx context.Context) {
	d.hold.Lock()
	defer d.hold.Unlock()
	d.mu.Lock()
	todo := d.pending
	d.pending = nil
	d.mu.Unlock()
	var left []pendingMove
	for _, p := range todo {
		m, a := d.r.cl.createMove(ctx, p.key, p.req)
		d.mu.Lock()
		d.status[a.status]++
		if (a.status == http.StatusCreated || a.status == http.StatusOK) && a.err == nil {
			d.acked[m.ID] = ackedMove{key: p.key, container: p.req.Container, at: time.Now()}
		} else {
			if a.status != http.StatusServiceUnavailable && a.status != 0 {
				// fleetd refused a valid request for another reason than
				// being down or unable to journal: a broken promise
				d.r.violate("move %s refused: %d %s", p.key, a.status, a.msg())
			} else {
				left = append(left, p)
			}
		}
		d.mu.Unlock()
	}
	d.mu.Lock()
	d.pending = append(left, d.pending...)
	d.mu.Unlock()
}

// flush sends what is still pending until it is acknowledged, for a
// while.
func (d *demand) flush(ctx context.Context) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d.send(ctx)
		d.mu.Lock()
		n := len(d.pending)
		d.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// stop ends the demand (after flushing) and waits.
func (d *demand) stop() {
	d.once.Do(func() { close(d.done) })
	<-d.stopped
}

// snapshot returns the acknowledged moves, the count asked for and
// those never acknowledged.
func (d *demand) snapshot() (map[string]ackedMove, int, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]ackedMove, len(d.acked))
	for k, v := range d.acked {
		out[k] = v
	}
	return out, d.n, len(d.pending)
}

// ack records a move acknowledged outside the steady demand (a probe of
// a full disk that fleetd took).
func (d *demand) ack(id string, m ackedMove) {
	d.mu.Lock()
	d.acked[id] = m
	d.mu.Unlock()
}
