package deploy

import (
	"encoding/json"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// project loads compose.yaml as docker compose does (compose-go: the
// Compose Specification's JSON schema, interpolation, references between
// services, volumes and secrets), with no environment of the machine's.
func project(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"}, cli.WithWorkingDirectory("."), cli.WithEnv(nil),
		cli.WithConsistency(true), cli.WithResolvedPaths(true))
	require.NoError(t, err)
	p, err := opts.LoadProject(t.Context())
	require.NoError(t, err, "compose.yaml")
	return p
}

// mountOf is the service's mount of the named volume, or of the bind
// source (relative to deploy/), and whether it has one.
func mountOf(t *testing.T, s types.ServiceConfig, source string) (types.ServiceVolumeConfig, bool) {
	t.Helper()
	for _, v := range s.Volumes {
		src := v.Source
		if v.Type == types.VolumeTypeBind {
			abs, err := filepath.Abs(source)
			require.NoError(t, err)
			if src == abs {
				return v, true
			}
			continue
		}
		if src == source {
			return v, true
		}
	}
	return types.ServiceVolumeConfig{}, false
}

// under says whether file is inside the mount's target.
func under(m types.ServiceVolumeConfig, file string) bool {
	return strings.HasPrefix(path.Clean(file), strings.TrimSuffix(m.Target, "/")+"/")
}

