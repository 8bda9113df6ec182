package soak

import (
	"math"
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/sim"
)

// Hours is how long demand lasts in a drawn case.
const Hours = 8

// The distribution Draw draws from.
const (
	// GeneratedSiteShare of the cases run on a sitegen site, the rest on
	// the embedded default site.
	GeneratedSiteShare = 0.75
	// MaxFleet is the largest starting fleet drawn.
	MaxFleet = 150
)

// Draw draws a random case: a site, every knob of the scenario, a seed,
// and the drain (DrainBound) that its liveness is checked within.
//
//   - site: a sitegen site of a random seed in 3 cases of 4, else the
//     embedded default; a fleet bigger than the site's parking (one
//     shuttle a spot to start with, sim.StartSpots) gets a generated site
//     with parking enough (sitegen Options.Parking), or on the default
//     site fills its 92 spots;
//   - fleet: 1 to 19 shuttles in 55 % of the cases, 20 to 32
//     (log-uniform) in 43 %, 33 to 150 (log-uniform) in 2 %; with
//     operator verbs the fleet may grow to max_shuttles, up to 20 more,
//     often beyond the site's parking (the verb then finds no spot, or
//     the Controller refuses the shuttle: fleet.ErrSiteFull);
//   - demand: above the bound in 90 % of the cases of 20 shuttles or more
//     and 60 % of the others (1.1 to 3 times it, log-uniform, or 3 to 5
//     times in 1 of 10 of those), else 0.3 to 0.9 times it; a share of
//     0.1 to 0.9 each way in 3 cases of 10, else half;
//   - customs: pre-cleared 0.3 to 0.95; inspected, refused and refused
//     after inspection 0 to 0.5 each; decisions after 10 s to 10 min;
//     inspections of 5 to 60 min;
//   - weather and energy: -30 to +20 °C, starting charge 0.25 to 0.9;
//   - breakdowns: off in 3 cases of 10, else MTBF 10 to 200 h and MTTR 5
//     to 60 min;
//   - operators: verbs at 1 to 30 an hour in 60 % of the cases, lane
//     closures at 0.5 to 6 an hour in half; dispatch greedy in 1 case of
//     5, charging by threshold in 1 of 5;
//   - Hours 8, then the drain with the pending moves cancelled.
func Draw(rng *rand.Rand) Case {
	c := Case{Seed: 1 + rng.Int63n(1<<40)}
	if rng.Float64() < GeneratedSiteShare {
		c.SiteSeed = 1 + rng.Int63n(1<<31-1)
	}
	s := &c.Scenario
	s.Hours = Hours
	switch u := rng.Float64(); {
	case u < 0.55:
		s.Shuttles = 1 + rng.Intn(19)
	case u < 0.98:
		s.Shuttles = int(math.Round(logUniform(rng, 20, 32)))
	default:
		s.Shuttles = int(math.Round(logUniform(rng, 33, MaxFleet)))
	}
	if rng.Float64() < 0.2 {
		s.Policy = "greedy"
	}
	if rng.Float64() < 0.2 {
		s.Charging = "threshold"
	}
	s.AmbientC = ptr(round(uniform(rng, -30, 20), 1))
	s.StartSoC = round(uniform(rng, 0.25, 0.9), 2)
	if rng.Float64() < 0.3 {
		s.NoBreakdowns = true
	} else {
		s.MTBF = minutes(logUniform(rng, 10*60, 200*60))
		s.MTTR = minutes(uniform(rng, 5, 60))
	}
	if rng.Float64() < 0.3 {
		s.Eastbound = ptr(round(uniform(rng, 0.1, 0.9), 2))
	}
	s.PreCleared = ptr(round(uniform(rng, 0.3, 0.95), 2))
	s.Inspected = ptr(round(uniform(rng, 0, 0.5), 2))
	s.Refused = ptr(round(uniform(rng, 0, 0.5), 2))
	s.InspectRefused = ptr(round(uniform(rng, 0, 0.5), 2))
	s.DecideAfter = sim.Duration(time.Duration(logUniform(rng, 10, 600)) * time.Second)
	s.InspectTime = minutes(uniform(rng, 5, 60))
	if rng.Float64() < 0.6 {
		s.OperatorEventsPerHour = round(logUniform(rng, 1, 30), 1)
		s.MaxShuttles = s.Shuttles + rng.Intn(21)
	}
	if rng.Float64() < 0.5 {
		s.LaneClosuresPerHour = round(logUniform(rng, 0.5, 6), 1)
	}
	above := rng.Float64() < 0.6
	if s.Shuttles >= 20 {
		above = rng.Float64() < 0.9
	}
	factor := uniform(rng, 0.3, 0.9)
	switch {
	case above && rng.Float64() < 0.1:
		factor = uniform(rng, 3, 5)
	case above:
		factor = logUniform(rng, 1.1, 3)
	}
	parking := 12 + rng.Intn(20) // per centre, when the fleet needs more than the site has
	c.fit(parking)
	cfg, err := c.Config()
	if err != nil {
		return c // Run reports it
	}
	if _, b, err := sim.BoundOf(cfg); err == nil && b > 0 {
		s.MovesPerHour = max(0.1, round(factor*b, 1))
		cfg.MovesPerHour = s.MovesPerHour
	}
	if d, err := DrainBound(cfg); err == nil {
		s.Drain, s.DrainCancelsPending = sim.Duration(d), true
	}
	return c
}

