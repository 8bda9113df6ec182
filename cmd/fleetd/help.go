package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/borderfleet/borderfleet/buildinfo"
	"github.com/borderfleet/borderfleet/internal/flaghelp"
)

// command is one fleetd command as its help shows it; the flags come
// from its flag set, so that the help cannot leave one out.
type command struct {
	name  string // "site route"
	args  string // the positional arguments, "FROM TO"
	about string // what it does, one paragraph
}

// commands are fleetd's commands, in the order the help lists them.
func commands() []command {
	return []command{
		{"site check", "[FILE]", "Validate a site file (default: the embedded Baqty–Pokitu site) and print its summary; name every problem, with the feature's index, kind and id, and exit 1 if it is invalid."},
		{"site export", "[FILE]", "Write the site and its derived lane graph (graph nodes and links) as GeoJSON that QGIS or geojson.io opens, to stdout or -o OUT."},
		{"site route", "FROM TO", "Print the fastest route between two nodes (bays, stop lines, parking spots, ...), or why there is none."},
		{"site generate", "", "Draw a random valid site from a seed (the same seed, the same file) as GeoJSON; some of its figures may be fixed by flags."},
		{"sim", "", "Simulate a fleet day on a virtual clock and report throughput against its analytic bound. --drain: stop demand at the end and report whether every move and shuttle came to rest in time; --report: a folder with the summary, events, time series, plots and index.html; a scenario with a \"sweep\" runs once per value and plots the figures against it; --e2e: the scenario end to end instead (fleetd and shuttle-sim processes over a private Mosquitto, Redis or bolt, on a scaled clock, with the scenario's fleetd and broker restarts), measured from the API, the wire and /metrics into the same report."},
		{"sim compare", "RUN RUN...", "Put runs (report folders of fleetd sim --report, or summary JSON files of --json) side by side with their ratios; --report: with overlaid plots."},
		{"run", "", "Drive VDA 5050 vehicles over MQTT (an embedded broker when no URL is given), keeping state in the store, with the HTTP API, the dashboard and /metrics on --listen; several instances on one Redis fail over. The configuration file (JSON, see the README) holds what flags do not; flags override it, and the whole is checked before anything starts."},
		{"demo", "", "fleetd with an embedded broker, simulated shuttles over MQTT and steady demand from operators and customs officers played by the demo, faster than real time; each status line ends with the demand and the fleet's capacity (sim's analytic bound). By default it asks for 3/4 of that capacity; --overload asks for twice it, --moves-per-hour for a rate of your own; --scenario plays a scenario's demand and officers."},
		{"bench", "", "A load run: a fleetd process of this executable, a private broker (and Redis or a bolt file), and K simulated vehicles over MQTT, each its own connection, reporting state at 1 Hz and driving the moves asked for (or standing, --idle) on a site generated for them; prints ingest against the broker's raw rate, state-to-order latency, fleetd's CPU and RSS, drops and orders per second as one JSON line (BENCHMARKS.md)."},
		{"history", "", "Write a fleet's history into a new store at full speed: fleetd's core on a virtual clock with simulated shuttles and the demo's traffic (journal, audit log, snapshots and compaction as configured), for the recovery and failover measurements of BENCHMARKS.md; --copy-from copies a store into another of either kind, --compact compacts one."},
		{"mqtt acl", "", "Write one broker account per roster vehicle and one for fleetd: a Mosquitto password file and ACL (each vehicle publishes and reads only its own topics) and the passwords (credentials.json)."},
		{"audit-key", "[FILE]", "With -o FILE: make the deployment's Ed25519 key that signs the audit exports for customs (PKCS#8 PEM, mode 0600, never overwritten) and print its public key and key id; name it in the configuration as \"audit_key\" (or --audit-key). With FILE: print the public key of an existing one."},
		{"completion", "bash|zsh|fish", "Print the shell's completion script, which asks fleetd for the commands and flags as you type: source <(fleetd completion bash), or see the script's first lines for where to put it."},
		{"version", "", "Print the module version, the commit and its date, and the Go version this binary was built from (also --version)."},
		{"help", "[COMMAND]", "Show this help, or a command's with every flag described (as fleetd COMMAND -h does)."},
	}
}

// lookup finds a command by name ("site route").
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// newFlagSet makes a command's flag set: usage errors and its help go to
// stderr; parseFlags prints the help asked for with -h to stdout.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fleetd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printHelp(fs.Output(), fs) }
	return fs
}

// parseFlags parses a command's flags. done says the command is over,
// with code: 0 after -h, -help or --help (the help on stdout), 2 after a
// usage error (named on stderr, with a pointer to the help).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	usage := fs.Usage
	fs.Usage = func() {} // printed below, where it belongs
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout, fs)
		return 0, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\nRun '%s -h' for its flags.\n", fs.Name(), err, fs.Name())
		return 2, true
	}
	return 0, false
}

// printHelp writes a command's help: its usage line, what it does and
// every flag with its description and default.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	name := strings.TrimPrefix(fs.Name(), "fleetd ")
	c, _ := lookup(name)
	line := fs.Name()
	n := flaghelp.Count(fs)
	if n > 0 {
		line += " [flags]"
	}
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", line, flaghelp.Wrap(c.about, 76, ""))
	if n > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		flaghelp.Print(w, fs)
	}
}

// usage is fleetd's help: every command with what it does.
func usage() string {
	var b strings.Builder
	b.WriteString("fleetd: the borderfleet fleet controller\n\nUsage:\n")
	for _, c := range commands() {
		line := "fleetd " + c.name
		if c.name != "help" && c.name != "version" {
			line += " [flags]"
		}
		if c.args != "" {
			line += " " + c.args
		}
		fmt.Fprintf(&b, "  %s\n%s\n", line, flaghelp.Wrap(firstSentence(c.about), 70, "        "))
	}
	b.WriteString(`
Every command takes -h (or --help, or fleetd help COMMAND): what it does and
every flag it takes, each described, with its default. Flags take one dash
or two (-seed or --seed).

Exit status: 0 on success, 1 when a site, scenario or configuration is
invalid or a file cannot be read or written, 2 on a usage error, 3 when a
simulated run broke a safety promise (conflict, depletion, deadlock, lost or
duplicate move, illegal transition).
`)
	return b.String()
}

// firstSentence is the text up to the end of its first sentence or
// clause (a full stop or semicolon before a space).
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '.' || s[i] == ';') && s[i+1] == ' ' {
			return s[:i]
		}
	}
	return strings.TrimSuffix(s, ".")
}

// runHelp is fleetd help [COMMAND].
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage())
		return 0
	}
	name := strings.Join(args, " ")
	if _, ok := lookup(name); !ok || name == "help" || name == "version" {
		if ok {
			fmt.Fprint(stdout, usage())
			return 0
		}
		fmt.Fprintf(stderr, "fleetd help: unknown command %q\n\n%s", name, usage())
		return 2
	}
	return run(append(args, "-h"), stdout, stderr)
}

// runVersion is fleetd version (and --version).
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", stderr)
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleetd version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintf(stdout, "fleetd %s\n", buildinfo.Read())
	return 0
}

// isHelp says whether an argument asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// groupHelp is the help of a group of subcommands (site, mqtt).
func groupHelp(group string) string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(&b, "  %s\n%s\n", strings.TrimSpace("fleetd "+c.name+" [flags] "+c.args), flaghelp.Wrap(c.about, 70, "        "))
		}
	}
	fmt.Fprintf(&b, "\nRun 'fleetd %s SUBCOMMAND -h' for a subcommand's flags.\n", group)
	return b.String()
}
