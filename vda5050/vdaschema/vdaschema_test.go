package vdaschema

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/vda5050"
)

func load(t testing.TB) *Checker {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// golden reads the JSON the vda5050 types produce for topic (pinned by
// vda5050's TestGolden).
func golden(t testing.TB, topic vda5050.Topic) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", string(topic)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// moduleRoot walks up from the working directory to the folder with go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

func TestEmbeddedSchemasMatchReference(t *testing.T) {
	ref := filepath.Join(moduleRoot(t), "..", "shared", "vda5050", "schemas-2.0.0")
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("reference schemas not found at %s", ref)
	}
	want, err := filepath.Glob(filepath.Join(ref, "*.schema"))
	if err != nil || len(want) != 6 {
		t.Fatalf("reference: %d schemas, %v", len(want), err)
	}
	for _, path := range want {
		name := filepath.Base(path)
		refBytes, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := schemaFiles.ReadFile("schemas-2.0.0/" + name)
		if err != nil {
			t.Errorf("%s not embedded: %v", name, err)
			continue
		}
		if string(ours) != string(refBytes) {
			t.Errorf("embedded %s differs from %s", name, path)
		}
	}
}

func TestOurMessagesPass(t *testing.T) {
	c := load(t)
	for _, topic := range vda5050.Topics() {
		t.Run(string(topic), func(t *testing.T) {
			if err := c.Validate(topic, golden(t, topic)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOurMessagesBuiltInGoPass checks messages built with the vda5050 types
// the way the fleet builds them: zero-value slices, Headers.Stamp.
func TestOurMessagesBuiltInGoPass(t *testing.T) {
	c := load(t)
	var h vda5050.Headers
	now := mustTime(t, "2026-11-22T03:40:03.120Z")
	order := vda5050.Order{OrderID: "o1", Nodes: []vda5050.Node{{NodeID: "n1", Released: true}}}
	h.Stamp(&order.Header, "borderfleet", "KZ-0001", vda5050.TopicOrder, now)
	state := vda5050.State{OperatingMode: vda5050.ModeAutomatic, SafetyState: vda5050.SafetyState{EStop: vda5050.EStopNone}}
	h.Stamp(&state.Header, "borderfleet", "KZ-0001", vda5050.TopicState, now)
	ia := vda5050.InstantActions{}
	h.Stamp(&ia.Header, "borderfleet", "KZ-0001", vda5050.TopicInstantActions, now)
	conn := vda5050.Connection{ConnectionState: vda5050.ConnectionBroken}
	h.Stamp(&conn.Header, "borderfleet", "KZ-0001", vda5050.TopicConnection, now)
	vis := vda5050.Visualization{}
	h.Stamp(&vis.Header, "borderfleet", "KZ-0001", vda5050.TopicVisualization, now)
	fs := vda5050.Factsheet{TypeSpecification: vda5050.TypeSpecification{SeriesName: "s", AgvKinematic: vda5050.KinematicDiff, AgvClass: vda5050.ClassCarrier}}
	h.Stamp(&fs.Header, "borderfleet", "KZ-0001", vda5050.TopicFactsheet, now)
	msgs := []struct {
		topic vda5050.Topic
		msg   interface{ Validate() error }
	}{
		{vda5050.TopicOrder, order}, {vda5050.TopicState, state}, {vda5050.TopicInstantActions, ia},
		{vda5050.TopicConnection, conn}, {vda5050.TopicVisualization, vis}, {vda5050.TopicFactsheet, fs},
	}
	for _, m := range msgs {
		t.Run(string(m.topic), func(t *testing.T) {
			if err := m.msg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			b, err := json.Marshal(m.msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(m.topic, b); err != nil {
				t.Errorf("%v\n%s", err, b)
			}
		})
	}
}

func TestBrokenMessagesFail(t *testing.T) {
	c := load(t)
	tests := []struct {
		name  string
		topic vda5050.Topic
		in    []byte
	}{
		{"order without nodes", vda5050.TopicOrder, edit(t, golden(t, vda5050.TopicOrder), "nodes", nil)},
		{"order bad blockingType", vda5050.TopicOrder, editNode(t, golden(t, vda5050.TopicOrder))},
		{"state without headerId", vda5050.TopicState, edit(t, golden(t, vda5050.TopicState), "headerId", nil)},
		{"state bad operatingMode", vda5050.TopicState, edit(t, golden(t, vda5050.TopicState), "operatingMode", "AUTO")},
		{"state bad timestamp", vda5050.TopicState, edit(t, golden(t, vda5050.TopicState), "timestamp", "yesterday")},
		{"instantActions with null actions", vda5050.TopicInstantActions, edit(t, golden(t, vda5050.TopicInstantActions), "actions", json.RawMessage("null"))},
		{"connection bad state", vda5050.TopicConnection, edit(t, golden(t, vda5050.TopicConnection), "connectionState", "BROKEN")},
		{"visualization bad position", vda5050.TopicVisualization, edit(t, golden(t, vda5050.TopicVisualization), "agvPosition", map[string]any{"x": 1})},
		{"factsheet without protocolLimits", vda5050.TopicFactsheet, edit(t, golden(t, vda5050.TopicFactsheet), "protocolLimits", nil)},
		{"factsheet listing blockingTypes (schema bug)", vda5050.TopicFactsheet, blockingTypes(t)},
		{"not JSON", vda5050.TopicState, []byte(`{"headerId":`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Validate(tt.topic, tt.in)
			var se *SchemaError
			if !errors.As(err, &se) || !errors.Is(err, vda5050.ErrInvalid) || se.Topic != tt.topic {
				t.Fatalf("err = %v, want a *SchemaError for %s", err, tt.topic)
			}
			if !strings.HasPrefix(err.Error(), "vdaschema: "+string(tt.topic)+": ") {
				t.Errorf("error text %q lacks the prefix", err)
			}
		})
	}
}

func TestUnknownTopic(t *testing.T) {
	if err := load(t).Validate("status", []byte(`{}`)); !errors.Is(err, ErrTopic) {
		t.Errorf("err = %v, want ErrTopic", err)
	}
}

// edit sets (or, for nil, deletes) a top-level key of a JSON object.
func edit(t *testing.T, b []byte, key string, v any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		delete(m, key)
	} else {
		m[key] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func editNode(t *testing.T, b []byte) []byte {
	t.Helper()
	o, err := vda5050.DecodeOrder(b)
	if err != nil {
		t.Fatal(err)
	}
	o.Nodes[1].Actions[0].BlockingType = "MAYBE"
	out, _ := json.Marshal(o)
	return out
}

func blockingTypes(t *testing.T) []byte {
	t.Helper()
	f, err := vda5050.DecodeFactsheet(golden(t, vda5050.TopicFactsheet))
	if err != nil {
		t.Fatal(err)
	}
	f.ProtocolFeatures.AgvActions[0].BlockingTypes = []string{vda5050.BlockingHard}
	if err := f.Validate(); err != nil {
		t.Fatalf("our validation must accept blockingTypes: %v", err)
	}
	out, _ := json.Marshal(f)
	return out
}
