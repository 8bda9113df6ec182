package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/sim"
)

// Case is one harness run: a site, a scenario and a seed. Its JSON form
// is one object, what testdata/*.json and `sim-figures -case` hold.
type Case struct {
	// SiteSeed is the geo/sitegen seed of the site; 0 is the embedded
	// default site (or the site file Scenario.Site names).
	SiteSeed int64 `json:"site_seed"`
	// Site fixes some of what sitegen would draw from SiteSeed; only with
	// a SiteSeed.
	Site *SiteOptions `json:"site_options,omitempty"`
	// Scenario is every knob of the run except its seed; the harness's
	// cases set a drain (the liveness bound) and drain_cancels_pending.
	Scenario sim.Scenario `json:"scenario"`
	// Seed is the run's seed (sim.Config.Seed).
	Seed int64 `json:"seed"`
}

// SiteOptions is the JSON form of sitegen.Options.
type SiteOptions struct {
	Bays        int                `json:"bays,omitempty"`
	Parking     int                `json:"parking,omitempty"`
	Checkpoints int                `json:"checkpoints,omitempty"`
	DistanceM   float64            `json:"distance_m,omitempty"`
	Yard        sitegen.YardLayout `json:"yard,omitempty"`
}

func (o *SiteOptions) options() sitegen.Options {
	if o == nil {
		return sitegen.Options{}
	}
	return sitegen.Options{Bays: o.Bays, Parking: o.Parking, Checkpoints: o.Checkpoints, DistanceM: o.DistanceM, Yard: o.Yard}
}

// ParseCase decodes a case; unknown fields are an error, as in a
// scenario file. name is used in error messages.
func ParseCase(name string, data []byte) (Case, error) {
	var c Case
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Case{}, fmt.Errorf("soak: case %s: %w", name, err)
	}
	if dec.More() {
		return Case{}, fmt.Errorf("soak: case %s: more than one JSON value", name)
	}
	return c, nil
}

// JSON is the case as one line of JSON.
func (c Case) JSON() string {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprintf("<unencodable case: %v>", err) // not reached: every field encodes
	}
	return string(b)
}

// Command is the one shell command that replays the case, from the
// module's root.
func (c Case) Command() string {
	return "go run ./cmd/sim-figures -case " + shellQuote(c.JSON())
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// LoadSite is the case's site: generated from SiteSeed, or the file
// Scenario.Site names, or the embedded default.
func (c Case) LoadSite() (*geo.Site, error) {
	switch {
	case c.SiteSeed != 0 && c.Scenario.Site != "":
		return nil, fmt.Errorf("soak: a case has a site seed (%d) or a site file (%s), not both", c.SiteSeed, c.Scenario.Site)
	case c.SiteSeed != 0:
		site, _, err := sitegen.Generate(c.SiteSeed, c.Site.options())
		return site, err
	case c.Site != nil:
		return nil, fmt.Errorf("soak: site options without a site seed")
	case c.Scenario.Site != "":
		data, err := os.ReadFile(c.Scenario.Site)
		if err != nil {
			return nil, fmt.Errorf("soak: %w", err)
		}
		return geo.Load(data)
	}
	return geo.Default()
}

// Config is the run the case describes: the scenario over the default
// configuration of its site, with the case's seed.
func (c Case) Config() (sim.Config, error) {
	if c.Scenario.Seed != 0 {
		return sim.Config{}, fmt.Errorf("soak: the scenario sets seed %d: set the case's seed instead", c.Scenario.Seed)
	}
	site, err := c.LoadSite()
	if err != nil {
		return sim.Config{}, err
	}
	cfg := c.Scenario.Apply(sim.DefaultConfig(site))
	cfg.Seed = c.Seed
	return cfg, nil
}
