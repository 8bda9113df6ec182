package daemon

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
)

// oldLaneRecord is a lane closure or reopening as journals written before
// LaneReopened hold it: a LaneClosed with a Closed flag.
func oldLaneRecord(lane string, closed bool) []byte {
	return fmt.Appendf(nil, `{"k":"event","at":%q,"event":{"type":"LaneClosed","data":{"Lane":%q,"Closed":%t,"By":"otto"}}}`,
		time.Now().UTC().Format(time.RFC3339Nano), lane, closed)
}

func TestLaneEventsDecodeOldAndNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  []byte
		want fleet.Event
	}{
		{"old closure", oldLaneRecord("kz-yard-cut", true), fleet.LaneClosed{Lane: "kz-yard-cut", By: "otto"}},
		{"old reopening", oldLaneRecord("kz-yard-cut", false), fleet.LaneReopened{Lane: "kz-yard-cut", By: "otto"}},
		{"closure", encoded(t, fleet.LaneClosed{Lane: "kz-yard-cut#2", By: "otto"}), fleet.LaneClosed{Lane: "kz-yard-cut#2", By: "otto"}},
		{"reopening", encoded(t, fleet.LaneReopened{Lane: "kz-yard-cut#2", By: "otto"}), fleet.LaneReopened{Lane: "kz-yard-cut#2", By: "otto"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeRecord(tc.rec)
			require.NoError(t, err)
			ev, err := r.Event.decode()
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev)
		})
	}
}

// oldRecord is an event of another kind as journals written before the
// paired events hold it: one type with a bool.
func oldRecord(typ, data string) []byte {
	return fmt.Appendf(nil, `{"k":"event","at":%q,"event":{"type":%q,"data":%s}}`, time.Now().UTC().Format(time.RFC3339Nano), typ, data)
}

// Pause, emergency stop and service requests of old journals replay as
// the paired events they meant; the new ones as themselves.
func TestOperatorEventsDecodeOldAndNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  []byte
		want fleet.Event
	}{
		{"old pause", oldRecord("PauseRequested", `{"Shuttle":"s1","Pause":true}`), fleet.PauseRequested{Shuttle: "s1"}},
		{"old resume", oldRecord("PauseRequested", `{"Shuttle":"s1","Pause":false}`), fleet.ResumeRequested{Shuttle: "s1"}},
		{"old stop", oldRecord("EmergencyStopRequested", `{"Shuttle":"s1","Stop":true}`), fleet.EmergencyStopRequested{Shuttle: "s1"}},
		{"old release", oldRecord("EmergencyStopRequested", `{"Shuttle":"s1","Stop":false}`), fleet.EmergencyReleaseRequested{Shuttle: "s1"}},
		{"old out of service", oldRecord("ServiceRequested", `{"Shuttle":"s1","InService":false}`), fleet.OutOfServiceRequested{Shuttle: "s1"}},
		{"old in service", oldRecord("ServiceRequested", `{"Shuttle":"s1","InService":true}`), fleet.InServiceRequested{Shuttle: "s1"}},
		{"pause", encoded(t, fleet.PauseRequested{Shuttle: "s2"}), fleet.PauseRequested{Shuttle: "s2"}},
		{"resume", encoded(t, fleet.ResumeRequested{Shuttle: "s2"}), fleet.ResumeRequested{Shuttle: "s2"}},
		{"stop", encoded(t, fleet.EmergencyStopRequested{Shuttle: "s2"}), fleet.EmergencyStopRequested{Shuttle: "s2"}},
		{"release", encoded(t, fleet.EmergencyReleaseRequested{Shuttle: "s2"}), fleet.EmergencyReleaseRequested{Shuttle: "s2"}},
		{"out of service", encoded(t, fleet.OutOfServiceRequested{Shuttle: "s2"}), fleet.OutOfServiceRequested{Shuttle: "s2"}},
		{"in service", encoded(t, fleet.InServiceRequested{Shuttle: "s2"}), fleet.InServiceRequested{Shuttle: "s2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeRecord(tc.rec)
			require.NoError(t, err)
			ev, err := r.Event.decode()
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev)
		})
	}
}

// encoded is an event's journal record.
func encoded(t *testing.T, ev fleet.Event) []byte {
	t.Helper()
	ej, err := encodeEvent(ev)
	require.NoError(t, err)
	b, err := encodeRecord(record{Kind: kindEvent, At: time.Now().UTC(), Event: ej})
	require.NoError(t, err)
	return b
}
