package vda5050

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// This file checks the shape of raw JSON against a message type before it
// is unmarshalled: every key the type requires is present, no value is null,
// every value has the JSON type of its Go field, and integers fit. A field
// is required exactly when its json tag has neither omitempty nor omitzero;
// an embedded struct (Header) contributes its fields to the same object.
//
// The reader is tolerant: the official schemas allow additional properties,
// and vehicles send vendor extensions and keys spelt as in other versions
// of the spec. A key that is not exactly one of the type's is ignored and
// listed (its path) in validator.ignored; such a message is pruned to the
// known keys before it is unmarshalled, because encoding/json would
// otherwise read a key that differs from a known one only in letter case
// into that field.

// field is one JSON key of a struct type.
type field struct {
	key      string
	required bool
	typ      reflect.Type
}

// fieldsOf lists the JSON keys of struct type t, embedded structs inlined.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, fieldsOf(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := false
		for o := range strings.SplitSeq(opts, ",") {
			optional = optional || o == "omitempty" || o == "omitzero"
		}
		out = append(out, field{key: name, required: !optional, typ: f.Type})
	}
	return out
}

// checkShape checks raw, the JSON value at path, against Go type t and
// records the first problem in v.
func checkShape(v *validator, t reflect.Type, raw json.RawMessage, path string) {
	if v.err != nil {
		return
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		v.fail(path, "must not be null")
		return
	}
	c := raw[0]
	switch t.Kind() {
	case reflect.Pointer:
		checkShape(v, t.Elem(), raw, path)
	case reflect.String:
		if c != '"' {
			v.fail(path, "must be a string")
		}
	case reflect.Bool:
		if c != 't' && c != 'f' {
			v.fail(path, "must be a boolean")
		}
	case reflect.Float64:
		if c != '-' && (c < '0' || c > '9') {
			v.fail(path, "must be a number")
		}
	case reflect.Uint32:
		if _, err := strconv.ParseUint(string(raw), 10, 32); err != nil {
			v.fail(path, "must be an integer in 0..%d, is %.40s", uint32(math.MaxUint32), raw)
		}
	case reflect.Interface:
		// Any JSON value but null.
	case reflect.Map:
		if c != '{' {
			v.fail(path, "must be an object")
		}
	case reflect.Slice:
		checkArray(v, t.Elem(), raw, path)
	case reflect.Struct:
		checkObject(v, t, raw, path)
	default:
		v.fail(path, "unsupported Go type %s", t)
	}
}

func checkArray(v *validator, elem reflect.Type, raw json.RawMessage, path string) {
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		v.fail(path, "must be an array")
		return
	}
	for i, item := range items {
		checkShape(v, elem, item, index(path, i))
	}
}

func checkObject(v *validator, t reflect.Type, raw json.RawMessage, path string) {
	var obj map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		v.fail(path, "must be an object")
		return
	}
	fields := fieldsOf(t)
	for _, f := range fields {
		val, ok := obj[f.key]
		if !ok {
			if f.required {
				v.fail(join(path, f.key), "required field missing")
			}
			continue
		}
		checkShape(v, f.typ, val, join(path, f.key))
	}
	for k := range obj {
		if !slices.ContainsFunc(fields, func(f field) bool { return f.key == k }) {
			v.ignored = append(v.ignored, join(path, k))
		}
	}
}

// prune returns raw, the JSON value of Go type t, with every object key
// that is not exactly one of its type's left out, at any depth; raw must
// have passed checkShape.
func prune(t reflect.Type, raw json.RawMessage) json.RawMessage {
	switch t.Kind() {
	case reflect.Pointer:
		return prune(t.Elem(), raw)
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return raw
		}
		for i := range items {
			items[i] = prune(t.Elem(), items[i])
		}
		out, _ := json.Marshal(items)
		return out
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return raw
		}
		kept := map[string]json.RawMessage{}
		for _, f := range fieldsOf(t) {
			if val, ok := obj[f.key]; ok {
				kept[f.key] = prune(f.typ, val)
			}
		}
		out, _ := json.Marshal(kept)
		return out
	}
	return raw
}

// finite is checkFinite without building paths, for speed (it runs on
// every message): false if any float anywhere in val is not finite, when
// checkFinite then says where.
func finite(val reflect.Value) bool {
	switch val.Kind() {
	case reflect.Float64:
		f := val.Float()
		return !math.IsNaN(f) && !math.IsInf(f, 0)
	case reflect.Pointer, reflect.Interface:
		return val.IsNil() || finite(val.Elem())
	case reflect.Slice:
		for i := range val.Len() {
			if !finite(val.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		iter := val.MapRange()
		for iter.Next() {
			if !finite(iter.Value()) {
				return false
			}
		}
	case reflect.Struct:
		for i := range val.NumField() {
			if !finite(val.Field(i)) {
				return false
			}
		}
	}
	return true
}

// checkFinite records a problem if any float64 reachable from val is NaN or
// infinite, which JSON cannot carry.
func checkFinite(v *validator, val reflect.Value, path string) {
	if v.err != nil {
		return
	}
	switch val.Kind() {
	case reflect.Float64:
		if f := val.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.fail(path, "must be a finite number, is %v", f)
		}
	case reflect.Pointer, reflect.Interface:
		if !val.IsNil() {
			checkFinite(v, val.Elem(), path)
		}
	case reflect.Slice:
		for i := range val.Len() {
			checkFinite(v, val.Index(i), index(path, i))
		}
	case reflect.Map:
		iter := val.MapRange()
		for iter.Next() {
			checkFinite(v, iter.Value(), join(path, iter.Key().String()))
		}
	case reflect.Struct:
		checkFiniteStruct(v, val, path)
	}
}

func checkFiniteStruct(v *validator, val reflect.Value, path string) {
	t := val.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			checkFinite(v, val.Field(i), path)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		checkFinite(v, val.Field(i), join(path, name))
	}
}

// join appends key to a JSON path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends an array index to a JSON path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
