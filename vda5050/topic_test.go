package vda5050

import (
	"errors"
	"testing"
)

func TestTopicName(t *testing.T) {
	tests := []struct {
		iface, man, serial string
		topic              Topic
		want               string
	}{
		{"", "acme", "0001", TopicOrder, "uagv/v2/acme/0001/order"},
		{"bf", "acme", "0001", TopicState, "bf/v2/acme/0001/state"},
		{"", "KIT", "a.b:c-d_e", TopicInstantActions, "uagv/v2/KIT/a.b:c-d_e/instantActions"},
	}
	for _, tt := range tests {
		if got := TopicName(tt.iface, tt.man, tt.serial, tt.topic); got != tt.want {
			t.Errorf("TopicName(%q, %q, %q, %q) = %q, want %q", tt.iface, tt.man, tt.serial, tt.topic, got, tt.want)
		}
	}
}

func TestSubscription(t *testing.T) {
	if got, want := Subscription("", TopicState), "uagv/v2/+/+/state"; got != want {
		t.Errorf("Subscription = %q, want %q", got, want)
	}
	if got, want := Subscription("x", TopicConnection), "x/v2/+/+/connection"; got != want {
		t.Errorf("Subscription = %q, want %q", got, want)
	}
}

func TestParseTopic(t *testing.T) {
	tests := []struct {
		in                        string
		iface, man, serial, topic string
		ok                        bool
	}{
		{"uagv/v2/acme/0001/state", "uagv", "acme", "0001", "state", true},
		{"cloud/prefix/uagv/v2/acme/0001/connection", "cloud/prefix/uagv", "acme", "0001", "connection", true},
		{"uagv/v1/acme/0001/state", "", "", "", "", false},
		{"uagv/v2/acme/0001/status", "", "", "", "", false},
		{"uagv/v2/acme/state", "", "", "", "", false},
		{"uagv/v2/+/0001/state", "", "", "", "", false},
		{"uagv/v2/acme/00 01/state", "", "", "", "", false},
		{"uagv/v2/acme//state", "", "", "", "", false},
		{"/v2/acme/0001/state", "", "", "", "", false},
		{"a//b/v2/acme/0001/state", "", "", "", "", false},
	}
	for _, tt := range tests {
		iface, man, serial, topic, err := ParseTopic(tt.in)
		if !tt.ok {
			if !errors.Is(err, ErrTopic) {
				t.Errorf("ParseTopic(%q): err = %v, want ErrTopic", tt.in, err)
			}
			continue
		}
		if err != nil || iface != tt.iface || man != tt.man || serial != tt.serial || string(topic) != tt.topic {
			t.Errorf("ParseTopic(%q) = %q %q %q %q %v", tt.in, iface, man, serial, topic, err)
		}
		if back := TopicName(iface, man, serial, topic); back != tt.in {
			t.Errorf("TopicName(ParseTopic(%q)) = %q", tt.in, back)
		}
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0001", true},
		{"Acme_GmbH.v2:x-1", true},
		{"", false},
		{"a/b", false},
		{"+", false},
		{"#", false},
		{"$SYS", false},
		{"a b", false},
		{"ü", false},
	}
	for _, tt := range tests {
		err := CheckID(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckID(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrID) {
			t.Errorf("CheckID(%q) = %v, not ErrID", tt.in, err)
		}
	}
}
