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
// station, with room for several shuttles, ends or starts a route but is
// never driven through. Failures are *NoRouteError values that say between
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
// A charging station's queue is modelled conservatively: every visit of
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
// near a resource. A route that still has a two-way lane ahead is queued
// whole up to the first hold after its last two-way lane, so two-way
// stretches keep one queue order.
//
// The wait-for graph stays acyclic, but the argument above only covers
// what is queued: a shuttle may find that it cannot queue its next
// stretch, because a shuttle that waits on it (through others) holds part
// of it. That needs a closed chain of waiting shuttles around a loop of
// lanes. So deadlock freedom is proven for whole routes only, and measured
// for the default: on the default site (one-way roads and yard rings, two
// short crossovers) the property test runs fleets of up to 20 shuttles with
// customs holds and random diversions, U-turns included, without a
// deadlock in thousands of cases; with 35 and more it has found one, where
// shuttles made U-turns over both crossovers at once and jammed the loop
// they make. On a grid of two-way lanes with holds at junctions it finds
// deadlocks with a dozen shuttles. Sites like that, and fleets beyond what
// has been measured, set QueueAhead to math.Inf(1): every route is then
// queued whole when it is planned, holds and all, which is deadlock-free on
// any lane graph (property tests on both sites, up to 100 shuttles).
// WaitsFor names the case when a shuttle cannot queue on.
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
