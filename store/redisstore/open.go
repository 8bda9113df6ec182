package redisstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open connects to the Redis the URL names, pings it and returns a Store.
//
//	redis://[user:pass@]host:port[/db][?prefix=borderfleet:]
//	rediss://...                        the same over TLS
//	...?master_name=NAME&addr=host:port  through Redis Sentinel: host:port
//	                                    and each addr are sentinels
//
// Besides go-redis' own query options (dial_timeout, ...) it takes prefix
// (default DefaultPrefix), wait (Options.WaitReplicas) and wait_timeout
// (Options.WaitTimeout, a Go duration).
func Open(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: open: %w", err)
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("redisstore: open %s: scheme must be redis or rediss", redact(u))
	}
	q := u.Query()
	prefix := DefaultPrefix
	if q.Has("prefix") {
		prefix = q.Get("prefix")
	}
	var opts Options
	if v := q.Get("wait"); v != "" {
		if opts.WaitReplicas, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("redisstore: open %s: wait: %w", redact(u), err)
		}
	}
	if v := q.Get("wait_timeout"); v != "" {
		if opts.WaitTimeout, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("redisstore: open %s: wait_timeout: %w", redact(u), err)
		}
	}
	for _, k := range []string{"prefix", "wait", "wait_timeout"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()

	var client redis.UniversalClient
	if q.Has("master_name") {
		fo, err := redis.ParseFailoverURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("redisstore: open %s: %w", redact(u), err)
		}
		client = redis.NewFailoverClient(fo)
	} else {
		o, err := redis.ParseURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("redisstore: open %s: %w", redact(u), err)
		}
		client = redis.NewClient(o)
	}
	s, err := NewWithOptions(client, prefix, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redisstore: open %s: ping: %w", redact(u), err)
	}
	return s, nil
}

// redact returns u as text with any password hidden, for error messages.
func redact(u *url.URL) string {
	return u.Redacted()
}
