package daemon

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

func TestFullInboxDropsAndCounts(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := New(Config{Graph: g, Inbox: 2, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		d.receive("uagv/v2/acme/s1/state", []byte("{}")) // nobody takes them: Run is not running
	}
	assert.Equal(t, int64(3), d.Counters().MessagesDropped)
}

func TestRecordsRoundTripCompressedOrNot(t *testing.T) {
	for _, rec := range []record{
		{Kind: kindTick, At: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)},
		{Kind: kindMessage, Topic: "uagv/v2/acme/s1/state", JSON: state(t, "s1", "kz-park-01")},
		{Kind: kindMessage, Topic: "uagv/v2/acme/s1/state", Payload: []byte("\x00not json")},
	} {
		b, err := encodeRecord(rec)
		require.NoError(t, err)
		got, err := decodeRecord(b)
		require.NoError(t, err)
		assert.Equal(t, rec.Kind, got.Kind)
		assert.Equal(t, string(rec.payload()), string(got.payload()))
		assert.True(t, rec.At.Equal(got.At))
	}
	_, err := decodeRecord([]byte{deflated, 0xff, 0x00})
	assert.Error(t, err)
	_, err = decodeRecord([]byte(`{"k":"bogus"}`))
	assert.ErrorContains(t, err, "unknown kind")
}

func FuzzDecodeRecord(f *testing.F) {
	b, _ := encodeRecord(record{Kind: kindMessage, Topic: "uagv/v2/a/b/state", JSON: []byte(`{"a":1}`)})
	f.Add(b)
	f.Add([]byte(`{"k":"event","event":{"type":"MoveRequested","data":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err == nil && r.Kind == kindEvent {
			_, _ = r.Event.decode(r.V)
		}
	})
}

// state is daemontest.State, which the daemon's own tests cannot import
// (daemontest imports the daemon): a vehicle's state at a node.
func state(t *testing.T, serial, node string) []byte {
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

// One deflater for many records makes the bytes a new one makes for
// each, and they decode to the record.
func TestDeflaterReused(t *testing.T) {
	var f deflater
	for i := range 5 {
		rec := record{Kind: kindMessage, Topic: "uagv/v2/a/b/state", JSON: []byte(fmt.Sprintf(`{"n":%d,"pad":%q}`, i, strings.Repeat("x", 300+i*50)))}
		got, err := f.encodeRecord(rec)
		require.NoError(t, err)
		want, err := encodeRecord(rec)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, deflated, got[0])
		back, err := decodeRecord(got)
		require.NoError(t, err)
		require.JSONEq(t, string(rec.JSON), string(back.JSON))
	}
}
