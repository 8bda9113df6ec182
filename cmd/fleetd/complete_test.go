package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fleetd __complete offers what may come next: commands, subcommands,
// a command's flags (from its help, made from its flag set), shells.
func TestComplete(t *testing.T) {
	all := "site sim run demo bench history mqtt audit-key completion version help"
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{nil, all},
		{[]string{""}, all},
		{[]string{"s"}, "site sim"},
		{[]string{"-"}, "--help --version"},
		{[]string{"site", ""}, "check export route generate"},
		{[]string{"site", "route", "--"}, "--help --close --max-speed --site"},
		{[]string{"demo", "--ov"}, "--overload"},
		{[]string{"demo", "--m"}, "--max-moves --metrics-max-shuttle-series --moves-per-hour"},
		{[]string{"run", "--l"}, "--listen --log-json"},
		{[]string{"sim", "compare", "-"}, "--help --report"},
		{[]string{"sim", "--e2"}, "--e2e --e2e-dir"},
		{[]string{"sim", "--sh"}, "--shuttle-sim --shuttles"},
		{[]string{"demo", "--sc"}, "--scenario"},
		{[]string{"help", ""}, all},
		{[]string{"completion", ""}, "bash zsh fish"},
		{[]string{"site", "check", ""}, ""},
		{[]string{"nope", "-"}, ""},
	} {
		code, out, errOut := runCmd(append([]string{"__complete"}, tc.words...)...)
		assert.Equal(t, 0, code, errOut)
		assert.Equal(t, tc.want, strings.Join(strings.Fields(out), " "), "%q", tc.words)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCmd("completion", sh)
		assert.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "fleetd __complete", sh)
	}
	code, _, errOut := runCmd("completion", "tcsh")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown shell "tcsh"`)
	code, _, _ = runCmd("completion")
	assert.Equal(t, 2, code)
}
