package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// BenchmarkListShuttlesBusy measures GET /v1/shuttles?limit=100 with
// BORDERFLEET_BENCH_SHUTTLES shuttles (default 10,000) in a running
// daemon (no MQTT, no journal) whose goroutine is kept busy the whole
// time ("busy"): a feeder hands it each vehicle's state once a second
// (each with news: another battery charge; what the inbox cannot take is
// dropped, as from MQTT); "quiet" is the same with the core idle but for
// its ticks. A request goes every 5 ms (b.N of them). It reports the
// requests' latency (p50, p99, max), the states the core took per second
// meanwhile, and what the listing returned. See BENCHMARKS.md.
func BenchmarkListShuttlesBusy(b *testing.B) {
	n := 10000
	if s := os.Getenv("BORDERFLEET_BENCH_SHUTTLES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	site, _, err := sitegen.Generate(1, sitegen.Options{Parking: (n + 1) / 2, Bays: 100, DistanceM: 1000, Checkpoints: 1})
	if err != nil {
		b.Fatal(err)
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		b.Fatal(err)
	}
	roster, err := vehicles.NewRoster()
	if err != nil {
		b.Fatal(err)
	}
	d, err := daemon.New(daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	if err != nil {
		b.Fatal(err)
	}
	bus := &daemontest.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = d.Run(ctx, bus) }()
	for bus.Handler() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	h := bus.Handler()
	setup := time.Now()
	serials := make([]string, n)
	for i := range serials {
		serials[i] = fmt.Sprintf("v%05d", i)
	}
	// states: vehicle i at parking spot i, header ids counting up
	var hdr atomic.Uint64
	state := func(i int, charge float64) []byte {
		var st vda5050.State
		var hs vda5050.Headers
		hs.Stamp(&st.Header, "acme", serials[i], vda5050.TopicState, time.Now())
		st.HeaderID = uint32(hdr.Add(1))
		st.LastNodeID, st.OperatingMode = site.Parking[i].ID, vda5050.ModeAutomatic
		st.NodeStates, st.EdgeStates, st.ActionStates, st.Errors = []vda5050.NodeState{}, []vda5050.EdgeState{}, []vda5050.ActionState{}, []vda5050.Error{}
		st.BatteryState = vda5050.BatteryState{BatteryCharge: charge}
		st.SafetyState = vda5050.SafetyState{EStop: vda5050.EStopNone}
		out, err := json.Marshal(st)
		if err != nil {
			panic(err)
		}
		return out
	}
	// join them all, the inbox never overrun
	for i := range serials {
		for d.Counters().MessagesIn+int64(d.Counters().MessagesDropped) < int64(i)-2000 {
			time.Sleep(time.Millisecond)
		}
		h("uagv/v2/acme/"+serials[i]+"/state", state(i, 70))
	}
	joined := time.Now()
	before := d.Counters()
	for {
		c := d.Counters()
		if c.MessagesIn+c.MessagesDropped >= int64(n) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	s, err := New(Config{Fleet: d, Site: site, Graph: g, Tokens: []Token{testTokens[1]}}) // the operator: the generated site has other countries
	if err != nil {
		b.Fatal(err)
	}
	hd := s.Handler()
	var failed int // answers other than 200 (a core that did not answer in 5 s: 503)
	list := func() (int, int) {
		req := httptest.NewRequest("GET", "/v1/shuttles?limit=100", nil)
		req.Header.Set("Authorization", "Bearer "+tokOperator)
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			failed++
			b.Logf("%d: %s", rec.Code, rec.Body.Bytes())
			return 0, rec.Body.Len()
		}
		var l struct {
			Shuttles []json.RawMessage `json:"shuttles"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
			b.Fatal(err)
		}
		return len(l.Shuttles), rec.Body.Len()
	}
	if k, _ := list(); k == 0 {
		b.Fatalf("no shuttles listed (%+v)", before)
	}
	b.Logf("%d shuttles joined in %v (the last %v after the last was handed over)", n, time.Since(setup).Round(time.Millisecond), time.Since(joined).Round(time.Millisecond))

	// measure times the requests, one every 5 ms, and reports them with
	// what the core took meanwhile
	measure := func(b *testing.B) {
		start, in0 := time.Now(), d.Counters().MessagesIn
		var lat []time.Duration
		var items, size int
		failed = 0
		for b.Loop() {
			t0 := time.Now()
			items, size = list()
			lat = append(lat, time.Since(t0))
			time.Sleep(5 * time.Millisecond)
		}
		took, in := time.Since(start), d.Counters().MessagesIn-in0
		slices.Sort(lat)
		q := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(in)/took.Seconds(), "core-msgs/s")
		b.ReportMetric(float64(failed), "failed")
		b.ReportMetric(float64(items), "shuttles/page")
		b.ReportMetric(float64(size), "bytes/page")
		b.ReportMetric(0, "ns/op")
	}
	// quiet: the core has nothing to do but its ticks
	b.Run("quiet", measure)
	// busy: a feeder hands the core each vehicle's state once a second
	feedCtx, stopFeed := context.WithCancel(ctx)
	var fed sync.WaitGroup
	fed.Go(func() {
		// every vehicle at 1 Hz: n states a second, 10 every n/10 ms
		r := rand.New(rand.NewPCG(1, 2))
		t := time.NewTicker(time.Second / time.Duration(max(n/10, 1)))
		defer t.Stop()
		for {
			select {
			case <-feedCtx.Done():
				return
			case <-t.C:
			}
			for range 10 {
				i := r.IntN(n)
				h("uagv/v2/acme/"+serials[i]+"/state", state(i, 20+60*r.Float64()))
			}
		}
	})
	time.Sleep(time.Second) // the inbox fills
	b.Run("busy", measure)
	stopFeed()
	fed.Wait()
}
