package daemon_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// A vehicle whose link broke and came back, standing where it stood, sends
// the same state as before the break: it is news all the same (it clears
// the broken link), not a repeat that only counts as a sign of life.
func TestStateAfterALinkBreakIsNotARepeat(t *testing.T) {
	d, _, bus := onBus(t)
	ctx := t.Context()

	var h vda5050.Headers
	stamp := func(hdr *vda5050.Header, topic vda5050.Topic) { h.Stamp(hdr, "acme", "s1", topic, time.Now()) }
	state := func() []byte {
		var st vda5050.State
		stamp(&st.Header, vda5050.TopicState)
		st.LastNodeID, st.OperatingMode = "kz-park-01", vda5050.ModeAutomatic
		st.NodeStates, st.EdgeStates, st.ActionStates, st.Errors = []vda5050.NodeState{}, []vda5050.EdgeState{}, []vda5050.ActionState{}, []vda5050.Error{}
		st.BatteryState = vda5050.BatteryState{BatteryCharge: 70}
		st.SafetyState = vda5050.SafetyState{EStop: vda5050.EStopNone}
		b, err := json.Marshal(st)
		require.NoError(t, err)
		return b
	}
	connection := func(cs string) []byte {
		c := vda5050.Connection{ConnectionState: cs}
		stamp(&c.Header, vda5050.TopicConnection)
		b, err := json.Marshal(c)
		require.NoError(t, err)
		return b
	}
	reasons := func() []string {
		var out []string
		require.NoError(t, d.Do(ctx, func(_ time.Time, _ *fleet.Controller, m *vehicles.Master) { out = m.Vehicles()[0].Reasons }))
		return out
	}
	in := bus.Handler()
	in("uagv/v2/acme/s1/connection", connection(vda5050.ConnectionOnline))
	in("uagv/v2/acme/s1/state", state())
	require.Eventually(t, func() bool {
		s, err := d.Snapshot(ctx)
		return err == nil && s.Shuttles[fleet.ShuttleIdle] == 1
	}, 5*time.Second, 10*time.Millisecond)

	in("uagv/v2/acme/s1/connection", connection(vda5050.ConnectionBroken))
	require.Eventually(t, func() bool { return len(reasons()) == 1 }, 5*time.Second, 10*time.Millisecond, "out of dispatch: the link broke")
	in("uagv/v2/acme/s1/connection", connection(vda5050.ConnectionOnline))
	in("uagv/v2/acme/s1/state", state()) // as before the break, but for its header
	require.Eventually(t, func() bool { return len(reasons()) == 0 }, 5*time.Second, 10*time.Millisecond,
		"its first state after the link came back puts it back in dispatch; reasons: %v", reasons())
}

// When fleetd's own broker link comes back (LinkBack), every vehicle it
// knows is asked for its state: what they published meanwhile is lost,
// and a broker that restarted published no will for them.
func TestLinkBackAsksEveryVehicleForItsState(t *testing.T) {
	d, _, bus := onBus(t)
	var h vda5050.Headers
	c := vda5050.Connection{ConnectionState: vda5050.ConnectionOnline}
	h.Stamp(&c.Header, "acme", "s1", vda5050.TopicConnection, time.Now())
	online, err := json.Marshal(c)
	require.NoError(t, err)
	bus.Handler()("uagv/v2/acme/s1/connection", online)
	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	asks := func() int {
		n := 0
		for _, b := range bus.Published("uagv/v2/acme/s1/instantActions") {
			n += strings.Count(string(b), vda5050.ActionStateRequest)
		}
		return n
	}
	require.Eventually(t, func() bool { return asks() == 1 }, 5*time.Second, 10*time.Millisecond, "asked once as it came online")
	d.LinkBack()
	d.LinkBack() // calls before the daemon takes them are one
	require.Eventually(t, func() bool { return asks() >= 2 }, 5*time.Second, 10*time.Millisecond, "asked again when fleetd's link came back")
	assert.LessOrEqual(t, asks(), 3)
}
