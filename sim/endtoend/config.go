package endtoend

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/sim"
)

// Config is one end-to-end run.
type Config struct {
	// Sim is the run: a scenario applied to sim.DefaultConfig, as the
	// in-process run of the same scenario takes it.
	Sim sim.Config
	// EndToEnd is what only an end-to-end run does: restarts and the
	// time scale.
	EndToEnd sim.EndToEnd
	// SiteFile is the file of Sim.Site, for fleetd and shuttle-sim; empty
	// for the embedded site.
	SiteFile string
	// Fleetd and ShuttleSim are the binaries to run.
	Fleetd, ShuttleSim string
	// Store: "redis" (a private redis-server on a free port, its
	// append-only file fsynced always), "bolt" (a file in the run's
	// folder), or a redis:// URL of a Redis to use (a key prefix of the
	// run's own is added when it has none).
	Store string
	// Dir keeps the run's files (logs of every process, the store); empty:
	// a temporary folder, removed at the end unless the run failed.
	Dir string
	// Log gets a line for each step of the run; nil: none.
	Log io.Writer
	// Progress, if set, is called after each sample (about each
	// simulated minute) with the time simulated so far on fleetd's clock
	// and the run's length, from the goroutine that writes to Log.
	Progress func(done, total time.Duration)
}

// What an end-to-end run cannot do of a scenario, and why.
var errUnsupported = errors.New("endtoend: the scenario asks for what an end-to-end run cannot do")

// Validate names what cannot run end to end.
func (c Config) Validate() error {
	if err := c.Sim.Validate(); err != nil {
		return err
	}
	s := c.Sim
	var no []string
	if len(s.LaneClosures) > 0 || s.LaneClosuresPerHour > 0 {
		no = append(no, "lane closures (lane_closures, lane_closures_per_hour)")
	}
	if len(s.ChargerOutages) > 0 {
		no = append(no, "charger outages (charger_outages: fleetd plans with the site's chargers)")
	}
	if s.OperatorEventsPerHour > 0 {
		no = append(no, "random operator verbs (operator_events_per_hour)")
	}
	if s.Drain > 0 {
		no = append(no, "a drain (drain: the run ends with its hours)")
	}
	if !s.StartTime.Equal(sim.DefaultConfig(s.Site).StartTime) {
		no = append(no, "a start time (fleetd's clock starts now)")
	}
	if len(no) > 0 {
		return fmt.Errorf("%w: %s", errUnsupported, strings.Join(no, "; "))
	}
	if n := len(sim.StartNodes(s.Site)); s.Shuttles > n {
		return fmt.Errorf("endtoend: %d shuttles but the site has %d parking spots in its two centres", s.Shuttles, n)
	}
	if err := c.EndToEnd.Validate(s.Hours); err != nil {
		return err
	}
	switch {
	case c.Fleetd == "" || c.ShuttleSim == "":
		return errors.New("endtoend: the fleetd and shuttle-sim binaries are needed")
	case c.Store != "redis" && c.Store != "bolt" && !strings.HasPrefix(c.Store, "redis://"):
		return fmt.Errorf("endtoend: store %q: want redis, bolt or a redis:// URL", c.Store)
	}
	return nil
}
