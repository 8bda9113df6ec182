package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/borderfleet/borderfleet/store"
)

// Snapshots are the fields of a hash (key prefix+"snapshots"): the seq in
// decimal, the snapshot as it was put.

// putSnapshotScript sets field ARGV[2] of the hash KEYS[2] to ARGV[3] if
// ARGV[1] is the value of the fence KEYS[1].
var putSnapshotScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`)

// deleteSnapshotsScript deletes the fields of the hash KEYS[2] below
// ARGV[2] if ARGV[1] is the value of the fence KEYS[1]; it returns how
// many.
var deleteSnapshotsScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED')
end
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
  if tonumber(f) < tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[2], f)
    n = n + 1
  end
end
return n
`)

// trimScript deletes the entries of the stream KEYS[2] with ids below
// ARGV[2]-0, never the last, if ARGV[1] is the value of the fence
// KEYS[1]; it returns how many.
var trimScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED')
end
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #top == 0 then
  return 0
end
local before = math.min(tonumber(ARGV[2]), tonumber(string.match(top[1][1], '^(%d+)-')))
return redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d-0', before))
`)

// PutSnapshot keeps a snapshot of the state after journal record seq if
// token is current. See store.Store.
func (s *Store) PutSnapshot(ctx context.Context, token uint64, seq uint64, data []byte) error {
	if seq == 0 {
		return fmt.Errorf("redisstore: put snapshot: seq 0")
	}
	_, err := s.run(ctx, "put snapshot", putSnapshotScript, []string{s.fence, s.snaps}, token, seq, data)
	return err
}

// Snapshots lists the seqs of the snapshots kept. See store.Store.
func (s *Store) Snapshots(ctx context.Context) ([]uint64, error) {
	fields, err := s.client.HKeys(ctx, s.snaps).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: snapshots: %w", err)
	}
	out := make([]uint64, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redisstore: snapshots: unexpected field %q", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// ReadSnapshot returns the snapshot of seq. See store.Store.
func (s *Store) ReadSnapshot(ctx context.Context, seq uint64) ([]byte, error) {
	b, err := s.client.HGet(ctx, s.snaps, strconv.FormatUint(seq, 10)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: read snapshot %d: %w", seq, store.ErrNoSnapshot)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: read snapshot %d: %w", seq, err)
	}
	return b, nil
}

// DeleteSnapshots deletes the snapshots before seq before if token is
// current. See store.Store.
func (s *Store) DeleteSnapshots(ctx context.Context, token uint64, before uint64) error {
	_, err := s.run(ctx, "delete snapshots", deleteSnapshotsScript, []string{s.fence, s.snaps}, token, before)
	return err
}

// TrimJournal deletes the journal records before index before (never the
// last) if token is current. See store.Store.
func (s *Store) TrimJournal(ctx context.Context, token uint64, before uint64) error {
	_, err := s.run(ctx, "trim journal", trimScript, []string{s.fence, s.journal}, token, before)
	return err
}
