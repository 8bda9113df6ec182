package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// flagsOf is every flag fleetd's command cmd ("run", "mqtt acl", ...)
// takes, from its help.
func flagsOf(t *testing.T, cmd string) []string {
	t.Helper()
	code, out, errOut := runCmd(append(strings.Fields(cmd), "-h")...)
	require.Equal(t, 0, code, "fleetd %s -h: %s", cmd, errOut)
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  --?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(out, -1) {
		flags = append(flags, m[1])
	}
	return flags
}

// checkArgs checks that every flag in args (a fleetd command line after
// "fleetd") is one the command takes; it returns the command.
func checkArgs(t *testing.T, where string, args []string) string {
	t.Helper()
	var cmd string
	for _, c := range commands() {
		if words := strings.Fields(c.name); len(args) >= len(words) && slices.Equal(args[:len(words)], words) && len(c.name) > len(cmd) {
			cmd = c.name
		}
	}
	require.NotEmpty(t, cmd, "%s: fleetd %v is no command", where, args)
	flags := flagsOf(t, cmd)
	for _, a := range args[len(strings.Fields(cmd)):] {
		if name, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), ""); ok && strings.HasPrefix(a, "-") {
			name, _, _ = strings.Cut(name, "=")
			assert.Contains(t, flags, name, "%s: fleetd %s has no flag %s", where, cmd, a)
		}
	}
	return cmd
}

// The systemd unit and the compose file start fleetd with flags it
// takes, and the compose file's configuration is one fleetd accepts.
func TestDeployCommandLines(t *testing.T) {
	unit, err := os.ReadFile("../../deploy/systemd/fleetd.service")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/fleetd (.*)$`).FindSubmatch(unit)
	require.NotNil(t, m, "the unit's ExecStart runs /usr/local/bin/fleetd")
	assert.Equal(t, "run", checkArgs(t, "fleetd.service", strings.Fields(string(m[1]))))

	var compose struct {
		Services map[string]struct {
			Entrypoint []string `yaml:"entrypoint"`
			Command    []string `yaml:"command"`
		} `yaml:"services"`
	}
	b, err := os.ReadFile("../../deploy/compose.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &compose))
	for _, name := range []string{"fleetd", "mqtt-accounts"} { // the image's entry point: fleetd
		s := compose.Services[name]
		require.NotEmpty(t, s.Command, "compose.yaml %s", name)
		assert.Empty(t, s.Entrypoint, "compose.yaml %s runs the image's fleetd", name)
		checkArgs(t, "compose.yaml "+name, s.Command)
	}

	// the configuration: fleetd mqtt acl writes its accounts, and with
	// them (where the volume has them) fleetd accepts the whole of it
	dir := t.TempDir()
	code, _, errOut := runCmd("mqtt", "acl", "--keep", "--config", "../../deploy/fleetd/fleetd.json", "-o", dir)
	require.Equal(t, 0, code, errOut)
	c, err := readConfig("../../deploy/fleetd/fleetd.json")
	require.NoError(t, err)
	assert.Equal(t, "/var/lib/borderfleet/mqtt/credentials.json", c.Broker.Accounts)
	c.Broker.Accounts = filepath.Join(dir, "credentials.json")
	require.NoError(t, c.validate())
	assert.Len(t, c.Roster, 4, "shuttle-sim --shuttles 4 in compose.yaml")
}

// configKeys is every key of fleetd's configuration file, as dotted
// paths ("broker.ca_file", "snapshots.compact", "webhooks.subscribers").
func configKeys(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		configKeys(f.Type, prefix+name+".", out)
	}
}

// What docs/operations.md says of fleetd is true: every fleetd command
// line it quotes takes the flags it gives, every bare --flag is one of
// a fleetd command's, every dotted configuration key is one, and every JSON
// object it quotes after "fleetd.json" or as a setting decodes as
// fleetd's configuration.
func TestOperationsDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	require.NoError(t, err)
	keys := map[string]bool{}
	configKeys(reflect.TypeFor[fileConfig](), "", keys)
	var anyFlag []string // of any command
	for _, c := range commands() {
		if c.name != "help" {
			anyFlag = append(anyFlag, flagsOf(t, c.name)...)
		}
	}
	spans := regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(string(doc), -1)
	require.NotEmpty(t, spans)
	checked := 0
	for _, s := range spans {
		span := s[1]
		fields := strings.Fields(span)
		switch {
		case fields[0] == "fleetd" && len(fields) > 1 && !strings.HasPrefix(fields[1], "-"):
			checkArgs(t, "docs/operations.md `"+span+"`", fields[1:])
			checked++
		case regexp.MustCompile(`^--[a-z-]+$`).MatchString(fields[0]) && len(fields) <= 2:
			assert.Contains(t, anyFlag, strings.TrimPrefix(fields[0], "--"), "docs/operations.md: `%s` is no flag of fleetd", span)
			checked++
		case regexp.MustCompile(`^(broker|snapshots|webhooks|tuning)\.[a-z_\[\]]+$`).MatchString(span):
			key := strings.ReplaceAll(span, "[]", "")
			assert.True(t, keys[key], "docs/operations.md: `%s` is no key of fleetd's configuration", span)
			checked++
		case strings.HasPrefix(span, `"`) && strings.Contains(span, `":`):
			var c fileConfig
			dec := json.NewDecoder(bytes.NewReader([]byte("{" + span + "}")))
			dec.DisallowUnknownFields()
			assert.NoError(t, dec.Decode(&c), "docs/operations.md: `%s` is no setting of fleetd's configuration", span)
			checked++
		case regexp.MustCompile(`^"[a-z_]+"$`).MatchString(span):
			assert.True(t, keys[strings.Trim(span, `"`)], "docs/operations.md: `%s` is no key of fleetd's configuration", span)
			checked++
		}
	}
	t.Logf("%d references to fleetd's flags and settings checked", checked)
	assert.Greater(t, checked, 20)
}
