package main

import (
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/internal/flaghelp"
)

// Every command and subcommand answers -h, -help and --help with its
// help on stdout and exit status 0: its usage line, what it does, and
// every flag with a description.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		args := strings.Fields(c.name)
		for _, h := range []string{"-h", "-help", "--help"} {
			code, out, errOut := runCmd(append(args, h)...)
			require.Equal(t, 0, code, "fleetd %s %s: %s", c.name, h, errOut)
			assert.Empty(t, errOut, "fleetd %s %s", c.name, h)
			assert.True(t, strings.HasPrefix(out, "Usage: fleetd "+c.name), "fleetd %s %s:\n%s", c.name, h, out)
			assert.Contains(t, out, flaghelp.Wrap(c.about, 76, ""), "fleetd %s %s", c.name, h)
			lines := strings.Split(out, "\n")
			for i, l := range lines {
				if regexp.MustCompile(`^  --?[a-z]`).MatchString(l) {
					require.Less(t, i+1, len(lines))
					assert.Regexp(t, `^      \S`, lines[i+1], "fleetd %s: flag %q has no description", c.name, l)
				}
			}
		}
		_, viaHelp, _ := runCmd(append([]string{"help"}, args...)...)
		_, direct, _ := runCmd(append(args, "-h")...)
		if c.name != "version" {
			assert.Equal(t, direct, viaHelp, "fleetd help %s", c.name)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"site", "--help"}, {"mqtt", "-h"}, {"site", "help"}} {
		code, out, errOut := runCmd(args...)
		assert.Equal(t, 0, code, "%v: %s", args, errOut)
		assert.Contains(t, out, "Usage:", "%v", args)
	}
	code, _, errOut := runCmd("help", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "nope"`)
}

// The flags fleetd help left out are in the help of run and demo, and
// every flag of both is named in the README.
func TestRunAndDemoFlagsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, cmd := range []string{"run", "demo"} {
		_, out, _ := runCmd(cmd, "--help")
		want := []string{"--listen", "--tokens", "--log-json", "--config", "--store", "--audit-key", "--status-every"}
		if cmd == "demo" {
			want = append(want, "--keep-store", "--seed", "--soc", "--max-moves", "--no-refusals", "--overload")
		}
		for _, f := range want {
			assert.Regexp(t, "(?m)^  "+f+"\\b", out, "fleetd %s -h", cmd)
		}
		for _, m := range regexp.MustCompile(`(?m)^  (--?[a-z-]+)`).FindAllStringSubmatch(out, -1) {
			assert.Regexp(t, "`"+m[1]+"[` ]", string(readme), "fleetd %s %s is not in the README", cmd, m[1])
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		code, out, errOut := runCmd(arg)
		require.Equal(t, 0, code, errOut)
		assert.Regexp(t, `^fleetd version \S+, commit \S+ \(\S+\), go\S+\n$`, out)
		assert.Contains(t, out, runtime.Version())
	}
	code, _, errOut := runCmd("version", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unexpected argument")
}
