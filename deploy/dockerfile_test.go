package deploy

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dockerfile parses ../Dockerfile with BuildKit's own parser and runs
// BuildKit's checks (docker build --check), every warning an error.
func dockerfile(t *testing.T) ([]instructions.Stage, []instructions.ArgCommand) {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	res, err := parser.Parse(f)
	require.NoError(t, err, "Dockerfile")
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile:%d: %s", w.Location.Start.Line, w.Short)
	}
	lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: func(rule, desc, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		t.Errorf("Dockerfile:%d: %s: %s (%s)", line, rule, msg, url)
	}})
	stages, args, err := instructions.Parse(res.AST, lint)
	require.NoError(t, err, "Dockerfile")
	require.GreaterOrEqual(t, len(stages), 2, "a multi-stage build")
	return stages, args
}

// The image is built in stages, from pinned bases, and runs a static
// binary as a user other than root on distroless/static.
func TestDockerfile(t *testing.T) {
	stages, args := dockerfile(t)
	argDefault := map[string]string{}
	for _, a := range args {
		for _, kv := range a.Args {
			if kv.Value != nil {
				argDefault[kv.Key] = *kv.Value
			}
		}
	}
	gomod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	require.NotNil(t, goVersion, "go.mod's go line")
	assert.Equal(t, string(goVersion[1]), argDefault["GO_VERSION"], "ARG GO_VERSION: go.mod's Go")
	names := map[string]bool{}
	for _, s := range stages {
		image := regexp.MustCompile(`\$\{?(\w+)\}?`).ReplaceAllStringFunc(s.BaseName, func(v string) string {
			name := strings.Trim(v, "${}")
			require.Contains(t, argDefault, name, "FROM %s: ARG %s has no default", s.BaseName, name)
			return argDefault[name]
		})
		if names[image] {
			names[s.Name] = true
			continue // an earlier stage
		}
		names[s.Name] = true
		assert.Regexp(t, `^[a-z0-9./-]+:[a-z0-9.-]+$`, image, "FROM %s: pin the base image's tag", s.BaseName)
		assert.NotContains(t, image, ":latest", "FROM %s", s.BaseName)
	}
	final := stages[len(stages)-1]
	assert.Regexp(t, `^(scratch|gcr\.io/distroless/static-debian\d+(:nonroot)?)$`, final.BaseName, "the final stage: distroless/static or scratch")
	var user *instructions.UserCommand
	var entry *instructions.EntrypointCommand
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c
		case *instructions.EntrypointCommand:
			entry = c
		case *instructions.RunCommand:
			t.Errorf("the final stage runs %v: it has no shell", c.CmdLine)
		}
	}
	require.NotNil(t, user, "the final stage sets USER")
	assert.Regexp(t, `^[1-9]\d*(:[1-9]\d*)?$`, user.User, "USER: a numeric user (and group) other than root, so that runAsNonRoot can check it")
	require.NotNil(t, entry, "ENTRYPOINT")
	assert.False(t, entry.PrependShell, "ENTRYPOINT in exec form: no shell in the image")
	assert.Equal(t, []string{"/usr/local/bin/fleetd"}, entry.CmdLine)
}

// The build stage's go build line, run as written (but for the output
// directory), makes static binaries: no interpreter, no shared library.
func TestDockerfileBuildsStaticBinaries(t *testing.T) {
	stages, _ := dockerfile(t)
	var build string
	for _, c := range stages[0].Commands {
		if r, ok := c.(*instructions.RunCommand); ok && strings.Contains(strings.Join(r.CmdLine, " "), "go build") {
			build = strings.Join(r.CmdLine, " ")
		}
	}
	require.NotEmpty(t, build, "the build stage has a go build line")
	require.Contains(t, build, "CGO_ENABLED=0 ", "a static binary: cgo off")
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "sh", "-c", strings.ReplaceAll(build, "/out/", out+"/"))
	cmd.Dir = ".." // the build context: the module
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", build, b)
	for _, name := range []string{"fleetd", "fleetctl", "shuttle-sim"} {
		f, err := elf.Open(filepath.Join(out, name))
		require.NoError(t, err, name)
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "%s asks for a dynamic loader", name)
		}
		libs, err := f.ImportedLibraries()
		require.NoError(t, err)
		assert.Empty(t, libs, "%s needs shared libraries", name)
		require.NoError(t, f.Close())
	}
	// and the image's default command is one the binary takes
	v, err := exec.CommandContext(t.Context(), filepath.Join(out, "fleetd"), "run", "-h").CombinedOutput()
	require.NoError(t, err, "%s", v)
	assert.Contains(t, string(v), "--config")
}
