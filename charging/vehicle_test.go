package charging

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultVehicle(t *testing.T) {
	v := DefaultVehicle()
	require.NoError(t, v.Validate())
	assert.InDelta(t, 7.76, v.AuxPower(-17), 0.01, "about 8 kW of auxiliaries in a Tacheng January")
	assert.InDelta(t, 2, v.AuxPower(25), 1e-9, "no heating when warm")
}

func TestDriveKWh(t *testing.T) {
	v := DefaultVehicle()
	tests := []struct {
		name     string
		leg      Leg
		ambientC float64
		want     float64
	}{
		{"3 km empty, mild, no time", Leg{Metres: 3000}, 20, 2.4},
		{"3 km laden, mild, no time", Leg{Metres: 3000, Laden: true}, 20, 3.9},
		{"3 km laden in 10 min, mild", Leg{3000, 10 * time.Minute, true}, 20, 3.9 + 2.0/6},
		{"3 km laden in 10 min at -17 °C", Leg{3000, 10 * time.Minute, true}, -17, 3.9*1.16 + 7.76/6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, v.DriveKWh(tc.leg, tc.ambientC), 1e-9)
		})
	}
}

func TestVehicleValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Vehicle)
		want   string
	}{
		{"no battery", func(v *Vehicle) { v.BatteryKWh = 0 }, "BatteryKWh is 0"},
		{"negative aux", func(v *Vehicle) { v.AuxKW = -1 }, "AuxKW is -1"},
		{"window upside down", func(v *Vehicle) { v.MinSoC, v.MaxSoC = 0.8, 0.2 }, "want 0 <= MinSoC < MaxSoC <= 1"},
		{"efficiency above 1", func(v *Vehicle) { v.ChargeEfficiency = 1.2 }, "cannot exceed 1"},
		{"knee at 1", func(v *Vehicle) { v.Curve.KneeSoC = 1 }, "want 0 < knee < 1"},
		{"negative overhead", func(v *Vehicle) { v.PlugOverhead = -time.Second }, "PlugOverhead"},
	}
	for _, tc := range tests {
		v := DefaultVehicle()
		tc.change(&v)
		assert.ErrorContains(t, v.Validate(), tc.want, tc.name)
	}
}

func TestChargeTime(t *testing.T) {
	v := DefaultVehicle()
	tests := []struct {
		name     string
		from, to float64
		kw       float64
		want     time.Duration
	}{
		// 60 % of 350 kWh at 350 kW is 36 minutes, plus 3 to plug in
		{"20 to 80 % at 350 kW", 0.2, 0.8, 350, 39 * time.Minute},
		{"20 to 80 % at 175 kW", 0.2, 0.8, 175, 75 * time.Minute},
		{"nothing to do", 0.5, 0.5, 350, 0},
		{"going down", 0.6, 0.5, 350, 0},
		// the charger limits more than the vehicle: 100 kW
		{"20 to 80 % at 100 kW", 0.2, 0.8, 100, 3*time.Minute + 126*time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want.Seconds(), v.ChargeTime(tc.from, tc.to, tc.kw).Seconds(), 1.5)
		})
	}
	// the taper: 80 to 100 % at full power, power falling from 350 to 35 kW:
	// B/b * ln((a - 0.8 b) / (a - b)) with b = 350*0.9/0.2, a = 350 + 0.8 b,
	// that is 350/1575 * ln 10 hours
	taper := v.ChargeTime(0.8, 1, 350) - v.PlugOverhead
	assert.InDelta(t, 350.0/1575*2.302585*60, taper.Minutes(), 0.05)
	assert.Greater(t, taper, 12*time.Minute, "the taper takes longer than the flat rate would")
	// a charger weaker than the taper's top is flat until the curve falls under it
	assert.Less(t, v.ChargeTime(0.8, 0.9, 100), v.ChargeTime(0.8, 0.9, 350)+v.ChargeTime(0.8, 0.9, 100))
}

