// Command fleetctl is the operators' and customs officers' command line for
// borderfleet. It asks a running fleetd over its HTTP API for moves,
// shuttles, the customs queue, chargers and audit exports, reads the
// chain-of-custody audit log straight from fleetd's store, and checks an
// audit export offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/borderfleet/borderfleet/buildinfo"
	"github.com/borderfleet/borderfleet/internal/flaghelp"
)

const usage = `fleetctl: the borderfleet operators' command line

Usage:
  fleetctl [--server URL] [--token T] COMMAND [--json] ...
  fleetctl COMMAND -h               what COMMAND does, every flag described
  fleetctl version                  module version, commit, date, Go version
  fleetctl completion bash|zsh|fish the shell's completion script
                                    (source <(fleetctl completion bash))

Moves (viewer reads, without container numbers or customs records;
operator creates):
  fleetctl moves list [--state S] [--container C] [--limit N]
                                    newest first; --limit default 100;
                                    --container not for a viewer
  fleetctl moves get ID             one move with its history
  fleetctl moves create --container C --origin BAY --destination BAY
      [--priority N] [--declaration D] [--pre-cleared]
      [--earliest-pickup T] [--deadline T] [--idempotency-key K]
                                    a container move; without a key fleetctl
                                    makes a random one and prints it, so a
                                    retry with it cannot make a second move
  fleetctl moves cancel ID [--reason R]
                                    before its pick only
  fleetctl moves priority ID N      higher goes first
Shuttles (viewer reads, operator acts, admin adds):
  fleetctl shuttles list
  fleetctl shuttles get ID
  fleetctl shuttles pause|resume|clear-fault ID
  fleetctl shuttles charge|park ID  one with no move: charge now, or park
  fleetctl shuttles emergency-stop|emergency-release ID
                                    stop it at once whatever it does (the
                                    fleet's stop, not a safety function)
  fleetctl shuttles out-of-service|in-service ID
                                    no work while out; it parks
  fleetctl shuttles add --manufacturer M --serial S [--type T]
                                    put a VDA 5050 vehicle on the roster
Lanes (viewer reads, operator acts):
  fleetctl lanes list [--all]       the closed lanes and links (--all: every lane)
  fleetctl lanes close|reopen ID    a lane, or one link of it ("lane#n");
                                    shuttles routed over it are re-routed
Customs (role customs:<country>, e.g. customs:KZ, at that country's checkpoints only):
  fleetctl customs queue [--checkpoint CP]
  fleetctl customs clearances [--checkpoint CP] [--status S] [--all]
                                    where each container stands at your checkpoints
  fleetctl customs release|inspect|refuse --checkpoint CP --move ID [--reason R]
  fleetctl customs declare --container C --country XX --ref R --declarant D
      --goods G --mass-kg N --seals S1,S2
                                    file a customs declaration (an officer for
                                    the own country; operator, admin for any);
                                    kept for the container's next move if it
                                    has none open; replaces the one in force
  fleetctl customs seal --checkpoint CP --container C --seal S1=sealed
      [--seal S2=tampered ...]      a seal reader's reading (sealed, opened or
                                    tampered); a mismatch with the declaration
                                    or a broken seal holds the container at
                                    the gate for an officer
Customs webhooks (admin):
  fleetctl webhooks status          per subscribing country: URL, cursor,
                                    backlog, the failing head entry's attempts
                                    and last error, dead letters
  fleetctl webhooks dead-letters COUNTRY
                                    audit entries given up on, with the reason
  fleetctl webhooks replay COUNTRY [--seq N]
                                    deliver them again (all, or one)
fleetd:
  fleetctl chargers                 stations, free chargers, who charges
  fleetctl health                   "ok" when fleetd answers
  fleetctl ready                    "active" (exit 0) or "standby" (exit 1)
Audit export for a customs authority (role customs:<country> for its own
country, admin for any):
  fleetctl audit export [--country CC] [-o FILE]
                                    over the API: the audit entries country CC
                                    may see in full, a stub (seq, prev, hash) of
                                    every other, and the head signed with the
                                    deployment's Ed25519 key, as JSON Lines; to
                                    stdout, or to FILE (then checked against the
                                    key fleetd serves, and summarised)
  fleetctl audit verify --export FILE --pubkey KEY
                                    offline, without store or API: check every
                                    line, the chain from entry 1 to the head and
                                    the signature; KEY is the deployment's public
                                    key in base64 (fleetd audit-key prints it) or
                                    a PEM file. Prints "N entries shown, M
                                    withheld, head seq S signed by key ID ..."
Audit log (from the store, not the API):
  fleetctl [--store URL] audit verify
                                    check the whole audit log's hash chain;
                                    prints "audit log intact: N entries, last
                                    HASH", or names the first broken entry
  fleetctl [--store URL] audit show [--json] CONTAINER
                                    the chain of custody of one container as
                                    a table (time, event, actor, shuttle, bay,
                                    checkpoint, detail), or as JSON lines
  fleetctl help [COMMAND]           show this help, or a command's (as -h)

The API commands talk to fleetd's HTTP API at --server or the environment
variable FLEETCTL_SERVER (default http://127.0.0.1:8080), with the bearer
token from --token or FLEETCTL_TOKEN (never printed). They print a table;
-o wide a listing with more columns (moves list, shuttles list), -o json
(or --json) the API's JSON as it came, -o yaml the same in YAML. Flags may
come before or after the command's arguments.

The audit commands read fleetd's store, given by --store or the environment
variable FLEETCTL_STORE:
  redis://[user:pass@]host:port[/db][?prefix=borderfleet:]   (rediss:// for TLS)
  bolt:PATH, file:PATH or PATH.db   a local file; fleetd locks it while it
                                    runs, so stop fleetd first
and never write to it.

Exit status: 0 on success; 1 when fleetd answers with an error (printed as
"fleetctl: STATUS: ERROR (field FIELD)"), cannot be reached, is on standby
(ready), or the audit log is broken, the container unknown or the store
cannot be read, or an export does not verify; 2 on a usage error.
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
	if len(args) > 0 && args[0] == "__complete" {
		return complete(stdout, args[1:]) // for the completion scripts
	}
	fs := flag.NewFlagSet("fleetctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	storeURL := fs.String("store", "", "the store's `URL`, for the audit commands that read it (default $"+storeEnv+")")
	server := fs.String("server", "", "fleetd's `URL` (default $"+serverEnv+" or "+defaultServer+")")
	token := fs.String("token", "", "the API's bearer token (default $"+tokenEnv+"); never printed")
	version := fs.Bool("version", false, "print the version and exit")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout, fs)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case *version:
		return printVersion(stdout)
	}
	args = fs.Args()
	if len(args) == 0 {
		printUsage(stderr, fs)
		return 2
	}
	g := globals{store: *storeURL, server: *server, token: *token, getenv: getenv, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "-h", "--help":
		printUsage(stdout, fs)
		return 0
	case "help":
		if len(args) > 1 {
			return run(ctx, append(args[1:], "--help"), getenv, stdout, stderr)
		}
		printUsage(stdout, fs)
		return 0
	case "version":
		if len(args) > 1 {
			return usageError(stderr, fmt.Sprintf("version: unexpected argument %q", args[1]))
		}
		return printVersion(stdout)
	case "audit":
		return runAudit(ctx, g, args[1:])
	case "completion":
		return runCompletion(g, args[1:])
	}
	v, rest, group, ok := findVerb(args)
	switch {
	case ok:
		return runVerb(ctx, g, v, rest)
	case group != "":
		return runGroupError(g, group, args)
	}
	return usageError(stderr, fmt.Sprintf("unknown command %q", args[0]))
}

// printUsage writes fleetctl's help: the commands, then the global
// flags from their definitions.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usage)
	fmt.Fprint(w, "\nGlobal flags (before the command; --server and --token also after it):\n")
	flaghelp.Print(w, fs)
}

// printVersion prints the build's version; exit status 0.
func printVersion(w io.Writer) int {
	fmt.Fprintf(w, "fleetctl %s\n", buildinfo.Read())
	return 0
}

// isHelp says whether an argument asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// globals is what every command gets from the top level.
type globals struct {
	store          string
	server, token  string // as given by flags; see serverURL, tokenValue
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
