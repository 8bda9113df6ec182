package vdaschema

import (
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := vda5050.ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
