// Package vdaschema checks VDA 5050 2.0.0 messages against the official
// JSON schemas (draft 2020-12), which it embeds (see schemas-2.0.0/README.md
// for their origin and licence).
//
// The hand-written validation in package vda5050 is the one borderfleet
// relies on at run time; this package is the reference it is tested
// against, and a tool for checking what vehicles and tools send.
// It uses github.com/santhosh-tekuri/jsonschema/v6 with format assertion
// on, so timestamps must be RFC 3339 date-times.
package vdaschema
