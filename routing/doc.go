// Package routing owns the lane graph, shortest paths and traffic control.
//
// # Lane graph
//
// NewGraph turns a geo.Site's lane topology into a directed graph. Every
// site node (lane ends, junctions, bays, stop lines, chargers, parking
// spots) keeps its id; every site link is cut into equal blocks no longer
// than GraphConfig.BlockLength, with boundary nodes "<link>+<k>". A block
// gives an edge "<link>/<k>" in drawing order and, on a two-way lane, a
// second edge "<link>/<k>:r" the other way; both directions share the
// block as one physical resource. Node and edge ids are the VDA 5050
// nodeIds and edgeIds; they are stable as long as the site file is.
//
// Graph.Route finds the fastest path by travel time (length over the
// lower of the lane's limit and the vehicle's, Limits) with A* and a
// straight-line heuristic at the fastest speed allowed anywhere, which never
// overestimates. Closed lanes (Graph.Close) are left out. A charging
// station, with room for several shuttles, and a customs inspection bay,
// a lay-by, end or start a route but are never driven through. Failures are *NoRouteError values that say between
// which places and why.
//
// # Traffic control
//
// The resources are the nodes and the blocks. Traffic gives every shuttle a
// route and puts it in the queue of every resource on that route. A shuttle
// is granted the next edge and node of its route only when its visit is
// first in both queues (for a station: among the first as many as it has
// chargers), so at most one shuttle holds a node or a block at a time, and
// grants go in queue order. The grant is what the controller releases as the
// VDA 5050 base, and it grows in steps, never more than GrantAhead metres
// beyond the shuttle and never past a hold (a customs stop line awaiting
// release). As the shuttle reports the nodes it reaches, Progress releases
// what lies more than the clearance behind it: vehicle length plus MinGap.
//
// Why it is safe, whatever a shuttle does and however long it stops:
//
//   - No two shuttles on one node: a node is granted to one visit at a time
//     and released only once its holder is the clearance past it.
//   - Never two directions on a single lane: both directions of a block are
//     one resource, and all shuttles pass a run of blocks in one queue
//     order; a shuttle that would enter a two-way stretch from the far end
//     is queued behind every shuttle that entered it before, on every block
//     of it, so it waits until they have all left. (A queue order that
//     differed between two blocks of the stretch would be a cycle, which
//     insertion never makes; see below.)
//   - The gap: a shuttle keeps every resource within the clearance behind
//     its last reported node, and its front is at most half a length ahead
//     of that node while it drives; a follower's authority ends at a node
//     it was granted, so the follower's front stops at least MinGap behind
//     the leader's rear even if the leader stops dead.
//
// Why it cannot deadlock. Let a visit wait for the visit before it in the
// same queue and for the same shuttle's previous step. Whatever the delays,
// every shuttle reaches its goal if this wait-for graph has no cycle: some
// unfinished visit then waits for nothing unfinished, and its shuttle can
// take it. Insert keeps the graph acyclic. A shuttle's new route is queued
// last on every resource, except that it goes ahead of every visit that
// already waits, directly or through others, on something the shuttle holds
// (so that a shuttle stopped at a customs gate and then diverted is not
// queued behind the shuttles queued behind it). No visit that the new
// visits wait for can then wait for them: whatever is after them already
// waited on the shuttle, whatever is before them did not. Insertion is
// refused, changing nothing, when a shuttle that waits on this one already
// holds a resource of the new route.
//
// One more thing could stop the fleet for good: a shuttle that stands at
// its goal keeps the goal node and the clearance behind it. So no route may
// pass through where another shuttle will stand (those resources are barred
// to the search), and a route may not end where another shuttle is routed
// after it. Goals are meant to be lay-bys: bays, parking spots, chargers,
// inspection bays; a shuttle's own standing place holds up nobody.
//
// A charging station is such a place only once it is full: it has a
// stall for every shuttle that will stand there, and every other shuttle
// routed over it stands there now and leaves (stations are never driven
// through), so several shuttles may be routed to one at once, up to its
// chargers. A charging station's queue is modelled conservatively: every visit of
// another shuttle behind one at the station waits on it, since which of the
// shuttles ahead leaves first is not known. Cancel, which makes a shuttle
// stand at the end of its authority, is refused where that would stop a
// shuttle routed after it.
//
// # Queueing a stretch ahead
//
// Queued whole, queue order is planning order: a shuttle leaving a bay
// waits at the junction for every shuttle routed through it earlier, even
// one still kilometres away, and a fleet loses a third of its time so. So
// by default (TrafficConfig.QueueAhead) a route over one-way lanes is
// queued only QueueAhead metres ahead of where the shuttle stands, and
// never past a hold; Grant queues more as the shuttle drives on, by the
// same insertion rule, so queue order is the order in which shuttles come
// near a resource. A two-way stretch is queued whole as soon as the queued
// part reaches it, and on past its end until the shuttle's clearance is
// off it, so two-way stretches keep one queue order and nobody stops on
// one for want of room beyond it; a two-way stretch that begins within
// GrantAhead of another's end (a short divided passing place between
// two shared stretches) is queued with it, so that shuttles from both
// ends do not fill the passing place waiting for the stretch ahead.
// Nothing is queued past a hold, not even a two-way stretch right after
// it, and not when the route starts at the hold: a shuttle waiting at a
// stop line, at the entry of a customs area, or in a lay-by for its turn
// to turn back (package fleet), reserves nothing beyond. (A hold where a
// new route started used to be set after the route was queued, so a
// refused shuttle held in a lay-by had its way out reserved up to the
// queue-ahead distance, and the lanes' traffic queued behind a shuttle
// that was not going.) Withhold puts a shuttle that will wait where its
// authority ends back in that state, dropping what it had queued beyond.
// WayAhead tells whether a shuttle's way to some point is held or queued
// by nobody else, and whether it crosses a two-way lane.
//
// Queue order keeps the two directions of a two-way stretch apart; it
// does not give a shuttle room past the stretch's end: one that follows
// another off the stretch stops behind it, and where a customs stop line
// follows the end, the queue at that line reaches back onto the stretch
// and the junction at its end, which the other direction needs to enter
// it, once more shuttles wait there than fit between. When the shuttle
// at the line waits for something only the other direction can free (its
// inspection bay, taken by a refused container that must leave over the
// stretch), nothing moves again. So such a stretch (a stop line within
// spillReach past its end, with no fork between: spill.go) is entered
// towards that line only while fewer shuttles than fit between its end
// and the line hold any of the stretch, that lane or the line: the
// shuttle waits before the junction where the stretch begins
// (WaitSpill). The default site's crossovers are such stretches; on
// generated sites about one in six has a stop line within 35 m past a
// shared lane, and those gave six of the ten stalls the harness's two
// draws found (a guard for stop lines with room for one only then
// stalled another case, whose line had room for three). This wait is
// not an edge of the wait-for graph above: that it closes no
// cycle is measured (the harness), not proven; the shuttles it waits for
// stand on one-way lane between the stretch and the line, and leave
// past the line or into its inspection bay, never back past the
// junction where the waiting one stands.
//
// A shuttle that stands still for a time nobody bounds (a broken-down
// vehicle that has confirmed it is paused on its node) may lend what it
// was granted beyond the edge its front is on (Lend): standing so, it is
// where it would be with no grant ahead, which others may pass in front
// of as of any shuttle waiting at a node. Its vehicle was told to drive
// there, so it
// keeps it, but a shuttle queued behind it there may pass over it if it
// is granted at once past the lent lane by the clearance, and if nothing
// it is queued for beyond waits on the lender (passThrough); it goes
// ahead of what the lender is queued for beyond its authority where the
// queues stay acyclic (passLent). It never stops on what is lent, so the
// lender takes it back (Reclaim) as soon as those that passed have
// driven off it, and only then goes on. Without it a shuttle broken
// down a node short of a yard ring held the ring node ahead for its
// whole repair, and the yard stood behind it.
//
// The wait-for graph stays acyclic, but the argument above only covers
// what is queued: a shuttle may find that it cannot queue its next
// stretch, because a shuttle that waits on it (through others) holds part
// of it. That needs a closed chain of waiting shuttles around a loop of
// lanes. Two rules keep such chains from forming where no shuttle is
// stuck in fact:
//
//   - A granted visit waits for nothing (its shuttle holds the resource),
//     so it is never a successor in the wait-for graph. (Counting it made a
//     shuttle that turns in a two-way dead end, whose way out is queued
//     behind its own way in on the same blocks, wait on itself: a false
//     cycle that refused every extension of its route and jammed every
//     yard of dead-end bay rows.)
//   - When the stretch just queued would close a cycle, its visits are put
//     ahead of the ungranted visits of others in their queues (goFirst, as
//     Overtake does) and kept there if that leaves the graph acyclic:
//     where a shuttle still behind another on a lane was queued first at a
//     junction ahead (its queue-ahead reached it first), the one in front
//     goes first.
//
// So deadlock freedom is proven for whole routes, and measured for the
// default: the property tests run the default site (one-way roads and yard
// rings, two short crossovers) with fleets of up to 20 shuttles with customs
// holds and random diversions, U-turns included, and a grid of two-way
// lanes; and the randomized fleet harness (sim/soak) runs generated sites
// of every layout the site generator draws (dead-end bay rows, shared
// two-way stretches, one to three checkpoints a direction) with fleets of
// up to 150 under random customs outcomes, lane closures and operator
// verbs. Sites or fleets beyond what has been measured may set QueueAhead
// to math.Inf(1): every route is then queued whole when it is planned,
// holds and all, which is deadlock-free on any lane graph, at about half
// the throughput of the default on the default site. WaitsFor names the
// case when a shuttle cannot queue on.
//
// Overtake moves a shuttle's remaining visits ahead of the ungranted visits
// of others (never where it will stand) and keeps the move only if the
// wait-for graph stays acyclic, so it keeps every guarantee above; it walks
// the graph, so callers use it for shuttles that have waited a while.
//
// Known limits: Place holds only the node a vehicle is placed at, not the
// clearance around it; and the gap is kept between shuttles on one path,
// while at a merge a shuttle just past the junction on one branch and one
// waiting on the other may stand closer than MinGap when site nodes lie
// within a few metres of the junction.
//
// Traffic is a deterministic state machine without clocks or goroutines;
// the Controller owns one and drives it from vehicle events.
package routing
