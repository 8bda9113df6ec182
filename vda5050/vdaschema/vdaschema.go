package vdaschema

import (
	"bytes"
	"embed"
	"errors"
	"fmt"

	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaFiles holds the official schemas, one file per topic, named
// schemas-2.0.0/<topic>.schema.
//
//go:embed schemas-2.0.0/*.schema
var schemaFiles embed.FS

// ErrTopic reports a topic with no schema.
var ErrTopic = errors.New("vdaschema: unknown topic")

// schemaBase is the base URL the schemas are registered under; it is only
// an identifier, nothing is fetched.
const schemaBase = "https://borderfleet.invalid/vda5050/2.0.0/"

// Checker validates messages against the compiled official schemas. It is
// safe for concurrent use.
type Checker struct {
	schemas map[vda5050.Topic]*jsonschema.Schema
}

// Load compiles the embedded 2.0.0 schemas of all topics.
func Load() (*Checker, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	ch := &Checker{schemas: make(map[vda5050.Topic]*jsonschema.Schema)}
	for _, t := range vda5050.Topics() {
		name := "schemas-2.0.0/" + string(t) + ".schema"
		b, err := schemaFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("vdaschema: %w", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("vdaschema: %s: %w", name, err)
		}
		url := schemaBase + string(t) + ".schema"
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("vdaschema: %s: %w", name, err)
		}
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("vdaschema: %s: %w", name, err)
		}
		ch.schemas[t] = s
	}
	return ch, nil
}

// Validate checks msg, the JSON of a message on topic t, against the
// official schema. A message that is not JSON or fails the schema yields a
// *SchemaError, which matches vda5050.ErrInvalid; an unknown topic yields
// ErrTopic.
func (c *Checker) Validate(t vda5050.Topic, msg []byte) error {
	s, ok := c.schemas[t]
	if !ok {
		return fmt.Errorf("%w %q", ErrTopic, t)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(msg))
	if err != nil {
		return &SchemaError{Topic: t, Err: err}
	}
	if err := s.Validate(inst); err != nil {
		return &SchemaError{Topic: t, Err: err}
	}
	return nil
}

// SchemaError reports a message that fails its official schema.
type SchemaError struct {
	// Topic is the message type.
	Topic vda5050.Topic
	// Err is the JSON or schema error, usually a *jsonschema.ValidationError.
	Err error
}

// Error returns e.g. "vdaschema: state: jsonschema validation failed ...".
func (e *SchemaError) Error() string {
	return fmt.Sprintf("vdaschema: %s: %v", e.Topic, e.Err)
}

// Unwrap returns the underlying error.
func (e *SchemaError) Unwrap() error { return e.Err }

// Is reports whether target is vda5050.ErrInvalid.
func (e *SchemaError) Is(target error) bool { return target == vda5050.ErrInvalid }

// noLoader refuses to fetch anything: all schemas are embedded and the
// meta-schemas are built into the library.
type noLoader struct{}

// Load implements jsonschema.URLLoader.
func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("vdaschema: refusing to load %s", url)
}
