package geo

import _ "embed"

// defaultSite is the Baqty (KZ) – Pokitu (CN) corridor. Its figures are
// estimates; the site feature's "sources" property says where each comes from.
//
//go:embed sites/baqty-pokitu.geojson
var defaultSite []byte

// DefaultSiteName is the file name of the embedded default site.
const DefaultSiteName = "baqty-pokitu.geojson"

// DefaultGeoJSON returns a copy of the embedded default site file.
func DefaultGeoJSON() []byte { return append([]byte(nil), defaultSite...) }

// Default loads the embedded default site.
func Default() (*Site, error) { return Load(defaultSite) }
