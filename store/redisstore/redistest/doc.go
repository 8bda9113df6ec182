// Package redistest starts real redis-server processes on loopback for
// tests: standalone servers, replicas, sentinels (redis-server --sentinel,
// so no redis-sentinel binary is needed) and a Cluster of all three, each
// in its own temporary folder on a free port, killed when the test ends.
// A test without redis-server on PATH is skipped.
package redistest
