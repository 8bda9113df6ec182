package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// Station is a charging station with the shuttles charging there now.
type Station struct {
	ID             string   `json:"id"`
	Name           string   `json:"name,omitempty"`
	Centre         string   `json:"centre,omitempty"`
	Chargers       int      `json:"chargers"`
	ChargerPowerKW float64  `json:"charger_power_kw"`
	GridCapKW      float64  `json:"grid_cap_kw"`
	Position       Position `json:"position"`
	// Charging: shuttles charging at this station now; Free: chargers
	// not in use.
	Charging []string `json:"charging"`
	Free     int      `json:"free"`
	// Reservations are the charger slots booked at the station that have
	// not ended, earliest first.
	Reservations []Reservation `json:"reservations"`
}

// Reservation is a charger slot booked for a shuttle.
type Reservation struct {
	Shuttle   string    `json:"shuttle"`
	Charger   int       `json:"charger"` // 0 .. chargers-1
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	FromSoC   float64   `json:"from_soc"`
	ToSoC     float64   `json:"to_soc"`
	PowerKW   float64   `json:"power_kw"`
	CheckedIn bool      `json:"checked_in"` // the shuttle has plugged in
}

// chargers is GET /v1/chargers: the site's stations, the shuttles
// charging at each now and the reservations not yet ended.
func (s *Server) chargers(w http.ResponseWriter, r *http.Request, _ Token) error {
	p, err := s.published()
	if err != nil {
		return err
	}
	out := s.publishedStations(p)
	writeJSON(w, http.StatusOK, map[string][]Station{"stations": out})
	return nil
}

// placeOf is the place (bay, station...) at a lane graph node, or "".
func (s *Server) placeOf(node string) string {
	if i, ok := s.cfg.Graph.Node(node); ok {
		return s.cfg.Graph.Nodes[i].Place
	}
	return ""
}

// site is GET /v1/site: the site as exported by geo (its features, the
// derived "graph_node" and "graph_link" features), with the lane graph's
// block nodes that cut long links added as "graph_node" features of
// node_kind "block": every node a vehicle may be sent to, with its VDA
// 5050 x, y and map_id.
func (s *Server) site(w http.ResponseWriter, _ *http.Request, _ Token) error {
	b, err := SiteGeoJSON(s.cfg.Site, s.cfg.Graph)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// SiteGeoJSON is the site's export (geo.Site.Export) with the lane
// graph's nodes the export lacks (block nodes) added.
func SiteGeoJSON(site *geo.Site, g *routing.Graph) ([]byte, error) {
	b, err := site.Export()
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("api: site export: %w", err)
	}
	have := map[string]bool{}
	for _, f := range fc.Features {
		if f.Properties["kind"] == geo.KindGraphNode {
			have[fmt.Sprint(f.Properties["id"])] = true
		}
	}
	for _, n := range g.Nodes {
		if have[n.ID] {
			continue
		}
		f := geojson.NewFeature(n.LonLat)
		f.Properties = geojson.Properties{"kind": geo.KindGraphNode, "id": n.ID, "node_kind": string(n.Kind), "map_id": g.MapID,
			"x": round3(n.XY[0]), "y": round3(n.XY[1]), "capacity": n.Capacity}
		fc.Append(f)
	}
	out, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("api: site export: %w", err)
	}
	return out, nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// publishedStations is every charging station as the API shows it,
// from what the core last published: the shuttles charging there now and
// the reservations not yet ended.
func (s *Server) publishedStations(p *daemon.Published) []Station {
	atStation := map[string][]string{} // station -> shuttles charging there
	for i := range p.Len() {
		if row := p.Row(i); row.Known && row.State == fleet.ShuttleCharging {
			atStation[s.placeOf(row.LastNode)] = append(atStation[s.placeOf(row.LastNode)], row.ID)
		}
	}
	out := make([]Station, 0, len(s.cfg.Site.Stations))
	for _, st := range s.cfg.Site.Stations {
		booked := []Reservation{}
		for _, sl := range p.Slots[st.ID] {
			if sl.End.After(p.At) {
				booked = append(booked, Reservation{Shuttle: sl.Request.Shuttle, Charger: sl.Charger, Start: sl.Start, End: sl.End,
					FromSoC: sl.Request.FromSoC, ToSoC: sl.Request.ToSoC, PowerKW: sl.PowerKW, CheckedIn: sl.CheckedIn})
			}
		}
		ch := append([]string{}, atStation[st.ID]...)
		out = append(out, Station{ID: st.ID, Name: st.Name, Centre: st.Centre, Chargers: st.Chargers, ChargerPowerKW: st.ChargerPowerKW,
			GridCapKW: st.GridCapKW, Position: Position{X: st.Pos.XY[0], Y: st.Pos.XY[1], MapID: s.cfg.Graph.MapID},
			Charging: ch, Free: max(st.Chargers-len(ch), 0), Reservations: booked})
	}
	return out
}
