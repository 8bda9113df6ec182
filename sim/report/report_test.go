package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func shortDay(t testing.TB, seed int64) (sim.Report, *sim.Recording) {
	site, err := geo.Default()
	require.NoError(t, err)
	c := sim.DefaultConfig(site)
	c.Shuttles, c.Hours, c.Seed, c.StartSoC = 8, 3, seed, 0.4
	r, rec, err := sim.RunWith(c, sim.Options{Record: true})
	require.NoError(t, err)
	return r, rec
}

// A report folder holds every file it promises, its CSVs parse with the
// columns and rows they should have, index.html names every plot and
// loads nothing from elsewhere, and writing it twice gives the same bytes
// (but for the wall time in the summary).
func TestWrite(t *testing.T) {
	r, rec := shortDay(t, 3)
	dir := t.TempDir()
	require.NoError(t, Write(dir, r, rec))
	for _, f := range []string{SummaryFile, EventsFile, TimeseriesFile, IndexFile} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	for _, f := range Figures() {
		for _, ext := range []string{".svg", ".png"} {
			st, err := os.Stat(filepath.Join(dir, f.Name+ext))
			require.NoError(t, err)
			assert.Greater(t, st.Size(), int64(1000), f.Name+ext)
		}
	}
	var back sim.Report
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, r.MovesDelivered, back.MovesDelivered)

	s, err := ReadSeries(filepath.Join(dir, TimeseriesFile))
	require.NoError(t, err)
	assert.Len(t, s.Col(colT), 3*60)
	assert.Equal(t, float64(r.MovesDelivered), s.Col(colDelivered)[3*60-1])
	socs, _ := s.Prefixed(preSoC)
	assert.Len(t, socs, 8)
	queues, _ := s.Prefixed(preQueue)
	assert.Len(t, queues, len(rec.Checkpoints))

	f, err := os.Open(filepath.Join(dir, EventsFile))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"t_s", "time", "kind", "move", "shuttle", "what", "from", "where", "soc"}, rows[0])
	assert.Len(t, rows, len(rec.Events)+1)
	kinds := map[string]bool{}
	for _, row := range rows[1:] {
		kinds[row[2]] = true
	}
	for _, k := range []string{sim.EventMove, sim.EventGate, sim.EventCharge} {
		assert.True(t, kinds[k], k)
	}

	html, err := os.ReadFile(filepath.Join(dir, IndexFile))
	require.NoError(t, err)
	for _, f := range Figures() {
		assert.Contains(t, string(html), `src="`+f.Name+`.png"`)
		assert.Contains(t, string(html), `href="`+f.Name+`.svg"`)
	}
	assert.NotContains(t, string(html), "http://", "no external asset")
	assert.NotContains(t, string(html), "https://")

	again := t.TempDir()
	require.NoError(t, Write(again, r, rec))
	for _, name := range []string{EventsFile, TimeseriesFile, IndexFile, "activity.svg", "soc.png", "gate_wait.svg"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		assert.True(t, bytes.Equal(a, b), "%s is deterministic", name)
	}
}

// A folder that cannot be made is an error naming it; so is a run
// without a recording.
func TestWriteErrors(t *testing.T) {
	r, rec := shortDay(t, 1)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	err := Write(filepath.Join(file, "sub"), r, rec)
	assert.ErrorContains(t, err, "file/sub")
	assert.ErrorContains(t, Write(t.TempDir(), r, nil), "no recording")
}

// The hour ticks label whole steps and never run past the axis.
func TestHourTicks(t *testing.T) {
	var labels []string
	for _, tk := range (hourTicks{}).Ticks(0, 24) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
		assert.LessOrEqual(t, tk.Value, 24.0)
	}
	assert.Equal(t, "0 4 8 12 16 20 24", strings.Join(labels, " "))
	assert.Equal(t, []float64{2, 2, 1}, blockMeans([]float64{1, 3, 2, 2, 1}, 2))
}

// The value ticks label 3 to 7 round values, none off the axis, with
// no float noise in a label.
func TestPlainTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 2.55, "0 0.5 1 1.5 2 2.5"},
		{0, 100, "0 20 40 60 80 100"},
		{0, 1.05, "0 0.2 0.4 0.6 0.8 1"},
		{0, 1300, "0 250 500 750 1000 1250"},
		{5, 60, "10 20 30 40 50 60"},
		{0.7, 0.95, "0.7 0.75 0.8 0.85 0.9 0.95"},
	} {
		var labels []string
		for _, tk := range (plainTicks{}).Ticks(c.lo, c.hi) {
			assert.GreaterOrEqual(t, tk.Value, c.lo-1e-9)
			assert.LessOrEqual(t, tk.Value, c.hi+1e-9)
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		assert.Equal(t, c.want, strings.Join(labels, " "), "%g to %g", c.lo, c.hi)
	}
}
