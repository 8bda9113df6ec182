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
