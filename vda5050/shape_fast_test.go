package vda5050

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// shapeClean is checkShape's verdict: no problem and no key to ignore.
func shapeClean(t reflect.Type, b []byte) (bool, error, []string) {
	v := &validator{}
	checkShape(v, t, b, "")
	return v.err == nil && len(v.ignored) == 0, v.result(), v.ignored
}

// shapeCases are a JSON message of each type.
func shapeCases(t *testing.T) []struct {
	typ reflect.Type
	b   []byte
} {
	var out []struct {
		typ reflect.Type
		b   []byte
	}
	for _, m := range []any{exampleOrder(), exampleInstantActions(), exampleState(), exampleConnection(), exampleVisualization(), exampleFactsheet()} {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, struct {
			typ reflect.Type
			b   []byte
		}{reflect.TypeOf(m), b})
	}
	return out
}

// mutate changes one value, key or member at random somewhere in x, a
// decoded JSON value, and returns the result.
func mutate(rng *rand.Rand, x any) any {
	values := []any{nil, "s", "a\"b\\c<", 0.0, -1.0, 1.5, 4294967296.0, 7.0, true, false, map[string]any{}, []any{}, map[string]any{"a": 1.0}, []any{1.0, "x"}}
	switch x := x.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		if len(keys) == 0 || rng.Intn(8) == 0 {
			x["vendorKey"] = values[rng.Intn(len(values))]
			return x
		}
		k := keys[rng.Intn(len(keys))]
		switch rng.Intn(8) {
		case 6, 7:
			x[k] = similar(x[k])
		case 0:
			delete(x, k)
		case 1:
			v := x[k]
			delete(x, k)
			x[strings.ToUpper(k[:1])+k[1:]] = v // another letter case
		case 2:
			x[k] = values[rng.Intn(len(values))]
		default:
			x[k] = mutate(rng, x[k])
		}
		return x
	case []any:
		if len(x) == 0 || rng.Intn(6) == 0 {
			return append(x, values[rng.Intn(len(values))])
		}
		i := rng.Intn(len(x))
		if rng.Intn(3) == 0 {
			return append(x, similar(x[i]))
		}
		if rng.Intn(3) == 0 {
			x[i] = values[rng.Intn(len(values))]
		} else {
			x[i] = mutate(rng, x[i])
		}
		return x
	}
	return values[rng.Intn(len(values))]
}

// similar is a value of the same JSON type as x.
func similar(x any) any {
	switch x := x.(type) {
	case string:
		return x + "-\u00e4\"q"
	case float64:
		return x + 2
	case bool:
		return !x
	case []any:
		if len(x) > 0 {
			return append(x, x[0])
		}
	}
	return x
}

// shapeOK takes a message exactly when checkShape finds nothing to say,
// for every message type and thousands of random changes to one: a
// value of another JSON type, null, a number out of range, a key missing,
// added or in another letter case, an array element more or changed.
func TestShapeOKAgreesWithCheckShape(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	took, refused := 0, 0
	for _, c := range shapeCases(t) {
		if !shapeOK(c.typ, c.b) {
			t.Fatalf("%s: the example is not taken at once: %s", c.typ, c.b)
		}
		for range 3000 {
			var x any
			if err := json.Unmarshal(c.b, &x); err != nil {
				t.Fatal(err)
			}
			for range 1 + rng.Intn(3) {
				x = mutate(rng, x)
			}
			b, err := json.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			clean, err, ignored := shapeClean(c.typ, b)
			if got := shapeOK(c.typ, b); got != clean {
				t.Fatalf("%s: shapeOK %v, checkShape says %v, ignores %v:\n%s", c.typ, got, err, ignored, b)
			}
			if clean {
				took++
			} else {
				refused++
			}
		}
	}
	if took < 1000 || refused < 1000 {
		t.Errorf("%d taken, %d not: the changes test too little of one", took, refused)
	}
}

// What shapeOK does not take at once goes to checkShape, which may take
// it: keys given twice (the last counts), keys with escapes, spacing.
func TestShapeOKLeavesTheUnusualToCheckShape(t *testing.T) {
	st := reflect.TypeFor[State]()
	b, err := json.Marshal(exampleState())
	if err != nil {
		t.Fatal(err)
	}
	body := string(b[1 : len(b)-1])
	tests := []struct {
		name string
		json string
		ok   bool // shapeOK takes it
	}{
		{"spaced", "{\n\t" + strings.ReplaceAll(body, ",", " ,\r\n ") + " }", true},
		{"a key twice", `{"orderId":5,` + body + `}`, false},
		{"an escaped key", `{"order\u0049d":"x",` + strings.Replace(body, `"orderId":`, `"zz":`, 1) + `}`, false},
		{"escapes in values", `{"zoneSetId":"a\"\\\u00e4",` + body + `}`, true},
		{"null", `null`, false},
		{"trailing value", `{` + body + `} 1`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.json)
			if !json.Valid(raw) {
				if tt.name == "trailing value" {
					return // not valid JSON: Read refuses it before
				}
				t.Fatalf("not valid JSON: %s", raw)
			}
			got := shapeOK(st, raw)
			if got != tt.ok {
				t.Errorf("shapeOK %v, want %v", got, tt.ok)
			}
			if clean, _, _ := shapeClean(st, raw); got && !clean {
				t.Errorf("shapeOK takes what checkShape does not")
			}
		})
	}
}

// FuzzShapeOK: whatever valid JSON shapeOK takes, checkShape finds
// nothing to say about.
func FuzzShapeOK(f *testing.F) {
	for _, topic := range []Topic{TopicOrder, TopicState, TopicInstantActions, TopicFactsheet} {
		if b, err := os.ReadFile(filepath.Join("testdata", string(topic)+".json")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"headerId":1,"timestamp":"2026-01-01T00:00:00Z","version":"2.0.0","manufacturer":"a","serialNumber":"b","connectionState":"ONLINE"}`))
	types := []reflect.Type{reflect.TypeFor[Order](), reflect.TypeFor[State](), reflect.TypeFor[InstantActions](), reflect.TypeFor[Connection](), reflect.TypeFor[Visualization](), reflect.TypeFor[Factsheet]()}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		for _, typ := range types {
			if shapeOK(typ, b) {
				if clean, err, ignored := shapeClean(typ, b); !clean {
					t.Fatal(fmt.Sprintf("%s: shapeOK takes what checkShape does not (%v, ignores %v): %s", typ, err, ignored, b))
				}
			}
		}
	})
}

// BenchmarkReadState reads a state of a shuttle on its way: go test
// -run '^$' -bench ReadState ./vda5050 (checkShape alone took 5 times
// what shapeOK and the rest of Read take).
func BenchmarkReadState(b *testing.B) {
	st := exampleState()
	for i := range 10 {
		st.NodeStates = append(st.NodeStates, NodeState{NodeID: fmt.Sprint("n", i), SequenceID: uint32(10 + 2*i), NodePosition: &NodePosition{X: float64(i), MapID: "baqty"}})
		st.EdgeStates = append(st.EdgeStates, EdgeState{EdgeID: fmt.Sprint("e", i), SequenceID: uint32(9 + 2*i)})
	}
	raw, err := json.Marshal(st)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read[State](raw); err != nil {
			b.Fatal(err)
		}
	}
}
