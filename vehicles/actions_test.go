package vehicles

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Each node action of the fleet is one VDA 5050 action type, and back.
func TestActionTypes(t *testing.T) {
	for _, tc := range []struct {
		fleet fleet.Action
		vda   string
	}{
		{fleet.ActionPick, vda5050.ActionPick},
		{fleet.ActionDrop, vda5050.ActionDrop},
		{fleet.ActionCharge, vda5050.ActionStartCharging},
	} {
		assert.Equal(t, tc.vda, actionType(tc.fleet), "%s", tc.fleet)
		assert.Equal(t, tc.fleet, fleetAction(tc.vda), "%s", tc.vda)
	}
}
