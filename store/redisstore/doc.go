// Package redisstore keeps fleetd's journal, audit log and lease in Redis 7,
// so that several fleetd may share one store with one of them active.
//
// # Keys
//
// Every key starts with the store's prefix (default "borderfleet:"):
//
//	<prefix>journal   Stream: the journal, one entry per record, explicit
//	                  ids "<index>-0", the record in field "d"
//	<prefix>audit     Stream: the audit log, laid out as the journal
//	<prefix>fence     String: the fencing counter, INCR on every Acquire
//	                  (and on a Release by the holder)
//	<prefix>lease     String "<token> <owner>" with a PX expiry
//
// Append, AppendAudit, Acquire, Renew and Release are Lua scripts: each
// checks the token against <prefix>fence and writes in one atomic step, so a
// write with a stale token changes nothing. Read and ReadAudit use XRANGE.
// Give every deployment (and every test) its own prefix. Under Redis Cluster
// all keys of one store must hash to one slot: put a hash tag in the prefix,
// e.g. "{borderfleet}:".
//
// # Sentinel and managed Redis
//
// New takes any redis.UniversalClient. With Redis Sentinel pass a failover
// client (redis.NewFailoverClient, or redis.NewUniversalClient with
// MasterName set), which always talks to the current primary; Open does this
// when the URL has a master_name parameter, e.g.
//
//	redis://sentinel-a:26379?master_name=mymaster&addr=sentinel-b:26379&prefix=bf:
//
// A managed Redis (a cloud service with a single endpoint that fails over
// behind it) needs nothing special: use its redis:// or rediss:// URL.
//
// Fencing relies on there being a single primary: the token check and the
// write happen together on the primary. Redis replicates asynchronously, so
// after a failover the new primary may lack the last writes the old one
// acknowledged — journal records and even fencing-counter increments. Set
// Options.WaitReplicas (Open: ?wait=1&wait_timeout=100ms) to close that
// hole: Append, AppendAudit and Acquire are then followed, on the same
// connection, by WAIT <replicas> <timeout>, and succeed only when that many
// replicas have the write; otherwise they return ErrUnreplicated (the write
// is on the primary and may or may not survive it). A write that succeeded
// is on WaitReplicas replicas, so it survives the primary's death as long
// as Sentinel promotes one of them (it promotes the replica with the most
// data among those it reaches, so with one replica, wait=1, it always
// does); it is lost only if those replicas die too before they pass it on,
// or if every one of them was cut off long enough for Sentinel to pass it
// over. Renew and Release do not wait: a lost renewal or release only moves
// the lease's expiry, and a lost Acquire cannot be, since it waited. While
// fewer replicas than WaitReplicas are up (the replica just became the
// primary, say), every write fails: the store prefers refusing to losing.
//
// A client retries a command whose reply it lost (go-redis does, on a
// broken connection). Each Append and AppendAudit carries a random nonce,
// stored with its last record, and a retry of a batch that is already in
// the stream returns its index instead of appending it again, so a retry
// across a failover never writes a record twice.
//
// Lease expiry uses the Redis server's clock.
package redisstore
