package audit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// chain returns a valid log of n entries.
func chain(n int) []Entry {
	var out []Entry
	var prev *Entry
	for i := range n {
		e := sample()
		e.Container = fmt.Sprintf("CONT%07d", i+1)
		e.At = at.Add(time.Duration(i) * time.Minute)
		e.Input = uint64(10 * (i + 1))
		out = append(out, Chain(prev, e))
		prev = &out[len(out)-1]
	}
	return out
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		change func([]Entry) []Entry
		seq    uint64 // 0: intact
		reason string
	}{
		{"intact", func(l []Entry) []Entry { return l }, 0, ""},
		{"empty", func([]Entry) []Entry { return nil }, 0, ""},
		{"field changed", func(l []Entry) []Entry { l[2].Event = "refused"; return l }, 3, "hash"},
		{"time changed", func(l []Entry) []Entry { l[3].At = l[3].At.Add(time.Nanosecond); return l }, 4, "hash"},
		{"input changed", func(l []Entry) []Entry { l[0].Input++; return l }, 1, "hash"},
		{"changed and rehashed", func(l []Entry) []Entry {
			l[2].Detail = "forged"
			l[2].Hash = HashOf(l[2])
			return l
		}, 4, "prev"},
		{"removed", func(l []Entry) []Entry { return slices.Delete(l, 1, 2) }, 2, "seq"},
		{"removed and renumbered", func(l []Entry) []Entry {
			l = slices.Delete(l, 1, 2)
			l[1].Seq = 2
			return l
		}, 2, "prev"},
		{"removed first", func(l []Entry) []Entry { return l[1:] }, 1, "seq"},
		{"removed last", func(l []Entry) []Entry { return l[:4] }, 0, ""},
		{"swapped", func(l []Entry) []Entry { l[1], l[2] = l[2], l[1]; return l }, 2, "seq"},
		{"prev cleared", func(l []Entry) []Entry { l[4].Prev = ""; return l }, 5, "prev"},
		{"first has prev", func(l []Entry) []Entry { l[0].Prev = l[1].Hash; return l }, 1, "prev"},
		{"hash uppercased", func(l []Entry) []Entry { l[4].Hash = strings.ToUpper(l[4].Hash); return l }, 5, "hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.change(chain(5)))
			if tt.seq == 0 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var be *BrokenError
			if !errors.Is(err, ErrBroken) || !errors.As(err, &be) {
				t.Fatalf("Verify = %v, want a BrokenError", err)
			}
			if be.Seq != tt.seq || !strings.Contains(be.Reason, tt.reason) {
				t.Errorf("broken at %d (%s), want %d (%s)", be.Seq, be.Reason, tt.seq, tt.reason)
			}
			if !strings.Contains(err.Error(), be.Container) || !strings.HasPrefix(err.Error(), "audit: ") {
				t.Errorf("error %q does not name the container", err)
			}
		})
	}
}

func TestVerifyFrom(t *testing.T) {
	l := chain(6)
	if err := VerifyFrom(&l[2], l[3:]); err != nil {
		t.Fatalf("VerifyFrom a valid piece: %v", err)
	}
	if err := VerifyFrom(&l[1], l[3:]); !errors.Is(err, ErrBroken) {
		t.Fatalf("VerifyFrom after the wrong entry = %v, want ErrBroken", err)
	}
}
