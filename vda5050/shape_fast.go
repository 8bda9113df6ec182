package vda5050

import (
	"reflect"
	"strconv"
)

// shapeOK is checkShape's answer for a message that has nothing to say,
// in one pass over the bytes without maps, paths or copies: true only if
// checkShape of the whole of b against t would record no problem and no
// ignored key. It is conservative: whatever it does not take at once (a
// problem, a key the type does not have, a key written with escapes or
// twice, more than 64 keys of a type) makes it false, and checkShape
// then says what it has to say. b must be valid JSON (json.Valid).
//
// Every state, order and instant action is read (Read), and checkShape,
// which unmarshals every object into a map and every array into raw
// values at each level, was most of the work of reading one.
func shapeOK(t reflect.Type, b []byte) bool {
	s := shapeScan{b: b, fields: map[reflect.Type][]field{}}
	if !s.value(t) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// shapeScan walks valid JSON.
type shapeScan struct {
	b      []byte
	i      int
	fields map[reflect.Type][]field // fieldsOf, for this message
}

func (s *shapeScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value checks the value at the scan position against t, as checkShape
// does, and moves past it.
func (s *shapeScan) value(t reflect.Type) bool {
	s.space()
	if s.i >= len(s.b) {
		return false
	}
	c := s.b[s.i]
	if c == 'n' {
		return false // null: "must not be null"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.value(t.Elem())
	case reflect.String:
		if c != '"' {
			return false
		}
		s.str() // escapes or not
	case reflect.Bool:
		if c != 't' && c != 'f' {
			return false
		}
		s.literal()
	case reflect.Float64:
		if c != '-' && (c < '0' || c > '9') {
			return false
		}
		s.literal()
	case reflect.Uint32:
		if c != '-' && (c < '0' || c > '9') {
			return false
		}
		start := s.i
		s.literal()
		if _, err := strconv.ParseUint(string(s.b[start:s.i]), 10, 32); err != nil {
			return false
		}
	case reflect.Interface:
		s.skip()
	case reflect.Map:
		if c != '{' {
			return false
		}
		s.skip()
	case reflect.Slice:
		if c != '[' {
			return false
		}
		return s.array(t.Elem())
	case reflect.Struct:
		if c != '{' {
			return false
		}
		return s.object(t)
	default:
		return false // "unsupported Go type"
	}
	return true
}

func (s *shapeScan) array(elem reflect.Type) bool {
	s.i++ // [
	s.space()
	if s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !s.value(elem) {
			return false
		}
		s.space()
		c := s.b[s.i]
		s.i++
		if c == ']' {
			return true
		}
		// c is ','
	}
}

func (s *shapeScan) object(t reflect.Type) bool {
	fields, ok := s.fields[t]
	if !ok {
		fields = fieldsOf(t)
		s.fields[t] = fields
	}
	if len(fields) > 64 {
		return false
	}
	var seen uint64
	s.i++ // {
	s.space()
	if s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.space()
			key, ok := s.str()
			if !ok {
				return false
			}
			k := -1
			for j := range fields {
				if fields[j].key == string(key) {
					k = j
					break
				}
			}
			if k < 0 || seen&(1<<k) != 0 {
				return false // a key to ignore, or one given twice (the last counts)
			}
			seen |= 1 << k
			s.space()
			s.i++ // :
			if !s.value(fields[k].typ) {
				return false
			}
			s.space()
			c := s.b[s.i]
			s.i++
			if c == '}' {
				break
			}
		}
	}
	for j := range fields {
		if fields[j].required && seen&(1<<j) == 0 {
			return false // "required field missing"
		}
	}
	return true
}

// str moves past the string at the scan position and returns its bytes
// between the quotes; ok is false for one with escapes, whose text is not
// its bytes.
func (s *shapeScan) str() ([]byte, bool) {
	s.i++ // "
	start, plain := s.i, true
	for {
		switch s.b[s.i] {
		case '\\':
			plain = false
			s.i += 2
		case '"':
			s.i++
			return s.b[start : s.i-1], plain
		default:
			s.i++
		}
	}
}

// literal moves past a number, true, false or null.
func (s *shapeScan) literal() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', ']', '}', ' ', '\t', '\n', '\r':
			return
		}
		s.i++
	}
}

// skip moves past any value.
func (s *shapeScan) skip() {
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default:
		s.literal()
	}
}
