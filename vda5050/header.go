package vda5050

import (
	"errors"
	"sort"
	"sync"
	"time"
)

// Version is the protocol version this package speaks, sent in every header.
const Version = "2.0.0"

// MajorVersion is the major version as it appears in MQTT topics.
const MajorVersion = "v2"

// DefaultInterface is the interface name used in topics when none is given.
const DefaultInterface = "uagv"

// Header is the header common to all VDA 5050 messages. Message types embed
// it so that its fields appear at the top level of the JSON object.
type Header struct {
	// HeaderID counts the messages sent on one topic by one sender, +1 per message.
	HeaderID uint32 `json:"headerId"`
	// Timestamp is the send time, ISO 8601 in UTC (see Timestamp).
	Timestamp string `json:"timestamp"`
	// Version is the protocol version, "2.0.0".
	Version string `json:"version"`
	// Manufacturer is the vehicle's manufacturer.
	Manufacturer string `json:"manufacturer"`
	// SerialNumber is the vehicle's serial number.
	SerialNumber string `json:"serialNumber"`
}

// timestampLayout is ISO 8601 in UTC with milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// Timestamp formats t as an ISO 8601 UTC timestamp with milliseconds, as
// VDA 5050 headers carry it, e.g. "2026-11-22T03:40:03.120Z".
func Timestamp(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(timestampLayout)
	}
	// by hand, as Format does it for this layout: every message is stamped
	hour, minute, sec := t.Clock()
	var b [len(timestampLayout)]byte
	put := func(i, n, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond()/1e6, 3)
	b[23] = 'Z'
	return string(b[:])
}

// rfc3339 is the strict form of an RFC 3339 date-time (time.Parse alone
// accepts e.g. one-digit hours).
// It is matched by hand (rfc3339Form): a regular expression was a good
// part of checking a message. The test holds the expression.
const rfc3339 = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`

// rfc3339Form tells whether s matches rfc3339.
func rfc3339Form(s string) bool {
	const fixed = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(fixed)+1 {
		return false
	}
	for i := range len(fixed) {
		if c := s[i]; fixed[i] == 'd' && !isDigit(c) || fixed[i] != 'd' && c != fixed[i] {
			return false
		}
	}
	i := len(fixed)
	if s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	switch rest := s[i:]; {
	case rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		return isDigit(rest[1]) && isDigit(rest[2]) && isDigit(rest[4]) && isDigit(rest[5])
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ParseTimestamp parses a header timestamp: an RFC 3339 date-time (the
// ISO 8601 profile the schemas call "date-time") with upper-case T and Z,
// with or without fractional seconds.
func ParseTimestamp(s string) (time.Time, error) {
	if !rfc3339Form(s) {
		return time.Time{}, errors.New("vda5050: timestamp not in RFC 3339 form YYYY-MM-DDTHH:MM:SS[.fff]Z")
	}
	if t, ok := parseStamp(s); ok {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// parseStamp parses the form Timestamp makes, which every message
// carries, without time.Parse: ok is false for another form, and for a
// date or time out of range, which time.Parse then refuses with its
// error.
func parseStamp(s string) (time.Time, bool) {
	if len(s) != len(timestampLayout) || s[19] != '.' || s[23] != 'Z' || !isDigit(s[20]) || !isDigit(s[21]) || !isDigit(s[22]) {
		return time.Time{}, false
	}
	num := func(i, width int) int {
		n := 0
		for _, c := range []byte(s[i : i+width]) {
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec, ms := num(11, 2), num(14, 2), num(17, 2), num(20, 3)
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, ms*1e6, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // as 2026-02-30
	}
	return t, true
}

// Headers hands out header ids: one counter per topic and vehicle
// (manufacturer, serial number). The zero value is ready to use and it is
// safe for concurrent use.
type Headers struct {
	mu   sync.Mutex
	next map[headerKey]*uint32
	// the counter of the last key stamped: a vehicle stamps mostly
	// states, one after another
	last  headerKey
	lastN *uint32
}

type headerKey struct {
	manufacturer, serial string
	topic                Topic
}

// Stamp fills hdr for a message on topic t to or from the vehicle
// (manufacturer, serial) sent at now: the next header id of that topic and
// vehicle (the first is 0, then +1 per call, wrapping at 2^32), the
// timestamp, the protocol version, the manufacturer and the serial number.
func (h *Headers) Stamp(hdr *Header, manufacturer, serial string, t Topic, now time.Time) {
	k := headerKey{manufacturer, serial, t}
	h.mu.Lock()
	n := h.lastN
	if n == nil || h.last != k {
		if h.next == nil {
			h.next = make(map[headerKey]*uint32)
		}
		if n = h.next[k]; n == nil {
			n = new(uint32)
			h.next[k] = n
		}
		h.last, h.lastN = k, n
	}
	id := *n
	*n = id + 1
	h.mu.Unlock()
	*hdr = Header{
		HeaderID:     id,
		Timestamp:    Timestamp(now),
		Version:      Version,
		Manufacturer: manufacturer,
		SerialNumber: serial,
	}
}

// HeaderCount is the next header id of one topic of one vehicle, as
// Headers.Counts exports it.
type HeaderCount struct {
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serialNumber"`
	Topic        Topic  `json:"topic"`
	Next         uint32 `json:"next"`
}

// Counts exports the next header id of every topic and vehicle stamped
// so far, sorted, for a snapshot.
func (h *Headers) Counts() []HeaderCount {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]HeaderCount, 0, len(h.next))
	for k, n := range h.next {
		out = append(out, HeaderCount{Manufacturer: k.manufacturer, SerialNumber: k.serial, Topic: k.topic, Next: *n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Manufacturer != b.Manufacturer {
			return a.Manufacturer < b.Manufacturer
		}
		if a.SerialNumber != b.SerialNumber {
			return a.SerialNumber < b.SerialNumber
		}
		return a.Topic < b.Topic
	})
	return out
}

// SetCounts sets the counters to what Counts exported: every other
// starts again at 0.
func (h *Headers) SetCounts(cs []HeaderCount) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next = make(map[headerKey]*uint32, len(cs))
	h.last, h.lastN = headerKey{}, nil
	for _, c := range cs {
		n := c.Next
		h.next[headerKey{c.Manufacturer, c.SerialNumber, c.Topic}] = &n
	}
}
