package main

import (
	"bytes"
	"strings"
	"testing"
)

// Bad bench flags are usage errors that say what is wrong, before
// anything starts.
func TestBenchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--vehicles", "0"}, "at least one vehicle"},
		{[]string{"--vehicles", "20000"}, "20000 vehicles"},
		{[]string{"--duration", "0s"}, "positive duration"},
		{[]string{"--idle", "--moves", "5"}, "choose one"},
		{[]string{"--broker", "tcp://192.0.2.1:1883"}, "loopback"},
		{[]string{"--store", "postgres://x"}, "store"},
		{[]string{"--profile", "5s"}, "--dir"},
		{[]string{"--journal-batch", "-1"}, "journal batch"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var out, errw bytes.Buffer
		if code := run(append([]string{"bench"}, tc.args...), &out, &errw); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", tc.args, code, errw.String())
		}
		if !strings.Contains(errw.String(), tc.want) {
			t.Errorf("%v: %q, want it to say %q", tc.args, errw.String(), tc.want)
		}
		if out.Len() > 0 {
			t.Errorf("%v: printed %q", tc.args, out.String())
		}
	}
}
