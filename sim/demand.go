package sim

import (
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// demandMove is what the simulation remembers of a move it asked for.
type demandMove struct {
	id         string
	preCleared bool
	inspected  map[string]bool // checkpoints where it was sent to inspection
}

// demand asks for container moves in both directions as a Poisson
// process, until the end of the configured hours.
func (e *engine) demand(n int) {
	if e.cfg.MovesPerHour <= 0 {
		return
	}
	gap := time.Duration(e.rng.ExpFloat64() / e.cfg.MovesPerHour * float64(time.Hour))
	e.at(e.now.Add(gap), func() {
		if e.now.After(e.demandEnd()) {
			return // demand has stopped (a drain goes on without it)
		}
		a, b := e.centrePair()
		if e.rng.Float64() >= e.cfg.Eastbound {
			a, b = b, a
		}
		from, to := e.cfg.Site.BaysOf(a.ID), e.cfg.Site.BaysOf(b.ID)
		c := e.container(n)
		m := &demandMove{id: fmt.Sprintf("m%06d", n), preCleared: e.rng.Float64() < e.cfg.PreCleared, inspected: map[string]bool{}}
		e.moves[c] = m
		e.send(fleet.MoveRequested{ID: m.id, Container: string(c),
			Origin: pick(e, from).ID, Destination: pick(e, to).ID, PreCleared: m.preCleared,
			IdempotencyKey: "sim-" + m.id, Declaration: "DECL-" + m.id})
		e.demand(n + 1)
	})
}

// demandEnd is when demand stops: the end of the configured hours.
func (e *engine) demandEnd() time.Time {
	return e.cfg.StartTime.Add(time.Duration(e.cfg.Hours * float64(time.Hour)))
}

// centrePair is the two centres a move goes between, the first listed
// first (Eastbound then says which way). On a site of two centres with
// bays it is those two; with more, a pair drawn evenly from all pairs, so
// that demand spreads over every pair of centres.
func (e *engine) centrePair() (geo.Centre, geo.Centre) {
	cs := demandCentres(e.cfg.Site)
	if len(cs) == 2 {
		return cs[0], cs[1]
	}
	k := e.rng.Intn(len(cs) * (len(cs) - 1) / 2)
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

// demandCentres are the centres with yard bays, in site order.
func demandCentres(s *geo.Site) []geo.Centre {
	var out []geo.Centre
	for _, c := range s.Centres {
		if len(s.BaysOf(c.ID)) > 0 {
			out = append(out, c)
		}
	}
	return out
}

func pick(e *engine, bays []geo.Bay) geo.Bay { return bays[e.rng.Intn(len(bays))] }

// container makes a valid ISO 6346 number for the n-th move.
func (e *engine) container(n int) fleet.Container {
	first := fmt.Sprintf("BFLU%06d", n%1000000)
	return fleet.Container(fmt.Sprintf("%s%d", first, fleet.CheckDigit(first)))
}

// observe plays customs: a laden container that is not pre-cleared gets a
// decision a while after it reaches a stop line, and another after its
// inspection.
func (e *engine) observe(v *vehicle, node string) {
	if !v.laden {
		return
	}
	m, ok := e.moves[v.container]
	if !ok || m.preCleared {
		return
	}
	for _, cp := range e.cfg.Site.Checkpoints {
		switch node {
		case cp.ID:
			d := fleet.DecisionRelease
			switch r := e.rng.Float64(); {
			case r < e.cfg.Refused:
				d = fleet.DecisionRefuse
			case r < e.cfg.Refused+e.cfg.Inspected:
				d = fleet.DecisionInspect
				m.inspected[cp.ID] = true
			}
			e.decide(cp, m, d, time.Duration(e.rng.ExpFloat64()*float64(e.cfg.DecideAfter)))
		case cp.InspectionBay:
			if !m.inspected[cp.ID] {
				continue
			}
			d := fleet.DecisionRelease
			if e.rng.Float64() < e.cfg.InspectRefused {
				d = fleet.DecisionRefuse
			}
			e.decide(cp, m, d, e.cfg.InspectTime)
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
