package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/buildinfo"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

func TestConfigValidate(t *testing.T) {
	f, site, g := newFakeFleet(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		err  string
	}{
		{"complete", Config{Fleet: f, Site: site, Graph: g}, ""},
		{"no fleet", Config{Site: site, Graph: g}, "metrics: config has no fleet"},
		{"no site", Config{Fleet: f, Graph: g}, "metrics: config has no site"},
		{"no graph", Config{Fleet: f, Site: site}, "metrics: config has no lane graph"},
		{"negative timeout", Config{Fleet: f, Site: site, Graph: g, Timeout: -time.Second}, "metrics: Timeout -1s is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if tc.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tc.err)
		})
	}
}

func TestGateStays(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tr := func(s int, from, to fleet.MoveState) fleet.MoveTransition {
		return fleet.MoveTransition{At: at(s), From: from, To: to}
	}
	laden := []fleet.MoveTransition{tr(0, fleet.MoveLoading, fleet.MoveLaden)}
	for _, tc := range []struct {
		name  string
		reads [][]fleet.MoveTransition // the history as it grows, one per read
		want  [][]gateStay             // the stays each read completes
	}{
		{"no gate", [][]fleet.MoveTransition{laden}, [][]gateStay{nil}},
		{"released", [][]fleet.MoveTransition{
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(40, fleet.MoveAtGate, fleet.MoveLaden)),
		}, [][]gateStay{{{d: 30 * time.Second}}}},
		{"waiting, then released", [][]fleet.MoveTransition{
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate)),
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(70, fleet.MoveAtGate, fleet.MoveToDropoff)),
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(70, fleet.MoveAtGate, fleet.MoveToDropoff)),
		}, [][]gateStay{nil, {{d: time.Minute}}, nil}},
		{"inspected is one stay", [][]fleet.MoveTransition{
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(20, fleet.MoveAtGate, fleet.MoveInspection),
				tr(610, fleet.MoveInspection, fleet.MoveLaden)),
		}, [][]gateStay{{{d: 600 * time.Second, inspected: true}}}},
		{"two gates", [][]fleet.MoveTransition{
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(20, fleet.MoveAtGate, fleet.MoveLaden),
				tr(100, fleet.MoveLaden, fleet.MoveAtGate), tr(105, fleet.MoveAtGate, fleet.MoveToDropoff)),
		}, [][]gateStay{{{d: 10 * time.Second}, {d: 5 * time.Second}}}},
		{"refused and back through", [][]fleet.MoveTransition{
			append(laden, tr(10, fleet.MoveLaden, fleet.MoveAtGate), tr(50, fleet.MoveAtGate, fleet.MoveReturning),
				tr(60, fleet.MoveReturning, fleet.MoveAtGate), tr(65, fleet.MoveAtGate, fleet.MoveToDropoff)),
		}, [][]gateStay{{{d: 40 * time.Second}, {d: 5 * time.Second}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c gateCursor
			for i, h := range tc.reads {
				assert.Equal(t, tc.want[i], c.read(h), "read %d", i)
			}
		})
	}
}

