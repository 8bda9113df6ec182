package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"
)

// Entry is one link of the chain of custody.
type Entry struct {
	// Seq is the entry's position in the log, from 1.
	Seq uint64 `json:"seq"`
	// At is when it happened (kept in UTC).
	At time.Time `json:"at"`
	// Container is the ISO 6346 number of the container.
	Container string `json:"container"`
	// Move is the ID of the move that carries it.
	Move string `json:"move"`
	// Event is what happened, in lower case: created, assigned, picked,
	// at_gate, released, inspection, refused, delivered, returned,
	// cancelled, failed, ...
	Event string `json:"event"`
	// Actor is who did it: "operator", "officer <id> (KZ)", "shuttle <id>",
	// "fleetd".
	Actor string `json:"actor"`
	// Shuttle is the shuttle involved, if any.
	Shuttle string `json:"shuttle,omitempty"`
	// Bay is the bay involved, if any.
	Bay string `json:"bay,omitempty"`
	// Checkpoint is the customs checkpoint involved, if any.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Detail is free text: a reason, a note.
	Detail string `json:"detail,omitempty"`
	// Input is the journal index of the input that caused the entry.
	Input uint64 `json:"input"`
	// Prev is the Hash of the entry before, "" for the first.
	Prev string `json:"prev"`
	// Hash is the lower-case hex SHA-256 of Canonical(entry).
	Hash string `json:"hash"`
}

// canonicalTag starts every canonical encoding; a new encoding gets a new
// tag.
const canonicalTag = "borderfleet-audit-v1\n"

// Canonical returns the bytes Hash is computed over: the line
// "borderfleet-audit-v1", then for each field but Hash, in the order seq,
// at, container, move, event, actor, shuttle, bay, checkpoint, detail,
// input, prev, one line "<n>:<text>", where text is the field's value and n
// its length in bytes, in decimal. Numbers are in decimal without leading
// zeros; at is At in UTC in RFC 3339 with nanoseconds and no trailing zeros
// (Go's time.RFC3339Nano); strings are their bytes as they are. Every line
// ends in "\n". The length prefix makes the encoding unambiguous whatever
// the strings hold.
func Canonical(e Entry) []byte {
	fields := [...]string{
		strconv.FormatUint(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		e.Container,
		e.Move,
		e.Event,
		e.Actor,
		e.Shuttle,
		e.Bay,
		e.Checkpoint,
		e.Detail,
		strconv.FormatUint(e.Input, 10),
		e.Prev,
	}
	b := []byte(canonicalTag)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, '\n')
	}
	return b
}

// HashOf returns the hash e should carry: the lower-case hex SHA-256 of
// Canonical(e). It ignores e.Hash.
func HashOf(e Entry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// Chain links e after prev: it sets e.Seq to prev.Seq+1 (1 when prev is
// nil), e.Prev to prev.Hash ("" when prev is nil), e.At to UTC, and e.Hash,
// and returns e. It replaces each byte of a string field that is not valid
// UTF-8 with U+FFFD, as JSON would, so that the entry survives Encode and
// Decode unchanged.
func Chain(prev *Entry, e Entry) Entry {
	e.Seq, e.Prev = 1, ""
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
	}
	e.At = e.At.UTC()
	for _, f := range []*string{&e.Container, &e.Move, &e.Event, &e.Actor, &e.Shuttle, &e.Bay, &e.Checkpoint, &e.Detail} {
		*f = validUTF8(*f)
	}
	e.Hash = HashOf(e)
	return e
}
