package vda5050

import (
	"sync"
	"testing"
	"time"
)

func TestTimestamp(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 22, 3, 40, 3, 120_000_000, time.UTC), "2026-11-22T03:40:03.120Z"},
		{time.Date(2026, 11, 22, 9, 40, 3, 0, time.FixedZone("ALMT", 6*3600)), "2026-11-22T03:40:03.000Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.UTC), "2026-01-02T03:04:05.999Z"},
	}
	for _, tt := range tests {
		got := Timestamp(tt.in)
		if got != tt.want {
			t.Errorf("Timestamp(%v) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseTimestamp(got)
		if err != nil || !back.Equal(tt.in.Truncate(time.Millisecond)) {
			t.Errorf("ParseTimestamp(%q) = %v, %v", got, back, err)
		}
	}
}

func TestHeadersStamp(t *testing.T) {
	var h Headers
	now := time.Date(2026, 11, 22, 3, 40, 3, 120_000_000, time.UTC)
	steps := []struct {
		man, serial string
		topic       Topic
		wantID      uint32
	}{
		{"acme", "1", TopicOrder, 0},
		{"acme", "1", TopicOrder, 1},
		{"acme", "1", TopicInstantActions, 0},
		{"acme", "2", TopicOrder, 0},
		{"other", "1", TopicOrder, 0},
		{"acme", "1", TopicOrder, 2},
	}
	for i, s := range steps {
		var hdr Header
		h.Stamp(&hdr, s.man, s.serial, s.topic, now)
		want := Header{HeaderID: s.wantID, Timestamp: "2026-11-22T03:40:03.120Z", Version: Version, Manufacturer: s.man, SerialNumber: s.serial}
		if hdr != want {
			t.Errorf("step %d: got %+v, want %+v", i, hdr, want)
		}
	}
}

func TestHeadersConcurrent(t *testing.T) {
	var h Headers
	const n = 100
	seen := make([]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			var hdr Header
			h.Stamp(&hdr, "acme", "1", TopicState, time.Unix(0, 0))
			mu.Lock()
			seen[hdr.HeaderID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, ok := range seen {
		if !ok {
			t.Fatalf("header id %d never handed out", i)
		}
	}
}

func TestParseTimestampStrict(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2026-11-22T03:40:03.120Z", true},
		{"2017-04-15T11:40:03.12Z", true},
		{"2026-11-22T03:40:03Z", true},
		{"2026-11-22T09:40:03+06:00", true},
		{"0000-01-01T0:00:00Z", false},
		{"2026-11-22 03:40:03Z", false},
		{"2026-11-22T03:40:03", false},
		{"2026-11-22t03:40:03z", false},
		{"2026-13-22T03:40:03Z", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, err := ParseTimestamp(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseTimestamp(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}
