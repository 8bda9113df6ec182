package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	// HeaderSignature is "sha256=" and the lower-case hex HMAC-SHA256,
	// keyed with the subscriber's secret, of the timestamp header's value,
	// a ".", and the body, byte for byte.
	HeaderSignature = "X-Borderfleet-Signature"
	// HeaderTimestamp is when the request was signed, in Unix seconds
	// (each attempt is signed afresh; the body stays the same).
	HeaderTimestamp = "X-Borderfleet-Timestamp"
	// HeaderIdempotencyKey is the same for every attempt to deliver one
	// entry to one subscriber: the entry's hash. A receiver that has seen
	// a key has seen the entry.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderEvent is the entry's event (created, at_gate, ...), for
	// routing without parsing the body.
	HeaderEvent = "X-Borderfleet-Event"
)

// DefaultTolerance is how far a request's timestamp may be from the
// receiver's clock for VerifyRequest.
const DefaultTolerance = 5 * time.Minute

// ErrSignature is matched (errors.Is) by every error of Verify.
var ErrSignature = errors.New("webhook: bad signature")

// Sign returns the signature header's value for a body signed at
// timestamp (the timestamp header's value, Unix seconds in decimal).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a delivery: signature is the X-Borderfleet-Signature
// header, timestamp the X-Borderfleet-Timestamp header, body the request
// body as received. It fails if the signature is not Sign's over them
// (compared in constant time), or if the timestamp is more than
// tolerance from now (a replayed old request); tolerance 0 skips the
// time check.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	hexSig, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return fmt.Errorf("%w: want sha256=<hex>", ErrSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, body), "sha256="))
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: does not match", ErrSignature)
	}
	if tolerance > 0 {
		sec, err := strconv.ParseInt(timestamp, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: timestamp %q: %v", ErrSignature, timestamp, err)
		}
		if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
			return fmt.Errorf("%w: timestamp %s is %v from now", ErrSignature, timestamp, d.Round(time.Second))
		}
	}
	return nil
}

// VerifyRequest reads a delivery's body (at most 1 MiB) and verifies it
// with Verify against the current time and DefaultTolerance. It returns
// the body, to be decoded only when the error is nil.
func VerifyRequest(r *http.Request, secret []byte) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("webhook: reading the body: %w", err)
	}
	err = Verify(secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), DefaultTolerance)
	return body, err
}
