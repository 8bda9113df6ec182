package vehicles

import (
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// actionType is the VDA 5050 action type that carries out a node action
// of the fleet.
func actionType(a fleet.Action) string {
	switch a {
	case fleet.ActionPick:
		return vda5050.ActionPick
	case fleet.ActionDrop:
		return vda5050.ActionDrop
	case fleet.ActionCharge:
		return vda5050.ActionStartCharging
	}
	return string(a)
}

// fleetAction is the node action of the fleet a VDA 5050 pick or drop
// carries out (a charge ends when charging does, not when its
// startCharging finishes).
func fleetAction(actionType string) fleet.Action {
	switch actionType {
	case vda5050.ActionPick:
		return fleet.ActionPick
	case vda5050.ActionDrop:
		return fleet.ActionDrop
	case vda5050.ActionStartCharging:
		return fleet.ActionCharge
	}
	return fleet.Action(actionType)
}
