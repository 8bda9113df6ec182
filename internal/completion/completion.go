// Package completion writes the shell completion scripts of fleetd and
// fleetctl for bash, zsh and fish. Each script asks the binary itself
// what may come next ("PROG __complete WORD... CURRENT"), so that the
// completions follow the commands and flags the binary has: it never
// lists them itself.
package completion

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Shells returns the shells Script writes for.
func Shells() []string { return []string{"bash", "zsh", "fish"} }

// Script writes prog's completion script for shell.
func Script(w io.Writer, prog, shell string) error {
	fn := "_" + strings.ReplaceAll(prog, "-", "_")
	var s string
	switch shell {
	case "bash":
		s = fmt.Sprintf(`# bash completion for %[1]s: source it, or put it in
# /etc/bash_completion.d/%[1]s (%[1]s completion bash > ...)
%[2]s() {
    local IFS=$'\n'
    COMPREPLY=($(%[1]s __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F %[2]s %[1]s
`, prog, fn)
	case "zsh":
		s = fmt.Sprintf(`#compdef %[1]s
# zsh completion for %[1]s: put it in a directory of $fpath as _%[1]s
# (%[1]s completion zsh > "${fpath[1]}/_%[1]s"), or source it
%[2]s() {
    local -a c
    c=("${(@f)$(%[1]s __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if (( ${#c} )) && [[ -n ${c[1]} ]]; then
        compadd -a c
    else
        _files
    fi
}
if (( $+functions[compdef] )); then compdef %[2]s %[1]s; fi
`, prog, fn)
	case "fish":
		s = fmt.Sprintf(`# fish completion for %[1]s: put it in
# ~/.config/fish/completions/%[1]s.fish (%[1]s completion fish > ...)
function __%[2]s_complete
    set -l words (commandline -opc) (commandline -ct)
    %[1]s __complete $words[2..-1] 2>/dev/null
end
complete -c %[1]s -a '(__%[2]s_complete)'
`, prog, strings.TrimPrefix(fn, "_"))
	default:
		return fmt.Errorf("completion: unknown shell %q (want %s)", shell, strings.Join(Shells(), ", "))
	}
	_, err := io.WriteString(w, s)
	return err
}

// Filter keeps the candidates that start with cur, in order, once each.
func Filter(candidates []string, cur string) []string {
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, cur) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
