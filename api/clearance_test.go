package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
)

// can_decide says what the decision endpoint does: for every record of
// every move (delivered, under way past one gate, not started), a
// decision is taken exactly where can_decide is true, and refused with 409
// where it is false. So a screen that offers decisions only where it is
// true never offers one the API refuses.
func TestCanDecideSaysWhatTheDecisionEndpointDoes(t *testing.T) {
	f, _, srv := newTestServer(t)
	east := createMove(t, srv, "a", moveBody) // kz-bakhty-out, then cn-pokitu-in
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	code, b := call(t, srv, "POST", "/v1/customs/decisions", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "`+east.ID+`", "decision": "release"}`)
	require.Equal(t, 200, code, "%s", b)
	f.Drive(func(core daemon.View) bool { // past kz-bakhty-out
		m := moveOf(core, east.ID)
		return m != nil && !m.Clearances[0].Passed.IsZero()
	})
	west := createMove(t, srv, "b", `{"container": "MSCU1234566", "origin": "cn-bay-02", "destination": "kz-bay-04"}`)

	list := func() []Move {
		code, b := call(t, srv, "GET", "/v1/moves?clearances=true", tokAdmin, "")
		require.Equal(t, 200, code, "%s", b)
		return decode[MoveList](t, b).Moves
	}
	byID := map[string]Move{}
	for _, m := range list() {
		byID[m.ID] = m
	}
	require.Len(t, byID[east.ID].Clearances, 2)
	assert.False(t, byID[east.ID].Clearances[0].CanDecide, "passed kz-bakhty-out")
	assert.True(t, byID[east.ID].Clearances[1].CanDecide, "cn-pokitu-in is ahead")
	require.Len(t, byID[west.ID].Clearances, 2)
	for _, c := range byID[west.ID].Clearances {
		assert.True(t, c.CanDecide, "%s: nothing passed yet", c.Checkpoint)
	}

	// now every record's can_decide against the endpoint (as admin, who
	// may decide at every checkpoint): an inspection, which leaves the
	// moves open
	tried := 0
	for _, m := range list() {
		for _, c := range m.Clearances {
			code, b := call(t, srv, "POST", "/v1/customs/decisions", tokAdmin,
				`{"checkpoint": "`+c.Checkpoint+`", "move": "`+m.ID+`", "decision": "inspect"}`)
			if c.CanDecide {
				assert.Equal(t, http.StatusOK, code, "%s at %s: can_decide, but %s", m.ID, c.Checkpoint, b)
			} else {
				assert.Equal(t, http.StatusConflict, code, "%s at %s: not can_decide, but %s", m.ID, c.Checkpoint, b)
			}
			tried++
		}
	}
	assert.Equal(t, 4, tried)

	// a move that is over: nothing is decidable
	code, b = call(t, srv, "POST", "/v1/moves/"+west.ID+"/cancel", tokOperator, "")
	require.Equal(t, 200, code, "%s", b)
	code, b = call(t, srv, "GET", "/v1/moves/"+west.ID, tokOperator, "")
	require.Equal(t, 200, code)
	require.NotEmpty(t, decode[Move](t, b).Clearances)
	for _, c := range decode[Move](t, b).Clearances {
		assert.False(t, c.CanDecide, "%s of a cancelled move", c.Checkpoint)
	}
}

func moveOf(core daemon.View, id string) *fleet.Move {
	for _, m := range core.Moves() {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// The move list carries clearance records only when asked; the
// officer's answers carry the core's clock to count waiting time from.
func TestClearancesInListsAndTheCoreClock(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "a", moveBody)
	code, b := call(t, srv, "GET", "/v1/moves", tokViewer, "")
	require.Equal(t, 200, code)
	assert.Empty(t, decode[MoveList](t, b).Moves[0].Clearances, "not unless asked")
	code, b = call(t, srv, "GET", "/v1/moves?clearances=true", tokOperator, "")
	require.Equal(t, 200, code)
	got := decode[MoveList](t, b).Moves[0].Clearances
	require.Len(t, got, 2)
	assert.Equal(t, []string{"kz-bakhty-out", "cn-pokitu-in"}, []string{got[0].Checkpoint, got[1].Checkpoint})
	code, b = call(t, srv, "GET", "/v1/moves?clearances=yes", tokOperator, "")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "clearances", decode[Error](t, b).Field)

	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	code, b = call(t, srv, "GET", "/v1/customs/queue", tokKZ, "")
	require.Equal(t, 200, code)
	q := decode[Queue](t, b)
	assert.Equal(t, f.Now(), q.At, "the core's clock")
	require.Len(t, q.Queue, 1)
	require.NotNil(t, q.Queue[0].Since)
	assert.False(t, q.Queue[0].Since.After(q.At))
	code, b = call(t, srv, "GET", "/v1/customs/clearances?status=waiting", tokKZ, "")
	require.Equal(t, 200, code)
	cl := decode[ClearanceList](t, b)
	assert.Equal(t, f.Now(), cl.At)
	require.Len(t, cl.Clearances, 1)
	assert.Equal(t, m.ID, cl.Clearances[0].Move)
	assert.True(t, cl.Clearances[0].CanDecide)
	code, b = call(t, srv, "GET", "/v1/customs/clearances", tokCN, "")
	require.Equal(t, 200, code)
	for _, c := range decode[ClearanceList](t, b).Clearances {
		assert.Equal(t, "CN", c.Country, "China's officer sees China's checkpoints only")
	}
}

// The gate queue is longest waiting first, an unknown arrival last.
func TestCmpSince(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	for _, tc := range []struct {
		a, b *time.Time
		want int
	}{
		{&t0, &t1, -1}, {&t1, &t0, 1}, {&t0, &t0, 0}, {&t0, nil, -1}, {nil, &t0, 1}, {nil, nil, 0},
	} {
		assert.Equal(t, tc.want, cmpSince(tc.a, tc.b), "%v %v", tc.a, tc.b)
	}
}

// The stream's snapshots carry, for operators, how long each container
// has waited at its gate and whether a decision would be taken; a
// viewer's snapshot names no container. A move's event carries its
// clearance records with can_decide.
func TestSnapshotGatesWaitingAndCanDecide(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "a", moveBody)
	f.Join("s1", "kz-park-01")
	f.Drive(func(core daemon.View) bool { return len(core.GateQueue()) == 1 })
	// events reads a stream until it has a snapshot and, if wantMove, a
	// move event; it returns the snapshot's raw data and the move events'.
	events := func(token string, wantMove bool) (string, []string) {
		var snap string
		var moves []string
		streamEvents(t, srv, token, func(name, data string) bool {
			switch name {
			case "snapshot":
				if snap == "" {
					snap = data
					if wantMove {
						// a decision changes the move: its event follows
						code, b := call(t, srv, "POST", "/v1/customs/decisions", tokKZ, `{"checkpoint": "kz-bakhty-out", "move": "`+m.ID+`", "decision": "inspect", "reason": "x-ray"}`)
						require.Equal(t, 200, code, "%s", b)
					}
				}
			case "move":
				if snap != "" { // not the open moves the stream starts with
					moves = append(moves, data)
				}
			}
			return snap != "" && (!wantMove || len(moves) > 0)
		})
		return snap, moves
	}
	raw, _ := events(tokViewer, false)
	assert.NotContains(t, raw, "CSQU3054383", "a viewer's snapshot names no container")
	raw, moves := events(tokOperator, true)
	var snap Snapshot
	require.NoError(t, json.Unmarshal([]byte(raw), &snap))
	require.Len(t, snap.Gates, 1)
	assert.NotNil(t, snap.Gates[0].Since)
	assert.True(t, snap.Gates[0].CanDecide)
	var mv Move
	require.NoError(t, json.Unmarshal([]byte(moves[0]), &mv))
	require.Len(t, mv.Clearances, 2)
	c := mv.Clearances[0]
	assert.Equal(t, "kz-bakhty-out", c.Checkpoint)
	assert.True(t, c.CanDecide)
	require.NotEmpty(t, c.Decisions)
	assert.Equal(t, DecisionTaken{At: c.Decisions[0].At, Decision: "inspect", Officer: "officer-aigerim", Reason: "x-ray"}, c.Decisions[0])
}
