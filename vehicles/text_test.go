package vehicles

import (
	"math/rand"
	"reflect"
	"testing"
)

// TestTextByHand: text, eight bytes at a time, takes the strings within
// takes.
func TestTextByHand(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	alpha := []byte{0, 1, 9, 10, 13, 0x1f, 0x20, 'a', 0x7e, 0x7f, 0x80, 0xc2, 0x85, 0xff, 0xe4, 0xb8, 0xad}
	for range 300000 {
		b := make([]byte, r.Intn(40))
		for i := range b {
			if r.Intn(4) == 0 {
				b[i] = alpha[r.Intn(len(alpha))]
			} else {
				b[i] = byte('a' + r.Intn(26))
			}
		}
		s := string(b)
		if text(s) != within(reflect.ValueOf(s)) {
			t.Fatalf("%q: %v", s, text(s))
		}
	}
}
