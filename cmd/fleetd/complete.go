package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/borderfleet/borderfleet/internal/completion"
)

// runCompletion is fleetd completion bash|zsh|fish.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("completion", stderr)
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "fleetd completion: want one shell: %s\n", strings.Join(completion.Shells(), ", "))
		return 2
	}
	if err := completion.Script(stdout, "fleetd", fs.Arg(0)); err != nil {
		fmt.Fprintf(stderr, "fleetd %v\n", err)
		return 2
	}
	return 0
}

// flagLine is a flag's line in a command's help.
var flagLine = regexp.MustCompile(`(?m)^  (--?[a-z0-9-]+)`)

// complete prints, a line each, what may stand at the last of words (the
// word being typed), for the completion scripts: a command, a
// subcommand, or a flag of the command (read from its help, which is
// made from its flag set).
func complete(w io.Writer, words []string) int {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	var first, subs []string // the commands' first words; the subcommands of before[0]
	var cmd []string         // the command before names, once all its words are there
	for _, c := range commands() {
		name := strings.Fields(c.name)
		if !slices.Contains(first, name[0]) {
			first = append(first, name[0])
		}
		if len(name) == 2 && len(before) == 1 && before[0] == name[0] {
			subs = append(subs, name[1])
		}
		if len(before) >= len(name) && slices.Equal(before[:len(name)], name) && len(name) > len(cmd) {
			cmd = name
		}
	}
	var out []string
	switch {
	case len(before) == 0 && strings.HasPrefix(cur, "-"):
		out = []string{"--help", "--version"}
	case len(before) == 0, len(before) == 1 && before[0] == "help":
		out = first
	case slices.Equal(cmd, []string{"completion"}):
		out = completion.Shells()
	case cmd != nil && strings.HasPrefix(cur, "-"):
		var help bytes.Buffer
		run(append(slices.Clone(cmd), "-h"), &help, io.Discard)
		out = []string{"--help"}
		for _, m := range flagLine.FindAllStringSubmatch(help.String(), -1) {
			out = append(out, m[1])
		}
	default:
		out = subs // else arguments: files, as the shell completes them
	}
	for _, c := range completion.Filter(out, cur) {
		fmt.Fprintln(w, c)
	}
	return 0
}
