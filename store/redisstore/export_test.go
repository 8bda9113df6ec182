package redisstore

import "context"

// AppendNonce is Append with the nonce given, as a client's retry of one
// call sends it again.
func AppendNonce(ctx context.Context, s *Store, token uint64, nonce string, recs ...[]byte) (uint64, error) {
	args := []any{token, nonce}
	for _, r := range recs {
		args = append(args, r)
	}
	return s.run(ctx, "append", appendScript, []string{s.fence, s.journal}, args...)
}
