package sitegen_test

import (
	"testing"

	"github.com/borderfleet/borderfleet/geo/sitegen"
)

// FuzzGenerate checks that no seed panics the generator or draws a site
// the loader refuses. Run it longer with
//
//	go test -fuzz=FuzzGenerate -fuzztime=1m ./geo/sitegen
func FuzzGenerate(f *testing.F) {
	for _, seed := range []int64{0, 1, 7, -1, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed int64) {
		site, _ := generate(t, seed, sitegen.Options{})
		checkSite(t, seed, site)
	})
}
