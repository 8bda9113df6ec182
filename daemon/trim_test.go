package daemon

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// aState is a state of a shuttle on its way, as JSON.
func aState(t testing.TB) []byte {
	st := vda5050.State{OrderID: "shuttle-01-t1abc-7", OrderUpdateID: 3, LastNodeID: "main#2+3", LastNodeSequenceID: 6, Driving: true,
		OperatingMode: vda5050.ModeAutomatic, BatteryState: vda5050.BatteryState{BatteryCharge: 64.37},
		SafetyState: vda5050.SafetyState{EStop: vda5050.EStopNone}, Errors: []vda5050.Error{}, Information: []vda5050.Info{},
		Loads:        []vda5050.Load{{LoadID: "MSCU1234565"}},
		ActionStates: []vda5050.ActionState{{ActionID: "shuttle-01-drop-9", ActionType: "drop", ActionStatus: "WAITING"}},
		AgvPosition:  &vda5050.AgvPosition{X: 1234.567, Y: -45.2, Theta: 1.2, MapID: "baqty", PositionInitialized: true},
	}
	vx := 6.9
	st.Velocity = &vda5050.Velocity{Vx: &vx}
	for i := range 10 {
		st.NodeStates = append(st.NodeStates, vda5050.NodeState{NodeID: fmt.Sprint("main#2+", i), SequenceID: uint32(8 + 2*i), Released: true,
			NodePosition: &vda5050.NodePosition{X: 100 + float64(i), Y: 3, MapID: "baqty"}})
		st.EdgeStates = append(st.EdgeStates, vda5050.EdgeState{EdgeID: fmt.Sprint("main#2/", i), SequenceID: uint32(7 + 2*i), Released: true})
	}
	var h vda5050.Headers
	h.Stamp(&st.Header, "borderfleet", "shuttle-01", vda5050.TopicState, time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changeState changes a decoded state at random: a member's value, one
// added (a vendor key, one with characters JSON escapes), or one taken
// out; node and edge states of any number, or not a list.
func changeState(rng *rand.Rand, m map[string]any) {
	values := []any{nil, "s", "a<b>&c\u2028", 1.0, 64.349, true, map[string]any{"batteryCharge": 12.345, "charging": true, "x": "<"},
		[]any{}, []any{map[string]any{"nodeId": "n"}}, []any{1.0, "two", map[string]any{"three": 3.0}}, map[string]any{}}
	keys := []string{"nodeStates", "edgeStates", "batteryState", "velocity", "information", "headerId", "timestamp", "agvPosition",
		"orderId", "vendorDiagnostics", "LastNodeID", "zz", "a<b", "ä", "tab\tkey", "quote\"key"}
	k := keys[rng.Intn(len(keys))]
	switch rng.Intn(4) {
	case 0:
		delete(m, k)
	default:
		m[k] = values[rng.Intn(len(values))]
	}
}

// trimState makes what it made by way of a map (trimStateMap) for any
// state: as vehicles send them, changed at random, indented, with keys
// escaped or given twice, and for what is no state at all.
func TestTrimStateAsByMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	base := aState(t)
	var cases [][]byte
	cases = append(cases, base, []byte(`{}`), []byte(` { "a" : [ 1 , 2 ] } `), []byte(`null`), []byte(`[1,2]`), []byte(`"s"`), []byte(`{"a":`),
		[]byte(`{"nodeStates":[{"a":1},{"b":2}],"nodeStates":[]}`), []byte(`{"node\u0053tates":[1,2]}`), []byte(`{"batteryState":{"batteryCharge":"x"}}`))
	fast := 0
	for range 3000 {
		var m map[string]any
		if err := json.Unmarshal(base, &m); err != nil {
			t.Fatal(err)
		}
		for range 1 + rng.Intn(4) {
			changeState(rng, m)
		}
		var b []byte
		var err error
		if rng.Intn(4) == 0 {
			b, err = json.MarshalIndent(m, " ", "\t")
		} else {
			b, err = json.Marshal(m)
		}
		if err != nil {
			t.Fatal(err)
		}
		if rng.Intn(10) == 0 { // a key twice
			b = []byte(strings.Replace(string(b), "{", `{"orderId":"first",`, 1))
		}
		cases = append(cases, b)
	}
	for _, b := range cases {
		t1, d1, ok1 := trimState(b)
		t2, d2, ok2 := trimStateMap(b)
		if string(t1) != string(t2) || d1 != d2 || ok1 != ok2 {
			t.Fatalf("for %s\ntrimState    %v %s\n             %s\ntrimStateMap %v %s\n             %s", b, ok1, t1, d1, ok2, t2, d2)
		}
		if _, _, ok := trimStateFast(b); ok {
			fast++
		}
	}
	if fast < len(cases)/2 {
		t.Errorf("only %d of %d states trimmed without the map", fast, len(cases))
	}
	if _, _, ok := trimStateFast(base); !ok {
		t.Error("a state as vehicles send it is not trimmed without the map")
	}
}

func FuzzTrimState(f *testing.F) {
	f.Add(aState(f))
	f.Add([]byte(`{"nodeStates":[1,2],"velocity":{},"batteryState":{"batteryCharge":1.25}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		t1, d1, ok1 := trimState(b)
		t2, d2, ok2 := trimStateMap(b)
		if string(t1) != string(t2) || d1 != d2 || ok1 != ok2 {
			t.Fatalf("for %q\ntrimState    %v %s %s\ntrimStateMap %v %s %s", b, ok1, t1, d1, ok2, t2, d2)
		}
	})
}

// BenchmarkTrimState: go test -run '^$' -bench TrimState ./daemon
func BenchmarkTrimState(b *testing.B) {
	p := aState(b)
	b.ReportAllocs()
	for b.Loop() {
		trimState(p)
	}
}
