package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
)

func TestConfigHoldWithoutDeclaration(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fleetd.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"hold_without_declaration": true}`), 0o600))
	c, err := readConfig(p)
	require.NoError(t, err)
	assert.True(t, c.HoldWithoutDeclaration)
	c, err = readConfig("")
	require.NoError(t, err)
	assert.False(t, c.HoldWithoutDeclaration, "off by default")
}

// The config file's "tuning" reaches the fleet core; a misspelt field is an
// error naming it.
func TestConfigTuning(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fleetd.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"tuning": {"bay_wait_weight": 2, "replan_s": 5}}`), 0o600))
	c, err := readConfig(p)
	require.NoError(t, err)
	assert.Equal(t, 2.0, c.Tuning.BayWaitWeight)
	assert.Equal(t, 5.0, float64(c.Tuning.Replan))

	require.NoError(t, os.WriteFile(p, []byte(`{"tuning": {"bay_wait": 2}}`), 0o600))
	_, err = readConfig(p)
	assert.ErrorContains(t, err, "bay_wait")
}

// The config file's "snapshots": a field left out takes the daemon's
// default, 0 turns that trigger off, nonsense is an error.
func TestConfigSnapshots(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fleetd.json")
	for _, tc := range []struct {
		json string
		want daemon.SnapshotConfig
		err  string
	}{
		{json: `{}`, want: daemon.SnapshotConfig{}},
		{json: `{"snapshots": {"every_records": 500, "every_s": 60, "keep": 3, "compact": true}}`,
			want: daemon.SnapshotConfig{EveryRecords: 500, Every: time.Minute, Keep: 3, Compact: true}},
		{json: `{"snapshots": {"every_records": 0, "every_s": 0}}`, want: daemon.SnapshotConfig{EveryRecords: -1, Every: -1}},
		{json: `{"snapshots": {"every_records": -5}}`, err: "every_records"},
		{json: `{"snapshots": {"keep": 1}}`, err: "keep"},
		{json: `{"snapshots": {"every": 5}}`, err: "every"},
	} {
		require.NoError(t, os.WriteFile(p, []byte(tc.json), 0o600))
		c, err := readConfig(p)
		if err == nil {
			var got daemon.SnapshotConfig
			got, err = c.Snapshots.daemon()
			if tc.err == "" {
				require.NoError(t, err, tc.json)
				assert.Equal(t, tc.want, got, tc.json)
				continue
			}
		}
		assert.ErrorContains(t, err, tc.err, tc.json)
	}
}

// The config file's "move_retention_h": hours of the core's clock,
// default 24, 0 keeps every move, nonsense is an error naming the key.
func TestConfigMoveRetention(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fleetd.json")
	for _, tc := range []struct {
		json string
		want time.Duration
		err  string
	}{
		{json: `{}`, want: 24 * time.Hour},
		{json: `{"move_retention_h": 1.5}`, want: 90 * time.Minute},
		{json: `{"move_retention_h": 0}`, want: 0},
		{json: `{"move_retention_h": -1}`, err: "move_retention_h -1"},
		{json: `{"move_retention_h": 1e9}`, err: "move_retention_h"},
		{json: `{"move_retention_h": "24h"}`, err: "move_retention_h"},
	} {
		require.NoError(t, os.WriteFile(p, []byte(tc.json), 0o600))
		c, err := readConfig(p)
		if err == nil {
			var got time.Duration
			got, err = c.moveRetention()
			if tc.err == "" {
				require.NoError(t, err, tc.json)
				assert.Equal(t, tc.want, got, tc.json)
				continue
			}
		}
		assert.ErrorContains(t, err, tc.err, tc.json)
	}
}

// "lease_ttl_s" reaches the daemon (default 1 s); one too short to renew
// is refused.
func TestConfigLeaseTTL(t *testing.T) {
	o := fleetOpts{timeScale: 1}
	cfg, err := o.daemonConfig(nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, time.Second, cfg.LeaseTTL)
	p := filepath.Join(t.TempDir(), "fleetd.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"lease_ttl_s": 1.5}`), 0o600))
	o.file, err = readConfig(p)
	require.NoError(t, err)
	cfg, err = o.daemonConfig(nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 1500*time.Millisecond, cfg.LeaseTTL)
	for _, bad := range []string{`{"lease_ttl_s": -1}`, `{"lease_ttl_s": 0.1}`} {
		require.NoError(t, os.WriteFile(p, []byte(bad), 0o600))
		_, err = readConfig(p)
		assert.ErrorContains(t, err, "lease_ttl_s", bad)
	}
}

// "metrics_max_shuttle_series" (and --metrics-max-shuttle-series, which
// overrides it) reach the metrics: absent the default, 0 none, negative
// an error naming the key or the flag.
func TestConfigMetricsMaxShuttleSeries(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fleetd.json")
	for _, tc := range []struct {
		json string
		flag []string
		want int // as metrics.Config takes it
		err  string
	}{
		{json: `{}`, want: 0},
		{json: `{"metrics_max_shuttle_series": 20}`, want: 20},
		{json: `{"metrics_max_shuttle_series": 0}`, want: -1},
		{json: `{"metrics_max_shuttle_series": 20}`, flag: []string{"--metrics-max-shuttle-series", "5"}, want: 5},
		{json: `{}`, flag: []string{"--metrics-max-shuttle-series", "0"}, want: -1},
		{json: `{"metrics_max_shuttle_series": -1}`, err: "metrics_max_shuttle_series -1"},
		{json: `{}`, flag: []string{"--metrics-max-shuttle-series", "-3"}, err: "metrics-max-shuttle-series"},
	} {
		require.NoError(t, os.WriteFile(p, []byte(tc.json), 0o600))
		var o fleetOpts
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		config, site, broker, embedded, storeURL := addFleetFlags(fs, &o)
		err := fs.Parse(append([]string{"--config", p}, tc.flag...))
		if err == nil {
			err = o.resolve(*config, *site, *broker, *embedded, *storeURL)
		}
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, "%s %v", tc.json, tc.flag)
			continue
		}
		require.NoError(t, err, "%s %v", tc.json, tc.flag)
		assert.Equal(t, tc.want, o.file.maxShuttleSeries(), "%s %v", tc.json, tc.flag)
	}
}
