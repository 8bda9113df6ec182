package sim

import (
	"math"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// Bound is the analytic upper bound on loaded trips per hour, with every
// input, so that anyone can recompute it (docs/design.md, "Throughput bound").
//
// Every term is an upper bound on the expected loaded trips per hour of a
// run of any length (run_hours), each random input (customs, breakdowns)
// at its expectation.
//
// A direction is an ordered pair of centres; every pair is reported, and
// the demand's shares (demandFlows) weigh them. For each direction the
// fastest routes (at the lanes' limits and the top speed) from every bay
// of one centre to every bay of the other give its route length, driving
// time and the stop lines passed, and
//
//	t_g(d)  = gate_s(d) + customs_wait_s(d)
//	gate_s(d) = pre_cleared_share * release_s(d)
//	customs_wait_s(d) = stop lines passed * (1 - pre_cleared_share) * (decide_after_s + inspected_share * inspect_s)
//
// release_s(d) being the release times of the stop lines passed, each a
// mean over the direction's bay pairs. A pre-cleared container waits its
// release time at each stop line; one not cleared before waits
// decide_after_s for its decision, pulled aside at the inspection bay
// when that is free (it then goes on from there without the release
// time), and inspected_share of those also inspect_s at the inspection
// bay. L, v, t_g, release_s, gate_s, customs_wait_s, gates_per_crossing
// and delivered_share are the means of the directions weighted by their
// demand shares. Then
//
//	cycle_s = 2 L / v + 2 t_h + 2 t_g          (one round trip, both legs laden)
//	fleet    = N * charging_availability * breakdown_availability * delivered_share * n_L * 3600 / cycle_s
//	handling = min over the centres in demand of bays * 3600 / handling_s / trip_share
//	gates    = the directions' stop-line capacities summed, stop lines shared between directions counted once
//	lane     = the directions' headway capacities summed, two-way segments shared between directions counted once
//
// t_h is the time at one end of the round trip: unload and load, 2 *
// handling_s. delivered_share is the share of loaded legs whose container
// is not refused at any stop line.
//
// Availability is over the run's hours T, not in a steady state. A
// shuttle starts up (breakdowns: failures after exponential times of mean
// MTBF, each repaired in exponential times of mean MTTR), so the
// expected share of T it is up is
//
//	breakdown_availability = A + (1 - A) (1 - e^(-rT)) / (rT),  A = MTBF / (MTBF + MTTR), r = 1/MTBF + 1/MTTR
//
// (A over a long run). In the H = breakdown_availability * T it is up it
// drives x cycles of cycle_kwh each and charges what that takes beyond
// the free_charges f it starts with (start_soc above the vehicle's
// MinSoC, in operating windows MinSoC to MaxSoC; negative below MinSoC),
// at t_ch per window: x cycle_s + t_ch (x / k - f) <= H, k =
// cycles_per_charge. So
//
//	charging_availability = x cycle_s / H = min(1, k cycle_s (H + f t_ch) / ((k cycle_s + t_ch) H))
//
// which is k cycle_s / (k cycle_s + t_ch) over a long run, and 1 over a
// run too short to use up the start charge. charges_per_shuttle is x / k
// - f, at least 0. T is the hours of demand: a run with a drain reports
// over the longer time it simulated, for which both availabilities are no
// larger, so the bound stays one.
//
// A centre's trip_share is the share of trips that load or unload there
// (1 for each of two centres); each such trip holds one of its bays for
// handling_s. The models of a stop line and of a shared segment are with
// StopLineBound and SharedSegment; a term that nothing limits is 0.
type Bound struct {
	RouteLengthM      float64 `json:"route_length_m"` // L: mean fastest drive, bay to bay, over the demand's directions
	MeanSpeedMPS      float64 `json:"mean_speed_mps"` // v: L over the free-flow driving time
	HandlingS         float64 `json:"handling_s"`     // one load or unload
	PerEndS           float64 `json:"per_end_s"`      // t_h = 2 * handling_s
	ReleaseS          float64 `json:"release_s"`      // release times of the stop lines passed on one crossing
	GateS             float64 `json:"gate_s"`         // pre_cleared_share * release_s: at the stop lines on one crossing
	GatesPerCrossing  float64 `json:"gates_per_crossing"`
	PreClearedShare   float64 `json:"pre_cleared_share"`
	InspectedShare    float64 `json:"inspected_share"`       // of those not pre-cleared, at each gate
	RefusedShare      float64 `json:"refused_share"`         // of those not pre-cleared, at each gate
	InspectRefused    float64 `json:"inspect_refused_share"` // of those inspected
	DecideAfterS      float64 `json:"decide_after_s"`
	InspectS          float64 `json:"inspect_s"`
	CustomsWaitS      float64 `json:"customs_wait_s"` // expected customs wait on one crossing
	CrossingS         float64 `json:"t_g_s"`          // t_g = gate_s + customs_wait_s
	DeliveredShare    float64 `json:"delivered_share"`
	RunHours          float64 `json:"run_hours"` // T: the run's hours of demand
	MTBFS             float64 `json:"mtbf_s"`    // 0: no breakdowns
	MTTRS             float64 `json:"mttr_s"`
	BreakdownAvail    float64 `json:"breakdown_availability"` // expected share of T a shuttle is up
	LoadedLegs        int     `json:"loaded_legs_per_cycle"`  // n_L
	CycleS            float64 `json:"cycle_s"`
	CycleKWh          float64 `json:"cycle_kwh"`         // energy of one cycle at the run's temperature
	CyclesPerCharge   float64 `json:"cycles_per_charge"` // k: the operating window over cycle_kwh
	ChargeS           float64 `json:"charge_s"`          // t_ch: MinSoC to MaxSoC at a charger, plug-in included
	StartSoC          float64 `json:"start_soc"`
	FreeCharges       float64 `json:"free_charges"`        // f: (start_soc - MinSoC) / (MaxSoC - MinSoC)
	VehicleMinSoC     float64 `json:"vehicle_min_soc"`     // the vehicle's MinSoC: the bound lets the fleet end the run there
	ChargesPerShuttle float64 `json:"charges_per_shuttle"` // over the run, in windows
	ChargingAvail     float64 `json:"charging_availability"`
	Shuttles          int     `json:"shuttles"`
	BaysPerCentre     int     `json:"bays_per_centre"` // fewest bays at a centre in demand
	GateTimeS         float64 `json:"gate_time_s"`     // the slowest stop line passed: 3600 / its capacity
	ClearanceM        float64 `json:"clearance_m"`     // vehicle length + minimum gap
	Fleet             float64 `json:"fleet"`
	Handling          float64 `json:"handling"`
	Gates             float64 `json:"gates"`
	Lane              float64 `json:"lane"`

	Directions     []DirectionBound `json:"directions"`
	Centres        []CentreBound    `json:"centres"`
	StopLines      []StopLineBound  `json:"stop_lines"`      // those the demand's fastest routes pass
	SharedSegments []SharedSegment  `json:"shared_segments"` // two-way stretches the demand drives both ways
}

// DirectionBound is one ordered pair of centres: its fastest routes, bay
// to bay, and what they pass. Every figure is a mean over its bay pairs.
type DirectionBound struct {
	From             string   `json:"from"`
	To               string   `json:"to"`
	Share            float64  `json:"demand_share"` // of all moves
	BayPairs         int      `json:"bay_pairs"`    // routed
	RouteLengthM     float64  `json:"route_length_m"`
	DriveS           float64  `json:"drive_s"`
	StopLines        []string `json:"stop_lines"`                // passed by every route, in route order
	SomeStopLines    []string `json:"some_stop_lines,omitempty"` // passed by some routes only
	GatesPerCrossing float64  `json:"gates_per_crossing"`
	ReleaseS         float64  `json:"release_s"`
	GateS            float64  `json:"gate_s"` // pre_cleared_share * release_s
	CustomsWaitS     float64  `json:"customs_wait_s"`
	CrossingS        float64  `json:"t_g_s"`
	DeliveredShare   float64  `json:"delivered_share"`
	Gates            float64  `json:"gates"` // trips/h: its stop lines in series (0: none)
	Lane             float64  `json:"lane"`  // trips/h: 3600 v / clearance_m, one behind the other

	routes []*routing.Route
	free   int // routes that pass no stop line
}

// CentreBound is one centre's handling capacity.
type CentreBound struct {
	ID        string  `json:"id"`
	Bays      int     `json:"bays"`
	TripShare float64 `json:"trip_share"` // of trips loading or unloading here
	Capacity  float64 `json:"capacity"`   // trips/h: bays * 3600 / handling_s / trip_share (0: not in demand)
}

// StopLineBound is one stop line's capacity. Every shuttle stops at every
// stop line on its route (fleet holds them all). A pre-cleared container
// holds the line for its release time. One that is not waits for its
// decision, at the line or, when the checkpoint's inspection bay is free,
// pulled aside: routed to the inspection bay, which takes one shuttle at a
// time, from its arrival until the decision (and then the inspection, if
// inspected). So, per loaded shuttle on average, the line is busy at least
// line_s = pre_cleared_share * release_s; the inspection bay at least
// bay_s = (1 - pre_cleared_share) * inspected_share * inspect_s; and the
// two together at least line_s + customs_s, customs_s = (1 -
// pre_cleared_share) * (decide_after_s + inspected_share * inspect_s).
// Driving and empty shuttles are left out, so that the capacity stays an
// upper bound: min(3600 / line_s, 3600 / bay_s, 7200 / (line_s + customs_s)).
type StopLineBound struct {
	ID            string   `json:"id"`
	InspectionBay string   `json:"inspection_bay"`
	ReleaseS      float64  `json:"release_s"`
	LineS         float64  `json:"line_s"`
	BayS          float64  `json:"bay_s"`
	CustomsS      float64  `json:"customs_s"`
	Capacity      float64  `json:"capacity"`   // shuttles/h (0: unlimited)
	Directions    []string `json:"directions"` // those whose every route passes it
}

// SharedSegment is a stretch of two-way lane that the fastest routes of
// the demand drive both ways. The traffic control lets it be driven only
// one way at a time: shuttles going the same way may follow each other
// (headway_s = clearance_m / speed_mps at the least), but the other way
// may enter only when the last has left it (clearance_s = (length_m +
// clearance_m) / speed_mps after it entered). With runs of m shuttles
// each way in turn, it passes at most 3600 m / ((m - 1) headway_s +
// clearance_s) shuttles an hour, both ways together. When no way leads
// back from a direction's destination to its origin without the segment,
// a shuttle cannot enter it the same way twice in one run, so m is at
// most the fleet (platoon_max); otherwise runs are unbounded and the
// capacity is 3600 / headway_s. length_m is the shortest part of it that
// a route drives; speed_mps the fastest speed on it (the lane's limit,
// capped by zones and the top speed): both keep the bound an upper bound.
type SharedSegment struct {
	Lanes      []string `json:"lanes"`
	LengthM    float64  `json:"length_m"`
	SpeedMPS   float64  `json:"speed_mps"`
	ClearanceS float64  `json:"clearance_s"`
	HeadwayS   float64  `json:"headway_s"`
	PlatoonMax int      `json:"platoon_max"` // 0: unbounded
	Capacity   float64  `json:"capacity"`    // shuttles/h, both ways
	Directions []string `json:"directions"`  // those whose every route drives it

	dirs []int
}

// flow is one direction of demand: moves from one centre's bays to
// another's, and its share of all moves.
type flow struct {
	from, to string
	share    float64
}

// demandFlows is how demand (engine.demand, demand.Model.Pair) splits the moves
// between the centres that have bays: each pair of them equally likely,
// and in a pair a share Eastbound from the one listed first. Keep the two
// in step.
func demandFlows(cfg Config) []flow {
	var cs []string
	for _, c := range cfg.Site.Centres {
		if len(cfg.Site.BaysOf(c.ID)) > 0 {
			cs = append(cs, c.ID)
		}
	}
	pairs := float64(len(cs) * (len(cs) - 1) / 2)
	var out []flow
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			out = append(out, flow{cs[i], cs[j], cfg.Eastbound / pairs}, flow{cs[j], cs[i], (1 - cfg.Eastbound) / pairs})
		}
	}
	return out
}

