package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/borderfleet/borderfleet/internal/flaghelp"
)

// verb is one command that talks to fleetd's HTTP API.
type verb struct {
	name     string // "moves list", or one word
	synopsis string // its arguments, for the usage
	nargs    int    // positional arguments it takes
	// setup registers the verb's own flags and returns what runs it.
	setup func(fs *flag.FlagSet) verbFunc
}

// verbFunc runs a verb once its flags are parsed.
type verbFunc func(ctx context.Context, c call) error

// call is what a verb gets: the client, its positional arguments, and
// where and how to print.
type call struct {
	cl             *client
	args           []string
	asJSON         bool // -o json or yaml (--json): the API's JSON, made YAML after for yaml
	wide           bool // -o wide: a listing's table with more columns
	stdout, stderr io.Writer
}

// raw prints an answer's body as it came.
func (c call) raw(r response) error {
	_, err := c.stdout.Write(r.body)
	if err == nil && (len(r.body) == 0 || r.body[len(r.body)-1] != '\n') {
		_, err = io.WriteString(c.stdout, "\n")
	}
	return err
}

// json writes v as indented JSON, for --json output that fleetctl put
// together itself (of several answers).
func (c call) json(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(append(b, '\n'))
	return err
}

// usageErr is a usage error of one verb: exit status 2 with its usage.
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

// usagef makes a usage error.
func usagef(format string, args ...any) error { return &usageErr{fmt.Sprintf(format, args...)} }

// verbs are the API commands, in the order the usage lists them.
func verbs() []verb {
	return []verb{
		{"moves list", "[--state S] [--container C] [--limit N]", 0, movesList},
		{"moves get", "ID", 1, movesGet},
		{"moves create", "--container C --origin BAY --destination BAY [--priority N] [--declaration D] [--pre-cleared] [--earliest-pickup T] [--deadline T] [--idempotency-key K]", 0, movesCreate},
		{"moves cancel", "ID [--reason R]", 1, movesCancel},
		{"moves priority", "ID N", 2, movesPriority},
		{"shuttles list", "", 0, shuttlesList},
		{"shuttles get", "ID", 1, shuttlesGet},
		{"shuttles pause", "ID", 1, shuttleVerb("pause")},
		{"shuttles resume", "ID", 1, shuttleVerb("resume")},
		{"shuttles clear-fault", "ID", 1, shuttleVerb("clear-fault")},
		{"shuttles charge", "ID", 1, shuttleVerb("charge")},
		{"shuttles park", "ID", 1, shuttleVerb("park")},
		{"shuttles emergency-stop", "ID", 1, shuttleVerb("emergency-stop")},
		{"shuttles emergency-release", "ID", 1, shuttleVerb("emergency-release")},
		{"shuttles out-of-service", "ID", 1, shuttleVerb("out-of-service")},
		{"shuttles in-service", "ID", 1, shuttleVerb("in-service")},
		{"shuttles add", "--manufacturer M --serial S [--type T]", 0, shuttlesAdd},
		{"lanes list", "[--all]", 0, lanesList},
		{"lanes close", "ID", 1, laneVerb("close")},
		{"lanes reopen", "ID", 1, laneVerb("reopen")},
		{"customs queue", "[--checkpoint CP]", 0, customsQueue},
		{"customs clearances", "[--checkpoint CP] [--status S] [--all]", 0, customsClearances},
		{"customs release", "--checkpoint CP --move ID [--reason R]", 0, customsDecision("release")},
		{"customs inspect", "--checkpoint CP --move ID [--reason R]", 0, customsDecision("inspect")},
		{"customs refuse", "--checkpoint CP --move ID [--reason R]", 0, customsDecision("refuse")},
		{"customs declare", "--container C --country XX --ref R --declarant D --goods G --mass-kg N --seals S1,S2", 0, customsDeclare},
		{"customs seal", "--checkpoint CP --container C --seal S1=sealed [--seal S2=tampered ...]", 0, customsSeal},
		{"webhooks status", "", 0, webhooksStatus},
		{"webhooks dead-letters", "COUNTRY", 1, webhooksDeadLetters},
		{"webhooks replay", "COUNTRY [--seq N]", 1, webhooksReplay},
		{"chargers", "", 0, chargers},
		{"health", "", 0, health},
		{"ready", "", 0, ready},
	}
}

// findVerb finds the verb args start with; group is set when args[0]
// names a group of verbs (moves, shuttles, customs) but no verb of it.
func findVerb(args []string) (v verb, rest []string, group string, ok bool) {
	for _, v := range verbs() {
		words := strings.Fields(v.name)
		if len(words) == 1 && args[0] == words[0] {
			return v, args[1:], "", true
		}
		if len(words) == 2 && args[0] == words[0] {
			group = words[0]
			if len(args) > 1 && args[1] == words[1] {
				return v, args[2:], "", true
			}
		}
	}
	return verb{}, nil, group, false
}

