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
// as in every store between holders within the process, and lease expiry
// uses the local clock. Between processes the lock says more than the
// lease: a lease this Store did not hand out was taken by a process that
// is gone, so it is void at once, and a fleetd restarted on the file (with
// another owner name) takes over without waiting out its predecessor's
// lease; the new token fences the old one.
package boltstore
