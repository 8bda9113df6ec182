package endtoend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
)

func TestValidateNamesWhatCannotRunEndToEnd(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	ok := Config{Sim: sim.DefaultConfig(site), Fleetd: "fleetd", ShuttleSim: "shuttle-sim", Store: "redis"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"lane closure", func(c *Config) { c.Sim.LaneClosures = []sim.LaneClosure{{Lane: "kz-yard-cut"}} }, "lane closures"},
		{"charger outage", func(c *Config) { c.Sim.ChargerOutages = []sim.ChargerOutage{{Station: "kz-charging", Chargers: 1}} }, "charger outages"},
		{"operators", func(c *Config) { c.Sim.OperatorEventsPerHour = 3 }, "operator verbs"},
		{"drain", func(c *Config) { c.Sim.Drain = time.Hour }, "a drain"},
		{"too many", func(c *Config) { c.Sim.Shuttles = 900 }, "parking spots"},
		{"store", func(c *Config) { c.Store = "mysql" }, `store "mysql"`},
		{"binaries", func(c *Config) { c.ShuttleSim = "" }, "shuttle-sim"},
		{"restart after the end", func(c *Config) {
			c.EndToEnd.FleetdRestarts = []sim.Duration{sim.Duration(30 * time.Hour)}
		}, "fleetd_restarts[0] 30h0m0s"},
		{"scale", func(c *Config) { c.EndToEnd.TimeScale = 0.5 }, "time_scale 0.5"},
	} {
		c := ok
		tc.edit(&c)
		err := c.Validate()
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), tc.want, tc.name)
		}
	}
}

func TestPlanOrdersTheRestarts(t *testing.T) {
	p := plan(sim.EndToEnd{FleetdRestarts: []sim.Duration{sim.Duration(40 * time.Minute), sim.Duration(10 * time.Minute)},
		BrokerRestarts: []sim.Duration{sim.Duration(20 * time.Minute)}})
	assert.Equal(t, []restart{{at: 10 * time.Minute}, {at: 20 * time.Minute, broker: true}, {at: 40 * time.Minute}}, p)
}

// asOf takes a move back to where it stood at a time.
func TestAsOf(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	m := fleet.NewMove("m1", "BFLU0000013", "a", "b", t0)
	m.History = []fleet.MoveTransition{
		{At: t0.Add(time.Minute), From: fleet.MovePending, To: fleet.MoveAssigned},
		{At: t0.Add(2 * time.Minute), From: fleet.MoveAssigned, To: fleet.MoveAssigned, Decision: "release"},
		{At: t0.Add(50 * time.Minute), From: fleet.MoveAssigned, To: fleet.MoveDelivered},
	}
	m.State = fleet.MoveDelivered
	asOf(m, t0.Add(30*time.Minute))
	assert.Equal(t, fleet.MoveAssigned, m.State)
	assert.Len(t, m.History, 2)
	asOf(m, t0)
	assert.Equal(t, fleet.MovePending, m.State)
	assert.Empty(t, m.History)
}

// The counters of a fleetd that was killed are kept: the run's count is
// what every fleetd counted.
func TestCountersSumOverRestarts(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	o := newObserver(sim.DefaultConfig(site))
	k := counted[1]
	o.last[k] = 2
	o.restarted() // a planned kill
	o.last[k] = 1
	assert.Equal(t, 3, o.count(k))
}

// A scenario file's end_to_end is checked when it is read, against the
// scenario's hours.
func TestScenarioEndToEndParsed(t *testing.T) {
	sc, err := sim.ParseScenario("ok.json", []byte(`{"hours": 1, "end_to_end": {"fleetd_restarts": ["20m"], "broker_restarts": ["30m"], "time_scale": 120}}`))
	require.NoError(t, err)
	assert.Equal(t, 120.0, sc.EndToEnd.Scale())
	_, err = sim.ParseScenario("late.json", []byte(`{"hours": 1, "end_to_end": {"broker_restarts": ["2h"]}}`))
	assert.ErrorContains(t, err, "late.json")
	assert.ErrorContains(t, err, "broker_restarts[0] 2h0m0s")
	_, err = sim.ParseScenario("typo.json", []byte(`{"end_to_end": {"fleetd_restart": ["2h"]}}`))
	assert.ErrorContains(t, err, "fleetd_restart")
}
