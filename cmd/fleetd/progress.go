package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar of simulated time on a terminal: what is
// done of the total, and the wall time left at the pace so far. It stays
// silent for the first second (a short run shows nothing) and redraws
// at most ten times a second.
type progress struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	last  time.Time
	label string
	drawn bool
}

// progressDelay is how long a run goes before the bar shows.
const progressDelay = time.Second

// isTerminal tells whether f is a terminal (a character device): the
// standard library's way, without a dependency.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newProgress is a bar on w, or nil (no bar) when w is not a terminal's
// file or the output is JSON.
func newProgress(w io.Writer, asJSON bool) *progress {
	f, ok := w.(*os.File)
	if asJSON || !ok || !isTerminal(f) {
		return nil
	}
	return newProgressAt(w, time.Now)
}

func newProgressAt(w io.Writer, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, now: now, start: t}
}

// update draws done of total (simulated time); nothing on a nil bar.
func (p *progress) update(done, total time.Duration) {
	if p == nil || total <= 0 {
		return
	}
	now := p.now()
	if now.Sub(p.start) < progressDelay || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	frac := min(max(float64(done)/float64(total), 0), 1)
	const width = 30
	n := int(frac * width)
	eta := "?"
	if frac > 0 {
		left := time.Duration(float64(now.Sub(p.start)) * (1 - frac) / frac)
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s[%s%s] %5.1f/%.1f h simulated, %3.0f %%, ETA %s   ", p.label,
		strings.Repeat("#", n), strings.Repeat(".", width-n), done.Hours(), total.Hours(), 100*frac, eta)
	p.drawn = true
}

// done clears the bar's line, if it was drawn.
func (p *progress) done() {
	if p == nil || !p.drawn {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 100))
	p.drawn = false
}

// above is a writer for log lines on the bar's terminal: it clears the
// bar before each write, and the next update draws it again below.
func (p *progress) above(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return aboveBar{p: p, w: w}
}

type aboveBar struct {
	p *progress
	w io.Writer
}

func (a aboveBar) Write(b []byte) (int, error) {
	a.p.done()
	a.p.last = time.Time{} // draw again at the next update
	return a.w.Write(b)
}
