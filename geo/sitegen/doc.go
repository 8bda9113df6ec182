// Package sitegen draws random border-crossing sites in the geo site
// format, deterministically from a seed: the same seed and Options give
// the same bytes. Every site it draws passes geo.Load; one that did not
// would be a generator bug, and Generate reports it as an error.
//
// A generated site is a straight corridor at any bearing between two
// logistics centres of two distinct countries (codes drawn from MN, UZ,
// KG, RU, TJ, AF, PK, IN, NP, BT, MM, LA, VN, KZ, CN), 0.5 to 15 km of
// road apart. Each country has a territory zone, a neutral zone lies
// between them, and each country checks both directions at 1 to 3 stop
// lines in series. Every stop line has its own inspection bay on a
// one-way spur that leaves the lane at the stop line and rejoins it
// downstream, and a one-way turn-back crossover to the lane of the other
// direction just past the spur, so that a refused container can drive back
// to its origin centre from any stop line or inspection bay.
//
// The road is two one-way lanes, with stretches of one shared two-way lane
// (30 to 300 m, joined by tapers) in the neutral zone and on the
// approaches; some sites are divided all the way. Each yard is a one-way
// ring: its bays are either on one-way loops off the ring (YardRing) or at
// the ends of two-way dead-end stubs (YardRows), with optional waiting
// spots on loops before the bays, parking spots at the ends of two-way
// stubs and 1 to 3 charging stations on one-way lay-bys at the back of the
// ring, so that no route passes through a station.
//
// The geometry is built in a metric frame along the corridor, rotated by
// the bearing into the site's local frame (geo.Frame) and converted to
// WGS84 with it, so that places lie exactly on lane vertices.
//
// sitegen imports geo and orb only.
package sitegen
