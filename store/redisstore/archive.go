package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/borderfleet/borderfleet/store"
)

// The archive of moves is a sorted set (key prefix+"archive": each move's
// id, scored by its number) and a hash (key prefix+"archived": each
// move's bytes by its id). Numbers are exact as scores up to 2^53.

// putArchivedScript, if ARGV[1] is the value of the fence KEYS[1], adds
// each triple of ARGV[2..] (number, id, bytes) to the sorted set KEYS[2]
// and the hash KEYS[3].
var putArchivedScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED')
end
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i+1])
  redis.call('HSET', KEYS[3], ARGV[i+1], ARGV[i+2])
end
return (#ARGV - 1) / 3
`)

// maxNum is the largest move number a score holds exactly.
const maxNum = 1 << 53

// PutArchived keeps moves in the archive if token is current. See
// store.Store.
func (s *Store) PutArchived(ctx context.Context, token uint64, moves ...store.Archived) error {
	args := make([]any, 0, 1+3*len(moves))
	args = append(args, token)
	for _, m := range moves {
		if m.Num == 0 || m.Num > maxNum || m.ID == "" {
			return fmt.Errorf("redisstore: put archived: move %q of number %d: want an id and a number from 1 to 2^53", m.ID, m.Num)
		}
		args = append(args, m.Num, m.ID, m.Data)
	}
	_, err := s.run(ctx, "put archived", putArchivedScript, []string{s.fence, s.archive, s.moves}, args...)
	return err
}

// ArchivedMove returns the archived move of an id. See store.Store.
func (s *Store) ArchivedMove(ctx context.Context, id string) (store.Archived, error) {
	var data *redis.StringCmd
	var score *redis.FloatCmd
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		data = p.HGet(ctx, s.moves, id)
		score = p.ZScore(ctx, s.archive, id)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return store.Archived{}, fmt.Errorf("redisstore: archived move %q: %w", id, store.ErrNotArchived)
	}
	if err != nil {
		return store.Archived{}, fmt.Errorf("redisstore: archived move %q: %w", id, err)
	}
	b, err := data.Bytes()
	if err != nil {
		return store.Archived{}, fmt.Errorf("redisstore: archived move %q: %w", id, err)
	}
	return store.Archived{Num: uint64(score.Val()), ID: id, Data: b}, nil
}

// ListArchived returns archived moves below a number, highest first. See
// store.Store.
func (s *Store) ListArchived(ctx context.Context, before uint64, limit int) ([]store.Archived, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("redisstore: list archived: limit %d: want 1 or more", limit)
	}
	maxScore := "+inf"
	if before > 0 {
		maxScore = "(" + strconv.FormatUint(before, 10)
	}
	zs, err := s.client.ZRevRangeByScoreWithScores(ctx, s.archive, &redis.ZRangeBy{Max: maxScore, Min: "-inf", Count: int64(limit)}).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list archived: %w", err)
	}
	out := make([]store.Archived, 0, len(zs))
	if len(zs) == 0 {
		return out, nil
	}
	ids := make([]string, len(zs))
	for i, z := range zs {
		ids[i] = z.Member.(string)
	}
	vals, err := s.client.HMGet(ctx, s.moves, ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list archived: %w", err)
	}
	for i, z := range zs {
		v, ok := vals[i].(string)
		if !ok {
			return nil, fmt.Errorf("redisstore: list archived: move %q has a number and no bytes", ids[i])
		}
		out = append(out, store.Archived{Num: uint64(z.Score), ID: ids[i], Data: []byte(v)})
	}
	return out, nil
}