// fit makes room for the fleet: a generated site too small gets parking
// enough, extra spots per centre beyond half the fleet; on the default
// site the fleet fills every spot.
func (c *Case) fit(extra int) {
	site, err := c.LoadSite()
	if err != nil {
		return
	}
	s := &c.Scenario
	spots := sim.StartSpots(site)
	switch {
	case s.Shuttles <= spots:
	case c.SiteSeed == 0:
		s.Shuttles = spots
	default:
		c.Site = &SiteOptions{Parking: min(sitegen.MaxParkingOption, (s.Shuttles+1)/2+extra)}
	}
	if s.MaxShuttles != 0 {
		s.MaxShuttles = max(s.MaxShuttles, s.Shuttles)
	}
}

// DrainBound is the liveness bound of a run: how long after demand stops
// every move under way must have ended and every shuttle come to rest,
// once the pending moves are cancelled. With M the most shuttles the run
// may have (the larger of max_shuttles and the fleet plus two) and the
// run's bound for a fleet of M (sim.Bound: cycle T_c, charge time t_ch,
// B loaded trips an hour, a share s of the loaded legs delivered):
//
//	drain = 1 h + t_ch + 3 T_c + 2 M s / B, rounded up to 10 minutes
//
// At most M moves are under way when demand stops (a shuttle holds one
// move at a time). Each must finish its own journey: to its origin bay,
// the crossing with its customs decisions and inspections, and after a
// refusal the way back, each at most a mean cycle (3 T_c); first its
// shuttle may need a charge (t_ch) and a repair, or wait for an
// operator's undo (a shuttle back in service or a lane reopened within 60
// minutes), the 1 h. Meanwhile the moves share bays, stop lines and
// lanes, and end (delivered or returned: B / s an hour at most) at half
// that rate at least, the 2 M s / B. (For fewer moves under way the term
// is no larger: B grows with the fleet or stays.) The bound is not a
// timeout: a fleet that serves its moves ends well within it (the
// report's liveness.ended_s), one that starves or stalls a move does not.
func DrainBound(cfg sim.Config) (time.Duration, error) {
	m := max(cfg.MaxShuttles, cfg.Shuttles+2)
	cfg.Shuttles, cfg.MaxShuttles = m, 0
	b, trips, err := sim.BoundOf(cfg)
	if err != nil {
		return 0, err
	}
	hours := 1 + (b.ChargeS+3*b.CycleS)/3600
	if trips > 0 {
		hours += 2 * float64(m) * b.DeliveredShare / trips
	} else {
		hours += 24 // no bound to go by: a day
	}
	d := time.Duration(hours * float64(time.Hour))
	return (d + 10*time.Minute - 1).Truncate(10 * time.Minute), nil
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

func logUniform(rng *rand.Rand, lo, hi float64) float64 {
	return math.Exp(uniform(rng, math.Log(lo), math.Log(hi)))
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func minutes(m float64) sim.Duration {
	return sim.Duration(time.Duration(math.Round(m)) * time.Minute)
}

func ptr(x float64) *float64 { return &x }
