package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// -o table|wide|json|yaml on every listing: wide adds columns, json is
// --json, yaml is the same answer in YAML; anything else is a usage error.
func TestOutputFormats(t *testing.T) {
	server := fleetd(t)
	m := createMove(t, server, "--idempotency-key", "k1")

	r := apiCall(t, server, tokOperator, "moves", "list", "-o", "wide")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, containsSpaced(r.stdout, "ID CONTAINER STATE ORIGIN DESTINATION PRIORITY SHUTTLE CREATED PRE-CLEARED DECLARATION EARLIEST PICKUP DEADLINE LAST CHANGE"), r.stdout)
	assert.Contains(t, r.stdout, m.ID)
	r = apiCall(t, server, tokViewer, "shuttles", "list", "-o", "wide")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, containsSpaced(r.stdout, "ID STATE ACTIVITY SOC LAST NODE MOVE LOADS CONNECTION OUT OF DISPATCH MANUFACTURER SERIAL ORDER DRIVING STATE AT"), r.stdout)

	listings := [][]string{{"moves", "list"}, {"shuttles", "list"}, {"lanes", "list"}, {"chargers"}, {"moves", "get", m.ID}}
	for _, args := range listings {
		j := apiCall(t, server, tokOperator, append(args, "--json")...)
		require.Equal(t, 0, j.code, "%v: %s", args, j.stderr)
		o := apiCall(t, server, tokOperator, append(args, "-o", "json")...)
		assert.Equal(t, j.stdout, o.stdout, "%v: -o json is --json", args)

		y := apiCall(t, server, tokOperator, append(args, "-o", "yaml")...)
		require.Equal(t, 0, y.code, "%v: %s", args, y.stderr)
		assert.False(t, strings.HasPrefix(y.stdout, "{"), "%v: block style:\n%s", args, y.stdout)
		var fromJSON, fromYAML any
		require.NoError(t, json.Unmarshal([]byte(j.stdout), &fromJSON))
		require.NoError(t, yaml.Unmarshal([]byte(y.stdout), &fromYAML), "%v:\n%s", args, y.stdout)
		assert.Equal(t, norm(t, fromJSON), norm(t, fromYAML), "%v: the same answer", args)

		w := apiCall(t, server, tokOperator, append(args, "-o", "wide")...)
		assert.Equal(t, 0, w.code, "%v -o wide: %s", args, w.stderr)
	}
	for _, bad := range [][]string{{"-o", "xml"}, {"--json", "-o", "yaml"}} {
		r := apiCall(t, server, tokOperator, append([]string{"chargers"}, bad...)...)
		assert.Equal(t, 2, r.code, "%v", bad)
		assert.Contains(t, r.stderr, "-o ", "%v", bad)
	}
}

// norm makes numbers and maps of a decoded answer comparable, whichever
// decoder made them.
func norm(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}