// The compose file starts what the issue asks for, and its parts fit:
// every file it mounts is in the repository, each service finds the
// others where they listen, and every port is published on loopback.
func TestCompose(t *testing.T) {
	p := project(t)
	want := []string{"fleetd", "grafana", "mosquitto", "mqtt-accounts", "prometheus", "redis", "shuttle-sim"}
	assert.Equal(t, want, p.ServiceNames())

	for name, s := range p.Services {
		assert.NotEmpty(t, s.Image, "%s: an image", name)
		assert.NotContains(t, s.Image, ":latest", "%s", name)
		assert.Contains(t, s.Image, ":", "%s: pin the image's tag", name)
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				_, err := os.Stat(v.Source)
				assert.NoError(t, err, "%s mounts %s", name, v.Source)
			}
		}
		for _, port := range s.Ports {
			assert.Equal(t, "127.0.0.1", port.HostIP, "%s publishes %s beyond loopback", name, port.Published)
		}
	}
	for _, name := range []string{"mqtt-accounts", "fleetd", "shuttle-sim"} {
		s := p.Services[name]
		assert.Equal(t, "borderfleet:local", s.Image, name)
		require.NotNil(t, s.Build, "%s builds the image", name)
		abs, _ := filepath.Abs("..")
		assert.Equal(t, abs, s.Build.Context, name)
		assert.Equal(t, "Dockerfile", s.Build.Dockerfile, name)
		assert.True(t, s.ReadOnly, "%s: a read-only root", name)
		assert.Equal(t, []string{"ALL"}, s.CapDrop, name)
		assert.Empty(t, s.User, "%s runs as the image's user (the Dockerfile's USER)", name)
	}

	// fleetd's configuration names the services by their names
	fleetd := p.Services["fleetd"]
	cfgMount, ok := mountOf(t, fleetd, "fleetd/fleetd.json")
	require.True(t, ok, "fleetd mounts fleetd/fleetd.json")
	assert.True(t, cfgMount.ReadOnly)
	cmd := []string(fleetd.Command)
	require.Contains(t, cmd, "--config")
	assert.Equal(t, cfgMount.Target, cmd[slices.Index(cmd, "--config")+1], "fleetd --config is the mounted file")
	var cfg struct {
		Broker struct{ URL, Accounts string }
		Store  string
		Tokens string
		Listen string
	}
	b, err := os.ReadFile("fleetd/fleetd.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &cfg))
	broker, err := url.Parse(cfg.Broker.URL)
	require.NoError(t, err)
	assert.Contains(t, p.Services, broker.Hostname(), "the broker URL names a service")
	assert.Equal(t, "1883", broker.Port())
	store, err := url.Parse(cfg.Store)
	require.NoError(t, err)
	assert.Equal(t, "redis", store.Hostname(), "the store names the redis service")
	acc, ok := mountOf(t, fleetd, "mqtt-accounts")
	require.True(t, ok, "fleetd mounts the accounts")
	assert.True(t, under(acc, cfg.Broker.Accounts), "broker.accounts %s is in the accounts volume at %s", cfg.Broker.Accounts, acc.Target)
	require.Len(t, fleetd.Secrets, 1)
	assert.Equal(t, cfg.Tokens, fleetd.Secrets[0].Target, "tokens: the secret's path")
	assert.Contains(t, p.Secrets, fleetd.Secrets[0].Source)
	assert.Equal(t, "tokens.json", filepath.Base(p.Secrets[fleetd.Secrets[0].Source].File))
	require.Contains(t, cmd, "--listen")
	listen := cmd[slices.Index(cmd, "--listen")+1]
	require.Len(t, fleetd.Ports, 1)
	assert.Equal(t, ":"+fleetd.Ports[0].Published, listen, "the published port is the one fleetd listens on")
	assert.Equal(t, "service_healthy", p.Services["shuttle-sim"].DependsOn["fleetd"].Condition)
	assert.Equal(t, "service_healthy", fleetd.DependsOn["redis"].Condition)

	// the accounts job writes where Mosquitto and the shuttles read
	job := p.Services["mqtt-accounts"]
	jcmd := []string(job.Command)
	require.Contains(t, jcmd, "-o")
	jobMount, ok := mountOf(t, job, "mqtt-accounts")
	require.True(t, ok)
	assert.False(t, jobMount.ReadOnly, "mqtt-accounts writes the volume")
	assert.Equal(t, jobMount.Target, jcmd[slices.Index(jcmd, "-o")+1])
	assert.Contains(t, jcmd, "--keep", "a second up keeps the passwords")
	assert.Equal(t, acc.Target, jobMount.Target, "fleetd reads the accounts where they are written")
	for _, name := range []string{"mosquitto", "fleetd"} {
		assert.Equal(t, "service_completed_successfully", p.Services[name].DependsOn["mqtt-accounts"].Condition, name)
	}
	mosq := p.Services["mosquitto"]
	mm, ok := mountOf(t, mosq, "mqtt-accounts")
	require.True(t, ok)
	conf, err := os.ReadFile("mosquitto/mosquitto.conf")
	require.NoError(t, err)
	settings := map[string]string{}
	for _, line := range strings.Split(string(conf), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(f[0], "#") {
			settings[f[0]] = f[1]
		}
	}
	assert.Equal(t, "false", settings["allow_anonymous"])
	assert.Equal(t, path.Join(mm.Target, "passwd"), settings["password_file"])
	assert.Equal(t, path.Join(mm.Target, "acl"), settings["acl_file"])
	assert.Equal(t, broker.Port(), settings["listener"])
	assert.Equal(t, "65532:65532", mosq.User, "Mosquitto runs as the owner of the accounts (mode 0600)")
	sim := []string(p.Services["shuttle-sim"].Command)
	require.Contains(t, sim, "--credentials")
	sm, ok := mountOf(t, p.Services["shuttle-sim"], "mqtt-accounts")
	require.True(t, ok)
	assert.Equal(t, path.Join(sm.Target, "credentials.json"), sim[slices.Index(sim, "--credentials")+1])
	assert.Equal(t, cfg.Broker.URL, sim[slices.Index(sim, "--broker")+1])

	// Prometheus scrapes fleetd where it listens
	var prom struct {
		ScrapeConfigs []struct {
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	b, err = os.ReadFile("prometheus/prometheus.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &prom))
	require.Len(t, prom.ScrapeConfigs, 1)
	assert.Equal(t, "/metrics", prom.ScrapeConfigs[0].MetricsPath)
	assert.Equal(t, []string{"fleetd" + listen}, prom.ScrapeConfigs[0].StaticConfigs[0].Targets)
	_, ok = mountOf(t, p.Services["prometheus"], "prometheus/prometheus.yml")
	assert.True(t, ok)

	// Grafana provisions the data source the dashboard names, from Prometheus
	var ds struct {
		Datasources []struct{ Name, UID, Type, URL string } `yaml:"datasources"`
	}
	b, err = os.ReadFile("grafana/provisioning/datasources/prometheus.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &ds))
	require.Len(t, ds.Datasources, 1)
	assert.Equal(t, "http://prometheus:9090", ds.Datasources[0].URL)
	assert.Equal(t, "prometheus", ds.Datasources[0].Type)
	dash := grafanaDashboard(t)
	for _, panel := range dash.Panels {
		assert.Equal(t, ds.Datasources[0].UID, panel.Datasource.UID, "panel %q", panel.Title)
		for _, tg := range panel.Targets {
			assert.Equal(t, ds.Datasources[0].UID, tg.Datasource.UID, "panel %q", panel.Title)
		}
	}
	var prov struct {
		Providers []struct {
			Options struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	b, err = os.ReadFile("grafana/provisioning/dashboards/borderfleet.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &prov))
	require.Len(t, prov.Providers, 1)
	gm, ok := mountOf(t, p.Services["grafana"], "grafana/dashboards")
	require.True(t, ok)
	assert.Equal(t, gm.Target, prov.Providers[0].Options.Path, "Grafana reads the dashboards where they are mounted")
}

// The tokens file to copy is one fleetd takes; its secrets say to change them.
func TestTokensExample(t *testing.T) {
	var ts []struct{ Token, Name, Role string }
	b, err := os.ReadFile("fleetd/tokens.example.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &ts))
	require.NotEmpty(t, ts)
	for _, tk := range ts {
		assert.True(t, strings.HasPrefix(tk.Token, "CHANGE-ME"), tk.Name)
	}
}

// grafanaDashboard is deploy/grafana/dashboards/borderfleet.json.
type dashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr       string `json:"expr"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

func grafanaDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/dashboards/borderfleet.json")
	require.NoError(t, err)
	var d dashboard
	require.NoError(t, json.Unmarshal(b, &d))
	require.NotEmpty(t, d.UID)
	require.NotEmpty(t, d.Panels)
	return d
}
