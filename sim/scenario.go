package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// Scenario is the JSON form of a Config, what `fleetd sim --scenario FILE`
// reads. Every field is optional; durations are Go duration strings such
// as "5m" or "90s". Unknown fields are an error, so a misspelt setting is
// never silently ignored. A count, speed or duration of zero means "the
// default" (as in Config); a share or temperature of zero is taken as
// given.
type Scenario struct {
	// Description says what the scenario is for; nothing reads it.
	Description string `json:"description,omitempty"`
	// Floor is what every run of the scenario must reach (floor.go).
	Floor *Floor `json:"floor,omitempty"`
	// Sweep makes the scenario a series of runs, one for each value of a
	// parameter (sweep.go).
	Sweep *Sweep `json:"sweep,omitempty"`

	Site     string  `json:"site,omitempty"` // a site file; the embedded default when empty
	Shuttles int     `json:"shuttles,omitempty"`
	Hours    float64 `json:"hours,omitempty"`
	Policy   string  `json:"policy,omitempty"`
	Charging string  `json:"charging,omitempty"`
	Seed     int64   `json:"seed,omitempty"`

	TopSpeedKmh  float64  `json:"top_speed_kmh,omitempty"`
	Handling     Duration `json:"handling,omitempty"`
	AmbientC     *float64 `json:"ambient_c,omitempty"`
	StartSoC     float64  `json:"start_soc,omitempty"`
	MTBF         Duration `json:"mtbf,omitempty"`
	MTTR         Duration `json:"mttr,omitempty"`
	NoBreakdowns bool     `json:"no_breakdowns,omitempty"`

	MovesPerHour float64  `json:"moves_per_hour,omitempty"`
	Eastbound    *float64 `json:"eastbound_share,omitempty"`
	PreCleared   *float64 `json:"pre_cleared_share,omitempty"`
	Inspected    *float64 `json:"inspected_share,omitempty"`
	Refused      *float64 `json:"refused_share,omitempty"`
	DecideAfter  Duration `json:"decide_after,omitempty"`
	InspectTime  Duration `json:"inspect_time,omitempty"`
	// InspectRefused is the share of inspected containers refused after
	// their inspection.
	InspectRefused *float64 `json:"inspect_refused_share,omitempty"`

	// Drain: after demand stops, how long the run may go on until every
	// move has ended and every shuttle is at rest (Config.Drain).
	Drain                 Duration `json:"drain,omitempty"`
	OperatorEventsPerHour float64  `json:"operator_events_per_hour,omitempty"`
	LaneClosuresPerHour   float64  `json:"lane_closures_per_hour,omitempty"`
	MaxShuttles           int      `json:"max_shuttles,omitempty"`
	// DrainCancelsPending cancels every move still pending when demand
	// stops (Config.DrainCancelsPending).
	DrainCancelsPending bool `json:"drain_cancels_pending,omitempty"`
	// VDA5050 drives the shuttles over the VDA 5050 protocol path
	// (Config.VDA5050).
	VDA5050 bool `json:"vda5050,omitempty"`
	// Tuning: the fleet core's tuning values (fleet.Tuning); fields left
	// out keep their defaults.
	Tuning *fleet.Tuning `json:"tuning,omitempty"`
	// LaneClosures close lanes at set times (Config.LaneClosures).
	LaneClosures []LaneClosure `json:"lane_closures,omitempty"`
	// ChargerOutages take chargers out of order for the whole run
	// (Config.ChargerOutages).
	ChargerOutages []ChargerOutage `json:"charger_outages,omitempty"`
	// EndToEnd is what only an end-to-end run does (endtoend.go); an
	// in-process run ignores it.
	EndToEnd *EndToEnd `json:"end_to_end,omitempty"`
}

// Duration is a time.Duration written in JSON as a Go duration string.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string ("1h30m0s"),
// as UnmarshalJSON reads it.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON accepts "5m30s" style strings.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"5m\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %v", s, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q: negative", s)
	}
	*d = Duration(v)
	return nil
}

// ParseScenario decodes a scenario file. name is used in error messages.
func ParseScenario(name string, data []byte) (Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, fmt.Errorf("sim: scenario %s: %w", name, err)
	}
	if dec.More() {
		return Scenario{}, fmt.Errorf("sim: scenario %s: more than one JSON value", name)
	}
	if s.Sweep != nil {
		if err := s.Sweep.Validate(); err != nil {
			return Scenario{}, fmt.Errorf("sim: scenario %s: %w", name, err)
		}
	}
	if s.EndToEnd != nil {
		hours := s.Hours
		if hours == 0 {
			hours = DefaultConfig(nil).Hours
		}
		if err := s.EndToEnd.Validate(hours); err != nil {
			return Scenario{}, fmt.Errorf("sim: scenario %s: %w", name, err)
		}
	}
	if s.Floor != nil {
		if err := s.Floor.Validate(); err != nil {
			return Scenario{}, fmt.Errorf("sim: scenario %s: %w", name, err)
		}
	}
	return s, nil
}

// Apply writes the scenario's settings over c; fields the scenario leaves
// out keep their value in c.
func (s Scenario) Apply(c Config) Config {
	setI := func(p *int, v int) {
		if v != 0 {
			*p = v
		}
	}
	setF := func(p *float64, v float64) {
		if v != 0 {
			*p = v
		}
	}
	setP := func(p *float64, v *float64) {
		if v != nil {
			*p = *v
		}
	}
	setS := func(p *string, v string) {
		if v != "" {
			*p = v
		}
	}
	setD := func(p *time.Duration, v Duration) {
		if v != 0 {
			*p = time.Duration(v)
		}
	}
	setI(&c.Shuttles, s.Shuttles)
	setF(&c.Hours, s.Hours)
	setS(&c.Policy, s.Policy)
	setS(&c.Charging, s.Charging)
	if s.Seed != 0 {
		c.Seed = s.Seed
	}
	setF(&c.TopSpeedKmh, s.TopSpeedKmh)
	setD(&c.Handling, s.Handling)
	setP(&c.AmbientC, s.AmbientC)
	setF(&c.StartSoC, s.StartSoC)
	setD(&c.MTBF, s.MTBF)
	setD(&c.MTTR, s.MTTR)
	c.NoBreakdowns = c.NoBreakdowns || s.NoBreakdowns
	setF(&c.MovesPerHour, s.MovesPerHour)
	setP(&c.Eastbound, s.Eastbound)
	setP(&c.PreCleared, s.PreCleared)
	setP(&c.Inspected, s.Inspected)
	setP(&c.Refused, s.Refused)
	setD(&c.DecideAfter, s.DecideAfter)
	setD(&c.InspectTime, s.InspectTime)
	setP(&c.InspectRefused, s.InspectRefused)
	setD(&c.Drain, s.Drain)
	setF(&c.OperatorEventsPerHour, s.OperatorEventsPerHour)
	setF(&c.LaneClosuresPerHour, s.LaneClosuresPerHour)
	setI(&c.MaxShuttles, s.MaxShuttles)
	c.DrainCancelsPending = c.DrainCancelsPending || s.DrainCancelsPending
	c.VDA5050 = c.VDA5050 || s.VDA5050
	if s.Tuning != nil {
		c.Tuning = *s.Tuning
	}
	if s.LaneClosures != nil {
		c.LaneClosures = s.LaneClosures
	}
	if s.ChargerOutages != nil {
		c.ChargerOutages = s.ChargerOutages
	}
	return c
}
