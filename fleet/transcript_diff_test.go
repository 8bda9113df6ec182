package fleet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// unifiedDiff is a unified-style line diff of a and b with three lines of
// context.
func unifiedDiff(nameA, nameB, a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:]
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind   byte // ' ', '-' or '+'
		line   string
		ai, bi int // lines of a and b before it
	}
	var ops []op
	for i, j := 0, 0; i < len(x) || j < len(y); {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, op{' ', x[i], i, j})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', x[i], i, j})
			i++
		default:
			ops = append(ops, op{'+', y[j], i, j})
			j++
		}
	}
	const context = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		last := k // the last change of the hunk: the next is more than 2*context lines on
		for e := k; e < len(ops) && e-last <= 2*context; e++ {
			if ops[e].kind != ' ' {
				last = e
			}
		}
		start, stop := max(0, k-context), min(len(ops), last+context+1)
		na, nb := 0, 0
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				na++
			}
			if o.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", ops[start].ai+1, na, ops[start].bi+1, nb)
		for _, o := range ops[start:stop] {
			fmt.Fprintf(&out, "%c%s\n", o.kind, o.line)
		}
		k = stop
	}
	return out.String()
}

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct{ name, a, b, want string }{
		{"equal", "a\nb\n", "a\nb\n", "--- want\n+++ got\n"},
		{"changed line", "a\nb\nc\n", "a\nB\nc\n",
			"--- want\n+++ got\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n \n"},
		{"added at the end", "a\n", "a\nb\n",
			"--- want\n+++ got\n@@ -1,2 +1,3 @@\n a\n+b\n \n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n",
			"--- want\n+++ got\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -7,5 +7,5 @@\n 7\n 8\n 9\n-10\n+y\n \n"},
	} {
		assert.Equal(t, tc.want, unifiedDiff("want", "got", tc.a, tc.b), tc.name)
	}
}
