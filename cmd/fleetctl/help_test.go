package main

import (
	"flag"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/internal/flaghelp"
)

// fleetctl --help, -h, help and every command's and group's -h, -help and
// --help print their help on stdout with exit status 0; a command's help
// names and describes each of its flags (from its flag set).
func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}} {
		r := fleetctl(t, nil, args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stdout, "fleetctl: the borderfleet operators' command line", "%v", args)
		for _, f := range []string{"--server URL", "--token string", "--store URL", "--version"} {
			assert.Contains(t, r.stdout, "\n  "+f+"\n      ", "%v: global flag %s described", args, f)
		}
	}
	all := append(verbs(), auditExportVerb)
	groups := map[string]bool{}
	for _, v := range all {
		words := strings.Fields(v.name)
		if len(words) == 2 {
			groups[words[0]] = true
		}
		fs := flag.NewFlagSet(v.name, flag.ContinueOnError)
		v.setup(fs)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		names = append(names, "server", "token", "json")
		for _, h := range []string{"-h", "-help", "--help"} {
			r := fleetctl(t, nil, append(words, h)...)
			require.Equal(t, 0, r.code, "fleetctl %s %s: %s", v.name, h, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "Usage:\n  "+v.line()+"\n"), "fleetctl %s %s:\n%s", v.name, h, r.stdout)
			require.NotEmpty(t, verbAbout()[v.name], "fleetctl %s: say what it does", v.name)
			assert.Contains(t, r.stdout, "\n\n"+flaghelp.Wrap(verbAbout()[v.name], 76, "")+"\n\nFlags:\n", "fleetctl %s %s", v.name, h)
			for _, n := range names {
				dash := "--"
				if len(n) == 1 {
					dash = "-"
				}
				assert.Regexp(t, "(?m)^  "+regexp.QuoteMeta(dash+n)+"( \\S+)?\n      \\S", r.stdout, "fleetctl %s: flag %s described", v.name, n)
			}
		}
		r := fleetctl(t, nil, append([]string{"help"}, words...)...)
		assert.Equal(t, 0, r.code, "fleetctl help %s", v.name)
		assert.True(t, strings.HasPrefix(r.stdout, "Usage:\n  "+v.line()), "fleetctl help %s", v.name)
	}
	for g := range groups {
		for _, h := range []string{"-h", "--help", "help"} {
			r := fleetctl(t, nil, g, h)
			assert.Equal(t, 0, r.code, "fleetctl %s %s: %s", g, h, r.stderr)
			assert.Regexp(t, "^Usage:\n  fleetctl (\\[--store URL\\] )?"+g+" ", r.stdout, "fleetctl %s %s", g, h)
		}
	}
	for _, sub := range []string{"verify", "show"} {
		r := fleetctl(t, nil, "audit", sub, "--help")
		require.Equal(t, 0, r.code, "audit %s: %s", sub, r.stderr)
		for _, f := range []string{"--store URL", "--json", "--export file", "--pubkey key"} {
			assert.Contains(t, r.stdout, "\n  "+f+"\n      ", "audit %s: %s", sub, f)
		}
	}
	r := fleetctl(t, nil, "moves")
	assert.Equal(t, 2, r.code, "a group without a command is still a usage error")
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"--server", "http://x", "--version"}} {
		r := fleetctl(t, nil, args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Regexp(t, `^fleetctl version \S+, commit \S+ \(\S+\), go\S+\n$`, r.stdout)
		assert.Contains(t, r.stdout, runtime.Version())
	}
	r := fleetctl(t, nil, "version", "x")
	assert.Equal(t, 2, r.code)
}
