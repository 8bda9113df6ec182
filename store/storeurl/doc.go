// Package storeurl opens a store.Store from one string, as given in a config
// file, a flag or the environment:
//
//	redis://[user:pass@]host:port[/db][?prefix=borderfleet:]   Redis (redisstore)
//	rediss://...                                               Redis over TLS
//	bolt:PATH, file:PATH or PATH ending in .db                 a local file (boltstore)
package storeurl
