package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
)

func TestCancelAndPriority(t *testing.T) {
	f, _, srv := newTestServer(t)
	m := createMove(t, srv, "k1", moveBody)

	code, b := call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, `{"priority": 7}`)
	require.Equal(t, 200, code, "%s", b)
	assert.Equal(t, 7, decode[Move](t, b).Priority)
	for body, field := range map[string]string{`{}`: "priority", `{"priority": 5000}`: "priority", `{"priority": "high"}`: "priority", `{"prio": 1}`: "prio"} {
		code, b = call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, field, decode[Error](t, b).Field, body)
	}
	code, b = call(t, srv, "POST", "/v1/moves/nope/priority", tokOperator, `{"priority": 1}`)
	assert.Equal(t, http.StatusNotFound, code, "%s", b)

	code, b = call(t, srv, "POST", "/v1/moves/"+m.ID+"/cancel", tokOperator, `{"reason": "booked twice"}`)
	require.Equal(t, 200, code, "%s", b)
	got := decode[Move](t, b)
	assert.Equal(t, "cancelled", got.State)
	assert.Contains(t, got.History[len(got.History)-1].Cause, "cancelled by otto: booked twice")
	code, b = call(t, srv, "POST", "/v1/moves/"+m.ID+"/cancel", tokOperator, "")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, decode[Error](t, b).Msg, "cancelled already")
	code, b = call(t, srv, "POST", "/v1/moves/"+m.ID+"/priority", tokOperator, `{"priority": 1}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, decode[Error](t, b).Msg, "no longer matters")

	// aboard a shuttle: refused, the move goes on
	f.Join("s1", "kz-park-01")
	m2 := createMove(t, srv, "k2", moveBody)
	f.Drive(func(core daemon.View) bool { return core.Moves()[1].Laden() })
	code, b = call(t, srv, "POST", "/v1/moves/"+m2.ID+"/cancel", tokOperator, `{"reason": "late"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, decode[Error](t, b).Msg, "aboard s1")
	code, b = call(t, srv, "POST", "/v1/moves/"+m2.ID+"/cancel", tokOperator, `{"reason": 5}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "reason", decode[Error](t, b).Field)
}

func TestOperatorShuttleVerbs(t *testing.T) {
	f, _, srv := newTestServer(t)
	f.Join("s1", "kz-park-01")
	verb := func(id, v string) (int, Shuttle, Error) {
		code, b := call(t, srv, "POST", "/v1/shuttles/"+id+"/"+v, tokOperator, "")
		if code == 200 {
			return code, decode[Shuttle](t, b), Error{}
		}
		return code, Shuttle{}, decode[Error](t, b)
	}
	code, sh, _ := verb("s1", "emergency-stop")
	require.Equal(t, 200, code)
	assert.Equal(t, "emergency_stop", sh.State)
	code, _, e := verb("s1", "charge")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, e.Msg, "while emergency_stop")
	code, sh, _ = verb("s1", "emergency-release")
	require.Equal(t, 200, code)
	assert.Equal(t, "idle", sh.State)

	code, sh, _ = verb("s1", "charge")
	require.Equal(t, 200, code)
	assert.Equal(t, "to_charger", sh.State)
	code, sh, _ = verb("s1", "park")
	require.Equal(t, 200, code)
	assert.Equal(t, "to_parking", sh.State)

	code, sh, _ = verb("s1", "out-of-service")
	require.Equal(t, 200, code)
	assert.Equal(t, "out_of_service", sh.State)
	assert.Equal(t, "out of service", sh.Activity)
	code, sh, _ = verb("s1", "in-service")
	require.Equal(t, 200, code)
	assert.NotEqual(t, "out_of_service", sh.State)

	code, _, e = verb("s9", "emergency-stop")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "id", e.Field)
	code, b := call(t, srv, "POST", "/v1/shuttles/s1/park", tokOperator, `{"spot": "kz-park-09"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "spot", decode[Error](t, b).Field)
}

func TestAddShuttle(t *testing.T) {
	_, _, srv := newTestServer(t)
	code, b := call(t, srv, "POST", "/v1/shuttles", tokAdmin, `{"manufacturer": "kazauto", "serial_number": "KA-0042", "type": "KA-40"}`)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	sh := decode[Shuttle](t, b)
	assert.Equal(t, "KA-0042", sh.ID)
	assert.Equal(t, "kazauto", sh.Manufacturer)
	assert.False(t, sh.Joined, "it joins with its first state")
	code, b = call(t, srv, "GET", "/v1/shuttles/KA-0042", tokViewer, "")
	assert.Equal(t, 200, code, "%s", b)

	code, b = call(t, srv, "POST", "/v1/shuttles", tokAdmin, `{"manufacturer": "other", "serial_number": "KA-0042"}`)
	assert.Equal(t, http.StatusConflict, code, "%s", b)
	for body, field := range map[string]string{
		`{"serial_number": "X1"}`:                          "manufacturer",
		`{"manufacturer": "acme"}`:                         "serial_number",
		`{"manufacturer": "acme", "serial_number": "a/b"}`: "serial_number",
		`{"manufacturer": "ac+me", "serial_number": "X1"}`: "manufacturer",
		`{"manufacturer": "acme", "serial": "X1"}`:         "serial",
	} {
		code, b = call(t, srv, "POST", "/v1/shuttles", tokAdmin, body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, field, decode[Error](t, b).Field, "%s: %s", body, b)
	}
}

func TestLanes(t *testing.T) {
	_, s, srv := newTestServer(t)
	code, b := call(t, srv, "GET", "/v1/lanes", tokViewer, "")
	require.Equal(t, 200, code)
	list := decode[struct {
		Lanes  []Lane   `json:"lanes"`
		Closed []string `json:"closed"`
	}](t, b)
	assert.Len(t, list.Lanes, len(s.cfg.Site.Lanes))
	assert.Empty(t, list.Closed)

	code, b = call(t, srv, "POST", "/v1/lanes/kz-yard-cut/close", tokOperator, "")
	require.Equal(t, 200, code, "%s", b)
	ch := decode[LaneChange](t, b)
	assert.Equal(t, []string{"kz-yard-cut"}, ch.ClosedLanes)
	assert.Equal(t, []string{}, ch.StillRoutedOver)
	link := s.cfg.Graph.Blocks[0].Link
	code, b = call(t, srv, "POST", "/v1/lanes/"+url.PathEscape(link)+"/close", tokOperator, "") // "lane#n": # escaped
	require.Equal(t, 200, code, "%s", b)
	code, b = call(t, srv, "GET", "/v1/lanes", tokViewer, "")
	require.Equal(t, 200, code)
	list = decode[struct {
		Lanes  []Lane   `json:"lanes"`
		Closed []string `json:"closed"`
	}](t, b)
	assert.Equal(t, []string{link}, list.Lanes[0].Links, "the lane with one link closed")
	assert.False(t, list.Lanes[0].Closed)

	code, b = call(t, srv, "POST", "/v1/lanes/kz-yard-cut/reopen", tokOperator, "")
	require.Equal(t, 200, code, "%s", b)
	assert.Equal(t, []string{link}, decode[LaneChange](t, b).ClosedLanes)
	code, b = call(t, srv, "POST", "/v1/lanes/nope/close", tokOperator, "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "id", decode[Error](t, b).Field)
}
