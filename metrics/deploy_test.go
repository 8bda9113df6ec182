package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exported is every metric name fleetd's registry serves, with its type
// when a scrape showed one (a family with no series yet, such as the
// state of charge with no shuttle, is known by its description only).
func exported(t *testing.T) map[string]dto.MetricType {
	t.Helper()
	f, site, g := newFakeFleet(t)
	cfg := Config{Fleet: f, Site: site, Graph: g,
		Webhooks: func() map[string]map[string]int64 { return map[string]map[string]int64{"KZ": {"delivered": 1}} }}
	m, err := New(cfg)
	require.NoError(t, err)
	names := map[string]dto.MetricType{}
	// a collector whose histograms of labelled series have one series
	// each, so that a scrape shows their type
	c := newCollector(cfg.withDefaults())
	c.obs.gate.WithLabelValues("false").Observe(1)
	own := prometheus.NewRegistry()
	require.NoError(t, own.Register(c))
	ch := make(chan *prometheus.Desc, 100)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		n := fq.FindStringSubmatch(d.String())
		require.NotNil(t, n, "%s", d)
		names[n[1]] = -1
	}
	for _, reg := range []*prometheus.Registry{m.Registry(), own} {
		fams, err := reg.Gather()
		require.NoError(t, err)
		for _, fam := range fams {
			names[fam.GetName()] = fam.GetType()
		}
	}
	return names
}

// metricRef matches the metric names a query or a document names.
var metricRef = regexp.MustCompile(`\b(?:borderfleet|process|go|promhttp)_[a-z0-9_]+`)

// exists says whether name is a metric fleetd serves, or a series of one
// of its histograms (_bucket, _sum, _count).
func exists(names map[string]dto.MetricType, name string) bool {
	if _, ok := names[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			typ, ok := names[base]
			return ok && (typ == dto.MetricType_HISTOGRAM || typ == dto.MetricType_SUMMARY)
		}
	}
	return false
}

// Every metric the Grafana dashboard's queries name is one fleetd serves,
// and every panel has a query.
func TestGrafanaDashboardMetricsExist(t *testing.T) {
	names := exported(t)
	b, err := os.ReadFile("../deploy/grafana/dashboards/borderfleet.json")
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &dash))
	require.NotEmpty(t, dash.Panels)
	n := 0
	for _, p := range dash.Panels {
		assert.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, tg := range p.Targets {
			refs := metricRef.FindAllString(tg.Expr, -1)
			assert.NotEmpty(t, refs, "panel %q: %s names no metric", p.Title, tg.Expr)
			for _, r := range refs {
				n++
				assert.True(t, exists(names, r), "panel %q: %s: fleetd serves no %s", p.Title, tg.Expr, r)
			}
		}
	}
	t.Logf("%d panels, %d metric references", len(dash.Panels), n)
}

// Every borderfleet_* metric docs/operations.md names is one fleetd serves.
func TestOperationsDocMetricsExist(t *testing.T) {
	names := exported(t)
	b, err := os.ReadFile("../docs/operations.md")
	require.NoError(t, err)
	refs := metricRef.FindAllString(string(b), -1)
	require.NotEmpty(t, refs)
	for _, r := range refs {
		assert.True(t, exists(names, r), "docs/operations.md names %s: fleetd serves no such metric", r)
	}
}
