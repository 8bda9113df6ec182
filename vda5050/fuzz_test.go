package vda5050

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzDecode checks that decode never panics and that whatever it accepts
// encodes to JSON that decodes again to an equal value.
func fuzzDecode[T any](f *testing.F, topic Topic, decode func([]byte) (T, error)) {
	if b, err := os.ReadFile(filepath.Join("testdata", string(topic)+".json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"headerId":1,"timestamp":"2026-01-01T00:00:00Z","version":"2.0.0","manufacturer":"a","serialNumber":"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v1, err := decode(b)
		if err != nil {
			return
		}
		enc, err := json.Marshal(v1)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v\n%#v", err, v1)
		}
		v2, err := decode(enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(v1, v2) {
			t.Fatalf("round trip changed the message:\nfirst  %#v\nsecond %#v\nvia %s", v1, v2, enc)
		}
	})
}

func FuzzDecodeOrder(f *testing.F)          { fuzzDecode(f, TopicOrder, DecodeOrder) }
func FuzzDecodeInstantActions(f *testing.F) { fuzzDecode(f, TopicInstantActions, DecodeInstantActions) }
func FuzzDecodeState(f *testing.F)          { fuzzDecode(f, TopicState, DecodeState) }
func FuzzDecodeConnection(f *testing.F)     { fuzzDecode(f, TopicConnection, DecodeConnection) }
func FuzzDecodeVisualization(f *testing.F)  { fuzzDecode(f, TopicVisualization, DecodeVisualization) }
func FuzzDecodeFactsheet(f *testing.F)      { fuzzDecode(f, TopicFactsheet, DecodeFactsheet) }

func FuzzParseTopic(f *testing.F) {
	f.Add("uagv/v2/acme/0001/state")
	f.Add("a/b/v2/x/y/order")
	f.Fuzz(func(t *testing.T, s string) {
		iface, man, serial, topic, err := ParseTopic(s)
		if err != nil {
			return
		}
		if back := TopicName(iface, man, serial, topic); back != s {
			t.Fatalf("TopicName(ParseTopic(%q)) = %q", s, back)
		}
	})
}