// TestScrapeTheDaemon scrapes the handler over a real daemon core (no
// MQTT, no journal) after a vehicle joined and a move was created.
func TestScrapeTheDaemon(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	require.NoError(t, err)
	bus := &daemontest.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, bus) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	m, err := New(Config{Fleet: d, Site: site, Graph: g})
	require.NoError(t, err)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	require.Eventually(t, func() bool { return bus.Handler() != nil && d.Active() }, 5*time.Second, 10*time.Millisecond)
	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	require.Eventually(t, func() bool {
		s, err := d.Snapshot(ctx)
		return err == nil && s.Shuttles[fleet.ShuttleIdle] == 1
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, d.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07"}))

	var moves strings.Builder
	for _, s := range moveStates {
		v := 0
		if s == fleet.MoveToPickup {
			v = 1
		}
		fmt.Fprintf(&moves, "borderfleet_moves{state=%q} %d\n", s, v)
	}
	var shuttles strings.Builder
	for _, s := range shuttleStates {
		v := 0
		if s == fleet.ShuttleToPickup {
			v = 1
		}
		fmt.Fprintf(&shuttles, "borderfleet_shuttles{state=%q} %d\n", s, v)
	}
	want := `
# HELP borderfleet_active 1 when this instance drives the fleet (holds the lease), 0 on standby.
# TYPE borderfleet_active gauge
borderfleet_active 1
# HELP borderfleet_core_up 1 when the fleet core published what it is (it does after every input and tick) within the scrape timeout (5 s by default), else 0 (and the core's metrics are missing).
# TYPE borderfleet_core_up gauge
borderfleet_core_up 1
# HELP borderfleet_deliveries_total Containers delivered to their destination bay.
# TYPE borderfleet_deliveries_total counter
borderfleet_deliveries_total 0
# HELP borderfleet_moves_created_total Container moves created.
# TYPE borderfleet_moves_created_total counter
borderfleet_moves_created_total 1
# HELP borderfleet_reservation_conflicts_total Reservation conflicts traffic control resolved: times a shuttle's lane authority was cut short because the next lane segment or node was reserved by another shuttle (each once, until it goes on).
# TYPE borderfleet_reservation_conflicts_total counter
borderfleet_reservation_conflicts_total 0
# HELP borderfleet_mqtt_messages_received_total VDA 5050 messages received from vehicles.
# TYPE borderfleet_mqtt_messages_received_total counter
borderfleet_mqtt_messages_received_total 1
# HELP borderfleet_shuttle_state_of_charge_ratio State of charge last reported by each vehicle, 0 to 1: for the first max_shuttle_series vehicles in id order (fleetd's metrics_max_shuttle_series, default 100), so that a large fleet does not make a series per vehicle; borderfleet_shuttles_state_of_charge_ratio has them all.
# TYPE borderfleet_shuttle_state_of_charge_ratio gauge
borderfleet_shuttle_state_of_charge_ratio{shuttle="s1"} 0.7
# HELP borderfleet_moves Container moves by state.
# TYPE borderfleet_moves gauge
` + moves.String() + `# HELP borderfleet_shuttles Shuttles known to the fleet controller, by state.
# TYPE borderfleet_shuttles gauge
` + shuttles.String() + `# HELP borderfleet_lead_time_seconds Time from a move's creation to its delivery, observed once per delivery.
# TYPE borderfleet_lead_time_seconds histogram
` + emptyHistogram("borderfleet_lead_time_seconds", leadTimeBuckets)
	names := []string{"borderfleet_active", "borderfleet_core_up", "borderfleet_deliveries_total", "borderfleet_moves_created_total",
		"borderfleet_mqtt_messages_received_total", "borderfleet_reservation_conflicts_total", "borderfleet_shuttle_state_of_charge_ratio", "borderfleet_moves",
		"borderfleet_shuttles", "borderfleet_lead_time_seconds"}
	for scrape := range 2 {
		assert.NoError(t, testutil.ScrapeAndCompare(srv.URL, strings.NewReader(want), names...), "scrape %d", scrape)
	}

	// one series per checkpoint and per station, all at zero
	reg := m.Registry()
	waiting := families(t, reg)["borderfleet_customs_waiting_containers"]
	require.NotNil(t, waiting)
	var wantWaiting, gotWaiting []map[string]string
	for _, cp := range site.Checkpoints {
		wantWaiting = append(wantWaiting, map[string]string{"checkpoint": cp.ID, "country": cp.Country})
	}
	for _, mt := range waiting.GetMetric() {
		gotWaiting = append(gotWaiting, labels(mt))
		assert.Zero(t, mt.GetGauge().GetValue())
	}
	assert.ElementsMatch(t, wantWaiting, gotWaiting)
	n, err := testutil.GatherAndCount(reg, "borderfleet_chargers_in_use", "borderfleet_chargers")
	require.NoError(t, err)
	assert.Equal(t, 2*len(site.Stations), n)
	dl := families(t, reg)["borderfleet_decision_latency_seconds"]
	require.NotNil(t, dl)
	h := dl.GetMetric()[0].GetHistogram()
	assert.GreaterOrEqual(t, h.GetSampleCount(), uint64(2), "the vehicle's state and the move, at least")
	assert.Positive(t, h.GetSampleSum())
	assert.Len(t, h.GetBucket(), len(daemon.LatencyBuckets))
	// no move changed since the scrapes above: the core was not asked
	rt := families(t, reg)["borderfleet_core_roundtrip_seconds"]
	require.NotNil(t, rt)
	assert.Zero(t, rt.GetMetric()[0].GetGauge().GetValue(), "the core asked though no move changed")
	age := families(t, reg)["borderfleet_core_published_age_seconds"]
	require.NotNil(t, age)
	assert.Less(t, age.GetMetric()[0].GetGauge().GetValue(), 5.0)

	// the text format over HTTP, as curl sees it
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `borderfleet_customs_waiting_containers{checkpoint="kz-bakhty-out",country="KZ"} 0`)
	assert.Contains(t, string(body), "go_goroutines ")
}

