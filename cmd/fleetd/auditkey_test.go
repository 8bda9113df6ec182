package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
)

func TestAuditKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key.pem")
	code, out, errOut := runCmd("audit-key", "-o", path)
	require.Equal(t, 0, code, errOut)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "only its owner reads the key")
	key, err := loadAuditKey(path)
	require.NoError(t, err)
	pub := key.Public().(ed25519.PublicKey)
	assert.Contains(t, out, "key id:     "+audit.KeyID(pub)+"\n")
	assert.Contains(t, out, "public key: "+audit.EncodePublicKey(pub)+"\n")

	// never overwritten
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	code, _, errOut = runCmd("audit-key", "-o", path)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "exists")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// the public half of an existing key
	code, out2, errOut := runCmd("audit-key", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out2, audit.EncodePublicKey(pub))

	for _, args := range [][]string{{"audit-key"}, {"audit-key", "-o", path, "extra"}, {"audit-key", "a", "b"}} {
		code, _, errOut := runCmd(args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, errOut, "usage: fleetd audit-key", "%v", args)
	}
}

// TestAuditKeyConfigured: a missing or bad key file stops fleetd run at
// once, saying what is wrong.
func TestAuditKeyConfigured(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	public := filepath.Join(dir, "public.pem")
	key, err := audit.NewKey()
	require.NoError(t, err)
	p, err := audit.MarshalPublicKey(key.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(public, p, 0o600))
	cfg := filepath.Join(dir, "fleetd.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"audit_key": "`+filepath.Join(dir, "missing.pem")+`"}`), 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--config", cfg}, "missing.pem: no such file (make one with fleetd audit-key -o"},
		{[]string{"run", "--audit-key", notPEM}, "not.pem: audit: bad key: no PEM block"},
		{[]string{"run", "--audit-key", public}, `PEM block "PUBLIC KEY", want "PRIVATE KEY"`},
		{[]string{"demo", "--audit-key", notPEM}, "not.pem: audit: bad key"},
	} {
		code, out, errOut := runCmd(tc.args...)
		assert.Equal(t, 1, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
		assert.NotContains(t, out, "embedded MQTT broker", "%v: fleetd stops before it starts anything", tc.args)
	}
}

func TestAuditKeyModeWarning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.pem")
	_, err := newAuditKeyFile(path)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(path, 0o644))
	var errOut strings.Builder
	o := fleetOpts{file: fileConfig{AuditKey: path}}
	key, err := o.auditKey(&errOut)
	require.NoError(t, err)
	assert.NotNil(t, key)
	assert.Contains(t, errOut.String(), "chmod 600")
}

func TestDemoAuditKey(t *testing.T) {
	path, remove, err := demoAuditKey()
	require.NoError(t, err)
	_, err = loadAuditKey(path)
	require.NoError(t, err)
	remove()
	_, err = os.Stat(filepath.Dir(path))
	assert.True(t, os.IsNotExist(err), "the demo's key goes with the demo")
}
