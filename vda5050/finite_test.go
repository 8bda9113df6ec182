package vda5050

import (
	"math"
	"reflect"
	"testing"
)

// fillAll gives every pointer, slice and interface reachable from val
// (addressable) a value: one element per slice, 1 for a number, "a" for
// a string, the number 1 for an interface.
func fillAll(val reflect.Value) {
	switch val.Kind() {
	case reflect.Float64:
		val.SetFloat(1)
	case reflect.String:
		val.SetString("a")
	case reflect.Pointer:
		p := reflect.New(val.Type().Elem())
		fillAll(p.Elem())
		val.Set(p)
	case reflect.Interface:
		val.Set(reflect.ValueOf(1.0))
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

// spoil sets the k-th number reachable from val (counting from 0, in
// field order) to NaN; it returns how many numbers it passed.
func spoil(val reflect.Value, k int) int {
	switch val.Kind() {
	case reflect.Float64:
		if k == 0 {
			val.SetFloat(math.NaN())
		}
		return 1
	case reflect.Interface:
		if val.IsNil() {
			return 0
		}
		if val.Elem().Kind() == reflect.Float64 {
			if k == 0 {
				val.Set(reflect.ValueOf(math.NaN()))
			}
			return 1
		}
		return 0
	case reflect.Pointer:
		if val.IsNil() {
			return 0
		}
		return spoil(val.Elem(), k)
	case reflect.Slice:
		n := 0
		for i := range val.Len() {
			n += spoil(val.Index(i), k-n)
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range val.NumField() {
			if val.Type().Field(i).IsExported() {
				n += spoil(val.Field(i), k-n)
			}
		}
		return n
	}
	return 0
}

// TestFiniteByHand: the hand-written checks of State and Order find a NaN
// in every number the types can hold, as the reflective finite does.
func TestFiniteByHand(t *testing.T) {
	for _, msg := range []any{&State{}, &Order{}} {
		val := reflect.ValueOf(msg).Elem()
		fillAll(val)
		if !finiteMessage(msg) || !finite(reflect.ValueOf(msg)) {
			t.Fatalf("%T: all numbers 1 is not finite", msg)
		}
		total := spoil(val, -1)
		if total < 10 {
			t.Fatalf("%T: only %d numbers found", msg, total)
		}
		for k := range total {
			fresh := reflect.New(val.Type())
			fillAll(fresh.Elem())
			spoil(fresh.Elem(), k)
			if finite(fresh) {
				t.Fatalf("%T: number %d: the reflective check finds no NaN", msg, k)
			}
			if finiteMessage(fresh.Interface()) {
				t.Errorf("%T: number %d set to NaN, and the hand-written check misses it", msg, k)
			}
		}
	}
}
