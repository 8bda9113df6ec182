package charging

import (
	"fmt"
	"math"
	"time"
)

// Curve is how much of its maximum charging power a battery accepts at a
// state of charge: all of it up to the knee, then falling in a straight line
// to EndShare of it at full.
type Curve struct {
	KneeSoC  float64 // 0 < KneeSoC < 1
	EndShare float64 // 0 < EndShare <= 1: the share of power accepted at 100 %
}

// Validate reports a curve that makes no sense.
func (c Curve) Validate() error {
	if !(c.KneeSoC > 0 && c.KneeSoC < 1) || !(c.EndShare > 0 && c.EndShare <= 1) {
		return fmt.Errorf("charging: curve with knee %g and end share %g: want 0 < knee < 1 and 0 < end share <= 1", c.KneeSoC, c.EndShare)
	}
	return nil
}

// Share is the share of maximum power accepted at state of charge soc.
func (c Curve) Share(soc float64) float64 {
	if soc <= c.KneeSoC {
		return 1
	}
	return 1 - (1-c.EndShare)*(math.Min(soc, 1)-c.KneeSoC)/(1-c.KneeSoC)
}

// session describes charging one vehicle with at most powerKW available
// (already capped by charger, allocation and vehicle): below the point
// where the taper falls under powerKW the battery takes powerKW; above it
// the battery takes what the curve allows.
type session struct {
	v     Vehicle
	power float64 // kW into the battery at most
	bend  float64 // SoC where the taper falls below power
}

func (v Vehicle) session(powerKW float64) session {
	p := math.Min(powerKW, v.MaxChargeKW)
	s := session{v: v, power: p, bend: 1}
	c := v.Curve
	if share := p / v.MaxChargeKW; share > c.EndShare {
		// Share(bend) == share
		s.bend = c.KneeSoC + (1-share)*(1-c.KneeSoC)/(1-c.EndShare)
	}
	return s
}

// taper parameters: battery power at soc above the knee is a - b*soc (kW).
func (s session) taper() (a, b float64) {
	c := s.v.Curve
	b = s.v.MaxChargeKW * (1 - c.EndShare) / (1 - c.KneeSoC)
	a = s.v.MaxChargeKW + b*c.KneeSoC
	return a, b
}

// hours to charge from s0 to s1 (s0 <= s1) without the plug-in overhead.
func (s session) hours(s0, s1 float64) float64 {
	if s1 <= s0 || s.power <= 0 {
		return 0
	}
	B := s.v.BatteryKWh
	h := 0.0
	if s0 < s.bend {
		h += (math.Min(s1, s.bend) - s0) * B / s.power
	}
	if s1 > s.bend {
		lo := math.Max(s0, s.bend)
		a, b := s.taper()
		// integral of B / (a - b s) ds
		h += B / b * math.Log((a-b*lo)/(a-b*s1))
	}
	return h
}

// socAfter is the state of charge reached from s0 after h hours of
// charging, at most 1.
func (s session) socAfter(s0, h float64) float64 {
	if h <= 0 || s.power <= 0 {
		return s0
	}
	B := s.v.BatteryKWh
	if s0 < s.bend {
		flat := (s.bend - s0) * B / s.power
		if h <= flat {
			return math.Min(1, s0+h*s.power/B)
		}
		h -= flat
		s0 = s.bend
	}
	a, b := s.taper()
	if s0 >= 1 || b <= 0 {
		return 1 // full, or a curve without taper reached its end
	}
	// (a - b s1) = (a - b s0) exp(-b h / B)
	s1 := (a - (a-b*s0)*math.Exp(-b*h/B)) / b
	return math.Min(1, s1)
}

// batteryKW is the power flowing into the battery at soc.
func (s session) batteryKW(soc float64) float64 {
	if soc < s.bend {
		return s.power
	}
	a, b := s.taper()
	return math.Min(s.power, a-b*soc)
}

// ChargeTime is how long a vehicle takes to charge from one state of
// charge to another with powerKW available, plug-in overhead included.
// Going down, or nowhere, takes no time.
func (v Vehicle) ChargeTime(fromSoC, toSoC, powerKW float64) time.Duration {
	from, to := clamp01(fromSoC), clamp01(toSoC)
	if to <= from {
		return 0
	}
	h := v.session(powerKW).hours(from, to)
	return v.PlugOverhead + hoursToDuration(h)
}

// SoCAfter is the state of charge after charging for d (plug-in overhead
// included) from fromSoC with powerKW available.
func (v Vehicle) SoCAfter(fromSoC float64, d time.Duration, powerKW float64) float64 {
	d -= v.PlugOverhead
	if d <= 0 {
		return clamp01(fromSoC)
	}
	return v.session(powerKW).socAfter(clamp01(fromSoC), d.Hours())
}

// Segment is a stretch of constant power drawn from the grid.
type Segment struct {
	Duration time.Duration
	KW       float64
}

// Profile is the grid power of a charging session from one state of charge
// to another with powerKW available: nothing while plugging in, then the
// flat part, then the taper as steps, each drawing the most it draws in its
// step (so a profile never understates the draw). It ends when toSoC is
// reached. steps is how many steps the taper gets (at least 1).
func (v Vehicle) Profile(fromSoC, toSoC, powerKW float64, steps int) []Segment {
	from, to := clamp01(fromSoC), clamp01(toSoC)
	if to <= from {
		return nil
	}
	s := v.session(powerKW)
	grid := 1 / v.ChargeEfficiency
	out := []Segment{}
	if v.PlugOverhead > 0 {
		out = append(out, Segment{v.PlugOverhead, 0})
	}
	if from < s.bend {
		end := math.Min(to, s.bend)
		out = append(out, Segment{hoursToDuration(s.hours(from, end)), s.power * grid})
		from = end
	}
	if to > from {
		steps = max(1, steps)
		for i := 0; i < steps; i++ {
			a := from + (to-from)*float64(i)/float64(steps)
			b := from + (to-from)*float64(i+1)/float64(steps)
			out = append(out, Segment{hoursToDuration(s.hours(a, b)), s.batteryKW(a) * grid})
		}
	}
	return out
}

// ProfileDuration is the total length of a profile.
func ProfileDuration(p []Segment) time.Duration {
	var d time.Duration
	for _, s := range p {
		d += s.Duration
	}
	return d
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Max(0, math.Min(1, x))
}

// hoursToDuration rounds up to the next second, so that a window computed
// from it is never too short.
func hoursToDuration(h float64) time.Duration {
	if h <= 0 || math.IsNaN(h) {
		return 0
	}
	if h > 1e5 {
		h = 1e5
	}
	return time.Duration(math.Ceil(h*3600-1e-6)) * time.Second
}
