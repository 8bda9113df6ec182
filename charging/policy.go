package charging

import (
	"fmt"
	"math"
)

// State is what a charging policy knows of one shuttle when it decides.
type State struct {
	SoC         float64 // state of charge now, 0..1
	Idle        bool    // no move assigned
	ChargerFree bool    // a charger at the nearest station is free now
	// NeedSoC is the state of charge the shuttle's next likely move needs
	// to stay feasible (reserve included); 0 when unknown.
	NeedSoC float64
	// Demand is the forecast load of the fleet for the next hours, from 0
	// (quiet) to 1 (every shuttle busy).
	Demand float64
	// Early: the fleet's coming sessions would crowd the chargers
	// (LatestStarts), and this shuttle's must start before its next move
	// would end.
	Early bool
}

// Decision is a policy's answer: whether to charge, to what target, and
// whether the request is urgent (it goes before every request that is not).
type Decision struct {
	Charge    bool
	TargetSoC float64
	Urgent    bool
	// Early: it charges before it must, to spread the fleet's sessions
	// (State.Early); the dispatcher gives it no new move meanwhile.
	Early  bool
	Reason string
}

// Policy decides when a shuttle charges and how far. Policies are pure:
// the same vehicle and state give the same decision.
type Policy interface {
	Name() string
	Decide(v Vehicle, s State) Decision
}

// urgentMargin is how close to the reserve a shuttle may get before its
// request becomes urgent.
const urgentMargin = 0.05

// Threshold is the classic baseline: a shuttle goes to charge when it falls
// below a threshold and charges to a fixed target, busy or not.
type Threshold struct {
	Below  float64 // charge below this state of charge; default 0.35
	Target float64 // charge to this; default the vehicle's MaxSoC
}

// Name is "threshold".
func (Threshold) Name() string { return "threshold" }

// Decide charges below the threshold, to the target.
func (p Threshold) Decide(v Vehicle, s State) Decision {
	below, target := p.Below, p.Target
	if below == 0 {
		below = 0.35
	}
	if target == 0 {
		target = v.MaxSoC
	}
	if s.SoC >= below {
		return Decision{Reason: fmt.Sprintf("%.0f %% is above the %.0f %% threshold", 100*s.SoC, 100*below)}
	}
	return Decision{Charge: true, TargetSoC: target, Urgent: s.SoC <= v.MinSoC+urgentMargin,
		Reason: fmt.Sprintf("%.0f %% is below the %.0f %% threshold", 100*s.SoC, 100*below)}
}

// Opportunity is the default policy: a shuttle must charge below a low
// threshold or when its next move would not be feasible; it charges early,
// before it must, when the fleet's coming sessions would crowd the
// chargers and a charger is free (State.Early); and it may charge whenever
// it is idle, a charger is free and it is below a high threshold that
// falls with forecast demand: when every shuttle is needed, a shuttle that
// is idle for a moment goes back to work rather than to a charger. A
// session is only worth its plug-in time and the drive when it adds at
// least MinGain. The target also follows demand, between BusyTarget and
// QuietTarget.
type Opportunity struct {
	Must        float64 // must charge below this; default 0.30
	May         float64 // may charge below this when idle, a charger is free and there is no demand; default 0.70
	BusyTarget  float64 // target at full demand; default the vehicle's MaxSoC
	QuietTarget float64 // target with no demand; default the vehicle's MaxSoC
	MinGain     float64 // an opportunity session adds at least this; default 0.15
}

// Name is "opportunity".
func (Opportunity) Name() string { return "opportunity" }

func (p Opportunity) withDefaults(v Vehicle) Opportunity {
	if p.Must == 0 {
		p.Must = 0.30
	}
	if p.May == 0 {
		p.May = 0.70
	}
	if p.BusyTarget == 0 {
		p.BusyTarget = v.MaxSoC
	}
	if p.MinGain == 0 {
		p.MinGain = 0.15
	}
	if p.QuietTarget == 0 {
		p.QuietTarget = v.MaxSoC
	}
	return p
}

// Decide applies the dual thresholds.
func (p Opportunity) Decide(v Vehicle, s State) Decision {
	p = p.withDefaults(v)
	demand := math.Max(0, math.Min(1, s.Demand))
	target := p.QuietTarget + (p.BusyTarget-p.QuietTarget)*demand
	target = math.Min(v.MaxSoC, math.Max(target, math.Max(s.NeedSoC, p.Must)+0.1))
	switch {
	case s.SoC < p.Must || (s.NeedSoC > 0 && s.SoC < s.NeedSoC):
		return Decision{Charge: true, TargetSoC: target,
			Urgent: s.SoC <= v.MinSoC+urgentMargin || (s.NeedSoC > 0 && s.SoC < s.NeedSoC),
			Reason: fmt.Sprintf("must charge: %.0f %% (must below %.0f %%, next move needs %.0f %%)", 100*s.SoC, 100*p.Must, 100*s.NeedSoC)}
	case s.Early && s.ChargerFree && s.SoC <= target-p.MinGain:
		return Decision{Charge: true, TargetSoC: target, Early: true,
			Reason: fmt.Sprintf("early: %.0f %%, before the fleet's sessions crowd the chargers", 100*s.SoC)}
	case s.Idle && s.ChargerFree && s.SoC < p.May+(p.Must-p.May)*demand && s.SoC <= target-p.MinGain:
		return Decision{Charge: true, TargetSoC: target,
			Reason: fmt.Sprintf("opportunity: idle at %.0f %% with a charger free", 100*s.SoC)}
	}
	return Decision{Reason: fmt.Sprintf("no need: %.0f %%", 100*s.SoC)}
}

// PolicyByName returns a policy with its defaults: "threshold" (the
// baseline) or "opportunity" (the default).
func PolicyByName(name string) (Policy, error) {
	switch name {
	case "threshold":
		return Threshold{}, nil
	case "opportunity", "":
		return Opportunity{}, nil
	}
	return nil, fmt.Errorf("charging: unknown policy %q (want threshold or opportunity)", name)
}
