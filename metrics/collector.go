package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// namespace prefixes every metric of the fleet.
const namespace = "borderfleet"

// moveStates and shuttleStates are every state, so each has its series
// even at zero.
var (
	moveStates = []fleet.MoveState{fleet.MovePending, fleet.MoveAssigned, fleet.MoveToPickup, fleet.MoveLoading,
		fleet.MoveLaden, fleet.MoveAtGate, fleet.MoveInspection, fleet.MoveToDropoff, fleet.MoveUnloading,
		fleet.MoveDelivered, fleet.MoveReturning, fleet.MoveReturned, fleet.MoveCancelled, fleet.MoveFailed}
	shuttleStates = []fleet.ShuttleState{fleet.ShuttleOffline, fleet.ShuttleIdle, fleet.ShuttleToPickup,
		fleet.ShuttleLoading, fleet.ShuttleLadenTransit, fleet.ShuttleAtGate, fleet.ShuttleInspection,
		fleet.ShuttleToDropoff, fleet.ShuttleUnloading, fleet.ShuttleToCharger, fleet.ShuttleCharging,
		fleet.ShuttleToParking, fleet.ShuttlePaused, fleet.ShuttleFault, fleet.ShuttleEStop, fleet.ShuttleOutOfService}
)

// unknownStation labels a charging shuttle whose node is no station.
const unknownStation = "unknown"

// collector reads the daemon on every scrape. Its histograms are the
// only state it keeps; observe adds to them on the core's goroutine.
type collector struct {
	fleet     Fleet
	site      *geo.Site
	graph     *routing.Graph
	timeout   time.Duration
	maxSeries int // per-shuttle series at most

	// the Controller's move change number at the observer's last read
	// (only the collector's goroutine... Collect may run concurrently:
	// under obs.mu)
	seenMoves uint64

	obs *observer

	// from the daemon's counters, needing no core
	active, up, roundtrip, decision                               *prometheus.Desc
	msgIn, msgOut, msgRejected, msgDropped, msgSame, publishErrs  *prometheus.Desc
	controllerErrs, journalErrs, replayed                         *prometheus.Desc
	fromSnapshot, snapshotsWritten, snapshotErrors                *prometheus.Desc
	joinsRefused                                                  *prometheus.Desc
	moves, shuttles, soc, customsWaiting, chargersInUse, chargers *prometheus.Desc
	socFleet, socOmitted, publishedAge                            *prometheus.Desc
	movesCreated, deliveries, returns, duplicateDrops             *prometheus.Desc
	illegal, planFailures, dispatchRejections, reservationWaits   *prometheus.Desc
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

func newCollector(cfg Config) *collector {
	return &collector{
		fleet: cfg.Fleet, site: cfg.Site, graph: cfg.Graph, timeout: cfg.Timeout, maxSeries: cfg.MaxShuttleSeries,
		obs: newObserver(),

		active: desc("active", "1 when this instance drives the fleet (holds the lease), 0 on standby."),
		up: desc("core_up", "1 when the fleet core published what it is (it does after every input and tick) within the scrape timeout (5 s by default), "+
			"else 0 (and the core's metrics are missing)."),
		publishedAge: desc("core_published_age_seconds", "Real time since the fleet core last published what it is for readers (the API and these metrics read that, never the core itself); it publishes after every input and tick."),
		decision: desc("decision_latency_seconds", "Real time from the fleet core taking up a live input (a vehicle's message, "+
			"an operator's or officer's request, a tick) to its commands handed to the MQTT publisher: journal write, controller and audit write."),
		roundtrip: desc("core_roundtrip_seconds", "Time the fleet core took to answer this scrape's read of the moves that changed since the last (for the lead-time and gate-wait histograms; queueing behind inputs included): "+
			"a stand-in for its decision latency. 0 when no move changed: the scrape did not ask the core."),

		msgIn:          desc("mqtt_messages_received_total", "VDA 5050 messages received from vehicles."),
		msgOut:         desc("mqtt_messages_published_total", "VDA 5050 messages published to vehicles."),
		msgRejected:    desc("mqtt_messages_rejected_total", "Vehicle messages received and not believed, by reason: invalid (does not decode), identity (header names another vehicle than the topic), sequence (headerId backwards on a live link), map, position, node (what a state says is not on the site), unknown (vehicle not on the roster), full (auto-admission found the roster at its cap), topic, limits (too large, too many entries, control characters), time (stamped too far from fleetd's clock).", "reason"),
		msgDropped:     desc("mqtt_messages_dropped_total", "Messages dropped because the core's inbox was full."),
		msgSame:        desc("mqtt_states_unchanged_total", "Vehicle states that repeated the last one (not journaled)."),
		publishErrs:    desc("mqtt_publish_errors_total", "Messages the MQTT client failed to publish."),
		controllerErrs: desc("controller_errors_total", "Events the fleet controller refused."),
		journalErrs:    desc("journal_errors_total", "Inputs lost because the journal could not take them."),
		replayed:       desc("journal_replayed_records_total", "Journal records replayed since start."),
		fromSnapshot: desc("snapshot_restored_index", "Journal index of the snapshot the core was restored from at start "+
			"(0: none, the whole journal was replayed)."),
		snapshotsWritten: desc("snapshots_written_total", "Snapshots of the core written to the store by this process."),
		snapshotErrors:   desc("snapshot_errors_total", "Snapshots of the core not taken or not written (see the log for why)."),
		joinsRefused:     desc("vehicle_joins_refused_total", "Joins of vehicles on the roster that the fleet refused (the site full: no parking spot for one more); each vehicle tries again after a wait that doubles up to 10 minutes."),

		moves:    desc("moves", "Container moves by state.", "state"),
		shuttles: desc("shuttles", "Shuttles known to the fleet controller, by state.", "state"),
		soc: desc("shuttle_state_of_charge_ratio", "State of charge last reported by each vehicle, 0 to 1: for the first max_shuttle_series vehicles in id order "+
			"(fleetd's metrics_max_shuttle_series, default 100), so that a large fleet does not make a series per vehicle; borderfleet_shuttles_state_of_charge_ratio has them all.", "shuttle"),
		socFleet:       desc("shuttles_state_of_charge_ratio", "State of charge last reported by the vehicles, 0 to 1, as a histogram over the fleet (every vehicle that reported, one observation each per scrape)."),
		socOmitted:     desc("shuttle_series_omitted", "Vehicles that reported a state of charge and have no borderfleet_shuttle_state_of_charge_ratio series (beyond max_shuttle_series)."),
		customsWaiting: desc("customs_waiting_containers", "Containers waiting for a customs decision (at the stop line or in inspection), by checkpoint.", "checkpoint", "country"),
		chargersInUse:  desc("chargers_in_use", "Shuttles charging now, by charging station.", "station"),
		chargers:       desc("chargers", "Chargers at each charging station.", "station"),

		movesCreated:   desc("moves_created_total", "Container moves created."),
		deliveries:     desc("deliveries_total", "Containers delivered to their destination bay."),
		returns:        desc("returns_total", "Refused containers returned to their origin centre."),
		duplicateDrops: desc("duplicate_drops_total", "Drops reported again for a move already delivered (ignored)."),
		illegal:        desc("illegal_transitions_total", "State changes the move and shuttle state machines refused."),
		planFailures:   desc("plan_failures_total", "Routes the traffic controller could not plan."),
		reservationWaits: desc("reservation_conflicts_total", "Reservation conflicts traffic control resolved: times a shuttle's lane authority "+
			"was cut short because the next lane segment or node was reserved by another shuttle (each once, until it goes on)."),
		dispatchRejections: desc("dispatch_rejections_total", "Shuttles passed over for a move by the dispatcher, by reason.", "reason"),
	}
}

// Describe sends every metric's description.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.active, c.up, c.roundtrip, c.decision,
		c.msgIn, c.msgOut, c.msgRejected, c.msgDropped, c.msgSame, c.publishErrs,
		c.controllerErrs, c.journalErrs, c.replayed, c.fromSnapshot, c.snapshotsWritten, c.snapshotErrors, c.joinsRefused,
		c.moves, c.shuttles, c.soc, c.socFleet, c.socOmitted, c.publishedAge, c.customsWaiting, c.chargersInUse, c.chargers,
		c.movesCreated, c.deliveries, c.returns, c.duplicateDrops, c.illegal, c.planFailures, c.dispatchRejections, c.reservationWaits} {
		ch <- d
	}
	c.obs.describe(ch)
}

