package vehicles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
)

// checkFrom runs Check on the rig's state as vehicle acme/serial sends it.
func (r *rig) checkFrom(serial string) error {
	st := r.st
	var h vda5050.Headers
	h.Stamp(&st.Header, "acme", serial, vda5050.TopicState, r.now)
	b, err := json.Marshal(&st)
	require.NoError(r.t, err)
	return r.m.Check(r.now, vda5050.TopicName("", "acme", serial, vda5050.TopicState), b)
}

// Auto-admission fills the roster to its cap and no further: a vehicle
// beyond it is refused by Check, before anything is journaled, with
// reason full, and logged once however often it reports; one on the
// roster still passes.
func TestAdmissionCap(t *testing.T) {
	var logs bytes.Buffer
	empty, _ := NewRoster()
	r := newRig(t, Config{AutoAdmit: true, Roster: empty, MaxVehicles: 2, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, s := range []string{"s1", "s2"} {
		require.NoError(t, r.checkFrom(s))
		require.NoError(t, r.m.Admit(Entry{Manufacturer: "acme", SerialNumber: s}))
	}
	for range 3 {
		err := r.checkFrom("s3")
		require.ErrorIs(t, err, ErrRosterFull)
		assert.Equal(t, RefusedFull, ReasonOf(err))
	}
	assert.NoError(t, r.checkFrom("s1"), "a vehicle on the roster")
	assert.Equal(t, 1, strings.Count(logs.String(), "roster is full"), "the refused vehicle logged once: %s", logs.String())

	// without auto-admission the cap does not apply (unknown vehicles are
	// refused later, as before)
	r = newRig(t, Config{MaxVehicles: 1})
	assert.NoError(t, r.checkFrom("s9"))
}

// The default cap is the site's parking; negative is none.
func TestRosterCap(t *testing.T) {
	g := graph(t)
	assert.Equal(t, len(g.Site().Parking), Config{Graph: g}.rosterCap())
	assert.Equal(t, 7, Config{Graph: g, MaxVehicles: 7}.rosterCap())
	assert.Equal(t, 0, Config{Graph: g, MaxVehicles: -1}.rosterCap())
}

// A join refused because the site is full is tried again after a wait
// that doubles up to 10 minutes, logged as a warning once a row and
// counted each time; a join refused otherwise waits 10 s; a join that
// succeeds ends the row.
func TestJoinBackoff(t *testing.T) {
	full := fmt.Errorf("%w: no spot", fleet.ErrSiteFull)
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 6: 320 * time.Second, 7: 10 * time.Minute, 50: 10 * time.Minute} {
		assert.Equal(t, want, joinBackoff(n, full), "refusal %d", n)
	}
	assert.Equal(t, 10*time.Second, joinBackoff(5, fmt.Errorf("fleet: node taken")))

	var logs bytes.Buffer
	r := newRig(t, Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	evs, _ := r.state()
	require.Len(t, evs, 1)
	for i, wait := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		r.m.JoinFailed("s1", full)
		v := r.m.byID["s1"]
		assert.Equal(t, r.m.now.Add(wait), v.joinRetry, "refusal %d", i+1)
		assert.False(t, v.joined)
		// the next state before the wait is up joins nothing
		evs, _ = r.state()
		assert.Empty(t, evs, "a state before the retry")
		r.now = v.joinRetry
		evs, _ = r.state()
		require.Len(t, evs, 1, "a state after the retry is due")
	}
	assert.EqualValues(t, 3, r.m.JoinsRefused())
	assert.Equal(t, 1, strings.Count(logs.String(), "could not join"), "one warning for the row: %s", logs.String())
	assert.Equal(t, 3, r.m.byID["s1"].joinFails)
	r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdPause})
	assert.Zero(t, r.m.byID["s1"].joinFails, "a command for it: the join went through, the row ended")
}
