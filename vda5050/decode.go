package vda5050

import (
	"encoding/json"
	"reflect"
	"slices"
)

// DecodeOrder parses and validates an order message.
func DecodeOrder(b []byte) (Order, error) { return drop(Read[Order](b)) }

// DecodeInstantActions parses and validates an instantActions message.
func DecodeInstantActions(b []byte) (InstantActions, error) { return drop(Read[InstantActions](b)) }

// DecodeState parses and validates a state message.
func DecodeState(b []byte) (State, error) { return drop(Read[State](b)) }

// DecodeVisualization parses and validates a visualization message. Unlike
// the 2.0.0 schema, which requires nothing here, it requires the header.
func DecodeVisualization(b []byte) (Visualization, error) { return drop(Read[Visualization](b)) }

// DecodeConnection parses and validates a connection message.
func DecodeConnection(b []byte) (Connection, error) { return drop(Read[Connection](b)) }

// DecodeFactsheet parses and validates a factsheet message. An empty
// blockingTypes array decodes as nil (and is thus left out when encoded).
func DecodeFactsheet(b []byte) (Factsheet, error) { return drop(Read[Factsheet](b)) }

func drop[T any](msg T, _ []string, err error) (T, error) { return msg, err }

// Message is any message of the protocol.
type Message interface {
	Order | InstantActions | State | Visualization | Connection | Factsheet
}

// Read parses and validates a message of type T, tolerantly: it also
// returns the paths of the keys it ignored (keys T does not have at that
// place, such as vendor extensions or a known key spelt in another letter
// case), which the official schemas allow. A known key of the wrong type
// or value is an error that names its path. Every error is a
// *ValidationError.
func Read[T Message](b []byte) (T, []string, error) {
	var zero, msg T
	var topic Topic
	var validate func(T) error
	switch any(zero).(type) {
	case Order:
		topic, validate = TopicOrder, func(m T) error { return any(m).(Order).Validate() }
	case InstantActions:
		topic, validate = TopicInstantActions, func(m T) error { return any(m).(InstantActions).Validate() }
	case State:
		topic, validate = TopicState, func(m T) error { return any(m).(State).Validate() }
	case Visualization:
		topic, validate = TopicVisualization, func(m T) error { return any(m).(Visualization).Validate() }
	case Connection:
		topic, validate = TopicConnection, func(m T) error { return any(m).(Connection).Validate() }
	case Factsheet:
		topic, validate = TopicFactsheet, func(m T) error { return any(m).(Factsheet).Validate() }
	}
	v := &validator{topic: topic}
	// most messages decode at once and have nothing to say of their
	// shape (shapeOK): the bytes are read twice, by the decoder (which
	// checks them first) and the shape scan; a message that does not
	// decode is looked at again to say why
	decoded := json.Unmarshal(b, &msg)
	if decoded != nil && !json.Valid(b) {
		var x any
		err := json.Unmarshal(b, &x)
		msg := "not valid JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		v.fail("", "%s", msg)
		return zero, nil, v.result()
	}
	if decoded != nil || !shapeOK(reflect.TypeFor[T](), b) {
		checkShape(v, reflect.TypeFor[T](), b, "")
		if err := v.result(); err != nil {
			return zero, nil, err
		}
		if len(v.ignored) > 0 {
			// a key the type does not have, or has in another letter
			// case (which the decoder took, and may have failed on):
			// decoded again without them
			msg = zero
			decoded = json.Unmarshal(prune(reflect.TypeFor[T](), b), &msg)
		}
		if decoded != nil {
			v.fail("", "%v", decoded)
			return zero, nil, v.result()
		}
	}
	if err := validate(msg); err != nil {
		return zero, nil, err
	}
	if f, ok := any(&msg).(*Factsheet); ok {
		for i := range f.ProtocolFeatures.AgvActions {
			if a := &f.ProtocolFeatures.AgvActions[i]; len(a.BlockingTypes) == 0 {
				a.BlockingTypes = nil
			}
		}
	}
	slices.Sort(v.ignored)
	return msg, v.ignored, nil
}