func TestSoCAfterInvertsChargeTime(t *testing.T) {
	v := DefaultVehicle()
	for _, kw := range []float64{50, 150, 350, 500} {
		for _, pair := range [][2]float64{{0.2, 0.8}, {0.1, 0.95}, {0.85, 1}, {0, 1}} {
			d := v.ChargeTime(pair[0], pair[1], kw)
			got := v.SoCAfter(pair[0], d, kw)
			assert.GreaterOrEqual(t, got, pair[1]-1e-9, "%g kW %v", kw, pair)
			assert.InDelta(t, pair[1], got, 0.002, "%g kW %v", kw, pair)
		}
	}
	assert.Equal(t, 0.3, v.SoCAfter(0.3, time.Minute, 350), "still plugging in")
}

func TestProfile(t *testing.T) {
	v := DefaultVehicle()
	p := v.Profile(0.2, 1, 350, 4)
	require.Len(t, p, 6) // plug, flat, 4 taper steps
	assert.Equal(t, 0.0, p[0].KW)
	assert.InDelta(t, 350/0.95, p[1].KW, 1e-9)
	for i := 2; i < len(p); i++ {
		assert.LessOrEqual(t, p[i].KW, p[i-1].KW, "the taper falls")
	}
	assert.Less(t, p[5].KW, p[2].KW)
	assert.InDelta(t, v.ChargeTime(0.2, 1, 350).Seconds(), ProfileDuration(p).Seconds(), 6)
	// the profile never understates: it draws at least what the battery stores
	var kwh float64
	for _, s := range p {
		kwh += s.KW * s.Duration.Hours() * v.ChargeEfficiency
	}
	assert.GreaterOrEqual(t, kwh, 0.8*350-1e-6)
	assert.Nil(t, v.Profile(0.5, 0.4, 350, 4))
}

func TestCheckMove(t *testing.T) {
	v := DefaultVehicle()
	delivered := Scenario{Name: "delivered", Standing: 10 * time.Minute, Legs: []Leg{
		{Metres: 1500, Duration: 4 * time.Minute},
		{Metres: 3200, Duration: 10 * time.Minute, Laden: true},
		{Metres: 800, Duration: 3 * time.Minute},
	}}
	refused := Scenario{Name: "refused at cn-pokitu-in", Standing: 40 * time.Minute, Legs: []Leg{
		{Metres: 1500, Duration: 4 * time.Minute},
		{Metres: 2000, Duration: 6 * time.Minute, Laden: true},
		{Metres: 2400, Duration: 7 * time.Minute, Laden: true},
		{Metres: 800, Duration: 3 * time.Minute},
	}}
	f := v.CheckMove(0.5, -17, delivered, refused)
	assert.True(t, f.OK)
	assert.Equal(t, "refused at cn-pokitu-in", f.Worst, "the refusal costs more: longer laden and longer standing")
	assert.InDelta(t, 70, f.ReserveKWh, 1e-9)
	assert.InDelta(t, 105, f.HaveKWh, 1e-9)

	// just above the reserve: the delivery alone would fit, the refusal not
	need := v.ScenarioKWh(refused, -17)
	soc := v.MinSoC + (v.ScenarioKWh(delivered, -17)+need)/2/v.BatteryKWh
	f = v.CheckMove(soc, -17, delivered, refused)
	assert.False(t, f.OK)
	assert.Contains(t, f.Reason(), "not feasible: the worst case (refused at cn-pokitu-in) needs")
	assert.True(t, v.CheckMove(soc, -17, delivered).OK)
}

