package vehicles

import (
	"reflect"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/vda5050"
)

// fillAll gives every pointer and slice reachable from val (addressable)
// a value, one element per slice, and every string "a".
func fillAll(val reflect.Value) {
	switch val.Kind() {
	case reflect.String:
		val.SetString("a")
	case reflect.Pointer:
		p := reflect.New(val.Type().Elem())
		fillAll(p.Elem())
		val.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(val.Type(), 1, 1)
		fillAll(s.Index(0))
		val.Set(s)
	case reflect.Struct:
		for i := range val.NumField() {
			if val.Type().Field(i).IsExported() {
				fillAll(val.Field(i))
			}
		}
	}
}

// spoil spoils the k-th string or array reachable from val (counting
// from 0, depth first): a string gets bad, an array gets MaxEntries+1
// entries. It returns how many it passed.
func spoil(val reflect.Value, k int, bad string) int {
	switch val.Kind() {
	case reflect.String:
		if k == 0 {
			val.SetString(bad)
		}
		return 1
	case reflect.Pointer:
		if val.IsNil() {
			return 0
		}
		return spoil(val.Elem(), k, bad)
	case reflect.Slice:
		if k == 0 {
			s := reflect.MakeSlice(val.Type(), MaxEntries+1, MaxEntries+1)
			val.Set(s)
			return 1
		}
		n := 1
		for i := range val.Len() {
			n += spoil(val.Index(i), k-n, bad)
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range val.NumField() {
			if val.Type().Field(i).IsExported() {
				n += spoil(val.Field(i), k-n, bad)
			}
		}
		return n
	}
	return 0
}

// TestWithinStateByHand: the hand-written limits check of a state refuses
// a state with any one string or array out of bounds, as the reflective
// within does, and takes one within them.
func TestWithinStateByHand(t *testing.T) {
	var s vda5050.State
	fillAll(reflect.ValueOf(&s).Elem())
	if !withinState(&s) || !within(reflect.ValueOf(s)) {
		t.Fatal("a state of short texts is not within bounds")
	}
	total := spoil(reflect.ValueOf(&s).Elem(), -1, "")
	if total < 20 {
		t.Fatalf("only %d strings and arrays found", total)
	}
	for _, bad := range []string{"a\x01", "a\x7f", "ä\u0085", "a\xff", strings.Repeat("a", MaxText+1)} {
		for k := range total {
			var f vda5050.State
			fillAll(reflect.ValueOf(&f).Elem())
			spoil(reflect.ValueOf(&f).Elem(), k, bad)
			if within(reflect.ValueOf(f)) {
				t.Fatalf("string or array %d (%q): the reflective check takes it", k, bad)
			}
			if withinState(&f) {
				t.Errorf("string or array %d spoilt (%q), and the hand-written check takes it", k, bad)
			}
		}
	}
	for _, good := range []string{"a\tb\r\n", "Zoll ä ü", strings.Repeat("a", MaxText)} {
		if !text(good) {
			t.Errorf("%q refused", good)
		}
	}
}
