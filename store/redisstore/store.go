package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/borderfleet/borderfleet/store"
)

// DefaultPrefix is the key prefix Open uses when the URL names none.
const DefaultPrefix = "borderfleet:"

// readPage is how many entries one XRANGE fetches when Read is asked for all.
const readPage = 1000

// field is the stream entry field that holds a record.
const field = "d"

// ErrUnreplicated is returned, with the index of the last record (or the
// new token), by an Append, AppendAudit or Acquire that fewer replicas than
// Options.WaitReplicas acknowledged in time. The write is on the primary and
// may or may not survive a failover: treat it as failed, not as done.
// It matches store.ErrNotDurable.
var ErrUnreplicated = fmt.Errorf("redisstore: write not acknowledged by enough replicas (%w)", store.ErrNotDurable)

// Options tunes a Store. The zero value is the default: no WAIT.
type Options struct {
	// WaitReplicas, if positive, makes every Append, AppendAudit and
	// Acquire wait for that many replicas to acknowledge it (Redis WAIT),
	// and fail with ErrUnreplicated if they do not in time; 0 does not
	// wait. Renew and Release do not wait: losing one in a failover only
	// moves the lease's expiry, and fencing keeps a single writer.
	WaitReplicas int
	// WaitTimeout bounds each WAIT; 0 means 100ms. Redis' own WAIT with 0
	// would block for ever, which this package never asks for. Keep it
	// below the client's read timeout.
	WaitTimeout time.Duration
}

// Validate reports options that make no sense.
func (o Options) Validate() error {
	if o.WaitReplicas < 0 {
		return fmt.Errorf("redisstore: WaitReplicas %d is negative", o.WaitReplicas)
	}
	if o.WaitTimeout < 0 {
		return fmt.Errorf("redisstore: WaitTimeout %v is negative", o.WaitTimeout)
	}
	return nil
}

func (o Options) waitTimeout() time.Duration {
	if o.WaitTimeout == 0 {
		return 100 * time.Millisecond
	}
	return o.WaitTimeout
}

// Store is a store.Store in Redis. It is safe for concurrent use.
type Store struct {
	client  redis.UniversalClient
	opts    Options
	journal string
	audit   string
	fence   string
	lease   string
	snaps   string
	archive string // sorted set: move ids by number
	moves   string // hash: archived moves by id
}

var _ store.Store = (*Store)(nil)

// New returns a Store over client whose keys all start with prefix, with
// default Options. Close closes client.
func New(client redis.UniversalClient, prefix string) *Store {
	return &Store{
		client:  client,
		journal: prefix + "journal",
		audit:   prefix + "audit",
		fence:   prefix + "fence",
		lease:   prefix + "lease",
		snaps:   prefix + "snapshots",
		archive: prefix + "archive",
		moves:   prefix + "archived",
	}
}

// NewWithOptions is New with opts, which it validates.
func NewWithOptions(client redis.UniversalClient, prefix string, opts Options) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := New(client, prefix)
	s.opts = opts
	return s, nil
}

// Append adds recs to the journal if token is current. See store.Store.
func (s *Store) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	return s.append(ctx, s.journal, token, recs)
}

// AppendAudit adds entries to the audit log if token is current. See
// store.Store.
func (s *Store) AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error) {
	return s.append(ctx, s.audit, token, entries)
}

// Read returns journal entries after index after. See store.Store.
func (s *Store) Read(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	return s.read(ctx, s.journal, after, limit)
}

// ReadAudit returns audit entries after index after. See store.Store.
func (s *Store) ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	return s.read(ctx, s.audit, after, limit)
}

func (s *Store) append(ctx context.Context, key string, token uint64, recs [][]byte) (uint64, error) {
	args := make([]any, 0, 2+len(recs))
	args = append(args, token, nonce())
	for _, r := range recs {
		args = append(args, r)
	}
	return s.run(ctx, "append", appendScript, []string{s.fence, key}, args...)
}

