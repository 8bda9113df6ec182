package daemon

import (
	"slices"
	"sync"
	"time"
)

// LatencyBuckets are the upper bounds, in seconds, of the decision
// latency histogram.
var LatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Latency is a histogram of decision latencies: for each live input, the
// real time from the core taking it up to its commands being handed to
// the publisher (journal write, controller, audit write included).
type Latency struct {
	Buckets []float64 // upper bounds, seconds (LatencyBuckets)
	Counts  []uint64  // inputs at or under each bound (cumulative, as Prometheus has it)
	Count   uint64
	Sum     float64 // seconds
}

// latency keeps the histogram; observe runs on the core's goroutine,
// snapshot on any.
type latency struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; one more for +Inf
	count  uint64
	sum    float64
}

func (l *latency) observe(d time.Duration) {
	s := d.Seconds()
	i, _ := slices.BinarySearch(LatencyBuckets, s)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = make([]uint64, len(LatencyBuckets)+1)
	}
	l.counts[i]++
	l.count++
	l.sum += s
}

func (l *latency) snapshot() Latency {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := Latency{Buckets: LatencyBuckets, Counts: make([]uint64, len(LatencyBuckets)), Count: l.count, Sum: l.sum}
	var run uint64
	for i := range LatencyBuckets {
		if l.counts != nil {
			run += l.counts[i]
		}
		out.Counts[i] = run
	}
	return out
}

// DecisionLatency returns the decision latency histogram of this
// process's live inputs (replayed ones are not counted).
func (d *Daemon) DecisionLatency() Latency { return d.lat.snapshot() }