func TestPolicies(t *testing.T) {
	v := DefaultVehicle()
	tests := []struct {
		name   string
		policy Policy
		state  State
		charge bool
		urgent bool
		target float64
	}{
		{"threshold: above", Threshold{}, State{SoC: 0.5, Idle: true, ChargerFree: true}, false, false, 0},
		{"threshold: below", Threshold{}, State{SoC: 0.3}, true, false, 0.8},
		{"threshold: near the reserve", Threshold{}, State{SoC: 0.22}, true, true, 0.8},
		{"opportunity: idle, charger free", Opportunity{}, State{SoC: 0.6, Idle: true, ChargerFree: true}, true, false, 0.8},
		{"opportunity: idle, half busy", Opportunity{}, State{SoC: 0.45, Idle: true, ChargerFree: true, Demand: 0.5}, true, false, 0.8},
		{"opportunity: idle but every shuttle needed", Opportunity{}, State{SoC: 0.45, Idle: true, ChargerFree: true, Demand: 1}, false, false, 0},
		{"opportunity: a top-up too small to be worth it", Opportunity{}, State{SoC: 0.68, Idle: true, ChargerFree: true}, false, false, 0},
		{"opportunity: busy target", Opportunity{BusyTarget: 0.65}, State{SoC: 0.28, Demand: 1}, true, false, 0.65},
		{"opportunity: busy at 60 %", Opportunity{}, State{SoC: 0.6}, false, false, 0},
		{"opportunity: next move not feasible", Opportunity{}, State{SoC: 0.4, NeedSoC: 0.45}, true, true, 0.8},
		{"opportunity: must", Opportunity{}, State{SoC: 0.28, Demand: 0.5}, true, false, 0.8},
		{"opportunity: high enough", Opportunity{}, State{SoC: 0.75, Idle: true, ChargerFree: true}, false, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.policy.Decide(v, tc.state)
			assert.Equal(t, tc.charge, d.Charge, d.Reason)
			assert.Equal(t, tc.urgent, d.Urgent, d.Reason)
			if tc.charge {
				assert.InDelta(t, tc.target, d.TargetSoC, 1e-9)
			}
			assert.NotEmpty(t, d.Reason)
		})
	}
	p, err := PolicyByName("threshold")
	require.NoError(t, err)
	assert.Equal(t, "threshold", p.Name())
	p, err = PolicyByName("")
	require.NoError(t, err)
	assert.Equal(t, "opportunity", p.Name())
	_, err = PolicyByName("yolo")
	assert.ErrorContains(t, err, `charging: unknown policy "yolo"`)
}

// FuzzChargeArithmetic checks the charge-curve arithmetic for any inputs:
// no panics, no negative or NaN results, and a window from ChargeTime always
// reaches its target.
func FuzzChargeArithmetic(f *testing.F) {
	f.Add(0.2, 0.8, 350.0, 350.0, 0.8, 0.1)
	f.Add(0.0, 1.0, 1.0, 350.0, 0.5, 1.0)
	f.Add(0.79, 0.81, 500.0, 120.0, 0.9, 0.01)
	f.Fuzz(func(t *testing.T, from, to, kw, battery, knee, end float64) {
		v := DefaultVehicle()
		v.BatteryKWh, v.Curve = battery, Curve{KneeSoC: knee, EndShare: end}
		if v.Validate() != nil || !(kw > 0) || kw > 1e6 || battery > 1e6 {
			return
		}
		d := v.ChargeTime(from, to, kw)
		if d < 0 {
			t.Fatalf("negative charge time %v", d)
		}
		got := v.SoCAfter(from, d, kw)
		if got != got || got < 0 || got > 1 {
			t.Fatalf("SoCAfter gave %g", got)
		}
		want := clamp01(to)
		if d > 0 && d < 1e5*time.Hour && got < want-1e-6 {
			t.Fatalf("charging %v from %g at %g kW reaches %g, not %g", d, from, kw, got, want)
		}
		p := v.Profile(from, to, kw, 4)
		for _, s := range p {
			if s.Duration < 0 || s.KW < 0 || s.KW != s.KW {
				t.Fatalf("bad segment %+v", s)
			}
		}
		if pd := ProfileDuration(p); d > 0 && d < 1e4*time.Hour && (pd < d-5*time.Second || pd > d+5*time.Second) {
			t.Fatalf("profile lasts %v, charge time is %v", pd, d)
		}
	})
}
