// Package load drives one fleetd with many simulated vehicles over MQTT
// and measures it: the load command (fleetd bench).
//
// A run starts, on loopback only, a private broker (Mosquitto on a free
// port, or fleetd's embedded broker), optionally a private Redis, and a
// fleetd process (fleetd run --auto-admit on a site generated for the
// fleet's size); then K vehicles of package sim/agv, each its own MQTT
// connection, that report state at 1 Hz whether they drive or stand, and
// a plain subscriber that counts what the broker delivers on the topics
// fleetd listens to (the raw rate). In driving mode it asks fleetd for
// one pre-cleared move per vehicle over the HTTP API, so that vehicles
// take orders, drive them and report their actions; idle, it asks for
// none.
//
// After a warm-up it measures for a set time and reports one Result (one
// JSON line): fleetd's ingest rate (messages its core took, per second)
// and its ratio to the raw rate, messages fleetd dropped, orders per
// second, the state-to-order latency measured at the vehicles, and
// fleetd's CPU and resident memory read from /proc (Linux only).
//
// State-to-order latency: for each order (or order update) a vehicle
// receives, the time from the last state it sent that said something new
// (another order or update, last node, driving or not, newBaseRequest,
// action states, loads, errors; position, speed and battery do not count)
// to the order's arrival, when such a state went out since the vehicle's
// previous order. An order with no such state before it (made due by a
// tick, an operator or another vehicle's progress) is counted as
// unattributed and not timed. The result gives two distributions:
// state_to_order, of the orders that came before the vehicle sent its next
// state (a repeat: at 1 Hz, within a second), which that state with news
// made due; and state_to_order_all, of every timed order, also those that
// came after repeats: a vehicle that waits at the end of its base for a
// lane another holds has its update timed from the state that reported
// its stop, so waits for traffic (and answers slower than a state
// period) show there.
package load
