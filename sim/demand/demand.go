package demand

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// Config is the demand and the officers' habits. Shares are 0..1. There
// are no defaults here: sim and demo each keep their own (a simulated day
// above capacity, a demo at a steady rate).
type Config struct {
	// MovesPerHour is the rate of moves, both ways together; zero: none.
	MovesPerHour float64
	// Eastbound is the share of moves from the first centre of a pair to
	// the second.
	Eastbound float64
	// PreCleared is the share of containers cleared before they reach a
	// checkpoint: no officer decides on them.
	PreCleared float64
	// Inspected and Refused are the shares of decisions at a stop line
	// that send the container to inspection or refuse it; the rest are
	// releases.
	Inspected, Refused float64
	// InspectRefused is the share of inspected containers refused after
	// their inspection.
	InspectRefused float64
	// DecideAfter is an officer's mean time to decide at a stop line
	// (exponentially distributed); InspectTime is how long an inspection
	// takes.
	DecideAfter, InspectTime time.Duration
}

// Validate says what is wrong with a config.
func (c Config) Validate() error {
	shares := []struct {
		name string
		x    float64
	}{{"Eastbound", c.Eastbound}, {"PreCleared", c.PreCleared}, {"Inspected", c.Inspected}, {"Refused", c.Refused}, {"InspectRefused", c.InspectRefused}}
	for _, s := range shares {
		if !(s.x >= 0 && s.x <= 1) {
			return fmt.Errorf("demand: %s share %v is not between 0 and 1", s.name, s.x)
		}
	}
	if c.Inspected+c.Refused > 1 {
		return errors.New("demand: Inspected and Refused shares add up to more than 1")
	}
	if !(c.MovesPerHour >= 0) || math.IsInf(c.MovesPerHour, 0) || c.DecideAfter < 0 || c.InspectTime < 0 {
		return errors.New("demand: negative rate or time")
	}
	return nil
}

// Model draws moves and decisions on one site.
type Model struct {
	cfg     Config
	site    *geo.Site
	centres []geo.Centre
}

// ErrSite: the site has fewer than two centres with yard bays.
var ErrSite = errors.New("demand: the site needs two logistics centres with bays")

// New makes the model for a site with at least two centres with bays.
func New(cfg Config, site *geo.Site) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cs := Centres(site)
	if len(cs) < 2 {
		return nil, ErrSite
	}
	return &Model{cfg: cfg, site: site, centres: cs}, nil
}

// Config is the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Centres are the centres of a site with yard bays, in site order.
func Centres(s *geo.Site) []geo.Centre {
	var out []geo.Centre
	for _, c := range s.Centres {
		if len(s.BaysOf(c.ID)) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Gap draws the time to the next move (one ExpFloat64); with no demand
// it is forever (no draw).
func (m *Model) Gap(rng *rand.Rand) time.Duration {
	if m.cfg.MovesPerHour <= 0 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(rng.ExpFloat64() / m.cfg.MovesPerHour * float64(time.Hour))
}

// Move is one move drawn: between which bays, and whether its container
// is cleared before it reaches a checkpoint.
type Move struct {
	Origin, Destination string
	PreCleared          bool
}

// Move draws a move: the pair of centres (one Intn, only on a site of
// more than two centres with bays), the direction (Float64), pre-cleared
// or not (Float64), the origin bay and the destination bay (Intn each).
func (m *Model) Move(rng *rand.Rand) Move {
	a, b := m.Pair(rng)
	if rng.Float64() >= m.cfg.Eastbound {
		a, b = b, a
	}
	pre := rng.Float64() < m.cfg.PreCleared
	from, to := m.site.BaysOf(a.ID), m.site.BaysOf(b.ID)
	o := from[rng.Intn(len(from))].ID
	d := to[rng.Intn(len(to))].ID
	return Move{Origin: o, Destination: d, PreCleared: pre}
}

// Pair is the two centres a move goes between, the first listed first.
// On a site of two centres with bays it is those two (no draw); with
// more, a pair drawn evenly from all pairs (one Intn), so that demand
// spreads over every pair of centres.
func (m *Model) Pair(rng *rand.Rand) (geo.Centre, geo.Centre) {
	cs := m.centres
	if len(cs) == 2 {
		return cs[0], cs[1]
	}
	k := rng.Intn(len(cs) * (len(cs) - 1) / 2)
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			if k == 0 {
				return cs[i], cs[j]
			}
			k--
		}
	}
	return cs[0], cs[1] // not reached
}

// Container makes a valid ISO 6346 number: owner code prefix (three
// letters and the category U, e.g. "BFLU") and serial n modulo a million.
func Container(prefix string, n int) fleet.Container {
	first := fmt.Sprintf("%s%06d", prefix, ((n%1000000)+1000000)%1000000)
	return fleet.Container(fmt.Sprintf("%s%d", first, fleet.CheckDigit(first)))
}

// AtStopLine draws an officer's decision on a container that waits at a
// checkpoint's stop line, and how long it takes: the decision (Float64),
// then the time (ExpFloat64).
func (m *Model) AtStopLine(rng *rand.Rand) (fleet.Verdict, time.Duration) {
	d := fleet.DecisionRelease
	switch r := rng.Float64(); {
	case r < m.cfg.Refused:
		d = fleet.DecisionRefuse
	case r < m.cfg.Refused+m.cfg.Inspected:
		d = fleet.DecisionInspect
	}
	return d, time.Duration(rng.ExpFloat64() * float64(m.cfg.DecideAfter))
}

// AfterInspection draws an officer's decision on an inspected container
// (one Float64); it comes InspectTime after the container reached the
// inspection bay.
func (m *Model) AfterInspection(rng *rand.Rand) (fleet.Verdict, time.Duration) {
	d := fleet.DecisionRelease
	if rng.Float64() < m.cfg.InspectRefused {
		d = fleet.DecisionRefuse
	}
	return d, m.cfg.InspectTime
}
