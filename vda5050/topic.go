package vda5050

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTopic reports an MQTT topic that is not a VDA 5050 2.x topic.
var ErrTopic = errors.New("vda5050: bad topic")

// ErrID reports a manufacturer or serial number that cannot be a topic level.
var ErrID = errors.New("vda5050: bad id")

// Topic is the last level of a VDA 5050 MQTT topic, naming the message type.
type Topic string

// The VDA 5050 2.0 topics.
const (
	TopicOrder          Topic = "order"
	TopicInstantActions Topic = "instantActions"
	TopicState          Topic = "state"
	TopicVisualization  Topic = "visualization"
	TopicConnection     Topic = "connection"
	TopicFactsheet      Topic = "factsheet"
)

// Topics lists all topics of VDA 5050 2.0.
func Topics() []Topic {
	return []Topic{TopicOrder, TopicInstantActions, TopicState, TopicVisualization, TopicConnection, TopicFactsheet}
}

// Valid reports whether t is one of the VDA 5050 2.0 topics.
func (t Topic) Valid() bool {
	switch t {
	case TopicOrder, TopicInstantActions, TopicState, TopicVisualization, TopicConnection, TopicFactsheet:
		return true
	}
	return false
}

// TopicName returns the MQTT topic of message type t for one vehicle:
// iface/v2/manufacturer/serial/t, e.g. "uagv/v2/acme/0001/order". An empty
// iface means DefaultInterface. The ids are not checked; see CheckID.
func TopicName(iface, manufacturer, serial string, t Topic) string {
	if iface == "" {
		iface = DefaultInterface
	}
	return iface + "/" + MajorVersion + "/" + manufacturer + "/" + serial + "/" + string(t)
}

// Subscription returns the MQTT topic filter for message type t of all
// vehicles, e.g. "uagv/v2/+/+/state". An empty iface means DefaultInterface.
func Subscription(iface string, t Topic) string {
	return TopicName(iface, "+", "+", t)
}

// ParseTopic splits a VDA 5050 topic into its interface name, manufacturer,
// serial number and message type. The last four levels must be the major
// version "v2", the manufacturer, the serial number and a known topic; all
// levels before them form the interface name (which may thus contain "/"
// when a broker adds a prefix). Errors match ErrTopic.
func ParseTopic(s string) (iface, manufacturer, serial string, t Topic, err error) {
	levels := strings.Split(s, "/")
	n := len(levels)
	if n < 5 {
		return "", "", "", "", fmt.Errorf("%w %q: want interface/%s/manufacturer/serialNumber/topic", ErrTopic, s, MajorVersion)
	}
	iface = strings.Join(levels[:n-4], "/")
	major, manufacturer, serial, t := levels[n-4], levels[n-3], levels[n-2], Topic(levels[n-1])
	switch {
	case iface == "" || strings.Contains(iface, "//") || strings.HasPrefix(iface, "/"):
		return "", "", "", "", fmt.Errorf("%w %q: empty interface level", ErrTopic, s)
	case major != MajorVersion:
		return "", "", "", "", fmt.Errorf("%w %q: major version %q, want %q", ErrTopic, s, major, MajorVersion)
	case !t.Valid():
		return "", "", "", "", fmt.Errorf("%w %q: unknown topic %q", ErrTopic, s, t)
	}
	if err := CheckID(manufacturer); err != nil {
		return "", "", "", "", fmt.Errorf("%w %q: manufacturer: %w", ErrTopic, s, err)
	}
	if err := CheckID(serial); err != nil {
		return "", "", "", "", fmt.Errorf("%w %q: serial number: %w", ErrTopic, s, err)
	}
	return iface, manufacturer, serial, t, nil
}

// CheckID reports whether s may be used as a manufacturer or serial number
// in a topic: not empty, and only A-Z a-z 0-9 _ . : - (so never an MQTT
// wildcard, "/" or "$"). Errors match ErrID.
func CheckID(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrID)
	}
	for i := 0; i < len(s); i++ {
		if !idByte(s[i]) {
			return fmt.Errorf("%w %q: character %q at %d (allowed: A-Z a-z 0-9 _ . : -)", ErrID, s, s[i], i)
		}
	}
	return nil
}

func idByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '_', c == '.', c == ':', c == '-':
		return true
	}
	return false
}
