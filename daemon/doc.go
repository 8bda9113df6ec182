// Package daemon runs the fleet in real time: one goroutine owns the
// fleet Controller and the vehicles' Master (VDA 5050 bookkeeping), takes
// vehicle messages from MQTT, hands time to the core in ticks, and
// publishes the orders and instant actions that follow. MQTT handlers only
// copy the message into an inbox and return; operators' requests (moves,
// customs decisions, reads for displays) run on the same goroutine through
// Submit, Do and Read (a read-only View of the core). After every input
// and tick the goroutine publishes an immutable copy of what readers ask
// most (Published: the shuttles, the counts over the fleet, the gate
// queue, the charger slots), copying only what the input changed; the
// API and the metrics read that, and never wait for the core.
//
// Beside the core it keeps the progress of outbound deliveries of the
// audit log (the customs webhooks, package webhook): journaled like
// every input, as records of kind "hook", and rebuilt by replay, so that
// a restarted or standby fleetd resumes each subscriber where it was
// (see Delivery).
//
// The active daemon also writes snapshots of the whole core into the
// store (coresnap.go, snapwrite.go, SnapshotConfig): recovery restores
// the newest valid one and replays only the journal after it, and the
// journal before the oldest snapshot kept may be compacted.
package daemon
