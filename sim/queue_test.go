package sim

import (
	"math/rand"
	"testing"
	"time"
)

// The queue gives back what was scheduled by time, ties in the order they
// were scheduled, however pushes and pops interleave.
func TestQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var q queue
	seq := 0
	var last scheduled
	popped := 0
	for range 20000 {
		if len(q) == 0 || rng.Intn(3) > 0 {
			seq++
			// not before the last popped, as the engine schedules
			q.push(scheduled{at: last.at.Add(time.Duration(rng.Intn(5)) * time.Second), seq: seq})
			continue
		}
		it := q.pop()
		if popped > 0 && (it.at.Before(last.at) || it.at.Equal(last.at) && it.seq < last.seq) {
			t.Fatalf("popped %v #%d after %v #%d", it.at, it.seq, last.at, last.seq)
		}
		last = it
		popped++
	}
	if popped < 5000 {
		t.Fatalf("%d popped", popped)
	}
}
