package sim

import (
	"fmt"
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
	// EndSoC is the fleet's mean state of charge when the run ends, as
	// its shuttles last reported it. The bound lets a fleet end at the
	// vehicle's MinSoC: the charge it ends with above that is charging
	// time the bound counts as driving.
	EndSoC      float64 `json:"end_soc"`
	WallSeconds float64 `json:"wall_seconds"`

	Bound            Bound   `json:"bound"`
	BoundLoadedTrips float64 `json:"bound_loaded_trips_per_hour"`
	BoundRatio       float64 `json:"bound_ratio"`

	MovesByState    map[string]int     `json:"moves_by_state"`
	ShuttlesByState map[string]int     `json:"shuttles_by_state"`
	ShuttleHours    map[string]float64 `json:"shuttle_hours_by_state"`    // sampled each minute
	ActivityHours   map[string]float64 `json:"shuttle_hours_by_activity"` // sampled each minute
	PlanFailures    int                `json:"plan_failures"`

	Liveness *Liveness `json:"liveness,omitempty"`
	// EndToEnd is how an end-to-end run was made (package sim/endtoend);
	// nil for an in-process run.
	EndToEnd *EndToEndFigures `json:"end_to_end,omitempty"`

	Errors []string `json:"errors,omitempty"`
}

// Run simulates a fleet for the configured hours and reports.
func Run(cfg Config) (Report, error) {
	r, _, err := RunWith(cfg, Options{})
	return r, err
}

// RunWith is Run that also records the run (Options.Record: the
// Recording is nil without it) and reports its progress. Recording
// changes nothing the run does.
func RunWith(cfg Config, opt Options) (Report, *Recording, error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, nil, err
	}
	cfg = cfg.withOutages()
	g, err := routing.NewGraph(cfg.Site, routing.GraphConfig{})
	if err != nil {
		return Report{}, nil, err
	}
	policy, err := charging.PolicyByName(cfg.Charging)
	if err != nil {
		return Report{}, nil, err
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	ctl, err := fleet.NewController(fleet.Config{Graph: g, Vehicle: cfg.Vehicle, Charging: policy,
		Dispatch: cfg.Policy, Handling: cfg.Handling, AmbientC: cfg.AmbientC, Tuning: cfg.Tuning})
	if err != nil {
		return Report{}, nil, err
	}
	dem, err := cfg.demandModel()
	if err != nil {
		return Report{}, nil, err
	}
	e := &engine{cfg: cfg, g: g, ctl: ctl, rng: rng, dem: dem, now: cfg.StartTime, lastMove: cfg.StartTime,
		end: cfg.StartTime.Add(time.Duration(cfg.Hours * float64(time.Hour))),
		vs:  map[string]*vehicle{}, moves: map[fleet.Container]*demandMove{}, stations: map[string]float64{}, standing: map[string]string{}}
	if opt.Record {
		e.rec = newRecorder(cfg)
	}
	e.progress = opt.Progress
	e.lag, e.masterLog = opt.lag, opt.masterLog
	e.r = Report{Shuttles: cfg.Shuttles, SimHours: cfg.Hours, Policy: cfg.Policy, Charging: cfg.Charging, Seed: cfg.Seed, MinSoC: 1, ShuttleHours: map[string]float64{}, ActivityHours: map[string]float64{}}
	for _, st := range cfg.Site.Stations {
		e.stations[st.ID] = st.ChargerPowerKW
	}
	spots := startSpots(cfg)
	if len(spots) < cfg.Shuttles {
		return Report{}, nil, fmt.Errorf("sim: %d shuttles but the site has %d parking spots in its two centres", cfg.Shuttles, len(spots))
	}
	if cfg.VDA5050 {
		if err := e.startFleet(spots); err != nil {
			return Report{}, nil, err
		}
	}
	for i := 0; i < cfg.Shuttles && !cfg.VDA5050; i++ {
		v := &vehicle{id: fmt.Sprintf("shuttle-%02d", i+1), node: spots[i], soc: cfg.StartSoC, told: cfg.StartSoC, nextStep: 1, drained: e.now,
			failAt: e.now.Add(time.Duration(rng.ExpFloat64() * float64(cfg.MTBF)))}
		e.vs[v.id] = v
		e.occupy(v.id, new(string), v.node)
		e.ids = append(e.ids, v.id)
		e.send(fleet.ShuttleJoined{Shuttle: v.id, Node: v.node, SoC: v.soc})
	}
	e.startClosures()
	e.demand(1)
	e.run()
	e.finish(g)
	var rec *Recording
	if e.rec != nil {
		rec = e.rec.finish(e)
	}
	e.r.WallSeconds = time.Since(start).Seconds()
	return e.r, rec, nil
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
		s, soc, _ := e.ctl.ShuttleState(id)
		r.ShuttlesByState[string(s)]++
		r.EndSoC += soc / float64(len(e.ids))
	}
	for _, m := range e.ctl.Moves() {
		r.CountMove(m)
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

// CountMove adds a move to the tallies by its state (MovesByState, made
// already, and the delivered, returned, pending and in-progress counts)
// and counts it lost if it is under way on no shuttle, which it reports.
// The in-process run and the end-to-end one (sim/endtoend) count their
// moves by it alike.
func (r *Report) CountMove(m *fleet.Move) (lost bool) {
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
			return true
		}
	}
	return false
}
