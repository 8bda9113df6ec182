// Package boltstore keeps fleetd's journal, audit log and lease in one local
// bbolt file, for a single fleetd without Redis.
//
// The file holds three buckets: journal and audit (keys the big-endian
// uint64 index, values the records) and meta (the fencing counter and the
// lease: owner, token and expiry). Every write is one bbolt transaction,
// fsynced before it returns, so an appended record survives SIGKILL and
// power loss.
//
// One process at a time: bbolt locks the file, and Open gives up after a
// second with ErrLocked naming the file. Fencing and the lease still work
// as in every store (several holders within the process, or one process
// after another), and lease expiry uses the local clock.
package boltstore
