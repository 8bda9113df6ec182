package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// An export is what one country's customs gets of the audit log: every
// entry that country may see (Sharing.Visible) in full, and of every
// other entry only a Stub (its seq, prev and hash), so that the chain from
// entry 1 to the head can be checked link by link without the withheld
// entries' content. It is JSON Lines, each line one object with one key:
//
//	{"header":{"format":"borderfleet-audit-export-v1","country":"KZ",...}}
//	{"entry":{"seq":1,...,"prev":"","hash":"5f3a…"}}
//	{"withheld":{"seq":2,"prev":"5f3a…","hash":"9c01…"}}
//	...
//	{"signature":"<base64 of the Ed25519 signature>"}
//
// The signature, by the deployment's key, is over the exact bytes of every
// line before it, newlines included; the header names the key (KeyID) and
// the head (last seq and hash). Every line must be exactly as
// WriteExport writes it, so there is one valid file for one export and any
// changed byte fails VerifyExport: in a signed line the signature breaks,
// in the signature line the signature's encoding or the signature itself.
//
// What a withheld entry's stub discloses: that an entry exists at that
// place, and its hash. The hash is a SHA-256 over the entry's whole
// canonical encoding (time, container, actor, detail, ...), so it does
// not reveal the content, but whoever can guess every field of a withheld
// entry can confirm the guess against it.

// ExportFormat is the format tag in an export's header.
const ExportFormat = "borderfleet-audit-export-v1"

// ExportAlgorithm is the signature algorithm an export names.
const ExportAlgorithm = "Ed25519"

// ExportHeader is an export's first line.
type ExportHeader struct {
	// Format is ExportFormat.
	Format string `json:"format"`
	// Country is the ISO 3166-1 alpha-2 code of the country it is for.
	Country string `json:"country"`
	// ExportedAt is when it was made (UTC).
	ExportedAt time.Time `json:"exported_at"`
	// HeadSeq and HeadHash are the last entry's (0 and "" for an empty
	// log): what the signature vouches was the log's head.
	HeadSeq  uint64 `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	// Shown and Withheld count the entries in full and the stubs.
	Shown    int `json:"shown"`
	Withheld int `json:"withheld"`
	// Algorithm is ExportAlgorithm; KeyID names the signing key (KeyID).
	Algorithm string `json:"alg"`
	KeyID     string `json:"key_id"`
}

// Stub is a withheld entry: only its place in the chain.
type Stub struct {
	Seq  uint64 `json:"seq"`
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// ExportSpec says what WriteExport makes.
type ExportSpec struct {
	// Country is the country the export is for.
	Country string
	// At is when it is made.
	At time.Time
	// Visible reports whether Country may see an entry (see Sharing).
	Visible func(Entry) bool
	// Key signs it.
	Key ed25519.PrivateKey
}

// WriteExport writes the export of a whole log (entries from Seq 1, in
// order) and returns its header. It refuses a log that does not verify
// (the *BrokenError of Verify): a signed export of a broken chain would
// vouch for a forgery.
func WriteExport(w io.Writer, spec ExportSpec, entries []Entry) (ExportHeader, error) {
	if len(spec.Key) != ed25519.PrivateKeySize {
		return ExportHeader{}, errors.New("audit: export: no signing key")
	}
	if !isCountry(spec.Country) {
		return ExportHeader{}, fmt.Errorf("audit: export: country %q: want an ISO 3166 alpha-2 code in capitals", spec.Country)
	}
	if err := Verify(entries); err != nil {
		return ExportHeader{}, fmt.Errorf("audit: export: %w", err)
	}
	h := ExportHeader{Format: ExportFormat, Country: spec.Country, ExportedAt: spec.At.UTC(),
		Algorithm: ExportAlgorithm, KeyID: KeyID(spec.Key.Public().(ed25519.PublicKey))}
	var lines [][]byte
	for _, e := range entries {
		var line []byte
		var err error
		if spec.Visible(e) {
			line, err = entryLine(e)
			h.Shown++
		} else {
			line, err = stubLine(Stub{Seq: e.Seq, Prev: e.Prev, Hash: e.Hash})
			h.Withheld++
		}
		if err != nil {
			return ExportHeader{}, err
		}
		lines = append(lines, line)
	}
	if n := len(entries); n > 0 {
		h.HeadSeq, h.HeadHash = entries[n-1].Seq, entries[n-1].Hash
	}
	head, err := headerLine(h)
	if err != nil {
		return ExportHeader{}, err
	}
	var body bytes.Buffer
	for _, l := range append([][]byte{head}, lines...) {
		body.Write(l)
		body.WriteByte('\n')
	}
	body.Write(signatureLine(ed25519.Sign(spec.Key, body.Bytes())))
	body.WriteByte('\n')
	if _, err := w.Write(body.Bytes()); err != nil {
		return ExportHeader{}, fmt.Errorf("audit: export: %w", err)
	}
	return h, nil
}

// The lines of an export, exactly as written.

func headerLine(h ExportHeader) ([]byte, error) { return keyed("header", h) }

func stubLine(s Stub) ([]byte, error) { return keyed("withheld", s) }

func entryLine(e Entry) ([]byte, error) {
	b, err := Encode(e)
	if err != nil {
		return nil, err
	}
	return wrap("entry", b), nil
}

func signatureLine(sig []byte) []byte {
	return []byte(`{"signature":"` + base64.StdEncoding.EncodeToString(sig) + `"}`)
}

func keyed(key string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: export: %s: %w", key, err)
	}
	return wrap(key, b), nil
}

func wrap(key string, b []byte) []byte {
	return append(append([]byte(`{"`+key+`":`), b...), '}')
}

// isCountry reports whether s is two capital letters.
func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
