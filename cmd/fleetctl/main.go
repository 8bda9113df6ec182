// Command fleetctl is the operators' command line for borderfleet. For now it
// reads the chain-of-custody audit log straight from fleetd's store; the
// commands that talk to a running fleetd over its HTTP API come later.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `fleetctl: the borderfleet operators' command line

Usage:
  fleetctl [--store URL] audit verify
                                    check the whole audit log's hash chain;
                                    prints "audit log intact: N entries, last
                                    HASH", or names the first broken entry
  fleetctl [--store URL] audit show [--json] CONTAINER
                                    the chain of custody of one container as
                                    a table (time, event, actor, shuttle, bay,
                                    checkpoint, detail), or as JSON lines
  fleetctl help                     show this help

The store is fleetd's, given by --store or the environment variable
FLEETCTL_STORE:
  redis://[user:pass@]host:port[/db][?prefix=borderfleet:]   (rediss:// for TLS)
  bolt:PATH, file:PATH or PATH.db   a local file; fleetd locks it while it
                                    runs, so stop fleetd first
fleetctl reads the store directly and never writes to it. Commands that talk
to a running fleetd (moves, shuttles, customs) will use its HTTP API, which
is not there yet.

Exit status: 0 on success, 1 when the audit log is broken, the container is
unknown or the store cannot be read, 2 on a usage error.
`

// storeEnv names the environment variable that gives the store's URL.
const storeEnv = "FLEETCTL_STORE"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status. getenv reads
// the environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fleetctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	storeURL := fs.String("store", "", "the store's URL (default $"+storeEnv+")")
	if err := fs.Parse(args); err != nil {
		return usageError(stderr, err.Error())
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "audit":
		g := globals{store: *storeURL, getenv: getenv, stdout: stdout, stderr: stderr}
		return runAudit(ctx, g, args[1:])
	}
	return usageError(stderr, fmt.Sprintf("unknown command %q", args[0]))
}

// globals is what every command gets from the top level.
type globals struct {
	store          string
	getenv         func(string) string
	stdout, stderr io.Writer
}

// storeURL returns the store given by flag or environment.
func (g globals) storeURL() (string, error) {
	if g.store != "" {
		return g.store, nil
	}
	if u := g.getenv(storeEnv); u != "" {
		return u, nil
	}
	return "", fmt.Errorf("no store: give --store URL or set %s", storeEnv)
}

// usageError reports a usage error and returns exit status 2.
func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "fleetctl: %s\nRun 'fleetctl help' for usage.\n", msg)
	return 2
}

// fail reports an error and returns exit status 1.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "fleetctl: %v\n", err)
	return 1
}