// socBuckets are the upper bounds of borderfleet_shuttles_state_of_charge_ratio.
var socBuckets = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}

// reading is what one scrape takes from what the core published.
type reading struct {
	moves     map[fleet.MoveState]int
	shuttles  map[fleet.ShuttleState]int
	soc       []shuttleSoC   // those that reported, in id order
	waiting   map[string]int // checkpoint -> containers
	countries map[string]string
	charging  map[string]int // station -> shuttles
	stats     fleet.Stats
}

type shuttleSoC struct {
	id  string
	soc float64
}

// Collect reads what the core last published and sends every metric;
// it asks the core itself only for the moves that changed since the last
// scrape (for the histograms), and only when some did.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(c.active, boolFloat(c.fleet.Active()))
	n := c.fleet.Counters()
	counter(c.msgIn, float64(n.MessagesIn))
	counter(c.msgOut, float64(n.MessagesOut))
	for reason, k := range n.RejectedBy {
		counter(c.msgRejected, float64(k), reason)
	}
	counter(c.msgDropped, float64(n.MessagesDropped))
	counter(c.msgSame, float64(n.MessagesSame))
	counter(c.publishErrs, float64(n.PublishErrors))
	counter(c.controllerErrs, float64(n.ControllerErrors))
	counter(c.journalErrs, float64(n.JournalErrors))
	counter(c.replayed, float64(n.Replayed))
	gauge(c.fromSnapshot, float64(n.FromSnapshot))
	counter(c.snapshotsWritten, float64(n.SnapshotsWritten))
	counter(c.snapshotErrors, float64(n.SnapshotErrors))
	counter(c.joinsRefused, float64(n.JoinsRefused))
	lat := c.fleet.DecisionLatency()
	buckets := make(map[float64]uint64, len(lat.Buckets))
	for i, b := range lat.Buckets {
		buckets[b] = lat.Counts[i]
	}
	ch <- prometheus.MustNewConstHistogram(c.decision, lat.Count, lat.Sum, buckets)

	p := c.fleet.Published()
	fresh := p != nil && time.Since(p.Wall) <= c.timeout
	if p != nil {
		gauge(c.publishedAge, time.Since(p.Wall).Seconds())
	}
	took, err := c.observe(p)
	c.obs.collect(ch)
	gauge(c.up, boolFloat(fresh && err == nil))
	if !fresh || err != nil {
		return
	}
	gauge(c.roundtrip, took.Seconds())
	r := c.read(p)

	for _, s := range states(moveStates, r.moves) {
		gauge(c.moves, float64(r.moves[s]), string(s))
	}
	for _, s := range states(shuttleStates, r.shuttles) {
		gauge(c.shuttles, float64(r.shuttles[s]), string(s))
	}
	socCounts := make(map[float64]uint64, len(socBuckets))
	var socSum float64
	for i, x := range r.soc {
		if i < c.maxSeries {
			gauge(c.soc, x.soc, x.id)
		}
		socSum += x.soc
		for _, b := range socBuckets {
			if x.soc <= b {
				socCounts[b]++
			}
		}
	}
	ch <- prometheus.MustNewConstHistogram(c.socFleet, uint64(len(r.soc)), socSum, socCounts)
	gauge(c.socOmitted, float64(max(len(r.soc)-c.maxSeries, 0)))
	for _, cp := range c.site.Checkpoints {
		gauge(c.customsWaiting, float64(r.waiting[cp.ID]), cp.ID, cp.Country)
		delete(r.waiting, cp.ID)
	}
	for id, n := range r.waiting { // a checkpoint the site does not name: not expected
		gauge(c.customsWaiting, float64(n), id, r.countries[id])
	}
	for _, st := range c.site.Stations {
		gauge(c.chargers, float64(st.Chargers), st.ID)
		gauge(c.chargersInUse, float64(r.charging[st.ID]), st.ID)
		delete(r.charging, st.ID)
	}
	for id, n := range r.charging {
		gauge(c.chargersInUse, float64(n), id)
	}

	s := r.stats
	counter(c.movesCreated, float64(s.MovesCreated))
	counter(c.deliveries, float64(s.Deliveries))
	counter(c.returns, float64(s.Returns))
	counter(c.duplicateDrops, float64(s.DuplicateDrops))
	counter(c.illegal, float64(s.IllegalTransitions))
	counter(c.planFailures, float64(s.PlanFailures))
	counter(c.reservationWaits, float64(s.TrafficWaits))
	for reason, n := range s.DispatchRejections {
		counter(c.dispatchRejections, float64(n), string(reason))
	}
}

