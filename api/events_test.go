package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A new client of the event stream gets the open moves, not the history:
// before its first snapshot, one move event for each move under way and
// none for the moves that ended; then the changes. What the stream keeps
// of the moves it sent is the open ones: an ended move, once sent, is
// forgotten.
func TestEventStreamStartsWithTheOpenMovesOnly(t *testing.T) {
	_, s, srv := newTestServer(t)
	conts := containers(t, 12)
	var open []string
	for i, c := range conts {
		m := createMove(t, srv, fmt.Sprintf("k%d", i), fmt.Sprintf(`{"container": %q, "origin": "kz-bay-01", "destination": "cn-bay-02"}`, c))
		if i%4 == 0 {
			open = append(open, m.ID)
			continue
		}
		code, body := call(t, srv, "POST", "/v1/moves/"+m.ID+"/cancel", tokOperator, "")
		require.Equal(t, http.StatusOK, code, "%s", body)
	}
	var first []string
	var later []Move
	snaps := 0
	streamEvents(t, srv, tokOperator, func(name, data string) bool {
		switch name {
		case "move":
			var m Move
			require.NoError(t, json.Unmarshal([]byte(data), &m))
			if snaps == 0 {
				first = append(first, m.ID)
			} else {
				later = append(later, m)
			}
		case "snapshot":
			snaps++
			if snaps == 1 {
				code, body := call(t, srv, "POST", "/v1/moves/"+open[0]+"/cancel", tokOperator, "")
				require.Equal(t, http.StatusOK, code, "%s", body)
			}
		}
		return len(later) > 0
	})
	assert.ElementsMatch(t, open, first, "the open moves, and only they, before the first snapshot")
	require.Len(t, later, 1)
	assert.Equal(t, open[0], later[0].ID)
	assert.Equal(t, "cancelled", later[0].State)

	// the marks: the open moves only
	req := httptest.NewRequest("GET", "/v1/events", nil)
	marks := map[string]moveMark{}
	var seq uint64
	sent, err := s.changedMoves(req, s.cfg.Fleet.Published(), marks, &seq, true, Token{Role: RoleOperator})
	require.NoError(t, err)
	assert.Len(t, sent, len(open)-1)
	assert.Len(t, marks, len(open)-1, "marks for the open moves only")
	code, body := call(t, srv, "POST", "/v1/moves/"+open[1]+"/cancel", tokOperator, "")
	require.Equal(t, http.StatusOK, code, "%s", body)
	sent, err = s.changedMoves(req, s.cfg.Fleet.Published(), marks, &seq, false, Token{Role: RoleOperator})
	require.NoError(t, err)
	require.Len(t, sent, 1, "the move that ended")
	assert.Len(t, marks, len(open)-2, "an ended move, once sent, is forgotten")
}
