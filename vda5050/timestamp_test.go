package vda5050

import (
	"math/rand"
	"testing"
	"time"
)

// TestTimestampByHand: Timestamp and ParseTimestamp, by hand for the
// form every message carries, agree with time.Format and time.Parse.
func TestTimestampByHand(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for range 200000 {
		tm := time.Unix(r.Int63n(1<<35)-1<<33, r.Int63n(1e9)).In(time.FixedZone("x", 3600))
		want := tm.UTC().Format(timestampLayout)
		if got := Timestamp(tm); got != want {
			t.Fatalf("%v: %q want %q", tm, got, want)
		}
		a, e1 := ParseTimestamp(want)
		b, e2 := time.Parse(time.RFC3339Nano, want)
		if (e1 == nil) != (e2 == nil) || !a.Equal(b) {
			t.Fatalf("%q: %v %v %v %v", want, a, e1, b, e2)
		}
	}
	for _, s := range []string{"2026-02-30T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z", "0000-01-01T00:00:00.000Z", "2026-04-31T00:00:00.000Z"} {
		a, e1 := ParseTimestamp(s)
		b, e2 := time.Parse(time.RFC3339Nano, s)
		if (e1 == nil) != (e2 == nil) || !a.Equal(b) {
			t.Fatalf("%q: %v %v %v %v", s, a, e1, b, e2)
		}
	}
}
