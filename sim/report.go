package sim

import (
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/routing"
)

// Report is the outcome of a run: what `fleetd sim --json` prints.
type Report struct {
	Shuttles int     `json:"shuttles"`
	SimHours float64 `json:"sim_hours"`
	Policy   string  `json:"policy"`
	Charging string  `json:"charging"`
	Seed     int64   `json:"seed"`

	MovesCreated    int     `json:"moves_created"`
	MovesDelivered  int     `json:"moves_delivered"`
	MovesReturned   int     `json:"moves_returned"`
	MovesInProgress int     `json:"moves_in_progress"`
	MovesPending    int     `json:"moves_pending"`
	LoadedTrips     float64 `json:"loaded_trips_per_hour"`
	MeanLeadTimeS   float64 `json:"mean_lead_time_s"`

	Conflicts           int     `json:"conflicts"`
	BatteryDepletions   int     `json:"battery_depletions"`
	Deadlocks           int     `json:"deadlocks"`
	LostMoves           int     `json:"lost_moves"`
	DuplicateDeliveries int     `json:"duplicate_deliveries"`
	IllegalTransitions  int     `json:"illegal_transitions"`
	Breakdowns          int     `json:"breakdowns"`
	MinSoC              float64 `json:"min_soc"`
	WallSeconds         float64 `json:"wall_seconds"`

	Bound            Bound   `json:"bound"`
	BoundLoadedTrips float64 `json:"bound_loaded_trips_per_hour"`
	BoundRatio       float64 `json:"bound_ratio"`

	MovesByState    map[string]int     `json:"moves_by_state"`
	ShuttlesByState map[string]int     `json:"shuttles_by_state"`
	ShuttleHours    map[string]float64 `json:"shuttle_hours_by_state"`    // sampled each minute
	ActivityHours   map[string]float64 `json:"shuttle_hours_by_activity"` // sampled each minute
	PlanFailures    int                `json:"plan_failures"`

	Errors []string `json:"errors,omitempty"`
}

// Bound is the analytic upper bound on loaded trips per hour, with every
// input, so that anyone can recompute it (DESIGN.md, "Throughput bound").
//
//	t_g     = gate_s + customs_wait_s             (one crossing)
//	cycle_s = 2 L / v + 2 t_h + 2 t_g          (one round trip, both legs laden)
//	charging_availability = k cycle_s / (k cycle_s + t_ch)
//	fleet    = N * charging_availability * breakdown_availability * delivered_share * n_L * 3600 / cycle_s
//	handling = bays_per_centre * 3600 / handling_s
//	gates    = gates_per_direction_in_series... each stop line passes one
//	           shuttle per gate_time: 2 directions * 3600 / gate_time_s
//	lane     = 2 directions * 3600 * v / clearance_m
//
// t_h is the time at one end of the round trip: unload and load, 2 *
// handling_s. customs_wait_s is what the scenario's customs add on one
// crossing on average, beyond the stop lines' release times: at each of
// the gates_per_crossing stop lines a container that was not cleared
// before (1 - pre_cleared_share) waits decide_after_s for its decision,
// and inspected_share of those also inspect_s at the inspection bay.
// delivered_share is the share of loaded legs whose container is not
// refused at either gate; breakdown_availability is MTBF / (MTBF + MTTR). Each loaded trip uses a bay at both centres for handling_s,
// so bays_per_centre bays serve 3600 / handling_s trips an hour each.
type Bound struct {
	RouteLengthM     float64 `json:"route_length_m"`     // L: mean shortest drive, bay to bay, between the centres
	MeanSpeedMPS     float64 `json:"mean_speed_mps"`     // v: L over the free-flow driving time
	HandlingS        float64 `json:"handling_s"`         // one load or unload
	PerEndS          float64 `json:"per_end_s"`          // t_h = 2 * handling_s
	GateS            float64 `json:"gate_s"`             // release times of the stop lines on one crossing
	GatesPerCrossing int     `json:"gates_per_crossing"` // stop lines on one crossing
	PreClearedShare  float64 `json:"pre_cleared_share"`
	InspectedShare   float64 `json:"inspected_share"`       // of those not pre-cleared, at each gate
	RefusedShare     float64 `json:"refused_share"`         // of those not pre-cleared, at each gate
	InspectRefused   float64 `json:"inspect_refused_share"` // of those inspected
	DecideAfterS     float64 `json:"decide_after_s"`
	InspectS         float64 `json:"inspect_s"`
	CustomsWaitS     float64 `json:"customs_wait_s"` // expected customs wait on one crossing
	CrossingS        float64 `json:"t_g_s"`          // t_g = gate_s + customs_wait_s
	DeliveredShare   float64 `json:"delivered_share"`
	MTBFS            float64 `json:"mtbf_s"` // 0: no breakdowns
	MTTRS            float64 `json:"mttr_s"`
	BreakdownAvail   float64 `json:"breakdown_availability"`
	LoadedLegs       int     `json:"loaded_legs_per_cycle"` // n_L
	CycleS           float64 `json:"cycle_s"`
	CycleKWh         float64 `json:"cycle_kwh"`         // energy of one cycle at the run's temperature
	CyclesPerCharge  float64 `json:"cycles_per_charge"` // k: the operating window over cycle_kwh
	ChargeS          float64 `json:"charge_s"`          // t_ch: MinSoC to MaxSoC at a charger, plug-in included
	ChargingAvail    float64 `json:"charging_availability"`
	Shuttles         int     `json:"shuttles"`
	BaysPerCentre    int     `json:"bays_per_centre"`
	GateTimeS        float64 `json:"gate_time_s"` // the slowest single stop line
	ClearanceM       float64 `json:"clearance_m"`
	Fleet            float64 `json:"fleet"`
	Handling         float64 `json:"handling"`
	Gates            float64 `json:"gates"`
	Lane             float64 `json:"lane"`
}

