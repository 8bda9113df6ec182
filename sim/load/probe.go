package load

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// probe is the vehicles' agv.Observer: it counts what they send and
// receive within the measurement window and times state-to-order
// latencies (see the package documentation).
type probe struct {
	from, to atomic.Int64 // the window, unix nanoseconds; to 0: open

	byID map[string]*vehicleProbe // read-only after newProbe

	statesSent, sent atomic.Int64 // in the window
	orders, instant  atomic.Int64
	unattributed     atomic.Int64

	mu      sync.Mutex
	samples []time.Duration // in the window
	fresh   []time.Duration // of them those before the vehicle's next state
	trace   io.Writer       // a line per sample, or nil
}

// vehicleProbe is one vehicle's part.
type vehicleProbe struct {
	mu      sync.Mutex
	digest  uint64
	news    time.Time // when the last state with news went out
	pending bool      // no order since it
	repeats int       // states without news since it
	orders  int       // received, ever
}

func newProbe(serials []string) *probe {
	p := &probe{byID: make(map[string]*vehicleProbe, len(serials))}
	for _, s := range serials {
		p.byID[s] = &vehicleProbe{}
	}
	return p
}

// open starts the window at now; close ends it at now.
func (p *probe) open(now time.Time)  { p.from.Store(now.UnixNano()) }
func (p *probe) close(now time.Time) { p.to.Store(now.UnixNano()) }

func (p *probe) inWindow(at time.Time) bool {
	from, to, t := p.from.Load(), p.to.Load(), at.UnixNano()
	return from != 0 && t >= from && (to == 0 || t < to)
}

// Sent implements agv.Observer.
func (p *probe) Sent(serial string, t vda5050.Topic, msg any, at time.Time) {
	in := p.inWindow(at)
	if in {
		p.sent.Add(1)
	}
	st, ok := msg.(*vda5050.State)
	if !ok {
		return
	}
	if in {
		p.statesSent.Add(1)
	}
	v := p.byID[serial]
	if v == nil {
		return
	}
	d := newsDigest(st)
	v.mu.Lock()
	if d != v.digest {
		v.digest, v.news, v.pending, v.repeats = d, at, true, 0
	} else {
		v.repeats++
	}
	v.mu.Unlock()
}

// Received implements agv.Observer.
func (p *probe) Received(serial string, t vda5050.Topic, at time.Time) {
	in := p.inWindow(at)
	if t != vda5050.TopicOrder {
		if in {
			p.instant.Add(1)
		}
		return
	}
	v := p.byID[serial]
	if v == nil {
		return
	}
	v.mu.Lock()
	v.orders++
	pending, news, repeats := v.pending, v.news, v.repeats
	v.pending = false
	v.mu.Unlock()
	if !in {
		return
	}
	p.orders.Add(1)
	if !pending {
		p.unattributed.Add(1)
		return
	}
	p.mu.Lock()
	p.samples = append(p.samples, at.Sub(news))
	if repeats == 0 {
		p.fresh = append(p.fresh, at.Sub(news))
	}
	if p.trace != nil {
		fmt.Fprintf(p.trace, "%s %s %d %v\n", serial, news.Format("15:04:05.000"), repeats, at.Sub(news))
	}
	p.mu.Unlock()
}

// driven is how many vehicles have received at least one order.
func (p *probe) driven() int {
	n := 0
	for _, v := range p.byID {
		v.mu.Lock()
		if v.orders > 0 {
			n++
		}
		v.mu.Unlock()
	}
	return n
}

// newsDigest digests what in a state can make an order due: not the
// position, speed, battery or header.
func newsDigest(s *vda5050.State) uint64 {
	h := fnv.New64a()
	var b []byte
	str := func(x string) { b = append(append(b, x...), 0) }
	num := func(x uint64) { b = append(strconv.AppendUint(b, x, 10), 0) }
	flag := func(x *bool) {
		switch {
		case x == nil:
			b = append(b, '-')
		case *x:
			b = append(b, '1')
		default:
			b = append(b, '0')
		}
	}
	str(s.OrderID)
	num(uint64(s.OrderUpdateID))
	str(s.LastNodeID)
	num(uint64(s.LastNodeSequenceID))
	flag(&s.Driving)
	flag(s.NewBaseRequest)
	flag(s.Paused)
	num(uint64(len(s.NodeStates)))
	num(uint64(len(s.EdgeStates)))
	for _, a := range s.ActionStates {
		str(a.ActionID)
		str(a.ActionStatus)
	}
	num(uint64(len(s.Loads)))
	for _, e := range s.Errors {
		str(e.ErrorType)
	}
	h.Write(b)
	return h.Sum64()
}

// Latency is a distribution of latencies, in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// latencyOf summarises samples (nearest rank).
func latencyOf(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		return ms(s[max(i, 0)])
	}
	return Latency{N: len(s), P50: rank(0.50), P99: rank(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// latency is the distribution of the orders that came before the
// vehicle's next state, and of all that followed a state with news.
func (p *probe) latency() (fresh, all Latency) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return latencyOf(p.fresh), latencyOf(p.samples)
}
