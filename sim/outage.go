package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// LaneClosure closes a lane (or one link of a lane) at a time of the run
// and reopens it after a while, as an operator would: the scenario's
// "lane_closures". The Controller gets the LaneClosed and LaneReopened
// events the HTTP API submits.
type LaneClosure struct {
	Lane string   `json:"lane"`
	At   Duration `json:"at"`  // after the start of the run
	For  Duration `json:"for"` // zero: closed to the end of the run
}

// ChargerOutage takes chargers of a station out of order for the whole
// run: the scenario's "charger_outages". The fleet plans with the
// chargers left (the site it is given has them), and so does the bound.
// An outage that starts or ends within the run needs an event the fleet
// core does not have yet.
type ChargerOutage struct {
	Station  string `json:"station"`
	Chargers int    `json:"chargers"` // how many are out
}

// byScenario is who the scenario's closures are by in the audit trail.
const byScenario = "sim-scenario"

// checkOutages names the first lane closure or charger outage that cannot
// work on the site.
func (c Config) checkOutages() error {
	lanes := map[string]bool{}
	for _, l := range c.Site.Lanes {
		lanes[l.ID] = true
	}
	for i, lc := range c.LaneClosures {
		base, _, _ := strings.Cut(lc.Lane, "#") // a link is <lane>#<n>
		if !lanes[base] {
			return fmt.Errorf("sim: lane closure %d: no lane %q on the site", i+1, lc.Lane)
		}
	}
	for i, o := range c.ChargerOutages {
		j := slices.IndexFunc(c.Site.Stations, func(s geo.ChargingStation) bool { return s.ID == o.Station })
		switch {
		case j < 0:
			return fmt.Errorf("sim: charger outage %d: no charging station %q on the site", i+1, o.Station)
		case o.Chargers < 1 || o.Chargers >= c.Site.Stations[j].Chargers:
			return fmt.Errorf("sim: charger outage %d: %d of the %d chargers at %s out: want 1 to %d (a station with none left is no station)",
				i+1, o.Chargers, c.Site.Stations[j].Chargers, o.Station, c.Site.Stations[j].Chargers-1)
		}
	}
	return nil
}

// withOutages gives the config a copy of its site with the chargers out
// of order taken off their stations.
func (c Config) withOutages() Config {
	if len(c.ChargerOutages) == 0 {
		return c
	}
	site := *c.Site
	site.Stations = slices.Clone(site.Stations)
	for _, o := range c.ChargerOutages {
		for i := range site.Stations {
			if site.Stations[i].ID == o.Station {
				site.Stations[i].Chargers -= o.Chargers
			}
		}
	}
	c.Site = &site
	c.ChargerOutages = nil
	return c
}

// startClosures schedules the scenario's lane closures and reopenings.
func (e *engine) startClosures() {
	for _, lc := range e.cfg.LaneClosures {
		lane := lc.Lane
		e.at(e.cfg.StartTime.Add(time.Duration(lc.At)), func() {
			e.send(fleet.LaneClosed{Lane: lane, By: byScenario})
			e.rec.lane(e, lane, "closed")
		})
		if lc.For > 0 {
			e.at(e.cfg.StartTime.Add(time.Duration(lc.At+lc.For)), func() {
				e.send(fleet.LaneReopened{Lane: lane, By: byScenario})
				e.rec.lane(e, lane, "reopened")
			})
		}
	}
}