// computeBound works out the bound for a run.
func computeBound(cfg Config, g *routing.Graph, tcfg routing.TrafficConfig) Bound {
	s := cfg.Site
	b := Bound{HandlingS: cfg.Handling.Seconds(), LoadedLegs: 2, Shuttles: cfg.Shuttles}
	b.PerEndS = 2 * b.HandlingS
	var metres, secs float64
	n := 0
	lim := routing.Limits{MaxSpeed: cfg.TopSpeedKmh / 3.6}
	for _, a := range s.Centres[:2] {
		for _, o := range s.BaysOf(a.ID) {
			reach, _ := g.From(o.ID, lim)
			for _, c := range s.Centres[:2] {
				if c.ID == a.ID {
					continue
				}
				for _, d := range s.BaysOf(c.ID) {
					if i, ok := g.Node(d.ID); ok && reach[i].OK {
						metres += reach[i].Metres
						secs += reach[i].Duration.Seconds()
						n++
					}
				}
			}
		}
	}
	if n > 0 {
		b.RouteLengthM, b.MeanSpeedMPS = metres/float64(n), metres/secs
	}
	b.BaysPerCentre = math.MaxInt
	for _, c := range s.Centres[:2] {
		b.BaysPerCentre = min(b.BaysPerCentre, len(s.BaysOf(c.ID)))
	}
	perDirection := map[string]float64{}
	for _, cp := range s.Checkpoints {
		perDirection[cp.Lane] += cp.ReleaseTime.Seconds()
		b.GateTimeS = math.Max(b.GateTimeS, cp.ReleaseTime.Seconds())
	}
	perLane := map[string]int{}
	for _, cp := range s.Checkpoints {
		perLane[cp.Lane]++
	}
	for lane, t := range perDirection {
		b.GateS = math.Max(b.GateS, t)
		b.GatesPerCrossing = max(b.GatesPerCrossing, perLane[lane])
	}
	b.PreClearedShare, b.InspectedShare, b.RefusedShare, b.InspectRefused = cfg.PreCleared, cfg.Inspected, cfg.Refused, cfg.InspectRefused
	b.DecideAfterS, b.InspectS = cfg.DecideAfter.Seconds(), cfg.InspectTime.Seconds()
	notCleared := 1 - cfg.PreCleared
	b.CustomsWaitS = float64(b.GatesPerCrossing) * notCleared * (b.DecideAfterS + cfg.Inspected*b.InspectS)
	b.CrossingS = b.GateS + b.CustomsWaitS
	b.DeliveredShare = math.Pow(1-notCleared*(cfg.Refused+cfg.Inspected*cfg.InspectRefused), float64(b.GatesPerCrossing))
	b.BreakdownAvail = 1
	if !cfg.NoBreakdowns {
		b.MTBFS, b.MTTRS = cfg.MTBF.Seconds(), cfg.MTTR.Seconds()
		b.BreakdownAvail = b.MTBFS / (b.MTBFS + b.MTTRS)
	}
	b.CycleS = 2*b.RouteLengthM/b.MeanSpeedMPS + 2*b.PerEndS + 2*b.CrossingS
	v := cfg.Vehicle
	drive := time.Duration(b.RouteLengthM / b.MeanSpeedMPS * float64(time.Second))
	b.CycleKWh = 2*v.DriveKWh(charging.Leg{Metres: b.RouteLengthM, Duration: drive, Laden: true}, cfg.AmbientC) +
		v.IdleKWh(time.Duration((2*b.PerEndS+2*b.CrossingS)*float64(time.Second)), cfg.AmbientC)
	b.CyclesPerCharge = (v.MaxSoC - v.MinSoC) * v.BatteryKWh / b.CycleKWh
	kw := 0.0
	for _, st := range s.Stations {
		kw = math.Max(kw, st.ChargerPowerKW)
	}
	b.ChargeS = v.ChargeTime(v.MinSoC, v.MaxSoC, kw).Seconds()
	b.ChargingAvail = b.CyclesPerCharge * b.CycleS / (b.CyclesPerCharge*b.CycleS + b.ChargeS)
	b.Fleet = float64(cfg.Shuttles) * b.ChargingAvail * b.BreakdownAvail * b.DeliveredShare * float64(b.LoadedLegs) * 3600 / b.CycleS
	b.Handling = float64(b.BaysPerCentre) * 3600 / b.HandlingS
	if b.GateTimeS > 0 {
		b.Gates = 2 * 3600 / b.GateTimeS
	} else {
		b.Gates = math.Inf(1)
	}
	tc := tcfg
	if tc.VehicleLength == 0 {
		tc.VehicleLength = routing.DefaultVehicleLength
	}
	if tc.MinGap == 0 {
		tc.MinGap = routing.DefaultMinGap
	}
	b.ClearanceM = tc.VehicleLength + tc.MinGap
	b.Lane = 2 * 3600 * b.MeanSpeedMPS / b.ClearanceM
	return b
}