// computeBound works out the bound for a run, over the demand's flows.
func computeBound(cfg Config, g *routing.Graph, tcfg routing.TrafficConfig) Bound {
	return boundFor(cfg, g, tcfg, demandFlows(cfg))
}

// boundFor works out the bound for flows between the centres.
func boundFor(cfg Config, g *routing.Graph, tcfg routing.TrafficConfig, flows []flow) Bound {
	b := Bound{HandlingS: cfg.Handling.Seconds(), LoadedLegs: 2, Shuttles: cfg.Shuttles}
	b.PerEndS = 2 * b.HandlingS
	b.PreClearedShare, b.InspectedShare, b.RefusedShare, b.InspectRefused = cfg.PreCleared, cfg.Inspected, cfg.Refused, cfg.InspectRefused
	b.DecideAfterS, b.InspectS = cfg.DecideAfter.Seconds(), cfg.InspectTime.Seconds()
	b.ClearanceM = clearance(tcfg)
	lim := routing.Limits{MaxSpeed: cfg.TopSpeedKmh / 3.6}
	dirs := directions(cfg, g, lim, flows)
	b.average(dirs)
	b.handling(cfg.Site, dirs)
	b.gates(cfg.Site, customsOf(cfg), dirs)
	b.lanes(g, dirs, lim, cfg.Shuttles)
	b.fleet(cfg)
	for _, d := range dirs {
		b.Directions = append(b.Directions, *d)
	}
	return b
}

