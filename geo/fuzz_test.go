package geo

import (
	"errors"
	"os"
	"testing"
)

// FuzzLoad proves that no input panics the loader, and that whatever it
// accepts is a consistent site. Run it longer with
//
//	go test -fuzz=FuzzLoad -fuzztime=1m ./geo
func FuzzLoad(f *testing.F) {
	small, err := os.ReadFile("testdata/small.geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add(DefaultGeoJSON())
	for _, seed := range []string{
		``, `null`, `[]`, `{}`, `{"type":"FeatureCollection"}`,
		`{"type":"FeatureCollection","features":[null]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":null}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"site","id":"s"},"geometry":{"type":"Point","coordinates":[]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"zone","id":"z"},"geometry":{"type":"Polygon","coordinates":[[]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"lane","id":"l","direction":"two-way","speed_limit_kmh":1e308},"geometry":{"type":"LineString","coordinates":[[0,0],[0,0],[1e-9,0]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"bay","id":"b","centre":{}},"geometry":{"type":"GeometryCollection","geometries":[]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidSite) {
				t.Fatalf("error does not match ErrInvalidSite: %v", err)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("error lists no problems: %v", err)
			}
			return
		}
		if s.Network == nil || len(s.Centres) < 2 {
			t.Fatalf("accepted a site without a network or two centres")
		}
		for _, b := range s.Bays {
			if _, ok := s.Network.NodeIndex(b.ID); !ok {
				t.Fatalf("accepted bay %q that is not a lane-graph node", b.ID)
			}
		}
		for _, l := range s.Network.Links {
			if l.From < 0 || l.From >= len(s.Network.Nodes) || l.To < 0 || l.To >= len(s.Network.Nodes) {
				t.Fatalf("link %q has a node index out of range", l.ID)
			}
		}
		if _, err := s.Export(); err != nil {
			t.Fatalf("export of an accepted site failed: %v", err)
		}
	})
}
