package main

import (
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/api"
)

// The queue's WAITING column counts on the fleet's clock, from when the
// container reached the stop line; without an arrival time it says "-".
func TestWaited(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	arrived := at.Add(-4*time.Minute - 12*time.Second - 300*time.Millisecond)
	for _, c := range []struct {
		at   time.Time
		w    api.GateWait
		want string
	}{
		{at, api.GateWait{Since: &arrived}, "4m12s"},
		{at, api.GateWait{}, "-"},
		{time.Time{}, api.GateWait{Since: &arrived}, "-"},
		{arrived.Add(-time.Second), api.GateWait{Since: &arrived}, "-"},
	} {
		if got := waited(c.at, c.w); got != c.want {
			t.Errorf("waited(%v, since %v) = %q, want %q", c.at, c.w.Since, got, c.want)
		}
	}
}
