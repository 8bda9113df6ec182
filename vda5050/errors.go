package vda5050

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError: the message
// is not valid VDA 5050 2.0.0.
var ErrInvalid = errors.New("vda5050: invalid message")

// ValidationError reports why a message is invalid.
type ValidationError struct {
	// Topic is the message type.
	Topic Topic
	// Field is the JSON path of the offending value, e.g.
	// "nodeStates[2].sequenceId"; "" for the message as a whole.
	Field string
	// Problem says what is wrong, e.g. "must be even".
	Problem string
}

// Error returns e.g. "vda5050: state: nodeStates[2].sequenceId: must be even".
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("vda5050: %s: %s", e.Topic, e.Problem)
	}
	return fmt.Sprintf("vda5050: %s: %s: %s", e.Topic, e.Field, e.Problem)
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool {
	return target == ErrInvalid
}