// groupUsage is the usage of every verb of a group.
func groupUsage(group string) string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, v := range verbs() {
		if strings.HasPrefix(v.name, group+" ") {
			fmt.Fprintf(&b, "  %s\n", v.line())
		}
	}
	return b.String()
}

// line is the verb's usage line.
func (v verb) line() string {
	json := " [--json]"
	if v.name == auditExportName {
		json = "" // the export is a file, not the API's JSON
	}
	return strings.Join(strings.Fields("fleetctl "+v.name+" "+v.synopsis+json), " ")
}

// runGroupError reports a group named without a verb it has; asked for
// help (fleetctl moves --help), it gives the group's usage.
func runGroupError(g globals, group string, args []string) int {
	if len(args) > 1 && isHelp(args[1]) {
		fmt.Fprintf(g.stdout, "%s\nRun 'fleetctl %s COMMAND -h' for what a command does and its flags.\n", groupUsage(group), group)
		return 0
	}
	msg := fmt.Sprintf("%s: want a command", group)
	if len(args) > 1 {
		msg = fmt.Sprintf("%s: unknown command %q", group, args[1])
	}
	fmt.Fprintf(g.stderr, "fleetctl: %s\n%s", msg, groupUsage(group))
	return 2
}

// runVerb parses a verb's flags (anywhere among its arguments), makes a
// client and runs it: 0 on success, 1 on an error, 2 on a usage error.
func runVerb(ctx context.Context, g globals, v verb, args []string) int {
	fs := flag.NewFlagSet("fleetctl "+v.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.server, "server", g.server, "fleetd's `URL` (default $"+serverEnv+" or "+defaultServer+")")
	fs.StringVar(&g.token, "token", g.token, "the API's bearer token (default $"+tokenEnv+"); never printed")
	asJSON := fs.Bool("json", false, "print the API's JSON as it came instead of a table (-o json)")
	run := v.setup(fs)
	output := "table"
	if fs.Lookup("o") == nil { // audit export's -o is its file
		fs.StringVar(&output, "o", "table", "output `format`: table, wide (a listing with more columns), json (the API's JSON as it came) or yaml")
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(g.stdout, "Usage:\n  %s\n\n%s\n\nFlags:\n", v.line(), flaghelp.Wrap(verbAbout()[v.name], 76, ""))
		flaghelp.Print(g.stdout, fs)
		return 0
	}
	if err == nil {
		err = checkOutput(output, *asJSON)
	}
	if err == nil && len(pos) != v.nargs {
		err = fmt.Errorf("want %d argument(s), got %d", v.nargs, len(pos))
		if v.nargs == 0 {
			err = fmt.Errorf("unexpected argument %q", pos[0])
		}
	}
	if err != nil {
		return verbUsage(g, v, err.Error())
	}
	cl, err := newClient(g.serverURL(), g.tokenValue())
	if err != nil {
		return verbUsage(g, v, err.Error())
	}
	c := call{cl: cl, args: pos, asJSON: *asJSON || output == "json" || output == "yaml", wide: output == "wide", stdout: g.stdout, stderr: g.stderr}
	if output == "yaml" {
		err = asYAML(g.stdout, func(w io.Writer) error {
			c.stdout = w
			return run(ctx, c)
		})
	} else {
		err = run(ctx, c)
	}
	var ue *usageErr
	if errors.As(err, &ue) {
		return verbUsage(g, v, ue.msg)
	}
	if err != nil {
		return fail(g.stderr, err)
	}
	return 0
}

// verbUsage reports a usage error of a verb with its usage; exit 2.
func verbUsage(g globals, v verb, msg string) int {
	fmt.Fprintf(g.stderr, "fleetctl: %s: %s\nUsage:\n  %s\n", v.name, msg, v.line())
	return 2
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, and returns those arguments. Everything
// after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		if !strings.HasPrefix(args[0], "-") || args[0] == "-" {
			pos, args = append(pos, args[0]), args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		args = rest
	}
	return pos, nil
}

// serverURL is fleetd's URL from flag, environment or default.
func (g globals) serverURL() string {
	if g.server != "" {
		return g.server
	}
	if s := g.getenv(serverEnv); s != "" {
		return s
	}
	return defaultServer
}

// tokenValue is the token from flag or environment, or "".
func (g globals) tokenValue() string {
	if g.token != "" {
		return g.token
	}
	return strings.TrimSpace(g.getenv(tokenEnv))
}
