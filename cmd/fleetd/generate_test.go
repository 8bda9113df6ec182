package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSiteGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen.geojson")
	code, out, errOut := runCmd("site", "generate", "--seed", "7", "-o", path)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	// the same seed to stdout gives the same bytes
	code, out, errOut = runCmd("site", "generate", "--seed", "7")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, string(data), out)
	assert.True(t, strings.HasPrefix(out, `{"type": "FeatureCollection"`))

	code, out, errOut = runCmd("site", "check", path)
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"valid", "gen-7-v1", "generated from seed 7", "centres:        2", "zones:          3"} {
		assert.Contains(t, out, want)
	}

	code, _, errOut = runCmd("site", "generate", "--seed", "3", "--bays", "5", "--parking", "30", "--checkpoints", "2", "--yard", "rows", "-o", path)
	require.Equal(t, 0, code, errOut)
	code, out, errOut = runCmd("site", "check", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "bays:           18 (10 yard, 8 inspection)")
	assert.Contains(t, out, "checkpoints:    8")
}

func TestSiteGenerateUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"site", "generate"}, "--seed is required"},
		{[]string{"site", "generate", "-o", "x.geojson"}, "Usage: fleetd site generate [flags]"},
		{[]string{"site", "generate", "--seed", "1", "extra"}, "Usage: fleetd site generate [flags]"},
		{[]string{"site", "generate", "--seed", "x"}, `invalid value "x" for flag -seed`},
		{[]string{"site", "generate", "--seed", "1", "--checkpoints", "4"}, "sitegen: 4 checkpoints per country and direction"},
		{[]string{"site", "generate", "--seed", "1", "--yard", "maze"}, `sitegen: yard layout "maze"`},
		{[]string{"site", "draw"}, "want check, export, route or generate"},
	}
	for _, tc := range tests {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	code, out, _ := runCmd("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "fleetd site generate [flags]")

	code, _, errOut := runCmd("site", "generate", "--seed", "1", "-o", "/no/such/dir/gen.geojson")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "fleetd: write site:")
}
