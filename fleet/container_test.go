package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseContainer(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "CSQU3054383", want: "CSQU3054383"}, // the standard's own example
		{in: "msku 907032-3", want: "MSKU9070323"},
		{in: "TGHU9876542", want: "TGHU9876542"},
		{in: "CSQU3054384", err: "the check digit is 4, but CSQU305438 gives 3"},
		{in: "CSQX3054383", err: "the category letter (4th character) must be U, J or Z"},
		{in: "C5QU3054383", err: "the owner code (first 3 characters) must be letters"},
		{in: "CSQU30543", err: "want 11 characters"},
		{in: "CSQU30543A3", err: "characters 5 to 11 must be digits"},
	}
	for _, tc := range tests {
		got, err := ParseContainer(tc.in)
		if tc.err != "" {
			assert.ErrorIs(t, err, ErrBadContainer, tc.in)
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, Container(tc.want), got)
	}
	assert.Equal(t, 10, charValue('A'))
	assert.Equal(t, 12, charValue('B'))
	assert.Equal(t, 21, charValue('K'))
	assert.Equal(t, 23, charValue('L'))
	assert.Equal(t, 32, charValue('U'))
	assert.Equal(t, 34, charValue('V'))
	assert.Equal(t, 38, charValue('Z'))
}

func FuzzParseContainer(f *testing.F) {
	f.Add("CSQU3054383")
	f.Add("")
	f.Add("zzzz9999999")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseContainer(s)
		if err != nil {
			return
		}
		again, err := ParseContainer(string(c))
		if err != nil || again != c {
			t.Fatalf("%q parsed to %q, which does not parse to itself", s, c)
		}
	})
}
