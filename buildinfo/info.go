package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Unknown stands for a part of the build the binary does not record (a
// test binary has no version control information, for one).
const Unknown = "unknown"

// Info is what a binary knows of its build. Fields it does not know are
// Unknown, never empty.
type Info struct {
	// Version is the main module's version: a tag such as v1.2.0, a
	// pseudo-version, or "(devel)" for a build from a work tree without one.
	Version string
	// Commit is the version control revision, with "+dirty" when the work
	// tree had changes not committed.
	Commit string
	// Date is the commit's time (RFC 3339), not the build's: builds of one
	// commit are the same.
	Date string
	// GoVersion is the toolchain that built the binary, such as go1.26.8.
	GoVersion string
}

// Read returns this binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	return FromBuildInfo(bi, ok)
}

// FromBuildInfo turns what debug.ReadBuildInfo returned into an Info.
func FromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	out := Info{Version: Unknown, Commit: Unknown, Date: Unknown, GoVersion: runtime.Version()}
	if !ok || bi == nil {
		return out
	}
	if bi.Main.Version != "" {
		out.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		out.GoVersion = bi.GoVersion
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			out.Commit = s.Value
		case "vcs.time":
			out.Date = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && out.Commit != Unknown {
		out.Commit += "+dirty"
	}
	return out
}

// String is the line the commands print for version: the program's name,
// then every part.
func (i Info) String() string {
	return fmt.Sprintf("version %s, commit %s (%s), %s", i.Version, i.Commit, i.Date, i.GoVersion)
}
