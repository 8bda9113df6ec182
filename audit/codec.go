package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// ErrDecode is matched (errors.Is) by every error of Decode.
var ErrDecode = errors.New("audit: bad entry")

// Encode returns e as one line of JSON (without the newline), with At in
// UTC.
func Encode(e Entry) ([]byte, error) {
	e.At = e.At.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	return b, nil
}

// wire is Entry as Decode reads it: pointers tell the required fields that
// are missing from those that are zero.
type wire struct {
	Seq        *uint64    `json:"seq"`
	At         *time.Time `json:"at"`
	Container  *string    `json:"container"`
	Move       *string    `json:"move"`
	Event      *string    `json:"event"`
	Actor      *string    `json:"actor"`
	Shuttle    string     `json:"shuttle"`
	Bay        string     `json:"bay"`
	Checkpoint string     `json:"checkpoint"`
	Detail     string     `json:"detail"`
	Input      *uint64    `json:"input"`
	Prev       *string    `json:"prev"`
	Hash       *string    `json:"hash"`
}

// fields are the JSON names of Entry, as Encode writes them.
var fields = [...]string{"seq", "at", "container", "move", "event", "actor", "shuttle", "bay", "checkpoint", "detail", "input", "prev", "hash"}

// Decode reads one entry as Encode writes it, strictly: one JSON object with
// no unknown or repeated fields (names match exactly, not in any case) and
// nothing after it, every field present that Encode always writes, Seq at
// least 1, Container, Event and Actor not empty, Hash a SHA-256 in
// lower-case hex and Prev one too (or empty when Seq is 1). Whether the
// hashes are right is Verify's business.
func Decode(b []byte) (Entry, error) {
	if err := checkKeys(b); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	missing := func(name string) (Entry, error) {
		return Entry{}, fmt.Errorf("%w: no %s", ErrDecode, name)
	}
	switch {
	case w.Seq == nil:
		return missing("seq")
	case w.At == nil:
		return missing("at")
	case w.Container == nil:
		return missing("container")
	case w.Move == nil:
		return missing("move")
	case w.Event == nil:
		return missing("event")
	case w.Actor == nil:
		return missing("actor")
	case w.Input == nil:
		return missing("input")
	case w.Prev == nil:
		return missing("prev")
	case w.Hash == nil:
		return missing("hash")
	}
	e := Entry{
		Seq: *w.Seq, At: w.At.UTC(), Container: *w.Container, Move: *w.Move, Event: *w.Event, Actor: *w.Actor,
		Shuttle: w.Shuttle, Bay: w.Bay, Checkpoint: w.Checkpoint, Detail: w.Detail,
		Input: *w.Input, Prev: *w.Prev, Hash: *w.Hash,
	}
	if err := check(e); err != nil {
		return Entry{}, fmt.Errorf("%w: entry %d: %w", ErrDecode, e.Seq, err)
	}
	return e, nil
}

// checkKeys checks that b is one JSON object, with nothing after it, whose
// keys are names of fields, each at most once.
func checkKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		if !slices.Contains(fields[:], k) {
			return fmt.Errorf("unknown field %q", k)
		}
		if seen[k] {
			return fmt.Errorf("field %q twice", k)
		}
		seen[k] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the entry")
	}
	return nil
}

// check validates what Decode promises beyond the JSON's shape.
func check(e Entry) error {
	switch {
	case e.Seq == 0:
		return errors.New("seq 0")
	case e.Container == "":
		return errors.New("empty container")
	case e.Event == "":
		return errors.New("empty event")
	case e.Actor == "":
		return errors.New("empty actor")
	case !isHash(e.Hash):
		return fmt.Errorf("hash %q is not a lower-case hex SHA-256", e.Hash)
	case e.Seq == 1 && e.Prev != "":
		return fmt.Errorf("the first entry has prev %q", e.Prev)
	case e.Seq > 1 && !isHash(e.Prev):
		return fmt.Errorf("prev %q is not a lower-case hex SHA-256", e.Prev)
	}
	return nil
}

// isHash reports whether s is 64 lower-case hex digits.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