func clearance(tc routing.TrafficConfig) float64 {
	if tc.VehicleLength == 0 {
		tc.VehicleLength = routing.DefaultVehicleLength
	}
	if tc.MinGap == 0 {
		tc.MinGap = routing.DefaultMinGap
	}
	return tc.VehicleLength + tc.MinGap
}

// Name is "from→to".
func (d *DirectionBound) Name() string { return d.From + "→" + d.To }

// inDemand tells whether the demand moves containers this way.
func (d *DirectionBound) inDemand() bool { return d.Share > 0 && d.BayPairs > 0 }

// average sets the means over the directions, weighted by demand.
func (b *Bound) average(dirs []*DirectionBound) {
	var w, secs float64
	for _, d := range dirs {
		if !d.inDemand() {
			continue
		}
		w += d.Share
		b.RouteLengthM += d.Share * d.RouteLengthM
		secs += d.Share * d.DriveS
		b.ReleaseS += d.Share * d.ReleaseS
		b.GateS += d.Share * d.GateS
		b.GatesPerCrossing += d.Share * d.GatesPerCrossing
		b.CustomsWaitS += d.Share * d.CustomsWaitS
		b.DeliveredShare += d.Share * d.DeliveredShare
	}
	if w == 0 {
		return
	}
	b.RouteLengthM, secs, b.GateS, b.GatesPerCrossing = b.RouteLengthM/w, secs/w, b.GateS/w, b.GatesPerCrossing/w
	b.ReleaseS /= w
	b.CustomsWaitS, b.DeliveredShare = b.CustomsWaitS/w, b.DeliveredShare/w
	b.MeanSpeedMPS = b.RouteLengthM / secs
	b.CrossingS = b.GateS + b.CustomsWaitS
}

