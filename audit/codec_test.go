package audit

import (
	"errors"
	"strings"
	"testing"
)

func TestEncodeDecode(t *testing.T) {
	for _, e := range chain(3) {
		b, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(%s): %v", b, err)
		}
		if !same(got, e) {
			t.Errorf("round trip: %+v, want %+v", got, e)
		}
	}
	// Optional fields are left out when empty.
	e := Chain(nil, Entry{At: at, Container: "C", Move: "m", Event: "created", Actor: "operator"})
	b, _ := Encode(e)
	if strings.Contains(string(b), "shuttle") || strings.Contains(string(b), "detail") {
		t.Errorf("Encode wrote empty optional fields: %s", b)
	}
	if err := Verify([]Entry{must(Decode(b))}); err != nil {
		t.Errorf("Verify of a decoded entry: %v", err)
	}
}

func must(e Entry, err error) Entry {
	if err != nil {
		panic(err)
	}
	return e
}

// same compares entries, times as instants.
func same(a, b Entry) bool {
	ta, tb := a.At, b.At
	a.At, b.At = ta.UTC(), tb.UTC()
	return ta.Equal(tb) && a == b
}

func TestDecodeRejects(t *testing.T) {
	good, err := Encode(chain(2)[1])
	if err != nil {
		t.Fatal(err)
	}
	g := string(good)
	hash := chain(1)[0].Hash
	tests := []struct{ name, in, want string }{
		{"empty", "", "not a JSON object"},
		{"array", "[]", "not a JSON object"},
		{"trailing", g + " {}", "after"},
		{"trailing garbage", g + "x", "after"},
		{"unknown field", strings.Replace(g, `"seq"`, `"sequence"`, 1), "unknown field"},
		{"wrong case", strings.Replace(g, `"seq"`, `"SEQ"`, 1), "unknown field"},
		{"twice", strings.Replace(g, `{`, `{"seq":2,`, 1), "twice"},
		{"no seq", strings.Replace(g, `"seq":2,`, ``, 1), "no seq"},
		{"null seq", strings.Replace(g, `"seq":2`, `"seq":null`, 1), "no seq"},
		{"seq 0", strings.Replace(g, `"seq":2`, `"seq":0`, 1), "seq 0"},
		{"negative seq", strings.Replace(g, `"seq":2`, `"seq":-2`, 1), "seq"},
		{"seq string", strings.Replace(g, `"seq":2`, `"seq":"2"`, 1), "seq"},
		{"bad time", strings.Replace(g, `"at":"2026-01-15T08:31`, `"at":"2026-01-15 08:31`, 1), "parsing time"},
		{"empty container", strings.Replace(g, `"container":"CONT0000002"`, `"container":""`, 1), "container"},
		{"empty event", strings.Replace(g, `"event":"released"`, `"event":""`, 1), "event"},
		{"no actor", strings.Replace(g, `"actor":"officer 4711 (KZ)",`, ``, 1), "no actor"},
		{"no input", strings.Replace(g, `"input":20,`, ``, 1), "no input"},
		{"short hash", strings.Replace(g, `"hash":"`, `"hash":"0`, 1), "hash"},
		{"upper hash", strings.Replace(g, `"prev":"`+hash, `"prev":"`+strings.ToUpper(hash), 1), "prev"},
		{"no prev", strings.Replace(g, `"prev":"`+hash+`",`, ``, 1), "no prev"},
		{"empty prev after first", strings.Replace(g, `"prev":"`+hash, `"prev":"`, 1), "prev"},
		{"nested", strings.Replace(g, `"detail":"smart gate"`, `"detail":{"x":1}`, 1), "detail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == g {
				t.Fatal("the test case does not change the entry")
			}
			_, err := Decode([]byte(tt.in))
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("Decode = %v, want ErrDecode", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "audit: ") {
				t.Errorf("Decode = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range chain(3) {
		b, _ := Encode(e)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"seq":1,"at":"2026-01-01T00:00:00Z","container":"C","move":"","event":"e","actor":"a","input":0,"prev":"","hash":"` + strings.Repeat("a", 64) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("Decode error %v is not ErrDecode", err)
			}
			return
		}
		// Whatever Decode accepts, Encode writes back and Decode reads the same.
		out, err := Encode(e)
		if err != nil {
			t.Fatalf("Encode of a decoded entry: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) = %v", e, err)
		}
		if !same(again, e) || HashOf(again) != HashOf(e) {
			t.Fatalf("round trip changed %+v to %+v", e, again)
		}
	})
}
