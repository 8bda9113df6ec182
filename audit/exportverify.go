package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrExport is matched (errors.Is) by every error of VerifyExport.
var ErrExport = errors.New("audit: export invalid")

// ExportError says where an export fails and why.
type ExportError struct {
	// Line is the line at fault, from 1 (0: the file as a whole).
	Line int
	// Seq is the entry that line holds or should hold, if any.
	Seq uint64
	// Reason says what is wrong.
	Reason string
}

// Error names the line, the entry and the reason.
func (e *ExportError) Error() string {
	switch {
	case e.Line == 0:
		return "audit: export invalid: " + e.Reason
	case e.Seq == 0:
		return fmt.Sprintf("audit: export invalid at line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("audit: export invalid at line %d (entry %d): %s", e.Line, e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrExport) true.
func (e *ExportError) Is(target error) bool { return target == ErrExport }

// Export is a verified export.
type Export struct {
	Header ExportHeader
	// Shown are the entries in full, Withheld the stubs, each in order.
	Shown    []Entry
	Withheld []Stub
}

// VerifyExport checks an export, the whole file as it came, against the
// deployment's public key, and returns what it holds. It checks that
// every line is exactly as WriteExport writes it; that the header names
// the format, a country and pub's key id; that the entries and stubs run
// from Seq 1 without a gap, each linking to the one before (Prev) and
// each full entry hashing to its Hash; that the last is the header's
// head and the counts are the header's; that the last line is a
// signature by pub over every byte before it, and nothing follows it. The
// first failure is returned as an *ExportError.
func VerifyExport(data []byte, pub ed25519.PublicKey) (*Export, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, &ExportError{Reason: "no public key"}
	}
	x, signed, sig, err := readExport(data, KeyID(pub))
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(pub, signed, sig) {
		return nil, &ExportError{Line: len(x.Shown) + len(x.Withheld) + 2,
			Reason: fmt.Sprintf("the signature by key %s does not match the lines before it: they were changed after signing", x.Header.KeyID)}
	}
	return x, nil
}

// readExport is VerifyExport but for the signature itself: it returns
// the export, the bytes signed and the signature.
func readExport(data []byte, keyID string) (_ *Export, signed, sig []byte, _ error) {
	fail := func(line int, seq uint64, format string, a ...any) (*Export, []byte, []byte, error) {
		return nil, nil, nil, &ExportError{Line: line, Seq: seq, Reason: fmt.Sprintf(format, a...)}
	}
	switch {
	case len(data) == 0:
		return fail(0, 0, "the file is empty")
	case data[len(data)-1] != '\n':
		return fail(bytes.Count(data, []byte("\n"))+1, 0, "the file does not end with a newline: it is cut short, or was changed")
	}
	lines := bytes.Split(data[:len(data)-1], []byte("\n"))
	last := len(lines) // the signature's line number
	if last < 2 {
		return fail(0, 0, "want a header line and a signature line at least, got %d line(s)", last)
	}
	sig, err := parseSignature(lines[last-1])
	if err != nil {
		return fail(last, 0, "%v", err)
	}
	h, err := parseHeader(lines[0])
	if err != nil {
		return fail(1, 0, "%v", err)
	}
	if h.KeyID != keyID {
		return fail(1, 0, "signed with key %s, but the key given is %s", h.KeyID, keyID)
	}
	x := &Export{Header: h}
	prev := ""
	for i, l := range lines[1 : last-1] {
		n, seq := i+2, uint64(i+1)
		s, e, shown, err := parseBody(l)
		if err != nil {
			return fail(n, seq, "%s", strings.TrimPrefix(err.Error(), "audit: "))
		}
		switch {
		case s.Seq != seq:
			return fail(n, seq, "seq %d, want %d (entries from 1 without a gap)", s.Seq, seq)
		case s.Prev != prev:
			return fail(n, seq, "prev %s does not link to the hash of entry %d (%s)", short(s.Prev), seq-1, short(prev))
		case shown && HashOf(e) != e.Hash:
			return fail(n, seq, "hash %s does not match the entry's content", short(e.Hash))
		}
		if shown {
			x.Shown = append(x.Shown, e)
		} else {
			x.Withheld = append(x.Withheld, s)
		}
		prev = s.Hash
	}
	headSeq := uint64(last - 2)
	switch {
	case h.HeadSeq != headSeq:
		return fail(1, 0, "head seq %d, but the file holds %d entries", h.HeadSeq, headSeq)
	case h.HeadHash != prev:
		return fail(1, 0, "head hash %s, but the last entry's is %s", short(h.HeadHash), short(prev))
	case h.Shown != len(x.Shown) || h.Withheld != len(x.Withheld):
		return fail(1, 0, "%d shown and %d withheld, but the file holds %d and %d", h.Shown, h.Withheld, len(x.Shown), len(x.Withheld))
	}
	return x, data[:len(data)-len(lines[last-1])-1], sig, nil
}

// parseSignature reads a signature line.
func parseSignature(l []byte) ([]byte, error) {
	const pre, post = `{"signature":"`, `"}`
	if !bytes.HasPrefix(l, []byte(pre)) || !bytes.HasSuffix(l, []byte(post)) || len(l) < len(pre)+len(post) {
		return nil, errors.New("the last line is not a signature: the file is cut short, or not an export")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(l[len(pre) : len(l)-len(post)]))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errors.New("the signature is not the base64 of an Ed25519 signature")
	}
	if !bytes.Equal(signatureLine(sig), l) {
		return nil, errors.New("the signature line is not as an export writes it")
	}
	return sig, nil
}

// parseHeader reads the header line.
func parseHeader(l []byte) (ExportHeader, error) {
	var h ExportHeader
	raw, err := unwrap(l, "header")
	if err != nil {
		return h, err
	}
	if err := strict(raw, &h); err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	switch {
	case h.Format != ExportFormat:
		return h, fmt.Errorf("format %q, want %q", h.Format, ExportFormat)
	case h.Algorithm != ExportAlgorithm:
		return h, fmt.Errorf("algorithm %q, want %q", h.Algorithm, ExportAlgorithm)
	case !isCountry(h.Country):
		return h, fmt.Errorf("country %q: want an ISO 3166 alpha-2 code in capitals", h.Country)
	}
	if again, err := headerLine(h); err != nil || !bytes.Equal(again, l) {
		return h, errors.New("the header is not as an export writes it")
	}
	return h, nil
}

// parseBody reads an entry or stub line; for an entry, s is its stub.
func parseBody(l []byte) (s Stub, e Entry, shown bool, err error) {
	if raw, err := unwrap(l, "entry"); err == nil {
		e, err := Decode(raw)
		if err != nil {
			return s, e, false, err
		}
		if again, err := entryLine(e); err != nil || !bytes.Equal(again, l) {
			return s, e, false, errors.New("the entry is not as an export writes it")
		}
		return Stub{Seq: e.Seq, Prev: e.Prev, Hash: e.Hash}, e, true, nil
	}
	raw, err := unwrap(l, "withheld")
	if err != nil {
		return s, e, false, errors.New(`want an "entry" or a "withheld" line`)
	}
	if err := strict(raw, &s); err != nil {
		return s, e, false, fmt.Errorf("withheld: %w", err)
	}
	if !isHash(s.Hash) || (s.Prev != "" && !isHash(s.Prev)) {
		return s, e, false, errors.New("withheld: prev and hash must be lower-case hex SHA-256")
	}
	if again, err := stubLine(s); err != nil || !bytes.Equal(again, l) {
		return s, e, false, errors.New("the withheld entry is not as an export writes it")
	}
	return s, e, false, nil
}

// unwrap returns the value of a line that is an object with the one key.
func unwrap(l []byte, key string) ([]byte, error) {
	pre := `{"` + key + `":`
	if !bytes.HasPrefix(l, []byte(pre)) || !bytes.HasSuffix(l, []byte("}")) || len(l) < len(pre)+1 {
		return nil, fmt.Errorf("not a %q line", key)
	}
	return l[len(pre) : len(l)-1], nil
}

// strict decodes one JSON object into v, refusing unknown fields and
// anything after it.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the object")
	}
	return nil
}