// observe feeds the histograms the lead times and gate stays of the
// moves changed since the last scrape: it reads the core (on its
// goroutine, waiting at most the timeout) only when p says some changed.
func (c *collector) observe(p *daemon.Published) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	c.obs.mu.Lock()
	seen := c.seenMoves
	c.obs.mu.Unlock()
	if p.MoveSeq == seen && seen != 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	err := c.fleet.Read(ctx, func(_ time.Time, v daemon.View) {
		st := v.Stats()
		c.obs.observe(st.LeadTimes, v.Moves())
		_, seq := v.ChangedSince(^uint64(0))
		c.obs.mu.Lock()
		c.seenMoves = seq
		c.obs.mu.Unlock()
	})
	return time.Since(start), err
}

// read copies what the scrape needs of a publication.
func (c *collector) read(p *daemon.Published) reading {
	r := reading{moves: map[fleet.MoveState]int{}, shuttles: map[fleet.ShuttleState]int{},
		waiting: map[string]int{}, countries: map[string]string{}, charging: map[string]int{}}
	for st, n := range p.MoveCounts { // those archived included
		r.moves[st] = n
	}
	for i := range p.Len() {
		v := p.Row(i)
		if !v.StateAt.IsZero() {
			r.soc = append(r.soc, shuttleSoC{v.ID, v.SoC})
		}
		if !v.Known {
			continue
		}
		r.shuttles[v.State]++
		if v.State == fleet.ShuttleCharging {
			r.charging[c.stationAt(v.LastNode)]++
		}
	}
	for _, w := range p.Gates {
		r.waiting[w.Checkpoint]++
		r.countries[w.Checkpoint] = w.Country
	}
	r.stats = p.Stats
	return r
}

// stationAt is the charging station at a lane graph node, or
// unknownStation.
func (c *collector) stationAt(node string) string {
	if i, ok := c.graph.Node(node); ok {
		if p := c.graph.Nodes[i].Place; p != "" {
			return p
		}
	}
	return unknownStation
}

// states is all, then any other state that counts has.
func states[S ~string](all []S, counts map[S]int) []S {
	out := append([]S{}, all...)
	for s := range counts {
		known := false
		for _, a := range all {
			known = known || a == s
		}
		if !known {
			out = append(out, s)
		}
	}
	return out
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
