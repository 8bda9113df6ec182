package e2e

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// TestHostileInputOverMQTT publishes, over a real broker and on a driving
// roster vehicle's own state topic, what no vehicle should be believed;
// the vehicle itself adds keys the fleet does not know to every state (the
// protocol allows it), and another vehicle's state does too. Each lie is refused and counted by its reason,
// changes nothing the fleet reports of the vehicle, and the fleet goes on
// to deliver the move.
func TestHostileInputOverMQTT(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end over MQTT: not in -short")
	}
	t.Parallel() // light: one or two shuttles, mostly waiting on their clocks
	url := os.Getenv("BORDERFLEET_TEST_MQTT_URL")
	if url == "" {
		url = brokers(t)["embedded"]
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	iface := "e2ehostile"
	f := startFleetd(t, ctx, url, iface)
	f.officers(t, ctx)
	west, east := f.site.Centres[0].ID, f.site.Centres[1].ID
	// a vehicle that adds keys fleetd does not know to every state, as
	// third-party vehicles do
	shuttles(t, url, iface, "--shuttles", "1", "--serial-prefix", "host-", "--start", parkingOf(f.site, east, 0), "--vendor-keys")
	f.move(ctx, t, "h1", container(21), f.site.BaysOf(west)[2].ID, f.site.BaysOf(east)[3].ID)

	// a real state of the vehicle to forge from, once it drives
	topic := vda5050.TopicName(iface, "borderfleet", "host-01", vda5050.TopicState)
	var real map[string]any
	require.Eventually(t, func() bool {
		for _, m := range f.cap.all() {
			if m.topic == topic && strings.Contains(string(m.payload), `"driving":true`) {
				real = nil
				return json.Unmarshal(m.payload, &real) == nil
			}
		}
		return false
	}, 60*time.Second, 50*time.Millisecond, "host-01 never drove")
	if real["manufacturer"] != "borderfleet" {
		t.Fatalf("shuttle-sim's manufacturer is %v: the test forges the wrong topic", real["manufacturer"])
	}
	forge := func(edit func(m map[string]any)) []byte {
		c := map[string]any{}
		b, _ := json.Marshal(real)
		require.NoError(t, json.Unmarshal(b, &c))
		c["headerId"] = 4_000_000_000 // ahead of the vehicle's own count
		c["batteryState"] = map[string]any{"batteryCharge": 3.0, "charging": false}
		edit(c)
		out, err := json.Marshal(c)
		require.NoError(t, err)
		return out
	}
	pos := func(c map[string]any) map[string]any { return c["agvPosition"].(map[string]any) }
	lies := []struct {
		name, reason string
		payload      []byte
	}{
		{"garbage", vehicles.RefusedInvalid, []byte(`{garbage`)},
		{"a known key of the wrong type", vehicles.RefusedInvalid, forge(func(c map[string]any) { c["driving"] = "yes" })},
		{"another vehicle's serial", vehicles.RefusedIdentity, forge(func(c map[string]any) { c["serialNumber"] = "host-02" })},
		{"another manufacturer", vehicles.RefusedIdentity, forge(func(c map[string]any) { c["manufacturer"] = "evil" })},
		{"headerId backwards", vehicles.RefusedSequence, forge(func(c map[string]any) { c["headerId"] = 0 })},
		{"another map", vehicles.RefusedMap, forge(func(c map[string]any) { pos(c)["mapId"] = "elsewhere" })},
		{"500 km off", vehicles.RefusedPosition, forge(func(c map[string]any) { pos(c)["x"] = 500_000.0 })},
		{"at 1e308", vehicles.RefusedPosition, forge(func(c map[string]any) { pos(c)["y"] = 1e308 })},
		{"a node not in the graph", vehicles.RefusedNode, forge(func(c map[string]any) { c["lastNodeId"] = "nowhere" })},
		{"an escape sequence in an id", vehicles.RefusedLimits, forge(func(c map[string]any) { c["orderId"] = "o\x00\x1b[31m" })},
		{"20,000 errors", vehicles.RefusedLimits, forge(func(c map[string]any) {
			errs := make([]any, 20_000)
			for i := range errs {
				errs[i] = map[string]any{"errorType": "x", "errorLevel": "WARNING"}
			}
			c["errors"] = errs
		})},
		{"3 MB", vehicles.RefusedLimits, forge(func(c map[string]any) { c["vendorBlob"] = strings.Repeat("x", 3<<20) })},
		{"stamped in 1999", vehicles.RefusedTime, forge(func(c map[string]any) { c["timestamp"] = "1999-01-01T00:00:00.000Z" })},
		{"stamped in 2099", vehicles.RefusedTime, forge(func(c map[string]any) { c["timestamp"] = "2099-01-01T00:00:00.000Z" })},
	}
	hostile := connect(t, url, iface+"-hostile")
	defer func() { t.Logf("refused by reason: %v", f.d.Counters().RejectedBy) }()
	for _, l := range lies {
		require.NoError(t, hostile.Publish(topic, 0, false, l.payload), l.name)
	}
	require.Eventually(t, func() bool {
		c := f.d.Counters()
		if c.MessagesRejected < int64(len(lies)) {
			return false
		}
		by := c.RejectedBy
		for _, l := range lies {
			if by[l.reason] == 0 {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "every lie refused with its reason: %v", f.d.Counters().RejectedBy)
	assert.Equal(t, int64(len(lies)), f.d.Counters().MessagesRejected, "each lie refused once, and nothing else: %v", f.d.Counters().RejectedBy)
	assert.GreaterOrEqual(t, f.d.Counters().RejectedBy[vehicles.RefusedInvalid], int64(2))
	assert.GreaterOrEqual(t, f.d.Counters().RejectedBy[vehicles.RefusedIdentity], int64(2))
	require.NoError(t, f.d.Do(ctx, func(_ time.Time, _ *fleet.Controller, m *vehicles.Master) {
		for _, v := range m.Vehicles() {
			if v.ID == "host-01" {
				assert.Greater(t, v.SoC, 0.05, "a refused state's battery was believed")
				assert.NotEqual(t, "nowhere", v.LastNode)
			}
		}
	}))

	// what the protocol allows is taken: another vehicle (admitted on
	// first report) whose state carries a vendor extension and a known
	// key in another letter case, beside its own keys; in manual mode, so
	// that it is seen but not dispatched
	other := vda5050.TopicName(iface, "borderfleet", "extra-01", vda5050.TopicState)
	extra, err := json.Marshal(map[string]any{
		"headerId": 1, "timestamp": real["timestamp"], "version": real["version"], "manufacturer": "borderfleet", "serialNumber": "extra-01",
		"orderId": "", "orderUpdateId": 0, "lastNodeId": parkingOf(f.site, west, 30), "lastNodeSequenceId": 0,
		"nodeStates": []any{}, "edgeStates": []any{}, "actionStates": []any{}, "errors": []any{}, "driving": false,
		"operatingMode": "MANUAL", "batteryState": map[string]any{"batteryCharge": 61.0, "charging": false, "cellVoltages": []any{3.3, 3.31}},
		"safetyState": map[string]any{"eStop": "NONE", "fieldViolation": false}, "vendorDiagnostics": map[string]any{"motorTempC": 41.5},
		"LastNodeId": "nowhere",
	})
	require.NoError(t, err)
	before := f.d.Counters().MessagesRejected
	require.NoError(t, hostile.Publish(other, 0, false, extra))
	require.Eventually(t, func() bool {
		seen := false
		require.NoError(t, f.d.Do(ctx, func(_ time.Time, _ *fleet.Controller, m *vehicles.Master) {
			for _, v := range m.Vehicles() {
				seen = seen || (v.ID == "extra-01" && v.Joined && v.LastNode == parkingOf(f.site, west, 30) && v.SoC > 0.6)
			}
		}))
		return seen
	}, 10*time.Second, 20*time.Millisecond, "a state with keys fleetd does not know was not taken as it is")
	assert.Equal(t, before, f.d.Counters().MessagesRejected, "a state with extra keys was refused: %v", f.d.Counters().RejectedBy)

	require.Eventually(t, func() bool {
		mv := f.moves(t, ctx)[0]
		return mv.State == fleet.MoveDelivered
	}, 3*time.Minute, 250*time.Millisecond, "the move is delivered after the lies")
	st := f.stats(t, ctx)
	assert.Zero(t, st.IllegalTransitions, "%v", st.Illegal)
	require.NoError(t, f.d.Do(ctx, func(_ time.Time, _ *fleet.Controller, m *vehicles.Master) {
		for _, v := range m.Vehicles() {
			if v.ID == "host-01" {
				assert.Contains(t, v.IgnoredKeys, "state:vendorDiagnostics", "the keys it ignored are shown")
				assert.Contains(t, v.IgnoredKeys, "state:LastNodeID")
			}
		}
	}))
}
