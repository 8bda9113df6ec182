package metrics

import (
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/borderfleet/borderfleet/fleet"
)

// Buckets of the histograms, in seconds.
var (
	// leadTimeBuckets span a yard-to-yard trip of a few minutes to a
	// container held up for hours.
	leadTimeBuckets = []float64{300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600}
	// gateWaitBuckets span a smart-gate release in seconds to a long
	// inspection.
	gateWaitBuckets = []float64{10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200}
)

// observer turns the controller's lead times and move histories into
// histograms, observing each delivery and each completed gate stay once:
// it remembers how far it has read. observe runs on the core's goroutine
// (from the function given to Do), collect on the scraper's; the
// histograms are safe for both.
type observer struct {
	lead prometheus.Histogram
	gate *prometheus.HistogramVec

	mu       sync.Mutex
	leadSeen int                    // lead times observed
	cursors  map[string]*gateCursor // move id -> how far its history is read
}

// gateCursor is how far one move's history has been read, and the stay
// at a gate it is in, if any.
type gateCursor struct {
	next      int       // the first history entry not read yet
	inStay    bool      // it is at a gate or in inspection
	since     time.Time // when the stay began
	inspected bool      // the stay included an inspection
}

func newObserver() *observer {
	lead := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "lead_time_seconds",
		Help: "Time from a move's creation to its delivery, observed once per delivery.", Buckets: leadTimeBuckets})
	return &observer{
		lead: lead,
		gate: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "gate_wait_seconds",
			Help: "Time a container spent at a customs gate (at_gate and in_inspection) per completed stay, observed once per stay; " +
				"inspected says whether the stay included an inspection.",
			Buckets: gateWaitBuckets}, []string{"inspected"}),
		cursors: map[string]*gateCursor{},
	}
}

func (o *observer) describe(ch chan<- *prometheus.Desc) {
	o.lead.Describe(ch)
	o.gate.Describe(ch)
}

func (o *observer) collect(ch chan<- prometheus.Metric) {
	o.lead.Collect(ch)
	o.gate.Collect(ch)
}

// observe adds the lead times from leadSeen on, and the gate stays
// completed since the last call. The controller only appends to both.
func (o *observer) observe(lead []time.Duration, moves []*fleet.Move) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(lead) < o.leadSeen { // not the same controller: start afresh from its end
		o.leadSeen = len(lead)
	}
	for _, d := range lead[o.leadSeen:] {
		o.lead.Observe(d.Seconds())
	}
	o.leadSeen = len(lead)
	kept := make(map[string]bool, len(moves))
	for _, mv := range moves {
		kept[mv.ID] = true
		cur := o.cursors[mv.ID]
		if cur == nil {
			cur = &gateCursor{}
			o.cursors[mv.ID] = cur
		}
		for _, stay := range cur.read(mv.History) {
			o.gate.WithLabelValues(strconv.FormatBool(stay.inspected)).Observe(stay.d.Seconds())
		}
	}
	// a move the core let go (after its retention) has ended: its
	// cursor goes with it
	maps.DeleteFunc(o.cursors, func(id string, _ *gateCursor) bool { return !kept[id] })
}

// gateStay is one completed stay at a gate.
type gateStay struct {
	d         time.Duration
	inspected bool
}

// atGate says whether a move in state s is held at a customs gate.
func atGate(s fleet.MoveState) bool { return s == fleet.MoveAtGate || s == fleet.MoveInspection }

// read reads the history entries not read yet and returns the stays they
// complete. A stay runs from entering at_gate (or in_inspection) to
// leaving both for any other state.
func (c *gateCursor) read(h []fleet.MoveTransition) []gateStay {
	if len(h) < c.next { // not the same move: start afresh from its end
		*c = gateCursor{next: len(h)}
		return nil
	}
	var out []gateStay
	for _, t := range h[c.next:] {
		switch {
		case t.Decision != "": // a decision noted, not a change of state
		case atGate(t.To) && !c.inStay:
			c.inStay, c.since, c.inspected = true, t.At, t.To == fleet.MoveInspection
		case atGate(t.To):
			c.inspected = c.inspected || t.To == fleet.MoveInspection
		case c.inStay:
			out = append(out, gateStay{d: t.At.Sub(c.since), inspected: c.inspected})
			c.inStay = false
		}
	}
	c.next = len(h)
	return out
}
