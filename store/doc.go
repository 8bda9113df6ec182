// Package store defines what fleetd persists and the contract every store
// implementation meets.
//
// Persistence is event-sourced. The daemon appends every input it handles
// (a vehicle message, a clock tick, an operator or customs event) to the
// journal as an opaque record before it handles the input and publishes what
// follows; on start it replays the journal. Beside the journal sits the audit
// log, the chain of custody of every container (see package audit), a second,
// independent sequence of records. Snapshots of the daemon's state, each
// filed under the index of the last journal record it covers, let a
// recovery replay only the records after one, and the journal records
// before a snapshot may then be trimmed (never the audit log's).
//
// Several fleetd may share one store; one of them is active. It holds the
// lease, and with it a fencing token: every Acquire hands out a new token,
// greater than every token before, and every write carries the token of its
// writer. A write with any token but the newest fails with ErrFenced and
// changes nothing, so an instance that lost its lease (a long GC pause, a
// network partition) can never append behind the back of its successor.
//
// This package holds only the shared types and has no dependencies.
// Implementations live in the subpackages: redisstore (Redis 7, shared by
// several instances), boltstore (a local file, one process), storeurl (opens
// either from a URL) and storetest (the conformance suite both pass).
// Consumers declare the smaller interfaces they use.
package store
