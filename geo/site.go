package geo

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Site is a validated site: the world the fleet drives in. Every place is
// given both in WGS84 (as in the file) and in the site's local frame.
// A Site is built by Load and is read-only afterwards.
type Site struct {
	ID      string   // the site feature's id
	Name    string   // human name of the crossing
	MapID   string   // VDA 5050 mapId of the lane graph
	Sources []string // where the site's figures come from

	Frame         Frame   // local metric frame around the origin
	JoinTolerance float64 // metres within which lane vertices and places meet

	Zones       []Zone
	Centres     []Centre
	Bays        []Bay
	Lanes       []Lane
	Checkpoints []Checkpoint
	Stations    []ChargingStation
	Parking     []ParkingSpot

	// Network is the lane topology derived from the lanes and places.
	Network *Network

	features []*geojson.Feature // the accepted features, for Export
}

// Position is one point in both frames.
type Position struct {
	LonLat orb.Point // WGS84 longitude, latitude in degrees
	XY     orb.Point // metres east and north of the site origin
}

// ZoneType says whose ground a zone is.
type ZoneType string

// Zone types.
const (
	ZoneTerritory ZoneType = "territory" // one country's territory
	ZoneNeutral   ZoneType = "neutral"   // the neutral zone between two checkpoints
)

// Zone is an area with a speed limit: a country's territory or the neutral zone.
type Zone struct {
	ID            string
	Name          string
	Type          ZoneType
	Country       string // ISO 3166-1 alpha-2; empty for the neutral zone
	SpeedLimitKmh float64
	LonLat        orb.Polygon
	XY            orb.Polygon
}

// Centre is a logistics centre: the yard at one end of the corridor.
type Centre struct {
	ID      string
	Name    string
	Country string
	LonLat  orb.Polygon
	XY      orb.Polygon
}

// Bay is a yard position where a container is loaded onto or taken off a
// shuttle, one shuttle at a time. A yard bay belongs to a centre; an
// inspection bay belongs to the checkpoint that names it and has no centre.
type Bay struct {
	ID     string
	Centre string // owning centre's id; empty for an inspection bay
	Pos    Position
}

// Direction says which way a lane may be driven.
type Direction string

// Lane directions.
const (
	OneWay Direction = "one-way" // only from the first vertex towards the last
	TwoWay Direction = "two-way" // both ways, but one physical lane
)

// Lane is a drivable centre line.
type Lane struct {
	ID            string
	Name          string
	Direction     Direction
	SpeedLimitKmh float64
	LonLat        orb.LineString
	XY            orb.LineString
	Length        float64 // metres, in the local frame
}

// Checkpoint is a customs control point: a stop line on one lane where a
// laden shuttle waits until that country's customs release its container.
type Checkpoint struct {
	ID            string
	Name          string
	Country       string
	Lane          string   // id of the lane the stop line is on
	StopLine      Position // as given in the file
	ReleaseTime   time.Duration
	InspectionBay string // id of the bay used for inspections
}

// ChargingStation is a group of chargers at one point.
type ChargingStation struct {
	ID             string
	Name           string
	Centre         string // owning centre's id, if any
	Pos            Position
	Chargers       int
	ChargerPowerKW float64
	GridCapKW      float64
}

// ParkingSpot is where an idle shuttle may wait.
type ParkingSpot struct {
	ID     string
	Centre string // owning centre's id, if any
	Pos    Position
}

// Centre returns the centre with the given id.
func (s *Site) Centre(id string) (Centre, bool) {
	return find(s.Centres, id, func(c Centre) string { return c.ID })
}

// Bay returns the bay with the given id.
func (s *Site) Bay(id string) (Bay, bool) {
	return find(s.Bays, id, func(b Bay) string { return b.ID })
}

// Lane returns the lane with the given id.
func (s *Site) Lane(id string) (Lane, bool) {
	return find(s.Lanes, id, func(l Lane) string { return l.ID })
}

// BaysOf returns the yard bays of a centre, in file order.
func (s *Site) BaysOf(centre string) []Bay {
	var out []Bay
	for _, b := range s.Bays {
		if b.Centre == centre {
			out = append(out, b)
		}
	}
	return out
}

func find[T any](xs []T, id string, key func(T) string) (T, bool) {
	for _, x := range xs {
		if key(x) == id {
			return x, true
		}
	}
	var zero T
	return zero, false
}
