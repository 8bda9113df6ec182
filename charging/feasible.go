package charging

import (
	"fmt"
	"time"
)

// Scenario is one way a move may go for a shuttle, from where it stands
// until it reaches a charger: the legs it drives and the time it stands
// (handling at bays, waiting at gates and in inspection).
type Scenario struct {
	Name     string // for example "delivered" or "refused at cn-pokitu-in"
	Legs     []Leg
	Standing time.Duration
}

// Feasibility is the answer of CheckMove.
type Feasibility struct {
	OK         bool
	Worst      string  // the scenario that needs the most energy
	NeedKWh    float64 // what the worst scenario takes
	HaveKWh    float64 // what the battery holds above the reserve
	ReserveKWh float64
}

// Reason says why a move is or is not feasible, for the dispatcher's record.
func (f Feasibility) Reason() string {
	verdict := "feasible"
	if !f.OK {
		verdict = "not feasible"
	}
	return fmt.Sprintf("%s: the worst case (%s) needs %.1f kWh, %.1f kWh are above the %.0f kWh reserve",
		verdict, f.Worst, f.NeedKWh, f.HaveKWh, f.ReserveKWh)
}

// ScenarioKWh is the energy a scenario takes at an ambient temperature.
func (v Vehicle) ScenarioKWh(s Scenario, ambientC float64) float64 {
	e := v.IdleKWh(s.Standing, ambientC)
	for _, l := range s.Legs {
		e += v.DriveKWh(l, ambientC)
	}
	return e
}

// Need is what one scenario of a move takes, worked out beforehand (with
// ScenarioKWh), for a caller that asks the same question many times.
type Need struct {
	Name string
	KWh  float64
}

// CheckMove tells whether a shuttle at state of charge soc may take a move:
// in every scenario (the dispatcher passes at least the delivery and, for
// each customs gate on the way, a refusal there with the drive back to the
// origin centre laden), it must still reach a charger with its reserve
// (MinSoC) left. With no scenarios a move is feasible if soc is above the
// reserve.
func (v Vehicle) CheckMove(soc, ambientC float64, scenarios ...Scenario) Feasibility {
	needs := make([]Need, len(scenarios))
	for i, s := range scenarios {
		needs[i] = Need{s.Name, v.ScenarioKWh(s, ambientC)}
	}
	return v.Check(soc, needs...)
}

// Check is CheckMove for scenarios whose energy is known: the worst need
// (the first of equal ones) against what the battery holds above the
// reserve.
func (v Vehicle) Check(soc float64, needs ...Need) Feasibility {
	f := Feasibility{ReserveKWh: v.KWh(v.MinSoC), Worst: "standing still"}
	f.HaveKWh = v.KWh(soc) - f.ReserveKWh
	for i, n := range needs {
		if n.KWh > f.NeedKWh || i == 0 {
			f.NeedKWh, f.Worst = n.KWh, n.Name
		}
	}
	f.OK = f.HaveKWh >= f.NeedKWh
	return f
}
