// Package buildinfo says which build of borderfleet is running: the
// module version, the version control commit and its date, and the Go
// version, as the Go toolchain stamped them into the binary
// (runtime/debug.ReadBuildInfo). The commands print it (version,
// --version) and package metrics exports it as borderfleet_build_info.
package buildinfo
