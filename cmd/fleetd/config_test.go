package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
