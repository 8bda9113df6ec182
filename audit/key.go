package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrKey is matched (errors.Is) by every error of the key parsers.
var ErrKey = errors.New("audit: bad key")

// KeyID names a public key in exports and messages: the first 8 bytes of
// the SHA-256 of its 32 raw bytes, in lower-case hex (16 digits).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// NewKey makes a deployment's signing key.
func NewKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit: making a key: %w", err)
	}
	return priv, nil
}

// MarshalPrivateKey encodes a signing key as PKCS#8 in PEM ("PRIVATE
// KEY"), as `openssl genpkey -algorithm ed25519` writes it.
func MarshalPrivateKey(k ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("audit: encoding the key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads an Ed25519 signing key in PKCS#8 PEM.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%w: no PEM block (want an Ed25519 PKCS#8 \"PRIVATE KEY\")", ErrKey)
	}
	if blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: PEM block %q, want \"PRIVATE KEY\" (Ed25519, PKCS#8)", ErrKey, blk.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: a %T, want Ed25519", ErrKey, k)
	}
	return priv, nil
}

// MarshalPublicKey encodes a public key as PKIX in PEM ("PUBLIC KEY").
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("audit: encoding the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// EncodePublicKey is a public key as text: the standard base64 of its 32
// raw bytes.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads an Ed25519 public key given either as PKIX PEM
// ("PUBLIC KEY") or as the standard base64 of its 32 raw bytes
// (EncodePublicKey); surrounding white space is ignored.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("-----BEGIN")) {
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("%w: want a PEM \"PUBLIC KEY\" block", ErrKey)
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: a %T, want Ed25519", ErrKey, k)
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w: not PEM and not base64: %w", ErrKey, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %d bytes, an Ed25519 public key has %d", ErrKey, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}
