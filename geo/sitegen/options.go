package sitegen

import (
	"fmt"
	"math"
)

// YardLayout says how a logistics centre's yard is drawn.
type YardLayout string

// Yard layouts. Both are a one-way ring that the road enters and leaves at
// the centre's gate; they differ in how the bays hang off it.
const (
	YardAny  YardLayout = ""     // drawn at random for each centre
	YardRing YardLayout = "ring" // each bay on a one-way loop off the ring
	YardRows YardLayout = "rows" // each bay at the end of a two-way dead-end stub
)

// Limits of the Options and of what Generate draws when an option is zero.
const (
	MinBays, MaxBays               = 2, 20 // yard bays per centre, when drawn
	MinParking, MaxParking         = 4, 60 // parking spots per centre, when drawn
	MaxBaysOption                  = 1000  // the most Options.Bays may ask for
	MaxParkingOption               = 5000  // the most Options.Parking may ask for (a load run of 10,000 shuttles stands them all)
	MinCheckpoints, MaxCheckpoints = 1, 3  // stop lines per country and direction
	MinDistanceM, MaxDistanceM     = 500.0, 15_000.0
)

// Options fix some of what Generate otherwise draws from the seed. The zero
// value draws everything.
type Options struct {
	// Bays is the number of yard bays in each centre; zero draws MinBays
	// to MaxBays for each centre. At most MaxBaysOption.
	Bays int
	// Parking is the number of parking spots in each centre, not counting
	// waiting spots; zero draws MinParking to MaxParking for each centre.
	// At most MaxParkingOption.
	Parking int
	// Checkpoints is the number of stop lines of each country in each
	// direction; zero draws MinCheckpoints to MaxCheckpoints for each.
	Checkpoints int
	// DistanceM is the length of road in metres between the two centres'
	// gates; zero draws MinDistanceM to MaxDistanceM (log-uniform). A
	// distance too short for the checkpoints drawn is raised to what they
	// need (at most about 900 m).
	DistanceM float64
	// Yard is the layout of both yards; YardAny draws one for each.
	Yard YardLayout
}

// Validate reports options that Generate cannot honour.
func (o Options) Validate() error {
	switch {
	case o.Bays != 0 && (o.Bays < 1 || o.Bays > MaxBaysOption):
		return fmt.Errorf("sitegen: %d bays per centre: want 1 to %d (or 0 to draw %d to %d)", o.Bays, MaxBaysOption, MinBays, MaxBays)
	case o.Parking != 0 && (o.Parking < 1 || o.Parking > MaxParkingOption):
		return fmt.Errorf("sitegen: %d parking spots per centre: want 1 to %d (or 0 to draw %d to %d)", o.Parking, MaxParkingOption, MinParking, MaxParking)
	case o.Checkpoints != 0 && (o.Checkpoints < MinCheckpoints || o.Checkpoints > MaxCheckpoints):
		return fmt.Errorf("sitegen: %d checkpoints per country and direction: want %d to %d (or 0 to draw)", o.Checkpoints, MinCheckpoints, MaxCheckpoints)
	case math.IsNaN(o.DistanceM) || o.DistanceM != 0 && (o.DistanceM < MinDistanceM || o.DistanceM > MaxDistanceM):
		return fmt.Errorf("sitegen: distance %g m between the centres: want %g to %g (or 0 to draw)", o.DistanceM, MinDistanceM, MaxDistanceM)
	}
	switch o.Yard {
	case YardAny, YardRing, YardRows:
		return nil
	}
	return fmt.Errorf("sitegen: yard layout %q: want %q, %q or empty to draw", o.Yard, YardRing, YardRows)
}
