// Package mdshell reads the fenced shell examples of a Markdown file
// (the README's), for the tests that run them: api's curl examples and
// e2e's runnable blocks.
package mdshell

import "strings"

// Block is one fenced block of ```sh: its info string's words after
// "sh" (such as "runnable"), the line its fence opens on (1-based) and
// its text.
type Block struct {
	Tags []string
	Line int
	Text string
}

// Runnable says whether the block is marked to be run as written
// (```sh runnable).
func (b Block) Runnable() bool {
	for _, t := range b.Tags {
		if t == "runnable" {
			return true
		}
	}
	return false
}

// Blocks returns the text's ```sh blocks in order.
func Blocks(text string) []Block {
	var out []Block
	var cur *Block
	for i, line := range strings.Split(text, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```sh"):
			f := strings.Fields(strings.TrimPrefix(line, "```sh"))
			cur = &Block{Tags: f, Line: i + 1}
		case cur != nil && strings.HasPrefix(line, "```"):
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.Text += line + "\n"
		}
	}
	return out
}

// Commands returns the commands of the text's ```sh blocks, each with
// its continuation lines (and the lines of a quoted string) joined and
// its comments left out.
func Commands(text string) []string {
	var out []string
	for _, b := range Blocks(text) {
		out = append(out, b.Commands()...)
	}
	return out
}

// Commands returns the block's commands (see the function Commands).
func (b Block) Commands() []string {
	var out []string
	cur, quote := "", rune(0)
	for _, line := range strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") {
		line, quote = uncomment(line, quote)
		cur += line
		switch {
		case quote != 0:
			cur += "\n" // inside a quoted string
		case strings.HasSuffix(cur, "\\"):
			cur = strings.TrimSuffix(cur, "\\")
		default:
			if c := strings.TrimSpace(cur); c != "" {
				out = append(out, c)
			}
			cur = ""
		}
	}
	return out
}

// uncomment cuts a shell comment off a line that starts inside quote (0:
// outside any), and says which quote the line ends in.
func uncomment(line string, quote rune) (string, rune) {
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return strings.TrimRight(line[:i], " \t"), 0
		}
		prev = r
	}
	return line, quote
}
