package metrics

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Unlabelled reads a /metrics page (Prometheus text format) and returns
// its samples without labels, by name: the counters and gauges a test or
// a load run compares before and after. Comments and labelled samples
// are skipped.
func Unlabelled(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.Contains(line, "{") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}
