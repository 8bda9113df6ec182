package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Summary is what `fleetd site check` prints about a valid site.
type Summary struct {
	Name, MapID    string
	Origin         orb.Point // WGS84
	Zones          int
	Centres        int
	YardBays       int
	InspectionBays int
	Lanes          int
	Checkpoints    int
	Stations       int
	Chargers       int
	ParkingSpots   int
	Nodes, Links   int
	LaneKm         float64   // total length of the lanes; a two-way lane counts once
	Bound          orb.Bound // WGS84 box around every feature
	BoundXY        orb.Bound // the same box in the local frame, metres
	Drives         []Drive   // shortest drive between each ordered pair of centres
}

// Drive is the shortest driving distance from any bay of one centre to any
// bay of another.
type Drive struct {
	From, To string // centre ids
	Metres   float64
	OK       bool // false when there is no path
}

// Summary counts the site's features and measures its lanes.
func (s *Site) Summary() Summary {
	sum := Summary{
		Name: s.Name, MapID: s.MapID, Origin: s.Frame.Origin(),
		Zones: len(s.Zones), Centres: len(s.Centres), Lanes: len(s.Lanes),
		Checkpoints: len(s.Checkpoints), Stations: len(s.Stations), ParkingSpots: len(s.Parking),
	}
	for _, b := range s.Bays {
		if b.Centre == "" {
			sum.InspectionBays++
		} else {
			sum.YardBays++
		}
	}
	for _, c := range s.Stations {
		sum.Chargers += c.Chargers
	}
	for _, l := range s.Lanes {
		sum.LaneKm += l.Length / 1000
	}
	if s.Network != nil {
		sum.Nodes, sum.Links = len(s.Network.Nodes), len(s.Network.Links)
	}
	sum.Bound = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, f := range s.features {
		sum.Bound = sum.Bound.Union(f.Geometry.Bound())
	}
	sum.BoundXY = orb.Bound{Min: s.Frame.ToLocal(sum.Bound.Min), Max: s.Frame.ToLocal(sum.Bound.Max)}
	for _, a := range s.Centres {
		for _, b := range s.Centres {
			if a.ID != b.ID {
				m, ok := s.Network.Distance(bayIDs(s.BaysOf(a.ID)), bayIDs(s.BaysOf(b.ID)))
				sum.Drives = append(sum.Drives, Drive{From: a.ID, To: b.ID, Metres: m, OK: ok})
			}
		}
	}
	return sum
}

func bayIDs(bays []Bay) []string {
	ids := make([]string, len(bays))
	for i, b := range bays {
		ids[i] = b.ID
	}
	return ids
}