// TestObservedOnce delivers moves through both gates and scrapes more
// than once: each delivery and each gate stay is observed once.
func TestObservedOnce(t *testing.T) {
	f, site, g := newFakeFleet(t)
	m, err := New(Config{Fleet: f, Site: site, Graph: g})
	require.NoError(t, err)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	reg := m.Registry()

	f.Join("s1", "kz-park-01")
	f.Send(fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07"})
	// China inspects, then releases; Kazakhstan releases at once
	f.Deliver(func(w fleet.GateWait) fleet.Verdict {
		if w.Country == "CN" && !w.Inspection {
			return "inspect"
		}
		return "release"
	})
	lead1 := leadTimes(t, f)
	require.Len(t, lead1, 1)

	check := func(what string, lead []time.Duration, plain, inspected uint64) {
		t.Helper()
		fam := families(t, reg)
		h := fam["borderfleet_lead_time_seconds"].GetMetric()[0].GetHistogram()
		assert.Equal(t, uint64(len(lead)), h.GetSampleCount(), "%s: lead times", what)
		var sum time.Duration
		for _, d := range lead {
			sum += d
		}
		assert.InDelta(t, sum.Seconds(), h.GetSampleSum(), 1e-9, "%s: lead time sum", what)
		gates := map[string]uint64{}
		for _, mt := range fam["borderfleet_gate_wait_seconds"].GetMetric() {
			gates[labels(mt)["inspected"]] = mt.GetHistogram().GetSampleCount()
			assert.Positive(t, mt.GetHistogram().GetSampleSum(), "%s: gate waits take time", what)
		}
		assert.Equal(t, map[string]uint64{"false": plain, "true": inspected}, gates, "%s: gate stays", what)
		delivered := fam["borderfleet_deliveries_total"].GetMetric()[0].GetCounter().GetValue()
		assert.Equal(t, float64(len(lead)), delivered, "%s: deliveries", what)
	}
	check("first scrape", lead1, 1, 1)
	check("second scrape", lead1, 1, 1)
	for range 2 { // and over HTTP
		resp, err := http.Get(srv.URL)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	check("after two HTTP scrapes", lead1, 1, 1)

	// a move back, both gates release at once
	f.Send(fleet.MoveRequested{ID: "m2", Container: "MSCU1234566", Origin: "cn-bay-07", Destination: "kz-bay-03"})
	f.Deliver(func(fleet.GateWait) fleet.Verdict { return "release" })
	lead2 := leadTimes(t, f)
	require.Len(t, lead2, 2)
	check("after the second delivery", lead2, 3, 1)
	check("and again", lead2, 3, 1)
}

// TestCoreDoesNotAnswer: a scrape that times out on the core still
// answers, with core_up 0 and the daemon's counters (messages, snapshots).
func TestCoreDoesNotAnswer(t *testing.T) {
	_, site, g := newFakeFleet(t)
	m, err := New(Config{Fleet: stuckFleet{}, Site: site, Graph: g, Timeout: time.Millisecond})
	require.NoError(t, err)
	err = testutil.GatherAndCompare(m.Registry(), strings.NewReader(`
# HELP borderfleet_core_up 1 when the fleet core published what it is (it does after every input and tick) within the scrape timeout (5 s by default), else 0 (and the core's metrics are missing).
# TYPE borderfleet_core_up gauge
borderfleet_core_up 0
# HELP borderfleet_mqtt_messages_received_total VDA 5050 messages received from vehicles.
# TYPE borderfleet_mqtt_messages_received_total counter
borderfleet_mqtt_messages_received_total 42
# HELP borderfleet_snapshot_restored_index Journal index of the snapshot the core was restored from at start (0: none, the whole journal was replayed).
# TYPE borderfleet_snapshot_restored_index gauge
borderfleet_snapshot_restored_index 410000
# HELP borderfleet_snapshots_written_total Snapshots of the core written to the store by this process.
# TYPE borderfleet_snapshots_written_total counter
borderfleet_snapshots_written_total 3
# HELP borderfleet_snapshot_errors_total Snapshots of the core not taken or not written (see the log for why).
# TYPE borderfleet_snapshot_errors_total counter
borderfleet_snapshot_errors_total 1
`), "borderfleet_core_up", "borderfleet_mqtt_messages_received_total", "borderfleet_moves", "borderfleet_core_roundtrip_seconds",
		"borderfleet_snapshot_restored_index", "borderfleet_snapshots_written_total", "borderfleet_snapshot_errors_total")
	assert.NoError(t, err)
}

// stuckFleet's core never answers.
type stuckFleet struct{}

func (stuckFleet) Read(ctx context.Context, _ func(time.Time, daemon.View)) error {
	<-ctx.Done()
	return ctx.Err()
}
func (stuckFleet) Counters() daemon.Counters {
	return daemon.Counters{MessagesIn: 42, FromSnapshot: 410000, SnapshotsWritten: 3, SnapshotErrors: 1}
}
func (stuckFleet) Active() bool                    { return false }
func (stuckFleet) Published() *daemon.Published    { return nil }
func (stuckFleet) DecisionLatency() daemon.Latency { return daemon.Latency{} }

func leadTimes(t *testing.T, f *daemontest.Fleet) []time.Duration {
	t.Helper()
	var out []time.Duration
	require.NoError(t, f.Read(context.Background(), func(_ time.Time, core daemon.View) {
		out = append(out, core.Stats().LeadTimes...)
	}))
	return out
}

func families(t *testing.T, g prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := g.Gather()
	require.NoError(t, err)
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// emptyHistogram is a histogram with no observations in the text format.
func emptyHistogram(name string, buckets []float64) string {
	var b strings.Builder
	for _, le := range buckets {
		fmt.Fprintf(&b, "%s_bucket{le=\"%g\"} 0\n", name, le)
	}
	fmt.Fprintf(&b, "%s_bucket{le=\"+Inf\"} 0\n%s_sum 0\n%s_count 0\n", name, name, name)
	return b.String()
}

// TestLint: the metrics follow Prometheus's naming and help conventions.
func TestLint(t *testing.T) {
	f, site, g := newFakeFleet(t)
	m, err := New(Config{Fleet: f, Site: site, Graph: g})
	require.NoError(t, err)
	f.Join("s1", "kz-park-01")
	problems, err := testutil.GatherAndLint(m.Registry())
	require.NoError(t, err)
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "borderfleet_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}

// borderfleet_build_info is 1 with the build in its labels: the one
// configured, or this binary's.
func TestBuildInfo(t *testing.T) {
	f, site, g := newFakeFleet(t)
	m, err := New(Config{Fleet: f, Site: site, Graph: g,
		Build: buildinfo.Info{Version: "v1.2.0", Commit: "25b2dbf", Date: "2026-12-06T19:00:00Z", GoVersion: "go1.26.8"}})
	require.NoError(t, err)
	want := `
# HELP borderfleet_build_info Always 1; the labels say which build of fleetd runs: module version, vcs commit, Go version.
# TYPE borderfleet_build_info gauge
borderfleet_build_info{commit="25b2dbf",go_version="go1.26.8",version="v1.2.0"} 1
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "borderfleet_build_info"))

	m, err = New(Config{Fleet: f, Site: site, Graph: g})
	require.NoError(t, err)
	mfs, err := m.Registry().Gather()
	require.NoError(t, err)
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "borderfleet_build_info" {
			found = true
			labels := map[string]string{}
			for _, l := range mf.GetMetric()[0].GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			assert.Equal(t, buildinfo.Read().GoVersion, labels["go_version"])
			assert.NotEmpty(t, labels["version"])
			assert.NotEmpty(t, labels["commit"])
		}
	}
	assert.True(t, found, "borderfleet_build_info without a configured build")
}

// A fleet larger than MaxShuttleSeries: the first vehicles in id order
// have a state-of-charge series each, the others none (counted as
// omitted), and the fleet's histogram has every one.
func TestShuttleSeriesAreBounded(t *testing.T) {
	f, site, g := newFakeFleet(t)
	for _, s := range []string{"s1", "s2", "s3"} {
		f.Join(s, "kz-park-0"+s[1:])
	}
	for _, c := range []struct {
		max, series, omitted int
	}{{2, 2, 1}, {0, 3, 0}, {-1, 0, 3}} {
		m, err := New(Config{Fleet: f, Site: site, Graph: g, MaxShuttleSeries: c.max})
		require.NoError(t, err)
		fams := families(t, m.Registry())
		ids := []string{}
		if soc := fams["borderfleet_shuttle_state_of_charge_ratio"]; soc != nil {
			for _, mt := range soc.GetMetric() {
				ids = append(ids, labels(mt)["shuttle"])
			}
		}
		assert.Equal(t, []string{"s1", "s2", "s3"}[:c.series], ids, "max %d", c.max)
		require.NotNil(t, fams["borderfleet_shuttle_series_omitted"])
		assert.Equal(t, float64(c.omitted), fams["borderfleet_shuttle_series_omitted"].GetMetric()[0].GetGauge().GetValue(), "max %d", c.max)
		h := fams["borderfleet_shuttles_state_of_charge_ratio"].GetMetric()[0].GetHistogram()
		assert.Equal(t, uint64(3), h.GetSampleCount(), "max %d", c.max)
		assert.InDelta(t, 3*0.7, h.GetSampleSum(), 1e-9)
		for _, b := range h.GetBucket() {
			want := uint64(0)
			if b.GetUpperBound() >= 0.7-1e-9 {
				want = 3
			}
			assert.Equal(t, want, b.GetCumulativeCount(), "bucket le=%v", b.GetUpperBound())
		}
	}
}
