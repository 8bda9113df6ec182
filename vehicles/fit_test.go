package vehicles

import (
	"testing"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fits checks every limit a factsheet states, and nothing it leaves out.
func TestFitsWhatTheFactsheetAllows(t *testing.T) {
	order := func() *vda5050.Order {
		return &vda5050.Order{OrderID: "s1-abc-1", Nodes: []vda5050.Node{
			{NodeID: "n1", Actions: []vda5050.Action{}},
			{NodeID: "bay-07", Actions: []vda5050.Action{{ActionType: vda5050.ActionPick, ActionID: "s1-pick-1", BlockingType: vda5050.BlockingHard,
				ActionParameters: []vda5050.ActionParameter{{Key: "loadId", Value: "CSQU3054383"}, {Key: "stationName", Value: "bay-07"}}}}},
		}, Edges: []vda5050.Edge{{EdgeID: "e1", Actions: []vda5050.Action{}}}}
	}
	instant := &vda5050.InstantActions{Actions: []vda5050.Action{{ActionType: vda5050.ActionCancelOrder, ActionID: "s1-cancel-2", BlockingType: vda5050.BlockingHard}}}
	const topic = "uagv/v2/acme/s1/order"
	for _, tc := range []struct {
		name string
		edit func(f *vda5050.Factsheet)
		msg  any
		want string // in the error; "" for none
	}{
		{"no limits stated", func(f *vda5050.Factsheet) {}, order(), ""},
		{"message length", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.MsgLen = 100 }, order(), "maxStringLens.msgLen"},
		{"id length", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.IDLen = 6 }, order(), `orderId "s1-abc-1" is 8 characters, its factsheet allows 6`},
		{"numerical ids", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.IDNumericalOnly = true }, order(), "idNumericalOnly"},
		{"enum length", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.EnumLen = 3 }, order(), "enumLen"},
		{"load id length", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.LoadIDLen = 8 }, order(), "loadIdLen"},
		{"serial in the topic", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.TopicSerialLen = 1 }, order(), "topicSerialLen"},
		{"other topic levels", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxStringLens.TopicElemLen = 3 }, order(), "topicElemLen"},
		{"nodes", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxArrayLens.OrderNodes = 1 }, order(), "2 nodes in the order, its factsheet allows 1"},
		{"edges", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxArrayLens.OrderEdges = 1 }, order(), ""},
		{"parameters", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxArrayLens.ActionsParameters = 1 }, order(), "actions.actionsParameters"},
		{"instant actions", func(f *vda5050.Factsheet) { f.ProtocolLimits.MaxArrayLens.InstantActions = 0 }, instant, ""},
		{"an action it does not list", func(f *vda5050.Factsheet) {
			f.ProtocolFeatures.AgvActions = []vda5050.AgvAction{{ActionType: vda5050.ActionDrop, ActionScopes: []string{vda5050.ScopeNode}}}
		}, order(), "action pick at scope NODE is not in its factsheet"},
		{"an action at another scope", func(f *vda5050.Factsheet) {
			f.ProtocolFeatures.AgvActions = []vda5050.AgvAction{{ActionType: vda5050.ActionCancelOrder, ActionScopes: []string{vda5050.ScopeNode}}}
		}, instant, "action cancelOrder at scope INSTANT"},
		{"listed", func(f *vda5050.Factsheet) {
			f.ProtocolFeatures.AgvActions = []vda5050.AgvAction{{ActionType: vda5050.ActionCancelOrder, ActionScopes: []string{vda5050.ScopeInstant}}}
		}, instant, ""},
	} {
		var f vda5050.Factsheet
		tc.edit(&f)
		err := fits(&f, topic, 420, tc.msg)
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, tc.want, tc.name)
		}
	}
	assert.NoError(t, fits(nil, topic, 1<<30, order()), "no factsheet yet: nothing to check against")
}

// An order a vehicle's factsheet says it cannot take is not sent: the
// vehicle is out of dispatch with the reason, until an operator clears it.
func TestOrderThatDoesNotFitIsNotSent(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.factsheet(func(f map[string]any) {
		f["protocolLimits"].(map[string]any)["maxStringLens"].(map[string]any)["idLen"] = 5.0
	})
	steps := r.route(r.g.Site().BaysOf(r.g.Site().Centres[0].ID)[0].ID)
	r.now = r.now.Add(2e9)
	out := r.m.Commands(r.now, []fleet.Command{{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 2, Steps: steps[:2]}})
	assert.Empty(t, orders(t, out), "nothing sent")
	evs, _ := r.m.Tick(r.now)
	require.Len(t, evs, 1, "the Controller is told")
	assert.Contains(t, evs[0].(fleet.FaultReported).Reason, "protocolLimits.maxStringLens.idLen")
	_, err := r.m.ClearFault(r.now, "s1")
	require.NoError(t, err, "an operator may clear it (after mending the site or the vehicle)")
}

// A drop the vehicle's factsheet does not list is not sent; a state
// request it does not list is not asked for.
func TestActionsTheVehicleDoesNotListAreNotSent(t *testing.T) {
	r := newRig(t, Config{})
	r.joined()
	r.factsheet(func(f map[string]any) {}) // lists pick and cancelOrder only
	r.now = r.now.Add(2e9)
	out := r.m.Commands(r.now, []fleet.Command{{Shuttle: "s1", Kind: fleet.CmdDrive, From: 0, To: 0, Action: "drop", Container: "CSQU3054383"}})
	assert.Empty(t, orders(t, out))
	require.NotEmpty(t, r.m.Vehicles()[0].Reasons)
	assert.Contains(t, r.m.Vehicles()[0].Reasons[0], "action drop at scope NODE is not in its factsheet")

	_, _ = r.connection(vda5050.ConnectionBroken)
	_, out = r.connection(vda5050.ConnectionOnline)
	for _, o := range out {
		assert.NotEqual(t, vda5050.TopicInstantActions, o.Kind, "no stateRequest to a vehicle that does not list it: %s", o.Payload)
	}
}
