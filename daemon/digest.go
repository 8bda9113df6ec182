package daemon

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"reflect"

	"github.com/borderfleet/borderfleet/vda5050"
)

// A state that repeats the vehicle's last in all the core reads is a
// sign of life only: it is not journaled nor applied (prepare). Whether
// it does is told by a digest of the state as decoded once by the check
// (vehicles.Master.CheckMessage), not by taking its bytes apart again.

// trimDecoded cuts a decoded state down as trimState cuts its bytes for
// the journal: no velocity, distanceSinceLastNode or information, only
// the first of nodeStates and edgeStates. The core then sees live what
// it sees in replay.
func trimDecoded(st *vda5050.State) {
	st.Velocity, st.DistanceSinceLastNode, st.Information = nil, nil, nil
	if len(st.NodeStates) > 1 {
		st.NodeStates = st.NodeStates[:1:1]
	}
	if len(st.EdgeStates) > 1 {
		st.EdgeStates = st.EdgeStates[:1:1]
	}
}

// stateDigest is a digest of what the core reads of a state, without
// what changes in every message: the header's id and time, the position,
// the velocity and the distance since the last node, information, the
// node and edge states after the first, and the battery charge below a
// tenth of a percent (as trimState's digest left them out).
func stateDigest(seed maphash.Seed, st *vda5050.State) uint64 {
	c := *st
	c.HeaderID, c.Timestamp = 0, ""
	c.AgvPosition, c.Velocity, c.DistanceSinceLastNode, c.Information = nil, nil, nil, nil
	c.NodeStates, c.EdgeStates = firstOnly(c.NodeStates), firstOnly(c.EdgeStates)
	c.BatteryState.BatteryCharge = math.Round(c.BatteryState.BatteryCharge*10) / 10
	var h maphash.Hash
	h.SetSeed(seed)
	hashValue(&h, reflect.ValueOf(&c).Elem())
	return h.Sum64()
}

func firstOnly[T any](s []T) []T {
	if len(s) > 1 {
		return s[:1]
	}
	return s
}

// hashValue writes a value to h: every field, element and pointer
// followed, with a mark for nil and each length, so that two values hash
// alike only when they are alike (a nil list and an empty one differ,
// as loads left out and none carried do).
func hashValue(h *maphash.Hash, v reflect.Value) {
	var b [8]byte
	num := func(u uint64) {
		binary.LittleEndian.PutUint64(b[:], u)
		_, _ = h.Write(b[:])
	}
	switch v.Kind() {
	case reflect.String:
		num(uint64(v.Len()))
		_, _ = h.WriteString(v.String())
	case reflect.Bool:
		if v.Bool() {
			_ = h.WriteByte(1)
		} else {
			_ = h.WriteByte(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		num(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		num(v.Uint())
	case reflect.Float32, reflect.Float64:
		num(math.Float64bits(v.Float()))
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			_ = h.WriteByte(0)
			return
		}
		_ = h.WriteByte(1)
		e := v.Elem()
		if v.Kind() == reflect.Interface {
			_ = h.WriteByte(byte(e.Kind()))
		}
		hashValue(h, e)
	case reflect.Slice:
		if v.IsNil() {
			_ = h.WriteByte(0)
			return
		}
		_ = h.WriteByte(1)
		num(uint64(v.Len()))
		for i := range v.Len() {
			hashValue(h, v.Index(i))
		}
	case reflect.Map:
		// (no map in a state; a vendor's key decoded into one would be
		// hashed in no fixed order: by length only)
		num(uint64(v.Len()))
	case reflect.Struct:
		for i := range v.NumField() {
			hashValue(h, v.Field(i))
		}
	}
}
