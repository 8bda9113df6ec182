package audit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSharingVisible(t *testing.T) {
	s := Sharing{
		CheckpointCountry: func(cp string) string { return map[string]string{"kz-out": "KZ", "cn-in": "CN", "mn-in": "MN"}[cp] },
		MoveCountries: func(m string) []string {
			return map[string][]string{"m1": {"KZ", "CN"}, "m2": {"MN"}}[m]
		},
	}
	for _, c := range []struct {
		e    Entry
		want map[string]bool
	}{
		{Entry{Move: "m1", Event: "created"}, map[string]bool{"KZ": true, "CN": true, "MN": false}},
		{Entry{Move: "m1", Event: "customs_refuse", Checkpoint: "kz-out"}, map[string]bool{"KZ": true, "CN": false}},
		{Entry{Move: "m1", Event: "at_gate", Checkpoint: "cn-in"}, map[string]bool{"KZ": false, "CN": true}},
		{Entry{Move: "m1", Event: EventSealAlert, Checkpoint: "kz-out"}, map[string]bool{"KZ": true, "CN": true, "MN": false}},
		{Entry{Move: "m2", Event: "delivered"}, map[string]bool{"KZ": false, "MN": true}},
		{Entry{Move: "m9", Event: "created"}, map[string]bool{"KZ": false, "CN": false}},
	} {
		for country, want := range c.want {
			assert.Equal(t, want, s.Visible(c.e, country), "%s sees %+v", country, c.e)
		}
		assert.False(t, s.Visible(c.e, ""), "no country sees nothing")
	}
}
