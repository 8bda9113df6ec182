package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want Info
	}{
		{"none", nil, false, Info{Unknown, Unknown, Unknown, runtime.Version()}},
		{"tagged", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "25b2dbf0"}, {Key: "vcs.time", Value: "2026-12-06T19:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			true, Info{"v1.2.0", "25b2dbf0", "2026-12-06T19:00:00Z", "go1.26.8"}},
		{"dirty work tree", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			true, Info{"(devel)", "abc+dirty", Unknown, "go1.26.8"}},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.8"}, true, Info{Unknown, Unknown, Unknown, "go1.26.8"}},
	} {
		if got := FromBuildInfo(tc.bi, tc.ok); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if got := (Info{"v1", "c", "d", "go1"}).String(); got != "version v1, commit c (d), go1" {
		t.Errorf("String: %q", got)
	}
	if r := Read(); r.GoVersion == "" || r.Version == "" || r.Commit == "" || r.Date == "" {
		t.Errorf("Read left a part empty: %+v", r)
	}
}
