package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSiteCheckDefault(t *testing.T) {
	code, out, errOut := runCmd("site", "check")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"embedded default site", "valid", "baqty-pokitu-v1", "centres:        2",
		"yard", "lane-km", "lane graph:", "bounding box:", "kz-lc -> cn-lc", "cn-lc -> kz-lc",
	} {
		assert.Contains(t, out, want)
	}
}

func TestSiteCheckBrokenFile(t *testing.T) {
	data := strings.Replace(string(geo.DefaultGeoJSON()), `"kind":"parking"`, `"kind":"parkade"`, 1)
	data = strings.Replace(data, `"speed_limit_kmh":25`, `"speed_limit_kmh":"fast"`, 1)
	path := filepath.Join(t.TempDir(), "broken.geojson")
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))

	code, out, errOut := runCmd("site", "check", path)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, path+": invalid site, 2 problem(s):")
	assert.Contains(t, errOut, `unknown kind "parkade"`)
	assert.Contains(t, errOut, `(lane "road-east"): property "speed_limit_kmh" must be a number, got the string "fast"`)
}

func TestSiteCheckMissingFile(t *testing.T) {
	code, _, errOut := runCmd("site", "check", "/no/such/site.geojson")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no such file or directory")
}

func TestSiteExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.geojson")
	code, _, errOut := runCmd("site", "export", "-o", path)
	require.Equal(t, 0, code, errOut)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"kind":"graph_node"`)
	assert.Contains(t, string(data), `"node_kind":"stop_line"`)
	assert.Contains(t, string(data), `"kind":"graph_link"`)
	// the export is itself a valid site file
	code, out, errOut := runCmd("site", "check", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "valid")

	code, out, _ = runCmd("site", "export")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, `{"type": "FeatureCollection"`))
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"fly"}, `unknown command "fly"`},
		{[]string{"site"}, "want a subcommand"},
		{[]string{"site", "draw"}, `unknown subcommand "draw"`},
		{[]string{"site", "check", "a", "b"}, "Usage: fleetd site check [FILE]"},
		{[]string{"site", "export", "-x"}, "flag provided but not defined: -x"},
	}
	for _, tc := range tests {
		code, _, errOut := runCmd(tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	code, out, _ := runCmd("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "fleetd site check")
}

func TestSiteRoute(t *testing.T) {
	code, out, errOut := runCmd("site", "route", "kz-bay-01", "cn-bay-01")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "kz-bay-01 -> cn-bay-01: 3197 m")
	assert.Contains(t, out, "via places: kz-bay-01, kz-bakhty-out, cn-pokitu-in, cn-bay-01")

	code, _, errOut = runCmd("site", "route", "-close", "road-east", "kz-bay-01", "cn-bay-01")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `routing: no route from "kz-bay-01" to "cn-bay-01": every path uses a closed lane (closed: road-east)`)

	code, _, errOut = runCmd("site", "route", "-close", "autobahn", "kz-bay-01", "cn-bay-01")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `routing: unknown lane "autobahn"`)

	code, _, _ = runCmd("site", "route", "kz-bay-01")
	assert.Equal(t, 2, code)
}
