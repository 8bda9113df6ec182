package webhook

import "time"

// Backoff is exponential backoff: the wait after the n-th failed attempt
// is Base * 2^(n-1), at most Cap. No jitter: each subscriber has its own
// endpoint and its own single sender, so there is no herd to spread.
type Backoff struct {
	Base, Cap time.Duration
}

// Delay is the wait after failed attempt n (from 1).
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := b.Base
	for i := 1; i < n; i++ {
		if d >= b.Cap/2 {
			return b.Cap
		}
		d *= 2
	}
	return min(d, b.Cap)
}
