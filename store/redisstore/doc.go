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
// acknowledged — journal records and even fencing-counter increments. To
// narrow that window set Options.WaitReplicas: each write is then followed,
// on the same connection, by WAIT <replicas> <timeout>, and a write that not
// enough replicas acknowledged in time returns its index together with
// ErrUnreplicated (the records are on the primary; they may be lost if it
// fails now). WAIT does not make Redis strongly consistent; it only makes a
// loss after failover unlikely. Open sets it from ?wait=1&wait_timeout=100ms.
//
// Lease expiry uses the Redis server's clock.
package redisstore