// handling is the least of the centres' handling capacities.
func (b *Bound) handling(s *geo.Site, dirs []*DirectionBound) {
	share := map[string]float64{}
	for _, d := range dirs {
		if d.inDemand() {
			share[d.From] += d.Share
			share[d.To] += d.Share
		}
	}
	b.Handling, b.BaysPerCentre = math.Inf(1), math.MaxInt
	for _, c := range s.Centres {
		cb := CentreBound{ID: c.ID, Bays: len(s.BaysOf(c.ID)), TripShare: share[c.ID]}
		if cb.TripShare > 0 {
			cb.Capacity = float64(cb.Bays) * 3600 / b.HandlingS / cb.TripShare
			b.Handling = math.Min(b.Handling, cb.Capacity)
			b.BaysPerCentre = min(b.BaysPerCentre, cb.Bays)
		}
		b.Centres = append(b.Centres, cb)
	}
	b.Handling = finite(b.Handling)
	if b.BaysPerCentre == math.MaxInt {
		b.BaysPerCentre = 0
	}
}

// fleet works out the cycle, charging and the fleet's capacity over the
// run's hours.
func (b *Bound) fleet(cfg Config) {
	b.DeliveredShare = math.Max(b.DeliveredShare, 0)
	b.RunHours = cfg.Hours
	runS := cfg.Hours * 3600
	b.BreakdownAvail = 1
	if !cfg.NoBreakdowns {
		b.MTBFS, b.MTTRS = cfg.MTBF.Seconds(), cfg.MTTR.Seconds()
		b.BreakdownAvail = upShare(b.MTBFS, b.MTTRS, runS)
	}
	driveS := 0.0
	if b.MeanSpeedMPS > 0 {
		driveS = b.RouteLengthM / b.MeanSpeedMPS
	}
	b.CycleS = 2*driveS + 2*b.PerEndS + 2*b.CrossingS
	v := cfg.Vehicle
	drive := time.Duration(driveS * float64(time.Second))
	b.CycleKWh = 2*v.DriveKWh(charging.Leg{Metres: b.RouteLengthM, Duration: drive, Laden: true}, cfg.AmbientC) +
		v.IdleKWh(time.Duration((2*b.PerEndS+2*b.CrossingS)*float64(time.Second)), cfg.AmbientC)
	b.CyclesPerCharge = (v.MaxSoC - v.MinSoC) * v.BatteryKWh / b.CycleKWh
	kw := 0.0
	for _, st := range cfg.Site.Stations {
		kw = math.Max(kw, st.ChargerPowerKW)
	}
	b.ChargeS = v.ChargeTime(v.MinSoC, v.MaxSoC, kw).Seconds()
	b.StartSoC = cfg.StartSoC
	b.FreeCharges = (cfg.StartSoC - v.MinSoC) / (v.MaxSoC - v.MinSoC)
	b.VehicleMinSoC = v.MinSoC
	b.ChargingAvail = chargingAvail(b.CycleS, b.CyclesPerCharge, b.ChargeS, b.FreeCharges, b.BreakdownAvail*runS)
	if b.CycleS > 0 && b.CyclesPerCharge > 0 {
		b.ChargesPerShuttle = math.Max(0, b.ChargingAvail*b.BreakdownAvail*runS/b.CycleS/b.CyclesPerCharge-b.FreeCharges)
	}
	b.Fleet = float64(cfg.Shuttles) * b.ChargingAvail * b.BreakdownAvail * b.DeliveredShare * float64(b.LoadedLegs) * 3600 / b.CycleS
}

