package vdaschema

import (
	"encoding/json"
	"testing"

	"github.com/borderfleet/borderfleet/vda5050"
)

// extend adds key = val to every object of a JSON document whose path
// (keys and "[]" for array items, joined by ".") is at, and returns it.
func extend(t *testing.T, doc []byte, at, key string, val any) []byte {
	t.Helper()
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			if path == at {
				x[key] = val
			}
			for k, c := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(c, p)
			}
		case []any:
			for _, c := range x {
				walk(c, path+".[]")
			}
		}
	}
	walk(root, "")
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTolerantCorpus: messages that the official 2.0.0 schemas accept with
// extra keys (vendor extensions, keys spelt as in other versions of the
// spec, known keys in another letter case), at the top and nested, are
// all accepted by the vda5050 reader; the same messages with a known key
// broken are refused by both.
func TestTolerantCorpus(t *testing.T) {
	c := load(t)
	extras := []struct{ at, key string }{
		{"", "vendorExtension"},
		{"", "OrderId"},
		{"", "ORDERID"},
		{"agvPosition", "MapId"},
		{"agvPosition", "localizationQuality"},
		{"batteryState", "cellVoltages"},
		{"actionStates.[]", "ActionStatus"},
		{"nodeStates.[]", "nodeDescriptionText"},
		{"edgeStates.[]", "EdgeId"},
		{"safetyState", "protectiveField"},
		{"nodes.[]", "NodeId"},
		{"nodes.[].actions.[]", "vendorHint"},
		{"edges.[]", "corridor"},
		{"actions.[]", "ActionType"},
		{"protocolLimits.timing", "MinOrderInterval"},
		{"typeSpecification", "x-vendor"},
	}
	values := []any{"free", 1.5, map[string]any{"a": []any{1, "b"}}, nil, true}
	n := 0
	for _, topic := range vda5050.Topics() {
		base := golden(t, topic)
		for i, e := range extras {
			doc := extend(t, base, e.at, e.key, values[i%len(values)])
			if string(doc) == string(extend(t, base, "", "", nil)) {
				continue // no object at that path in this topic
			}
			if err := c.Validate(topic, doc); err != nil {
				t.Fatalf("the corpus must be schema-valid: %s + %s.%s: %v", topic, e.at, e.key, err)
			}
			n++
			if err := decoders[topic](doc); err != nil {
				t.Errorf("%s with an extra key %q at %q (schema-valid) refused: %v", topic, e.key, e.at, err)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d corpus messages: the extension paths no longer match the golden messages", n)
	}
	// schema-invalid, each beside an extra key: all refused by both
	broken := []struct {
		topic   vda5050.Topic // "" for every topic
		at, key string
		val     any
	}{
		{"", "", "headerId", "seven"},
		{"", "", "timestamp", 5},
		{"", "", "manufacturer", nil},
		{"", "", "serialNumber", []any{"s1"}},
		{vda5050.TopicState, "", "batteryState", "full"},
		{vda5050.TopicState, "batteryState", "batteryCharge", "60"},
		{vda5050.TopicState, "", "driving", "yes"},
		{vda5050.TopicState, "", "operatingMode", "FLYING"},
		{vda5050.TopicState, "safetyState", "eStop", nil},
		{vda5050.TopicState, "actionStates.[]", "actionStatus", "MAYBE"},
		{vda5050.TopicOrder, "", "nodes", map[string]any{}},
		{vda5050.TopicOrder, "nodes.[]", "released", "true"},
		{vda5050.TopicConnection, "", "connectionState", "SLEEPY"},
		{vda5050.TopicInstantActions, "actions.[]", "blockingType", "SOMETIMES"},
	}
	n = 0
	for _, b := range broken {
		for _, topic := range vda5050.Topics() {
			if b.topic != "" && b.topic != topic {
				continue
			}
			base := extend(t, golden(t, topic), "", "vendorExtension", 1)
			doc := extend(t, base, b.at, b.key, b.val)
			if string(doc) == string(base) {
				continue // no object at that path in this topic
			}
			if c.Validate(topic, doc) == nil {
				t.Fatalf("the corpus must be schema-invalid: %s with %s.%s = %v", topic, b.at, b.key, b.val)
			}
			n++
			if decoders[topic](doc) == nil {
				t.Errorf("%s with %s.%s = %v (schema-invalid) accepted", topic, b.at, b.key, b.val)
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d invalid corpus messages", n)
	}
}
