package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignIsHMACOverTimestampDotBody(t *testing.T) {
	// a receiver in any language computes the same: the vector below is
	// HMAC-SHA256("secret", "1700000000.{}") as Python's hmac gives it
	got := Sign([]byte("secret"), "1700000000", []byte("{}"))
	assert.Equal(t, "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163", got)
	assert.Equal(t, got, Sign([]byte("secret"), "1700000000", []byte("{}")), "deterministic")
}

func TestVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"id":"abc","country":"KZ"}`)
	now := time.Unix(1700000000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign(secret, ts, body)
	flipped := bytes.Clone(body)
	flipped[3] ^= 1
	for _, c := range []struct {
		name      string
		secret    []byte
		ts, sig   string
		body      []byte
		now       time.Time
		tolerance time.Duration
		ok        bool
	}{
		{"good", secret, ts, sig, body, now, time.Minute, true},
		{"good, no time check", secret, ts, sig, body, now.Add(time.Hour), 0, true},
		{"other secret", []byte("other"), ts, sig, body, now, time.Minute, false},
		{"one byte of the body changed", secret, ts, sig, flipped, now, time.Minute, false},
		{"other timestamp", secret, "1700000001", sig, body, now, time.Minute, false},
		{"too old", secret, ts, sig, body, now.Add(2 * time.Minute), time.Minute, false},
		{"from the future", secret, ts, sig, body, now.Add(-2 * time.Minute), time.Minute, false},
		{"no prefix", secret, ts, sig[len("sha256="):], body, now, time.Minute, false},
		{"not hex", secret, ts, "sha256=zz", body, now, time.Minute, false},
		{"empty", secret, ts, "", body, now, time.Minute, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.secret, c.ts, c.sig, c.body, c.now, c.tolerance)
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrSignature)
			}
		})
	}
}

func TestVerifyRequest(t *testing.T) {
	secret, body := []byte("k"), []byte(`{"id":"x"}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, Sign(secret, ts, body))
	got, err := VerifyRequest(r, secret)
	require.NoError(t, err)
	assert.Equal(t, body, got)

	r = httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, Sign([]byte("wrong"), ts, body))
	_, err = VerifyRequest(r, secret)
	assert.ErrorIs(t, err, ErrSignature)
}

func TestBackoff(t *testing.T) {
	b := Backoff{Base: time.Second, Cap: 5 * time.Minute}
	for n, want := range map[int]time.Duration{
		0: time.Second, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 8: 128 * time.Second,
		9: 256 * time.Second, 10: 5 * time.Minute, 64: 5 * time.Minute, 1000: 5 * time.Minute,
	} {
		assert.Equal(t, want, b.Delay(n), "after attempt %d", n)
	}
	assert.Equal(t, 300*time.Millisecond, Backoff{Base: 100 * time.Millisecond, Cap: 300 * time.Millisecond}.Delay(3))
}
