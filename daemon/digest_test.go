package daemon

import (
	"hash/maphash"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/vda5050"
)

// Two states have one digest when the core reads the same in them: what
// changes in every message (header, position, velocity, battery below a
// tenth of a point, information, nodes and edges after the first) does
// not count; anything else does. Each edit is also judged as trimState's
// digest of the bytes judged it.
func TestStateDigest(t *testing.T) {
	seed := maphash.MakeSeed()
	base, err := vda5050.DecodeState(aState(t))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		same bool
		edit func(st *vda5050.State)
	}{
		{"header and time", true, func(st *vda5050.State) { st.HeaderID, st.Timestamp = 99, "2026-01-15T08:00:01.000Z" }},
		{"position and velocity", true, func(st *vda5050.State) {
			st.AgvPosition = &vda5050.AgvPosition{X: 1, MapID: "baqty"}
			st.Velocity = nil
		}},
		{"battery by a hundredth", true, func(st *vda5050.State) { st.BatteryState.BatteryCharge += 0.01 }},
		{"information", true, func(st *vda5050.State) { st.Information = []vda5050.Info{{InfoType: "x", InfoLevel: "INFO"}} }},
		{"a later node", true, func(st *vda5050.State) { st.NodeStates = st.NodeStates[:3] }},
		{"battery by a point", false, func(st *vda5050.State) { st.BatteryState.BatteryCharge++ }},
		{"charging", false, func(st *vda5050.State) { st.BatteryState.Charging = true }},
		{"last node", false, func(st *vda5050.State) { st.LastNodeID = "main#2+4" }},
		{"sequence id", false, func(st *vda5050.State) { st.LastNodeSequenceID++ }},
		{"order update", false, func(st *vda5050.State) { st.OrderUpdateID++ }},
		{"driving", false, func(st *vda5050.State) { st.Driving = false }},
		{"the next node", false, func(st *vda5050.State) { st.NodeStates = st.NodeStates[1:] }},
		{"no nodes left", false, func(st *vda5050.State) { st.NodeStates = []vda5050.NodeState{} }},
		{"an action's status", false, func(st *vda5050.State) { st.ActionStates[0].ActionStatus = vda5050.StatusFinished }},
		{"a load gone", false, func(st *vda5050.State) { st.Loads = []vda5050.Load{} }},
		{"loads not sensed", false, func(st *vda5050.State) { st.Loads = nil }},
		{"an error", false, func(st *vda5050.State) {
			st.Errors = []vda5050.Error{{ErrorType: "orderError", ErrorLevel: vda5050.LevelWarning}}
		}},
		{"emergency stop", false, func(st *vda5050.State) { st.SafetyState.EStop = vda5050.EStopManual }},
		{"mode", false, func(st *vda5050.State) { st.OperatingMode = vda5050.ModeManual }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := vda5050.DecodeState(aState(t))
			require.NoError(t, err)
			tc.edit(&b)
			assert.Equal(t, tc.same, stateDigest(seed, &base) == stateDigest(seed, &b))
			bytesA, err := base.MarshalJSON()
			require.NoError(t, err)
			bytesB, err := b.MarshalJSON()
			require.NoError(t, err)
			_, da, _ := trimState(bytesA)
			_, db, _ := trimState(bytesB)
			assert.Equal(t, tc.same, da == db, "as the bytes' digest")
		})
	}
}

// A state the check decoded and trimDecoded cut is the state that replay
// decodes from the bytes journaled (trimChecked): the core sees the same
// live and in replay.
func TestTrimDecodedIsWhatReplayReads(t *testing.T) {
	for _, b := range [][]byte{aState(t), []byte(`{"headerId":1,"timestamp":"2026-01-15T08:00:00.000Z","version":"2.0.0","manufacturer":"a","serialNumber":"b",` +
		`"orderId":"","orderUpdateId":0,"lastNodeId":"","lastNodeSequenceId":0,"driving":false,"operatingMode":"AUTOMATIC","nodeStates":[],"edgeStates":[],` +
		`"actionStates":[],"batteryState":{"batteryCharge":50,"charging":false},"errors":[],"safetyState":{"eStop":"NONE","fieldViolation":false}, "vendorKey" : [1, 2]}`)} {
		live, err := vda5050.DecodeState(b)
		require.NoError(t, err)
		journaled, ok := trimChecked(b)
		require.True(t, ok)
		trimDecoded(&live)
		replayed, err := vda5050.DecodeState(journaled)
		require.NoError(t, err)
		assert.Equal(t, replayed, live)
	}
}
