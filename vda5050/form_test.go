package vda5050

import (
	"math/rand"
	"regexp"
	"testing"
)

// The hand-made matchers accept exactly what their expressions do.
func TestFormsMatchTheirExpressions(t *testing.T) {
	for _, tc := range []struct {
		name string
		re   *regexp.Regexp
		f    func(string) bool
		seed []string
	}{
		{"rfc3339", regexp.MustCompile(rfc3339), rfc3339Form, []string{"2026-11-22T03:40:03.120Z", "2026-11-22T03:40:03Z",
			"2026-11-22T03:40:03+05:30", "2026-11-22T03:40:03.Z", "2026-11-22 03:40:03Z", "2026-1-22T03:40:03Z", "2026-11-22T03:40:03", "", "Z"}},
		{"version2", regexp.MustCompile(version2), version2Form, []string{"2.0.0", "2.1.10", "2.0", "3.0.0", "2..0", "2.0.0.0", "2.a.0", "", "12.0.0", "2.0.0 "}},
	} {
		rng := rand.New(rand.NewSource(1))
		const alphabet = "0123456789-:T.Z+ 2a"
		check := func(s string) {
			if got, want := tc.f(s), tc.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the expression says %v", tc.name, s, got, want)
			}
		}
		for _, s := range tc.seed {
			check(s)
			// every one-byte change of the seeds
			for i := range len(s) {
				for k := range len(alphabet) {
					check(s[:i] + alphabet[k:k+1] + s[i+1:])
					check(s[:i] + s[i+1:])
				}
			}
			for range 2000 {
				b := []byte(s)
				for range 1 + rng.Intn(3) {
					if len(b) > 0 {
						b[rng.Intn(len(b))] = alphabet[rng.Intn(len(alphabet))]
					}
				}
				check(string(b))
			}
		}
	}
}
