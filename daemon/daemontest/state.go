package daemontest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/vda5050"
)

// State is a VDA 5050 state of vehicle acme/serial standing at a node in
// automatic mode, with 70 % charge and nothing else to report, stamped
// now with header id 0.
func State(t testing.TB, serial, node string) []byte {
	t.Helper()
	var st vda5050.State
	var h vda5050.Headers
	h.Stamp(&st.Header, "acme", serial, vda5050.TopicState, time.Now())
	st.LastNodeID, st.OperatingMode = node, vda5050.ModeAutomatic
	st.NodeStates, st.EdgeStates, st.ActionStates, st.Errors = []vda5050.NodeState{}, []vda5050.EdgeState{}, []vda5050.ActionState{}, []vda5050.Error{}
	st.BatteryState = vda5050.BatteryState{BatteryCharge: 70}
	st.SafetyState = vda5050.SafetyState{EStop: vda5050.EStopNone}
	b, err := json.Marshal(st)
	require.NoError(t, err)
	return b
}
