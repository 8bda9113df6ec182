// Package flaghelp writes the help of a command's flags from their
// definitions (a flag.FlagSet), so that a command's help cannot leave a
// flag out or describe one that is gone. fleetd and fleetctl use it.
package flaghelp

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Print lists every flag of fs, sorted by name: the name (two dashes for
// a long name, one for a letter; the flag package takes either), the kind
// of value it takes (a `word` in back quotes in its usage names it), the
// description, and the default when it is not the zero value.
func Print(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		kind, usage := flag.UnquoteUsage(f)
		head := "  " + dash + f.Name
		if kind != "" {
			head += " " + kind
		}
		if !zeroDefault(f.DefValue) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n%s\n", head, Wrap(usage, 72, "      "))
	})
}

// Count is how many flags fs defines.
func Count(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

// zeroDefault says whether a flag's default is its type's zero value,
// not worth printing.
func zeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

// Wrap breaks text into lines of at most width characters after indent
// (a longer word stays whole).
func Wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+len(word) > width+len(indent):
			b.WriteString("\n" + indent)
			n = len(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
