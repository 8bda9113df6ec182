package charging

import (
	"fmt"
	"math"
	"time"
)

// Vehicle is the energy model of one vehicle type. The zero value is not
// usable; start from DefaultVehicle and change what differs. Figures are
// estimates from docs/design.md, kept here as defaults, not as constants of the
// model: scenario files override them.
type Vehicle struct {
	Name string

	BatteryKWh    float64 // usable battery capacity
	EmptyKWhPerKm float64 // traction energy per km without a load, at mild temperature
	LadenKWhPerKm float64 // traction energy per km with a full load (2 TEU)

	AuxKW            float64 // auxiliaries (controls, sensors, lights) at or above ComfortC
	HeatingKWPerC    float64 // extra auxiliary power per °C below ComfortC (cab and battery heating)
	ColdTractionPerC float64 // extra share of traction energy per °C below ComfortC
	ComfortC         float64 // the temperature below which cold costs energy

	MinSoC float64 // the reserve: never plan below this state of charge
	MaxSoC float64 // charge to at most this in normal operation

	MaxChargeKW      float64 // the most the vehicle accepts
	Curve            Curve   // how acceptance tapers with state of charge
	ChargeEfficiency float64 // energy stored per energy drawn from the grid
	PlugOverhead     time.Duration
}

// DefaultVehicle is the borderfleet shuttle of docs/design.md: 350 kWh, 1.3 kWh/km
// laden and 0.8 kWh/km empty, about 8 kW of auxiliaries in a Tacheng winter
// (-17 °C), operated between 20 % and 80 %, charged at 350 kW DC to an 80 %
// knee, tapering to 10 % of power at full, with a few minutes to plug in.
func DefaultVehicle() Vehicle {
	return Vehicle{
		Name:             "borderfleet-2teu",
		BatteryKWh:       350,
		EmptyKWhPerKm:    0.8,
		LadenKWhPerKm:    1.3,
		AuxKW:            2,
		HeatingKWPerC:    0.18, // 2 + 0.18 * (15 - -17) = 7.8 kW at -17 °C
		ColdTractionPerC: 0.005,
		ComfortC:         15,
		MinSoC:           0.20,
		MaxSoC:           0.80,
		MaxChargeKW:      350,
		Curve:            Curve{KneeSoC: 0.80, EndShare: 0.10},
		ChargeEfficiency: 0.95,
		PlugOverhead:     3 * time.Minute,
	}
}

// Validate reports the first field that makes no sense, by name.
func (v Vehicle) Validate() error {
	pos := []struct {
		name string
		x    float64
	}{
		{"BatteryKWh", v.BatteryKWh}, {"EmptyKWhPerKm", v.EmptyKWhPerKm}, {"LadenKWhPerKm", v.LadenKWhPerKm},
		{"MaxChargeKW", v.MaxChargeKW}, {"ChargeEfficiency", v.ChargeEfficiency},
	}
	for _, f := range pos {
		if !(f.x > 0) || math.IsInf(f.x, 0) {
			return fmt.Errorf("charging: vehicle %q: %s is %g: it must be positive", v.Name, f.name, f.x)
		}
	}
	nonneg := []struct {
		name string
		x    float64
	}{{"AuxKW", v.AuxKW}, {"HeatingKWPerC", v.HeatingKWPerC}, {"ColdTractionPerC", v.ColdTractionPerC}}
	for _, f := range nonneg {
		if !(f.x >= 0) || math.IsInf(f.x, 0) {
			return fmt.Errorf("charging: vehicle %q: %s is %g: it must be zero or more", v.Name, f.name, f.x)
		}
	}
	switch {
	case v.ChargeEfficiency > 1:
		return fmt.Errorf("charging: vehicle %q: ChargeEfficiency is %g: it cannot exceed 1", v.Name, v.ChargeEfficiency)
	case !(v.MinSoC >= 0 && v.MinSoC < v.MaxSoC && v.MaxSoC <= 1):
		return fmt.Errorf("charging: vehicle %q: MinSoC %g and MaxSoC %g: want 0 <= MinSoC < MaxSoC <= 1", v.Name, v.MinSoC, v.MaxSoC)
	case v.PlugOverhead < 0:
		return fmt.Errorf("charging: vehicle %q: PlugOverhead is %v: it must be zero or more", v.Name, v.PlugOverhead)
	case math.IsNaN(v.ComfortC) || math.IsInf(v.ComfortC, 0):
		return fmt.Errorf("charging: vehicle %q: ComfortC is %g", v.Name, v.ComfortC)
	}
	return v.Curve.Validate()
}

// AuxPower is the auxiliary power in kW drawn at an ambient temperature in °C.
func (v Vehicle) AuxPower(ambientC float64) float64 {
	return v.AuxKW + v.HeatingKWPerC*math.Max(0, v.ComfortC-ambientC)
}

// Leg is one stretch of driving, as routing plans it.
type Leg struct {
	Metres   float64
	Duration time.Duration // driving time; auxiliaries run all along
	Laden    bool
}

// DriveKWh is the energy a leg takes out of the battery at an ambient
// temperature: traction by distance, raised in the cold, plus auxiliaries
// over the driving time.
func (v Vehicle) DriveKWh(l Leg, ambientC float64) float64 {
	rate := v.EmptyKWhPerKm
	if l.Laden {
		rate = v.LadenKWhPerKm
	}
	cold := 1 + v.ColdTractionPerC*math.Max(0, v.ComfortC-ambientC)
	return l.Metres/1000*rate*cold + v.IdleKWh(l.Duration, ambientC)
}

// IdleKWh is the energy the auxiliaries take while the vehicle stands (at a
// bay, a gate, in a queue) for d.
func (v Vehicle) IdleKWh(d time.Duration, ambientC float64) float64 {
	return v.AuxPower(ambientC) * d.Hours()
}

// KWh converts a state of charge (0..1) to stored energy.
func (v Vehicle) KWh(soc float64) float64 { return soc * v.BatteryKWh }

// SoC converts stored energy to a state of charge (0..1).
func (v Vehicle) SoC(kwh float64) float64 { return kwh / v.BatteryKWh }