// upShare is the expected share of the first t seconds that a unit which
// starts up is up, when it fails after exponential times of mean mtbf
// and is repaired in exponential times of mean mttr: the long-run
// availability A, plus what starting up adds, (1 - A) (1 - e^(-rt)) /
// (rt) with r = 1/mtbf + 1/mttr.
func upShare(mtbf, mttr, t float64) float64 {
	if !(mtbf > 0) {
		return 0
	}
	if !(mttr > 0) {
		return 1
	}
	a := mtbf / (mtbf + mttr)
	rt := (1/mtbf + 1/mttr) * t
	if !(rt > 0) {
		return 1
	}
	return a + (1-a)*(-math.Expm1(-rt))/rt
}

// chargingAvail is the share of up time h a shuttle can spend on cycles
// of cycleS seconds, k of them to a charge of chargeS seconds, when it
// starts with free charges (Bound): x cycleS + chargeS (x / k - free) <=
// h, and no charging while the start charge lasts.
func chargingAvail(cycleS, k, chargeS, free, h float64) float64 {
	if !(cycleS > 0) || !(k > 0) || math.IsInf(k, 1) || !(h > 0) {
		return 1
	}
	a := k * cycleS * (h + free*chargeS) / ((k*cycleS + chargeS) * h)
	return math.Max(0, math.Min(1, a))
}

// min is the bound: the least of the terms, 0 meaning no limit.
func (b Bound) min() float64 {
	m := math.Inf(1)
	for _, t := range []float64{b.Fleet, b.Handling, b.Gates, b.Lane} {
		if t > 0 {
			m = math.Min(m, t)
		}
	}
	return finite(m)
}

// finite is x, or 0 (no limit) for an infinite x, which JSON cannot hold.
func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}

// perHour is how many of something taking s seconds fit in an hour.
func perHour(s float64) float64 {
	if s <= 0 {
		return math.Inf(1)
	}
	return 3600 / s
}

// sharedCap is a resource that several directions share: it carries at
// most capacity trips an hour over all of them.
type sharedCap struct {
	capacity float64
	dirs     []int
}

// together is the most trips an hour the directions can carry, each d at
// most caps[d], when the shared resources carry at most their capacity
// over the directions that use them: the least of the sum of caps and, for
// each shared resource, its capacity plus the caps of the directions that
// do not use it. (Exact with one shared resource; an upper bound always.)
func together(caps []float64, shared []sharedCap) float64 {
	total := 0.0
	for _, c := range caps {
		total += c
	}
	for _, s := range shared {
		t := s.capacity
		for k, c := range caps {
			if !containsInt(s.dirs, k) {
				t += c
			}
		}
		total = math.Min(total, t)
	}
	return total
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
