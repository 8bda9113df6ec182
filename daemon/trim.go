package daemon

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
)

// trimStateFast is trimState for a state as vehicles send it: a JSON
// object whose keys are plain (printable ASCII that JSON writes as it is,
// no escapes) and given once. It makes the same bytes as trimStateMap in
// one pass over the object and without decoding it: the members are
// written sorted by key, as json.Marshal writes a map, each value
// compacted and HTML-escaped as json.Marshal writes a json.RawMessage
// (values that need neither, most, are copied). ok is false for anything
// else, which trimStateMap then handles.
//
// It runs on every state fleetd receives; trimStateMap decoded each into
// a map and encoded it two or three times, which was the largest part of
// fleetd's work.
func trimStateFast(payload []byte) (trimmed []byte, digest string, ok bool) {
	if !json.Valid(payload) {
		return nil, "", false
	}
	return trimValid(payload, true)
}

// trimChecked is trimState's trimmed bytes for a state that passed the
// check (valid JSON, decoded): without the digest, which the decoded
// state gives (stateDigest), and without checking the bytes again. ok is
// false where trimState's is: the state is journaled as it came.
func trimChecked(payload []byte) ([]byte, bool) {
	if t, _, ok := trimValid(payload, false); ok {
		return t, true
	}
	t, _, ok := trimStateMap(payload)
	return t, ok
}

// trimValid is trimStateFast for valid JSON; with digest false it makes
// no digest.
func trimValid(payload []byte, digest bool) (trimmed []byte, dg string, ok bool) {
	ms, ok := members(payload)
	if !ok {
		return nil, "", false
	}
	slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	for i := 1; i < len(ms); i++ {
		if ms[i].key == ms[i-1].key {
			return nil, "", false // the last one counts: trimStateMap knows which
		}
	}
	var t, d bytes.Buffer
	t.Grow(len(payload))
	if digest {
		d.Grow(len(payload))
	}
	t.WriteByte('{')
	d.WriteByte('{')
	for _, m := range ms {
		switch m.key {
		case "velocity", "distanceSinceLastNode", "information":
			continue
		}
		val := m.val
		if m.key == "nodeStates" || m.key == "edgeStates" {
			if first, more := firstOfMany(val); more {
				val = append(append([]byte{'['}, first...), ']')
			}
		}
		var err error
		if val, err = marshalled(val); err != nil {
			return nil, "", false
		}
		put(&t, m.key, val)
		if !digest {
			continue
		}
		switch m.key {
		case "headerId", "timestamp", "agvPosition":
			continue
		case "batteryState":
			if val, ok = roundedBattery(val); !ok {
				return nil, "", false
			}
		}
		put(&d, m.key, val)
	}
	t.WriteByte('}')
	if !digest {
		return t.Bytes(), "", true
	}
	d.WriteByte('}')
	return t.Bytes(), d.String(), true
}

// member is a key of a JSON object and its value's bytes.
type member struct {
	key string
	val []byte
}

// members splits valid JSON that is an object into its members; ok is
// false for another value, or a key that is not plain.
func members(b []byte) ([]member, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	var out []member
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return out, true
	}
	for {
		i = skipSpace(b, i)
		if b[i] != '"' {
			return nil, false
		}
		start := i + 1
		for i = start; b[i] != '"'; i++ {
			if c := b[i]; c < 0x20 || c > 0x7e || c == '\\' || c == '<' || c == '>' || c == '&' {
				return nil, false // written otherwise by json.Marshal, or escaped
			}
		}
		key := string(b[start:i])
		i = skipSpace(b, i+1) + 1 // :
		i = skipSpace(b, i)
		end := skipValue(b, i)
		out = append(out, member{key, b[i:end]})
		i = skipSpace(b, end)
		if b[i] == '}' {
			return out, true
		}
		i++ // ,
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue is the end of the valid JSON value that starts at i.
func skipValue(b []byte, i int) int {
	depth := 0
	for {
		switch b[i] {
		case '"':
			for i++; b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		default:
			if depth == 0 {
				for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
					i++
				}
				return i
			}
		}
		i++
		if depth == 0 {
			return i
		}
	}
}

// firstOfMany is the first element of a JSON array of more than one,
// more false for another value.
func firstOfMany(v []byte) (first []byte, more bool) {
	if v[0] != '[' {
		return nil, false
	}
	i := skipSpace(v, 1)
	if v[i] == ']' {
		return nil, false
	}
	end := skipValue(v, i)
	j := skipSpace(v, end)
	if v[j] != ',' {
		return nil, false
	}
	return v[i:end], true
}

// marshalled is v as json.Marshal writes a json.RawMessage: compacted,
// with <, > and & (and U+2028, U+2029) escaped in strings.
func marshalled(v []byte) ([]byte, error) {
	if !bytes.ContainsAny(v, " \t\r\n<>&\u2028\u2029") {
		return v, nil
	}
	var c, h bytes.Buffer
	if err := json.Compact(&c, v); err != nil {
		return nil, err
	}
	json.HTMLEscape(&h, c.Bytes())
	return h.Bytes(), nil
}

// roundedBattery is a batteryState with its batteryCharge rounded to a
// tenth, as trimStateMap writes it for the digest.
func roundedBattery(v []byte) ([]byte, bool) {
	var b map[string]any
	if json.Unmarshal(v, &b) != nil {
		return v, true
	}
	if c, isNum := b["batteryCharge"].(float64); isNum {
		b["batteryCharge"] = math.Round(c*10) / 10
	}
	out, err := json.Marshal(b)
	return out, err == nil
}

// put writes "key":val after what buf holds.
func put(buf *bytes.Buffer, key string, val []byte) {
	if buf.Len() > 1 {
		buf.WriteByte(',')
	}
	buf.WriteByte('"')
	buf.WriteString(key)
	buf.WriteString(`":`)
	buf.Write(val)
}
