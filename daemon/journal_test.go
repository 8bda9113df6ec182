package daemon

import (
	"fmt"
	"reflect"
	"strings"
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
			ev, err := r.Event.decode(r.V)
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
			ev, err := r.Event.decode(r.V)
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

// The format on disk names nothing after Go: every event the journal
// takes has a fixed name (eventName) that this version's decoders know,
// and every field of it, nested ones too, has an explicit JSON name. An
// event round-trips through a record.
func TestJournalFormatIsExplicit(t *testing.T) {
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	events := []fleet.Event{
		fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-01", Destination: "cn-bay-02", Priority: 3, Deadline: at, IdempotencyKey: "k", PreCleared: true},
		fleet.CustomsDecision{Checkpoint: "kz-bakhty-out", Country: "KZ", Move: "m1", Decision: fleet.DecisionInspect, Officer: "o", Reason: "r"},
		fleet.DeclarationFiled{Container: "CSQU3054383", Country: "KZ", Reference: "R", Declarant: "D", Goods: "G", GrossMassKg: 9000, Seals: []string{"S1"}, By: "b"},
		fleet.SealRead{Checkpoint: "kz-bakhty-out", Container: "CSQU3054383", Seals: []fleet.SealState{{Number: "S1", State: "sealed"}}, By: "r"},
		fleet.PauseRequested{Shuttle: "s1"}, fleet.ResumeRequested{Shuttle: "s1"}, fleet.FaultCleared{Shuttle: "s1"},
		fleet.CancelRequested{Move: "m1", By: "otto", Reason: "r"}, fleet.PriorityChanged{Move: "m1", Priority: 2, By: "otto"},
		fleet.ChargeRequested{Shuttle: "s1"}, fleet.ParkRequested{Shuttle: "s1"},
		fleet.EmergencyStopRequested{Shuttle: "s1"}, fleet.EmergencyReleaseRequested{Shuttle: "s1"},
		fleet.OutOfServiceRequested{Shuttle: "s1"}, fleet.InServiceRequested{Shuttle: "s1"},
		fleet.LaneClosed{Lane: "kz-yard-cut", By: "otto"}, fleet.LaneReopened{Lane: "kz-yard-cut", By: "otto"},
	}
	require.Len(t, events, len(decoders[journalVersion]), "one of each event the journal takes")
	for _, ev := range events {
		name, ok := eventName(ev)
		require.True(t, ok, "%T has a journal name", ev)
		_, ok = decoders[journalVersion][name]
		assert.True(t, ok, "%s decodes", name)
		assertTagged(t, reflect.TypeOf(ev), name)

		b := encoded(t, ev)
		r, err := decodeRecord(b)
		require.NoError(t, err)
		assert.Equal(t, journalVersion, r.V)
		got, err := r.Event.decode(r.V)
		require.NoError(t, err)
		assert.Equal(t, ev, got)
	}
	_, ok := eventName(fleet.Tick{})
	assert.False(t, ok, "a tick is not submitted")
}

// assertTagged checks that every field of a struct type, and of the
// structs in it, has an explicit JSON name.
func assertTagged(t *testing.T, typ reflect.Type, where string) {
	t.Helper()
	for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ.PkgPath() == "time" {
		return
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		assert.NotEmpty(t, name, "%s.%s has no JSON name", where, f.Name)
		assertTagged(t, f.Type, where+"."+f.Name)
	}
}

// A record of a version this fleetd does not know is refused, naming the
// versions it reads.
func TestJournalRecordOfANewerVersion(t *testing.T) {
	_, err := decodeRecord([]byte(`{"v":99,"k":"tick","at":"2026-12-06T08:00:00Z"}`))
	assert.ErrorContains(t, err, "version 99, written by a newer fleetd: this one reads versions 1 to 2")
	r, err := decodeRecord([]byte(`{"k":"tick","at":"2026-12-06T08:00:00Z"}`))
	require.NoError(t, err)
	assert.Equal(t, 1, r.V, "no version: the first")
}
