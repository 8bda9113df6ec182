package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/borderfleet/borderfleet/buildinfo"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Fleet is what the metrics need of the daemon (a *daemon.Daemon).
type Fleet interface {
	// Read runs fn on the core's goroutine with a read-only view of the
	// core.
	Read(ctx context.Context, fn func(now time.Time, v daemon.View)) error
	// Counters returns the daemon's message and error counts.
	Counters() daemon.Counters
	// DecisionLatency returns the histogram of the time inputs take.
	DecisionLatency() daemon.Latency
	// Active reports whether this instance drives the fleet.
	Active() bool
	// Published is the core as last published (nil before the first).
	Published() *daemon.Published
}

// coreView is what a scrape reads of the fleet's core (a daemon.View):
// the Controller's and the vehicles' queries it makes. It is valid only
// while the core's goroutine runs the scrape's read; what it returns must
// not be changed.
type coreView interface {
	Moves() []*fleet.Move
	MoveCounts() map[fleet.MoveState]int
	ShuttleState(id string) (fleet.ShuttleState, float64, bool)
	GateQueue() []fleet.GateWait
	Stats() fleet.Stats
	Vehicles() []vehicles.Vehicle
}

// Config is what New needs. Zero fields take the defaults noted.
type Config struct {
	// Fleet is the running daemon. Required.
	Fleet Fleet
	// Site names the checkpoints and charging stations, so that each has
	// its series even at zero. Required.
	Site *geo.Site
	// Graph tells which station a charging shuttle's node belongs to.
	// Required.
	Graph *routing.Graph
	// Timeout bounds how long a scrape waits for the core; default 5 s.
	// A core that does not answer in time gives borderfleet_core_up 0
	// and only the metrics that need no core.
	Timeout time.Duration
	// Webhooks, if set, returns the customs webhooks' delivery attempts
	// by country and result (a *webhook.Deliverer's Counts), exported as
	// borderfleet_webhook_deliveries_total.
	Webhooks func() map[string]map[string]int64
	// MaxShuttleSeries is how many vehicles at most get a series of
	// their own (borderfleet_shuttle_state_of_charge_ratio, the first in
	// id order); every vehicle is in the fleet's histogram
	// (borderfleet_shuttles_state_of_charge_ratio) all the same. Default
	// (0) DefaultMaxShuttleSeries; negative: none.
	MaxShuttleSeries int
	// Log is for scrape errors; nil discards.
	Log *slog.Logger
	// Build is exported as borderfleet_build_info; zero: this binary's
	// (buildinfo.Read).
	Build buildinfo.Info
}

// DefaultTimeout is how long a scrape waits for the core by default.
const DefaultTimeout = 5 * time.Second

// DefaultMaxShuttleSeries is how many vehicles at most get a series of
// their own by default.
const DefaultMaxShuttleSeries = 100

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxShuttleSeries == 0:
		c.MaxShuttleSeries = DefaultMaxShuttleSeries
	case c.MaxShuttleSeries < 0:
		c.MaxShuttleSeries = 0
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Build == (buildinfo.Info{}) {
		c.Build = buildinfo.Read()
	}
	return c
}

// Validate says what is wrong with a config.
func (c Config) Validate() error {
	switch {
	case c.Fleet == nil:
		return errors.New("metrics: config has no fleet")
	case c.Site == nil:
		return errors.New("metrics: config has no site")
	case c.Graph == nil:
		return errors.New("metrics: config has no lane graph")
	case c.Timeout < 0:
		return fmt.Errorf("metrics: Timeout %v is negative", c.Timeout)
	}
	return nil
}

// Metrics is fleetd's metrics: a private registry holding the fleet's
// collector and the Go runtime's and process's.
type Metrics struct {
	reg *prometheus.Registry
	h   http.Handler
}

// New builds the registry and its handler.
func New(cfg Config) (*Metrics, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(newCollector(cfg)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := reg.Register(buildInfo(cfg.Build)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if cfg.Webhooks != nil {
		if err := reg.Register(newWebhookCollector(cfg.Webhooks)); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	})
	return &Metrics{reg: reg, h: promhttp.InstrumentMetricHandler(reg, h)}, nil
}

// buildInfo is borderfleet_build_info: always 1, the build in its labels,
// so that a dashboard can tell which build each instance runs.
func buildInfo(b buildinfo.Info) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help:        "Always 1; the labels say which build of fleetd runs: module version, vcs commit, Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "go_version": b.GoVersion}})
	g.Set(1)
	return g
}

// Registry is the private registry, for tests and for adding more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats;
// mount it at /metrics.
func (m *Metrics) Handler() http.Handler { return m.h }
