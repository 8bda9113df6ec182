package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fleetctl __complete offers what may come next: commands, a group's
// commands, a command's flags (from its flag set), the shells.
func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{""}, "moves shuttles lanes customs webhooks chargers health ready audit help version completion"},
		{[]string{"m"}, "moves"},
		{[]string{"-"}, "--server --token --store --version --help"},
		{[]string{"moves", ""}, "list get create cancel priority"},
		{[]string{"moves", "list", "--li"}, "--limit"},
		{[]string{"moves", "create", "--co"}, "--container"},
		{[]string{"--server", "http://x", "--token", "t", "sh"}, "shuttles"},
		{[]string{"shuttles", "resume", ""}, ""},
		{[]string{"audit", ""}, "verify show export"},
		{[]string{"audit", "export", "-"}, "--server --token --json --help --country -o"},
		{[]string{"completion", ""}, "bash zsh fish"},
		{[]string{"nope", ""}, ""},
		{nil, "moves shuttles lanes customs webhooks chargers health ready audit help version completion"},
	} {
		r := fleetctl(t, nil, append([]string{"__complete"}, tc.words...)...)
		assert.Equal(t, 0, r.code)
		assert.Equal(t, tc.want, strings.Join(strings.Fields(r.stdout), " "), "%q", tc.words)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := fleetctl(t, nil, "completion", sh)
		assert.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "fleetctl __complete", sh)
	}
	r := fleetctl(t, nil, "completion", "tcsh")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `unknown shell "tcsh"`)
	r = fleetctl(t, nil, "completion")
	assert.Equal(t, 2, r.code)
}
