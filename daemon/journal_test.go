package daemon

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
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

// A journal written before LaneReopened existed replays its reopenings.
func TestOldJournalReplaysLaneReopening(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	a, _, stopA, _ := journaled(t, st, "a") // writes the journal's settings
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, stopA())

	// what an older fleetd journaled: two closures, one reopening
	var token uint64
	require.NoError(t, eventually(func() (err error) {
		token, err = st.Acquire(ctx, "old", time.Minute)
		return err
	}))
	_, err = st.Append(ctx, token, oldLaneRecord("kz-yard-cut", true), oldLaneRecord("cn-yard-cut", true), oldLaneRecord("kz-yard-cut", false))
	require.NoError(t, err)
	require.NoError(t, st.Release(ctx, "old", token))

	b, _, _, _ := journaled(t, st, "b")
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	var closed []string
	require.NoError(t, b.Do(ctx, func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) { closed = ctl.ClosedLanes() }))
	assert.Equal(t, []string{"cn-yard-cut"}, closed, "kz-yard-cut reopened")
}
