package completion

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every script is valid in its shell (checked where the shell is
// installed) and calls the program's __complete.
func TestScripts(t *testing.T) {
	for _, sh := range Shells() {
		var b strings.Builder
		if err := Script(&b, "fleetctl", sh); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "fleetctl __complete") {
			t.Errorf("%s: no __complete call:\n%s", sh, b.String())
		}
		bin, err := exec.LookPath(sh)
		if err != nil {
			t.Logf("%s not installed: syntax not checked", sh)
			continue
		}
		p := filepath.Join(t.TempDir(), "c."+sh)
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-n", p}
		if sh == "fish" {
			args = []string{"--no-execute", p}
		}
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
	if err := Script(&strings.Builder{}, "fleetd", "tcsh"); err == nil || !strings.Contains(err.Error(), `unknown shell "tcsh"`) {
		t.Errorf("tcsh: %v", err)
	}
}

func TestFilter(t *testing.T) {
	got := Filter([]string{"moves", "--server", "moves", "shuttles", "-v"}, "m")
	if strings.Join(got, ",") != "moves" {
		t.Errorf("Filter = %v", got)
	}
	if len(Filter([]string{"a", "b"}, "")) != 2 {
		t.Error("an empty word keeps every candidate")
	}
}