// run runs script and, with Options.WaitReplicas, WAITs on the same
// connection for that many replicas to have what it wrote. It returns the
// script's integer reply; with ErrUnreplicated when the replicas did not
// all acknowledge in time (the write is then on the primary only), or with
// another error when the WAIT could not be asked (the write's fate is then
// unknown).
func (s *Store) run(ctx context.Context, op string, script *redis.Script, keys []string, args ...any) (uint64, error) {
	if s.opts.WaitReplicas <= 0 {
		n, err := script.Run(ctx, s.client, keys, args...).Uint64()
		if err != nil {
			return 0, s.scriptErr(op, err)
		}
		return n, nil
	}
	// EVAL and WAIT in one pipeline, so that both use one connection:
	// WAIT waits for the writes of its own connection.
	var run *redis.Cmd
	var wait *redis.Cmd
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		run = script.Eval(ctx, p, keys, args...)
		wait = p.Do(ctx, "wait", s.opts.WaitReplicas, max(s.opts.waitTimeout().Milliseconds(), 1))
		return nil
	})
	n, rerr := run.Uint64()
	if rerr != nil {
		return 0, s.scriptErr(op, rerr)
	}
	if err != nil {
		return n, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	acked, err := wait.Int64()
	if err != nil {
		return n, fmt.Errorf("redisstore: %s: wait: %w", op, err)
	}
	if acked < int64(s.opts.WaitReplicas) {
		return n, fmt.Errorf("%w (%s): %d of %d", ErrUnreplicated, op, acked, s.opts.WaitReplicas)
	}
	return n, nil
}

// nonce returns a new random name for one append, which makes its retries
// harmless (see appendScript).
func nonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// scriptErr maps the scripts' error replies to the store's sentinels.
func (s *Store) scriptErr(op string, err error) error {
	// Redis puts the generic code ERR before a script's error reply.
	msg := strings.TrimPrefix(err.Error(), "ERR ")
	switch {
	case strings.HasPrefix(msg, replyFenced):
		return fmt.Errorf("redisstore: %s: %w", op, store.ErrFenced)
	case strings.HasPrefix(msg, replyHeld):
		return fmt.Errorf("redisstore: %s: %w", op, store.ErrHeld)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

func (s *Store) read(ctx context.Context, key string, after uint64, limit int) ([]store.Entry, error) {
	if limit < 0 {
		return nil, fmt.Errorf("redisstore: read: negative limit %d", limit)
	}
	var out []store.Entry
	for {
		page := readPage
		if limit > 0 {
			page = min(page, limit-len(out))
		}
		msgs, err := s.client.XRangeN(ctx, key, "("+strconv.FormatUint(after, 10)+"-0", "+", int64(page)).Result()
		if err != nil {
			return nil, fmt.Errorf("redisstore: read %s: %w", key, err)
		}
		for _, m := range msgs {
			e, err := entry(m)
			if err != nil {
				return nil, fmt.Errorf("redisstore: read %s: %w", key, err)
			}
			out = append(out, e)
			after = e.Index
		}
		if len(msgs) < page || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
	}
}

// entry decodes one stream message written by appendScript.
func entry(m redis.XMessage) (store.Entry, error) {
	idx, seq, ok := strings.Cut(m.ID, "-")
	if !ok || seq != "0" {
		return store.Entry{}, fmt.Errorf("unexpected stream id %q", m.ID)
	}
	n, err := strconv.ParseUint(idx, 10, 64)
	if err != nil {
		return store.Entry{}, fmt.Errorf("unexpected stream id %q", m.ID)
	}
	v, ok := m.Values[field].(string)
	if !ok {
		return store.Entry{}, fmt.Errorf("stream entry %s has no field %q", m.ID, field)
	}
	return store.Entry{Index: n, Data: []byte(v)}, nil
}

// Acquire takes the lease for owner. See store.Store. With
// Options.WaitReplicas the new token counts only once replicas have it: an
// Acquire they did not acknowledge returns the token with ErrUnreplicated,
// and the caller should not act on it (a later Acquire by the same owner
// hands out a newer one).
func (s *Store) Acquire(ctx context.Context, owner string, ttl time.Duration) (uint64, error) {
	ms, err := millis(ttl)
	if err != nil {
		return 0, err
	}
	return s.run(ctx, "acquire", acquireScript, []string{s.fence, s.lease}, owner, ms)
}

// Renew extends owner's lease. See store.Store.
func (s *Store) Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error {
	ms, err := millis(ttl)
	if err != nil {
		return err
	}
	if err := renewScript.Run(ctx, s.client, []string{s.fence, s.lease}, owner, token, ms).Err(); err != nil {
		return s.scriptErr("renew", err)
	}
	return nil
}

// Release gives the lease up and fences token. See store.Store.
func (s *Store) Release(ctx context.Context, owner string, token uint64) error {
	if err := releaseScript.Run(ctx, s.client, []string{s.fence, s.lease}, owner, token).Err(); err != nil {
		return s.scriptErr("release", err)
	}
	return nil
}

// Close closes the Redis client.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// millis converts a lease ttl to whole milliseconds, at least 1.
func millis(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("redisstore: lease ttl %v is not positive", ttl)
	}
	return max(ttl.Milliseconds(), 1), nil
}
