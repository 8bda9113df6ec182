package main

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bar stays silent for the first second, then shows simulated time,
// share done and an ETA from the pace so far; done clears it.
// clockedBar is a bar that writes to buf, on a clock that after moves on.
func clockedBar() (p *progress, buf *bytes.Buffer, after func(time.Duration)) {
	buf = &bytes.Buffer{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return newProgressAt(buf, func() time.Time { return now }), buf, func(d time.Duration) { now = now.Add(d) }
}

func TestProgress(t *testing.T) {
	p, buf, after := clockedBar()
	after(500 * time.Millisecond)
	p.update(time.Hour, 24*time.Hour)
	assert.Empty(t, buf.String(), "silent in the first second")
	after(1500 * time.Millisecond) // 2 s for 6 of 24 h: 6 s left
	p.update(6*time.Hour, 24*time.Hour)
	assert.Contains(t, buf.String(), "  6.0/24.0 h simulated,  25 %, ETA 6s")
	assert.Contains(t, buf.String(), "[#######.......................]")
	buf.Reset()
	p.done()
	assert.Contains(t, buf.String(), "\r")
	assert.NotContains(t, buf.String(), "#")
}

// No bar when the output is not a terminal, or is JSON.
func TestProgressSilent(t *testing.T) {
	var buf bytes.Buffer
	assert.Nil(t, newProgress(&buf, false), "not a file")
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	assert.Nil(t, newProgress(f, false), "a plain file is no terminal")
	var p *progress
	p.update(time.Hour, 2*time.Hour) // a nil bar does nothing
	p.done()
}

// A log line written above the bar clears the bar first, and the next
// update draws it again.
func TestProgressAbove(t *testing.T) {
	p, buf, after := clockedBar()
	after(2 * time.Second)
	p.update(time.Hour, 2*time.Hour)
	require.Contains(t, buf.String(), "1.0/2.0 h simulated")
	buf.Reset()
	_, err := p.above(buf).Write([]byte("e2e t=  2.0s  a step\n"))
	require.NoError(t, err)
	assert.Regexp(t, `^\r +\re2e t=  2.0s  a step\n$`, buf.String(), "the bar cleared, then the line")
	buf.Reset()
	after(10 * time.Millisecond) // within 100 ms of the last draw: drawn again all the same
	p.update(90*time.Minute, 2*time.Hour)
	assert.Contains(t, buf.String(), "1.5/2.0 h simulated")
	var none *progress
	assert.Equal(t, buf, none.above(buf), "no bar: the writer itself")
}
