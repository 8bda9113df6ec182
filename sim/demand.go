package sim

import (
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim/demand"
)

// This file plays the operators who ask for moves and the customs
// officers, with the model package demand shares with `fleetd demo`. Every
// draw comes from the run's random source, in the order the model
// documents.

// demandMove is what the simulation remembers of a move it asked for.
type demandMove struct {
	id         string
	preCleared bool
	inspected  map[string]bool // checkpoints where it was sent to inspection
}

// demandModel is the shared model with the run's shares and times.
func (c Config) demandModel() (*demand.Model, error) {
	return demand.New(c.DemandConfig(), c.Site)
}

// demand asks for container moves as a Poisson process, until the end of
// the configured hours.
func (e *engine) demand(n int) {
	if e.cfg.MovesPerHour <= 0 {
		return
	}
	e.at(e.now.Add(e.dem.Gap(e.rng)), func() {
		if e.now.After(e.demandEnd()) {
			return // demand has stopped (a drain goes on without it)
		}
		mv := e.dem.Move(e.rng)
		c := demand.Container("BFLU", n)
		m := &demandMove{id: fmt.Sprintf("m%06d", n), preCleared: mv.PreCleared, inspected: map[string]bool{}}
		e.moves[c] = m
		e.send(fleet.MoveRequested{ID: m.id, Container: string(c),
			Origin: mv.Origin, Destination: mv.Destination, PreCleared: m.preCleared,
			IdempotencyKey: "sim-" + m.id, Declaration: "DECL-" + m.id})
		e.demand(n + 1)
	})
}

// demandEnd is when demand stops: the end of the configured hours.
func (e *engine) demandEnd() time.Time {
	return e.cfg.StartTime.Add(time.Duration(e.cfg.Hours * float64(time.Hour)))
}

// demandCentres are the centres with yard bays, in site order.
func demandCentres(s *geo.Site) []geo.Centre { return demand.Centres(s) }

// observe plays customs: a laden container that is not pre-cleared gets a
// decision a while after it reaches a stop line, and another after its
// inspection.
func (e *engine) observe(laden bool, container fleet.Container, node string) {
	if !laden {
		return
	}
	m, ok := e.moves[container]
	if !ok || m.preCleared {
		return
	}
	for _, cp := range e.cfg.Site.Checkpoints {
		switch node {
		case cp.ID:
			d, after := e.dem.AtStopLine(e.rng)
			if d == fleet.DecisionInspect {
				m.inspected[cp.ID] = true
			}
			e.decide(cp, m, d, after)
		case cp.InspectionBay:
			if !m.inspected[cp.ID] {
				continue
			}
			d, after := e.dem.AfterInspection(e.rng)
			e.decide(cp, m, d, after)
		}
	}
}

// decide hands the officer's decision over after a while, if the move
// still awaits one there: a container refused elsewhere may pass a stop
// line laden on its way back, or have gone home by the time the officer
// would decide, and the Controller rightly refuses a decision then.
func (e *engine) decide(cp geo.Checkpoint, m *demandMove, d fleet.Verdict, after time.Duration) {
	e.at(e.now.Add(after), func() {
		if mv := e.move(m.id); mv == nil || mv.CanDecide(cp.ID) != nil {
			return
		}
		e.send(fleet.CustomsDecision{Checkpoint: cp.ID, Country: cp.Country, Move: m.id, Decision: d,
			Officer: "sim-officer-" + cp.Country, Reason: "simulated"})
	})
}

// move is the Controller's move of that id, nil if there is none.
func (e *engine) move(id string) *fleet.Move {
	ms := e.ctl.Moves()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].ID == id {
			return ms[i]
		}
	}
	return nil
}
