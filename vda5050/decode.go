package vda5050

import (
	"encoding/json"
	"reflect"
)

// DecodeOrder parses and validates an order message.
func DecodeOrder(b []byte) (Order, error) {
	return decode(TopicOrder, b, Order.Validate)
}

// DecodeInstantActions parses and validates an instantActions message.
func DecodeInstantActions(b []byte) (InstantActions, error) {
	return decode(TopicInstantActions, b, InstantActions.Validate)
}

// DecodeState parses and validates a state message.
func DecodeState(b []byte) (State, error) {
	return decode(TopicState, b, State.Validate)
}

// DecodeVisualization parses and validates a visualization message. Unlike
// the 2.0.0 schema, which requires nothing here, it requires the header.
func DecodeVisualization(b []byte) (Visualization, error) {
	return decode(TopicVisualization, b, Visualization.Validate)
}

// DecodeConnection parses and validates a connection message.
func DecodeConnection(b []byte) (Connection, error) {
	return decode(TopicConnection, b, Connection.Validate)
}

// DecodeFactsheet parses and validates a factsheet message. An empty
// blockingTypes array decodes as nil (and is thus left out when encoded).
func DecodeFactsheet(b []byte) (Factsheet, error) {
	f, err := decode(TopicFactsheet, b, Factsheet.Validate)
	if err != nil {
		return Factsheet{}, err
	}
	for i := range f.ProtocolFeatures.AgvActions {
		if a := &f.ProtocolFeatures.AgvActions[i]; len(a.BlockingTypes) == 0 {
			a.BlockingTypes = nil
		}
	}
	return f, nil
}

// decode checks the shape of b against T, unmarshals it and validates the
// result. Every error is a *ValidationError.
func decode[T any](topic Topic, b []byte, validate func(T) error) (T, error) {
	var zero, msg T
	v := &validator{topic: topic}
	if !json.Valid(b) {
		var x any
		err := json.Unmarshal(b, &x)
		msg := "not valid JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		v.fail("", "%s", msg)
		return zero, v.result()
	}
	checkShape(v, reflect.TypeFor[T](), b, "")
	if err := v.result(); err != nil {
		return zero, err
	}
	if err := json.Unmarshal(b, &msg); err != nil {
		v.fail("", "%v", err)
		return zero, v.result()
	}
	if err := validate(msg); err != nil {
		return zero, err
	}
	return msg, nil
}
