package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Export writes the site as a GeoJSON FeatureCollection, one feature per
// line: the site's own features as loaded, then the derived lane graph, a
// "graph_node" Point per node (id, node_kind, place, local x/y, map_id,
// capacity) and a "graph_link" LineString per link. It opens in QGIS or
// geojson.io, and Load reads it back, skipping the derived features.
func (s *Site) Export() ([]byte, error) {
	feats := append([]*geojson.Feature(nil), s.features...)
	for _, n := range s.Network.Nodes {
		f := geojson.NewFeature(n.Pos.LonLat)
		f.Properties = geojson.Properties{
			"kind": KindGraphNode, "id": n.ID, "node_kind": string(n.Kind), "map_id": s.MapID,
			"x": round3(n.Pos.XY[0]), "y": round3(n.Pos.XY[1]), "capacity": n.Capacity,
		}
		if n.Place != "" {
			f.Properties["place"] = n.Place
		}
		feats = append(feats, f)
	}
	for _, l := range s.Network.Links {
		ll := make(orb.LineString, len(l.XY))
		for i, p := range l.XY {
			ll[i] = s.Frame.ToWGS84(p)
		}
		f := geojson.NewFeature(ll)
		f.Properties = geojson.Properties{
			"kind": KindGraphLink, "id": l.ID, "lane": l.Lane, "direction": string(l.Direction),
			"from": s.Network.Nodes[l.From].ID, "to": s.Network.Nodes[l.To].ID,
			"length_m": round3(l.Length), "speed_limit_kmh": l.SpeedLimitKmh,
		}
		feats = append(feats, f)
	}
	var buf bytes.Buffer
	buf.WriteString("{\"type\": \"FeatureCollection\", \"features\": [\n")
	for i, f := range feats {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("geo: export feature %d: %w", i, err)
		}
		buf.Write(b)
		if i < len(feats)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
