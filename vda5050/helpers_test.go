package vda5050

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// assertEqual fails unless got and want are deeply equal, showing both as JSON.
func assertEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("values differ:\n got %s\nwant %s", g, w)
	}
}

// assertInvalid fails unless err is a *ValidationError matching ErrInvalid
// at field whose problem contains problem.
func assertInvalid(t *testing.T, err error, field, problem string) {
	t.Helper()
	if problem == "" && field == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want a *ValidationError at %s", err, field)
	}
	if ve.Field != field || !strings.Contains(ve.Problem, problem) {
		t.Fatalf("err = %v, want field %q with problem containing %q", err, field, problem)
	}
}

// editJSON decodes the JSON of msg, applies edit at path (a JSON path such
// as "nodes[1].actions[0].blockingType") and encodes it again. edit gets
// the parent object and the last key; a nil edit deletes the key.
func editJSON(t *testing.T, msg any, path string, edit func(obj map[string]any, key string)) []byte {
	t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var root any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	segs := strings.Split(path, ".")
	cur := root
	for i, seg := range segs {
		key, rest, _ := strings.Cut(seg, "[")
		obj := cur.(map[string]any)
		if i == len(segs)-1 && rest == "" {
			if edit == nil {
				delete(obj, key)
			} else {
				edit(obj, key)
			}
			break
		}
		cur = obj[key]
		for rest != "" {
			var idx string
			idx, rest, _ = strings.Cut(rest, "]")
			rest = strings.TrimPrefix(rest, "[")
			n, _ := strconv.Atoi(idx)
			cur = cur.([]any)[n]
		}
	}
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// set returns an edit that sets the key to v.
func set(v any) func(map[string]any, string) {
	return func(obj map[string]any, key string) { obj[key] = v }
}
