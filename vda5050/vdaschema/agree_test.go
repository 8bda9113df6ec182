package vdaschema

import (
	"bytes"
	"testing"

	"github.com/borderfleet/borderfleet/vda5050"
)

// decoders are the vda5050 Decode functions by topic, results dropped.
var decoders = map[vda5050.Topic]func([]byte) error{
	vda5050.TopicOrder:          func(b []byte) error { _, err := vda5050.DecodeOrder(b); return err },
	vda5050.TopicInstantActions: func(b []byte) error { _, err := vda5050.DecodeInstantActions(b); return err },
	vda5050.TopicState:          func(b []byte) error { _, err := vda5050.DecodeState(b); return err },
	vda5050.TopicConnection:     func(b []byte) error { _, err := vda5050.DecodeConnection(b); return err },
	vda5050.TopicVisualization:  func(b []byte) error { _, err := vda5050.DecodeVisualization(b); return err },
	vda5050.TopicFactsheet:      func(b []byte) error { _, err := vda5050.DecodeFactsheet(b); return err },
}

// FuzzDecodeAgreesWithSchema checks that whatever the hand-written vda5050
// decoders accept also passes the official schema (they may be stricter,
// never looser). The one known exception is a factsheet listing
// blockingTypes, which the official schema wrongly refuses.
func FuzzDecodeAgreesWithSchema(f *testing.F) {
	c := load(f)
	topics := vda5050.Topics()
	for i, t := range topics {
		f.Add(uint8(i), golden(f, t))
	}
	f.Fuzz(func(t *testing.T, ti uint8, b []byte) {
		topic := topics[int(ti)%len(topics)]
		if decoders[topic](b) != nil {
			return
		}
		if topic == vda5050.TopicFactsheet && bytes.Contains(b, []byte(`"blockingTypes"`)) {
			return
		}
		if err := c.Validate(topic, b); err != nil {
			t.Fatalf("vda5050 accepts what the schema refuses: %v\n%s", err, b)
		}
	})
}
