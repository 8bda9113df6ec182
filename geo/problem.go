package geo

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalidSite is matched (errors.Is) by every *ValidationError.
var ErrInvalidSite = errors.New("geo: invalid site")

// Problem is one thing wrong with a site file.
type Problem struct {
	Index   int    // the feature's index in the collection; -1 for the site as a whole
	Kind    string // the feature's kind, if known
	ID      string // the feature's id, if known
	Message string // what is wrong, in plain words
}

// String names the feature and the problem, for example
// `feature #12 (bay "kz-bay-03"): not on any lane`.
func (p Problem) String() string {
	if p.Index < 0 {
		return "site: " + p.Message
	}
	var who []string
	if p.Kind != "" {
		who = append(who, p.Kind)
	}
	if p.ID != "" {
		who = append(who, fmt.Sprintf("%q", p.ID))
	}
	if len(who) == 0 {
		return fmt.Sprintf("feature #%d: %s", p.Index, p.Message)
	}
	return fmt.Sprintf("feature #%d (%s): %s", p.Index, strings.Join(who, " "), p.Message)
}

// ValidationError lists every problem found in a site file, not only the
// first. It matches ErrInvalidSite.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "geo: invalid site: %d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap lets errors.Is match ErrInvalidSite.
func (e *ValidationError) Unwrap() error { return ErrInvalidSite }

// problems collects Problems while a site is loaded.
type problems struct {
	list []Problem
}

// add records a problem about one feature.
func (ps *problems) add(f *feature, format string, args ...any) {
	p := Problem{Index: -1, Message: fmt.Sprintf(format, args...)}
	if f != nil {
		p.Index, p.Kind, p.ID = f.index, f.kind, f.id
	}
	ps.list = append(ps.list, p)
}

// site records a problem about the site as a whole.
func (ps *problems) site(format string, args ...any) { ps.add(nil, format, args...) }

// err returns nil or a *ValidationError with the problems ordered by feature,
// site-wide ones last.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i].Index, ps.list[j].Index
		if a < 0 || b < 0 {
			return b < 0 && a >= 0
		}
		return a < b
	})
	return &ValidationError{Problems: ps.list}
}
