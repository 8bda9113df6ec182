package soak

import (
	"math/rand"
	"runtime"
	"sync"
	"time"

	"github.com/borderfleet/borderfleet/sim"
)

// DefaultSeed seeds the cases of TestSoak and `sim-figures -soak` unless
// told otherwise: fixed, so that CI runs the same cases each time.
const DefaultSeed = 20261205

// Cases draws n cases from a seed: the same seed gives the same cases.
func Cases(seed int64, n int) []Case {
	rng := rand.New(rand.NewSource(seed))
	out := make([]Case, n)
	for i := range out {
		out[i] = Draw(rng)
	}
	return out
}

// Result is one case run.
type Result struct {
	Case       Case
	Report     sim.Report
	Violations []Violation
	Wall       time.Duration
}

// Failed tells whether the case broke a promise.
func (r Result) Failed() bool { return len(r.Violations) > 0 }

// Failure is the result as a failure report.
func (r Result) Failure() Failure { return Failure{r.Case, r.Violations} }

// RunAll runs the cases on workers goroutines (every CPU if workers < 1)
// and returns their results in order; done, if not nil, is called after
// each case from the worker that ran it.
func RunAll(cases []Case, workers int, done func(i int, r Result)) []Result {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Result, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				r, vs := Run(cases[i])
				out[i] = Result{Case: cases[i], Report: r, Violations: vs, Wall: time.Since(start)}
				if done != nil {
					done(i, out[i])
				}
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
