package metrics

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Unlabelled keeps the samples without labels and skips the rest.
func TestUnlabelled(t *testing.T) {
	page := `# HELP borderfleet_moves_delivered_total Moves delivered.
# TYPE borderfleet_moves_delivered_total counter
borderfleet_moves_delivered_total 42
borderfleet_shuttles{state="idle"} 3
go_goroutines 17
broken_line
not_a_number abc
`
	got, err := Unlabelled(strings.NewReader(page))
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"borderfleet_moves_delivered_total": 42, "go_goroutines": 17}, got)
}
