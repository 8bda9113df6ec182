package load

import (
	"context"
	"net/http"
	"time"
)

// apiEvery is how often a run asks fleetd's API for a page of shuttles
// while it measures: what an operator's screen or a script asks, timed.
const apiEvery = 200 * time.Millisecond

// apiProbe asks GET /v1/shuttles?limit=100 every apiEvery until ctx
// ends, and returns the answers' latencies and how many were not 200
// (or did not come).
func (c *client) apiProbe(ctx context.Context) (Latency, int) {
	var lat []time.Duration
	failed := 0
	t := time.NewTicker(apiEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return latencyOf(lat), failed
		case <-t.C:
		}
		start := time.Now()
		code, _, err := c.do(ctx, http.MethodGet, "/v1/shuttles?limit=100", nil)
		if ctx.Err() != nil {
			return latencyOf(lat), failed
		}
		lat = append(lat, time.Since(start))
		if err != nil || code != http.StatusOK {
			failed++
		}
	}
}
