// Package geo owns the site model: the world a borderfleet fleet drives in,
// loaded from a GeoJSON FeatureCollection with github.com/paulmach/orb.
//
// A site is data, not code: any file in this format works, and the
// Baqty (KZ) – Pokitu (CN) corridor is embedded as the default (Default).
//
// # File format
//
// Every feature has a "kind" property and an "id" (properties.id, or the
// feature's own id). Ids are unique across the file and use only letters,
// digits and _ . : - because they become VDA 5050 node ids. Positions are
// WGS84 longitude, latitude.
//
//	kind              geometry    properties (* required)
//	site              Point       name*, map_id*, join_tolerance_m (default 1), sources
//	zone              Polygon     zone_type* ("territory" or "neutral"), country* (for a territory), speed_limit_kmh*, name
//	centre            Polygon     name*, country*
//	bay               Point       centre (a yard bay); an inspection bay has none and is named by its checkpoint
//	lane              LineString  direction* ("one-way" or "two-way"), speed_limit_kmh*, name
//	checkpoint        Point       country*, lane*, release_time_s*, inspection_bay*, name
//	charging_station  Point       chargers*, charger_power_kw*, grid_cap_kw*, centre, name
//	parking           Point       centre
//
// The site feature's point is the origin of the local frame (Frame): x
// metres east, y metres north of it. Every place is given in both frames;
// routing and the VDA 5050 nodePosition use the local one. Every coordinate
// must lie within MaxSiteRadius of the origin.
//
// A checkpoint's point is its stop line, on the lane it names. A one-way
// lane is driven from its first position to its last. A zone's speed limit
// caps that of every lane through it. A charging station stands for several
// chargers side by side: routes start or end there but never pass through,
// so it belongs at the end of a lay-by or spur.
//
// # Lane topology
//
// Lanes join where their ends or vertices meet within the join tolerance
// (join_tolerance_m, 1 m unless the site feature says otherwise); a lane
// that merely passes through another's end or crosses it without a shared
// vertex does not join it, and the loader reports it. Bays, stop lines,
// charging stations and parking spots must lie within the tolerance of a
// lane. From this the loader derives the Network: a Node at every lane end,
// junction and place, and a Link for each piece of lane between two nodes.
// Node and link ids are stable: a place's node has the place's id, any other
// node is "<lane>@<vertex>", a link is "<lane>#<n>".
//
// # Validation
//
// Load reports every problem at once, each naming the feature by index, kind
// and id: malformed features and positions, unknown kinds, missing or
// wrong-typed properties, coordinates out of range, duplicate ids, dangling
// references, places off every lane or outside their centre, lanes that
// cross, touch or end on each other without a shared vertex, vertices that
// merge, zones and centres that cross themselves, overlap or have holes
// outside them, centres and checkpoints outside their own country's
// territory (when the site has territory zones), and lanes that leave a
// centre, bay or other place unreachable or a dead end. No input panics the
// loader; FuzzLoad checks that.
//
// geo imports orb only. It knows nothing of routing, vehicles or time.
package geo
