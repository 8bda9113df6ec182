// Package vda5050 owns the VDA 5050 2.0.0 wire format spoken between the
// borderfleet master control and its vehicles over MQTT: the message types
// (Order, InstantActions, State, Connection, Factsheet, Visualization), the
// topic layout, header counters, and validation of incoming and outgoing
// messages against the rules of the 2.0.0 JSON schemas and the order
// semantics of the specification.
//
// It uses the standard library only. The official JSON schemas themselves
// are embedded and checked by the subpackage vdaschema.
//
// # Representation
//
// Every message embeds Header, so its fields are inlined in JSON. Optional
// scalars are pointers or carry omitempty; optional arrays are nil when
// absent and are left out of the JSON (tag omitzero), while an empty,
// non-nil slice is sent as []. This matters for State.Loads, where an absent
// array means "the vehicle cannot sense loads" and [] means "unloaded".
// Required arrays (order nodes and edges, node and edge actions, the state's
// nodeStates, edgeStates, actionStates and errors, ...) are always sent,
// as [] when nil.
//
// # Decoding and validation
//
// The Decode functions (DecodeOrder, DecodeState, ...) parse a message and
// validate it: required keys must be present (a missing key is reported by
// its JSON path rather than read as a zero value), values must have the
// schema's JSON type, and the message's Validate method checks enums,
// ranges and the order rules (sequence ids, stitching of nodes and edges,
// base and horizon). Every failure is a *ValidationError that matches
// ErrInvalid.
//
// Both are on the path of every state: Read checks the shape of a message
// in one pass over its bytes and goes through it key by key only when it
// has something to say (a problem, a key to ignore); ValidateStateAfter
// validates a state handed over in memory without what it shares with the
// last one validated (a sender such as sim/agv shares the lists that did
// not change).
package vda5050
