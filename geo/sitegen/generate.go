package sitegen

import (
	"fmt"

	"github.com/borderfleet/borderfleet/geo"
)

// Generate draws the site of a seed: its GeoJSON, and the site geo.Load
// makes of it. The same seed and options give the same bytes. It fails
// only on invalid options, or (a generator bug) when the loader refuses
// the drawing: the error then wraps the *geo.ValidationError, and the
// bytes are returned for inspection.
func Generate(seed int64, opts Options) (*geo.Site, []byte, error) {
	data, err := GeoJSON(seed, opts)
	if err != nil {
		return nil, nil, err
	}
	site, err := geo.Load(data)
	if err != nil {
		return nil, data, fmt.Errorf("sitegen: seed %d drew a site the loader refuses (a generator bug): %w", seed, err)
	}
	return site, data, nil
}

// GeoJSON draws the site of a seed as a GeoJSON FeatureCollection in the
// geo site format, without loading it.
func GeoJSON(seed int64, opts Options) ([]byte, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	d := &drawing{p: newPlan(seed, opts)}
	d.drawSite()
	return d.encode()
}
