package geo_test

import (
	"fmt"
	"os"

	"github.com/borderfleet/borderfleet/geo"
)

// Load a small site: two yards joined by one two-way lane through a
// checkpoint with an inspection spur.
func ExampleLoad() {
	data, err := os.ReadFile("testdata/small.geojson")
	if err != nil {
		fmt.Println(err)
		return
	}
	site, err := geo.Load(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	bay, _ := site.Bay("w-bay")
	fmt.Printf("%s: %d centres, %d lanes, map %s\n", site.Name, len(site.Centres), len(site.Lanes), site.MapID)
	fmt.Printf("bay %s is at x=%.0f m, y=%.0f m\n", bay.ID, bay.Pos.XY[0], bay.Pos.XY[1])
	d, _ := site.Network.Distance([]string{"w-bay"}, []string{"e-bay"})
	fmt.Printf("w-bay to e-bay: %.0f m\n", d)
	// Output:
	// Tiny crossing: 2 centres, 2 lanes, map tiny-v1
	// bay w-bay is at x=-450 m, y=0 m
	// w-bay to e-bay: 900 m
}

// A broken site names every problem, not only the first.
func ExampleValidationError() {
	_, err := geo.Load([]byte(`{"type": "FeatureCollection", "features": [
		{"type": "Feature", "properties": {"kind": "bay", "id": "b1"}, "geometry": {"type": "Point", "coordinates": [82.8, 46.68]}},
		{"type": "Feature", "properties": {"kind": "gate", "id": "g1"}, "geometry": {"type": "Point", "coordinates": [82.8, 46.68]}}
	]}`))
	fmt.Println(err)
	// Output:
	// geo: invalid site: 5 problems
	//   feature #0 (bay "b1"): belongs to no centre: give it a "centre" property, or name it as a checkpoint's "inspection_bay"
	//   feature #1 (gate "g1"): unknown kind "gate" (want one of site, zone, centre, bay, lane, checkpoint, charging_station, parking)
	//   site: no feature of kind "site": one Point feature must give the site origin, name and map_id
	//   site: a site needs at least two logistics centres (features of kind "centre"), found 0
	//   site: a site needs lanes (features of kind "lane"), found none
}
