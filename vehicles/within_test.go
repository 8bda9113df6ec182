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

// withinStateAfter takes what withinState takes, for a state sharing any
// of its lists with one withinState took: spoilt strings and arrays in
// what it does not share are refused as before.
func TestWithinStateAfterAgrees(t *testing.T) {
	var prev vda5050.State
	fillAll(reflect.ValueOf(&prev).Elem())
	prev.NodeStates = append(prev.NodeStates, prev.NodeStates[0])
	total := spoil(reflect.ValueOf(&prev).Elem(), -1, "")
	shared := 0
	for _, bad := range []string{"a\x01", strings.Repeat("a", MaxText+1)} {
		for k := range total {
			var f vda5050.State
			fillAll(reflect.ValueOf(&f).Elem())
			f.NodeStates = append(f.NodeStates, f.NodeStates[0])
			spoil(reflect.ValueOf(&f).Elem(), k, bad)
			// share what the spoiling left as it was
			if reflect.DeepEqual(f.NodeStates, prev.NodeStates) {
				f.NodeStates = prev.NodeStates[k%2:]
			}
			if reflect.DeepEqual(f.EdgeStates, prev.EdgeStates) {
				f.EdgeStates = prev.EdgeStates
			}
			if reflect.DeepEqual(f.ActionStates, prev.ActionStates) {
				f.ActionStates = prev.ActionStates
			}
			if reflect.DeepEqual(f.Loads, prev.Loads) {
				f.Loads = prev.Loads
			}
			if vda5050.SharedWith(&f, &prev) != (vda5050.StateParts{}) {
				shared++
			}
			if got, want := withinStateAfter(&f, &prev), withinState(&f); got != want {
				t.Errorf("string or array %d spoilt (%q): withinStateAfter %v, withinState %v", k, bad, got, want)
			}
		}
	}
	if shared < total {
		t.Errorf("%d of %d states share a list: too few", shared, 2*total)
	}
}
