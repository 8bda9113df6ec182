package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/vehicles"
)

func TestMQTTACL(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCmd("mqtt")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "acl")
	code, _, _ = runCmd("mqtt", "acl", "-o", dir)
	assert.Equal(t, 2, code, "--config is required")

	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte(`{}`), 0o600))
	code, _, errOut = runCmd("mqtt", "acl", "--config", empty, "-o", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no roster")

	cfg := filepath.Join(dir, "fleetd.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"roster": [{"manufacturer": "acme", "serialNumber": "s1"}]}`), 0o600))
	out := filepath.Join(dir, "broker")
	code, stdout, errOut := runCmd("mqtt", "acl", "--config", cfg, "-o", out)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "password_file")
	for _, f := range []string{"passwd", "acl", "credentials.json"} {
		st, err := os.Stat(filepath.Join(out, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}
	b, err := os.ReadFile(filepath.Join(out, "credentials.json"))
	require.NoError(t, err)
	var acc vehicles.Accounts
	require.NoError(t, json.Unmarshal(b, &acc))
	require.Len(t, acc.Vehicles, 1)
	acl, err := os.ReadFile(filepath.Join(out, "acl"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(acl), "user acme/s1\ntopic read uagv/v2/acme/s1/order\n"), "%s", acl)

	// the config names the accounts: the embedded broker enforces them
	a, err := brokerConfig{Accounts: filepath.Join(out, "credentials.json")}.accounts()
	require.NoError(t, err)
	access := brokerAccess(a)
	assert.Len(t, access.Users, 2)
	assert.Equal(t, []string{"uagv/v2/acme/s1/order", "uagv/v2/acme/s1/instantActions"}, access.Users["acme/s1"].Read)
	_, err = brokerConfig{Accounts: empty}.accounts()
	assert.ErrorContains(t, err, "no account for fleetd")
}

// --keep keeps the passwords of the accounts still on the roster, so that
// writing the files again (the compose file's mqtt-accounts service does
// on every start) changes no login; without it every password is new.
func TestMQTTACLKeep(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "broker")
	cfg := filepath.Join(dir, "fleetd.json")
	write := func(roster string) {
		require.NoError(t, os.WriteFile(cfg, []byte(`{"roster": [`+roster+`]}`), 0o600))
	}
	creds := func() vehicles.Accounts {
		b, err := os.ReadFile(filepath.Join(out, "credentials.json"))
		require.NoError(t, err)
		var acc vehicles.Accounts
		require.NoError(t, json.Unmarshal(b, &acc))
		return acc
	}
	s1, s2 := `{"manufacturer": "acme", "serialNumber": "s1"}`, `{"manufacturer": "acme", "serialNumber": "s2"}`
	write(s1)
	code, stdout, errOut := runCmd("mqtt", "acl", "--keep", "--config", cfg, "-o", out)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "kept the passwords of 0 of 2 accounts")
	first := creds()

	write(s1 + "," + s2)
	code, stdout, errOut = runCmd("mqtt", "acl", "--keep", "--config", cfg, "-o", out)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "kept the passwords of 2 of 3 accounts")
	second := creds()
	assert.Equal(t, first.Fleetd, second.Fleetd)
	require.Len(t, second.Vehicles, 2)
	assert.Equal(t, first.Vehicles[0], second.Vehicles[0])
	assert.NotEmpty(t, second.Vehicles[1].Password)
	assert.NotEqual(t, first.Vehicles[0].Password, second.Vehicles[1].Password)

	code, _, errOut = runCmd("mqtt", "acl", "--config", cfg, "-o", out)
	require.Equal(t, 0, code, errOut)
	third := creds()
	assert.NotEqual(t, second.Fleetd.Password, third.Fleetd.Password, "without --keep every password is new")
	assert.NotEqual(t, second.Vehicles[0].Password, third.Vehicles[0].Password)

	require.NoError(t, os.WriteFile(filepath.Join(out, "credentials.json"), []byte("{"), 0o600))
	code, _, errOut = runCmd("mqtt", "acl", "--keep", "--config", cfg, "-o", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--keep: "+filepath.Join(out, "credentials.json"))
}
