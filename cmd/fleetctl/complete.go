package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/borderfleet/borderfleet/internal/completion"
)

// runCompletion is "fleetctl completion bash|zsh|fish": the shell's
// completion script, which asks fleetctl __complete.
func runCompletion(g globals, args []string) int {
	if len(args) != 1 {
		return usageError(g.stderr, "completion: want one shell: "+strings.Join(completion.Shells(), ", "))
	}
	if isHelp(args[0]) {
		fmt.Fprintf(g.stdout, "Usage:\n  fleetctl completion bash|zsh|fish\n\nPrints the shell's completion script; e.g. source <(fleetctl completion bash).\n")
		return 0
	}
	if err := completion.Script(g.stdout, "fleetctl", args[0]); err != nil {
		return usageError(g.stderr, err.Error())
	}
	return 0
}

// complete prints, a line each, what may stand at the last of words
// (the word being typed; the others come before it), for the completion
// scripts.
func complete(w io.Writer, words []string) int {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	globalFlags := []string{"--server", "--token", "--store", "--version", "--help"}
	// the global flags and their values come first
	for len(before) > 0 && strings.HasPrefix(before[0], "-") {
		takesValue := slices.Contains([]string{"--server", "-server", "--token", "-token", "--store", "-store"}, before[0])
		before = before[1:]
		if takesValue && len(before) > 0 {
			before = before[1:]
		}
	}
	var out []string
	switch {
	case len(before) == 0 && strings.HasPrefix(cur, "-"):
		out = globalFlags
	case len(before) == 0:
		out = append(topCommands(), "audit", "help", "version", "completion")
	case before[0] == "completion" && len(before) == 1:
		out = completion.Shells()
	case before[0] == "audit" && len(before) == 1:
		out = []string{"verify", "show", "export"}
	case before[0] == "audit" && before[1] == "export":
		out = verbFlags(auditExportVerb, cur)
	case before[0] == "audit" && strings.HasPrefix(cur, "-"):
		out = []string{"--store", "--json", "--export", "--pubkey"}
	default:
		v, _, group, ok := findVerb(before)
		switch {
		case ok:
			out = verbFlags(v, cur)
		case group != "" && len(before) == 1:
			out = groupVerbs(group)
		}
	}
	for _, c := range completion.Filter(out, cur) {
		fmt.Fprintln(w, c)
	}
	return 0
}

// topCommands are the first words of the API commands.
func topCommands() []string {
	var out []string
	for _, v := range verbs() {
		if w := strings.Fields(v.name)[0]; !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// groupVerbs are the second words of a group's commands.
func groupVerbs(group string) []string {
	var out []string
	for _, v := range verbs() {
		if w := strings.Fields(v.name); len(w) == 2 && w[0] == group {
			out = append(out, w[1])
		}
	}
	return out
}

// verbFlags are a command's flags, from its flag set, when the word
// being typed is one.
func verbFlags(v verb, cur string) []string {
	if !strings.HasPrefix(cur, "-") {
		return nil
	}
	fs := flag.NewFlagSet(v.name, flag.ContinueOnError)
	v.setup(fs)
	out := []string{"--server", "--token", "--json", "--help"}
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			out = append(out, "-"+f.Name)
		} else {
			out = append(out, "--"+f.Name)
		}
	})
	return out
}