func (b Bound) min() float64 {
	return math.Min(math.Min(b.Fleet, b.Handling), math.Min(b.Gates, b.Lane))
}

// Run simulates a fleet for the configured hours and reports.
func Run(cfg Config) (Report, error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	g, err := routing.NewGraph(cfg.Site, routing.GraphConfig{})
	if err != nil {
		return Report{}, err
	}
	policy, err := charging.PolicyByName(cfg.Charging)
	if err != nil {
		return Report{}, err
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	ctl, err := fleet.NewController(fleet.Config{Graph: g, Vehicle: cfg.Vehicle, Charging: policy,
		Dispatch: cfg.Policy, Handling: cfg.Handling, AmbientC: cfg.AmbientC}, rand.New(rand.NewSource(cfg.Seed+1)))
	if err != nil {
		return Report{}, err
	}
	e := &engine{cfg: cfg, g: g, ctl: ctl, rng: rng, now: cfg.StartTime, lastMove: cfg.StartTime,
		end: cfg.StartTime.Add(time.Duration(cfg.Hours * float64(time.Hour))),
		vs:  map[string]*vehicle{}, moves: map[fleet.Container]*demandMove{}, stations: map[string]float64{}, standing: map[string]string{}}
	e.r = Report{Shuttles: cfg.Shuttles, SimHours: cfg.Hours, Policy: cfg.Policy, Charging: cfg.Charging, Seed: cfg.Seed, MinSoC: 1, ShuttleHours: map[string]float64{}, ActivityHours: map[string]float64{}}
	for _, st := range cfg.Site.Stations {
		e.stations[st.ID] = st.ChargerPowerKW
	}
	spots := startSpots(cfg)
	if len(spots) < cfg.Shuttles {
		return Report{}, fmt.Errorf("sim: %d shuttles but the site has %d parking spots in its two centres", cfg.Shuttles, len(spots))
	}
	for i := 0; i < cfg.Shuttles; i++ {
		v := &vehicle{id: fmt.Sprintf("shuttle-%02d", i+1), node: spots[i], soc: cfg.StartSoC, nextStep: 1, drained: e.now,
			failAt: e.now.Add(time.Duration(rng.ExpFloat64() * float64(cfg.MTBF)))}
		e.vs[v.id] = v
		e.occupy(v, v.node)
		e.ids = append(e.ids, v.id)
		e.send(fleet.ShuttleJoined{Shuttle: v.id, Node: v.node, SoC: v.soc})
	}
	e.demand(1)
	e.run()
	e.finish(g)
	e.r.WallSeconds = time.Since(start).Seconds()
	return e.r, nil
}

// startSpots lists parking spots alternating between the two centres, so
// that shuttles start on both sides.
func startSpots(cfg Config) []string {
	var sides [2][]string
	for _, p := range cfg.Site.Parking {
		for i, c := range cfg.Site.Centres[:2] {
			if p.Centre == c.ID {
				sides[i] = append(sides[i], p.ID)
			}
		}
	}
	var out []string
	for i := 0; i < max(len(sides[0]), len(sides[1])); i++ {
		for _, side := range sides {
			if i < len(side) {
				out = append(out, side[i])
			}
		}
	}
	return out
}

// finish fills the report from the controller's moves and counts.
func (e *engine) finish(g *routing.Graph) {
	st := e.ctl.Stats()
	r := &e.r
	r.MovesCreated = st.MovesCreated
	r.DuplicateDeliveries = st.DuplicateDrops
	r.IllegalTransitions = st.IllegalTransitions
	r.Errors = append(r.Errors, st.Illegal...)
	r.MovesByState, r.ShuttlesByState = map[string]int{}, map[string]int{}
	r.PlanFailures = st.PlanFailures
	for _, id := range e.ids {
		s, _, _ := e.ctl.ShuttleState(id)
		r.ShuttlesByState[string(s)]++
	}
	for _, m := range e.ctl.Moves() {
		r.MovesByState[string(m.State)]++
		switch m.State {
		case fleet.MoveDelivered:
			r.MovesDelivered++
		case fleet.MoveReturned:
			r.MovesReturned++
		case fleet.MovePending:
			r.MovesPending++
		case fleet.MoveCancelled, fleet.MoveFailed:
		default:
			r.MovesInProgress++
			if m.Shuttle == "" {
				r.LostMoves++ // under way, but on no shuttle
			}
		}
	}
	if len(e.ctl.Moves()) != len(e.moves) {
		r.LostMoves += len(e.moves) - len(e.ctl.Moves())
	}
	r.LoadedTrips = float64(r.MovesDelivered) / r.SimHours
	var sum time.Duration
	for _, d := range st.LeadTimes {
		sum += d
	}
	if len(st.LeadTimes) > 0 {
		r.MeanLeadTimeS = sum.Seconds() / float64(len(st.LeadTimes))
	}
	r.Bound = computeBound(e.cfg, g, routing.TrafficConfig{})
	r.BoundLoadedTrips = r.Bound.min()
	if r.BoundLoadedTrips > 0 {
		r.BoundRatio = r.LoadedTrips / r.BoundLoadedTrips
	}
}

// Failed tells whether the run broke a safety promise: a conflict, a
// battery depletion, a deadlock, a lost or twice-delivered move, or an
// illegal state transition.
func (r Report) Failed() bool {
	return r.Conflicts+r.BatteryDepletions+r.Deadlocks+r.LostMoves+r.DuplicateDeliveries+r.IllegalTransitions > 0
}
