package api

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// Shuttle is a vehicle as the API shows it: what the Controller makes of
// it and what it last reported.
type Shuttle struct {
	ID           string `json:"id"`
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serial_number"`
	Connection   string `json:"connection,omitempty"`
	Joined       bool   `json:"joined"`
	// State and Activity are the Controller's view; empty until joined.
	State    string `json:"state,omitempty"`
	Activity string `json:"activity,omitempty"`
	// ActivityDetail says where or why (the bay, the checkpoint, why no
	// route); ActivitySince is when the activity began (the core's
	// clock); Waiting is what it waits for, typed, if it waits.
	ActivityDetail string     `json:"activity_detail,omitempty"`
	ActivitySince  *time.Time `json:"activity_since,omitempty"`
	Waiting        *Waiting   `json:"waiting,omitempty"`
	SoC            float64    `json:"soc"`
	LastNode       string     `json:"last_node,omitempty"`
	Position       *Position  `json:"position,omitempty"`
	Driving        bool       `json:"driving"`
	OrderID        string     `json:"order_id,omitempty"`
	Loads          []string   `json:"loads,omitempty"`
	Move           string     `json:"move,omitempty"` // the move it carries out
	// Reasons it is out of dispatch, if it is.
	Reasons []string   `json:"reasons,omitempty"`
	StateAt *time.Time `json:"state_at,omitempty"`
	// Factsheet is what the vehicle's VDA 5050 factsheet says; nil before
	// one came.
	Factsheet *Factsheet `json:"factsheet,omitempty"`
	// IgnoredKeys are keys of its messages fleetd does not know and
	// ignores ("topic:path"): vendor extensions, or a misspelling.
	IgnoredKeys []string `json:"ignored_keys,omitempty"`
}

// Factsheet is the part of a vehicle's factsheet the API shows.
type Factsheet struct {
	SeriesName        string   `json:"series_name"`
	AgvClass          string   `json:"agv_class"`
	MinOrderIntervalS float64  `json:"min_order_interval_s"`
	MinStateIntervalS float64  `json:"min_state_interval_s"`
	Actions           []string `json:"actions"`
	// Warnings: where the factsheet's action parameters and the roster
	// entry's disagree.
	Warnings []string `json:"warnings,omitempty"`
}

// Position is a VDA 5050 position: metres east and north of the site's
// origin on its map.
type Position struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	MapID string  `json:"map_id"`
}

// shuttleOf is one published shuttle as the API shows it.
func (s *Server) shuttleOf(row *daemon.ShuttleRow) Shuttle {
	v := row.Vehicle
	sh := Shuttle{ID: v.ID, Manufacturer: v.Manufacturer, SerialNumber: v.SerialNumber, Connection: v.Connection,
		Joined: v.Joined, SoC: v.SoC, LastNode: v.LastNode, Driving: v.Driving, OrderID: v.OrderID,
		Loads: v.Loads, Reasons: v.Reasons, Move: row.Move, IgnoredKeys: v.IgnoredKeys}
	if row.Known {
		sh.State, sh.SoC, sh.Activity, sh.ActivityDetail = string(row.State), row.CoreSoC, row.Activity.String(), row.Activity.Detail
		if !row.Since.IsZero() {
			since := row.Since
			sh.ActivitySince = &since
		}
		sh.Waiting = shuttleWaiting(row.Activity, sh.ActivitySince)
	}
	if f := v.Factsheet; f != nil {
		sh.Factsheet = &Factsheet{SeriesName: f.SeriesName, AgvClass: f.AgvClass, MinOrderIntervalS: f.MinOrderInterval,
			MinStateIntervalS: f.MinStateInterval, Actions: f.Actions, Warnings: f.Warnings}
	}
	if v.HasPos {
		sh.Position = &Position{X: v.X, Y: v.Y, MapID: s.cfg.Graph.MapID}
	}
	if !v.StateAt.IsZero() {
		t := v.StateAt
		sh.StateAt = &t
	}
	return sh
}

// published is the core as the daemon last published it: never waits
// for the core.
func (s *Server) published() (*daemon.Published, error) {
	p := s.cfg.Fleet.Published()
	if p == nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Msg: "the fleet core has published nothing yet"}
	}
	return p, nil
}

// ShuttleList is the body of GET /v1/shuttles: one page of shuttles in
// id order.
type ShuttleList struct {
	Shuttles []Shuttle `json:"shuttles"`
	// Total is how many shuttles match the filters in all.
	Total int `json:"total"`
	// NextCursor and Next (the same request for the next page) are there
	// when more shuttles match after this page.
	NextCursor string `json:"next_cursor,omitempty"`
	Next       string `json:"next,omitempty"`
	// At is the core's clock when what the page shows was published.
	At time.Time `json:"at"`
}

// Shuttle listings: a page holds at most maxShuttleLimit shuttles,
// defaultShuttleLimit when the request does not say.
const (
	defaultShuttleLimit = 1000
	maxShuttleLimit     = 1000
	shuttleCursorPrefix = "s" // a cursor is "s" and the last id shown, base64url
)

// shuttleStates are the Controller's shuttle states, for the filter.
var shuttleStates = []fleet.ShuttleState{fleet.ShuttleOffline, fleet.ShuttleIdle, fleet.ShuttleToPickup,
	fleet.ShuttleLoading, fleet.ShuttleLadenTransit, fleet.ShuttleAtGate, fleet.ShuttleInspection,
	fleet.ShuttleToDropoff, fleet.ShuttleUnloading, fleet.ShuttleToCharger, fleet.ShuttleCharging,
	fleet.ShuttleToParking, fleet.ShuttlePaused, fleet.ShuttleFault, fleet.ShuttleEStop, fleet.ShuttleOutOfService}

// activityKinds are what a shuttle may be doing, for the filter.
var activityKinds = []fleet.ActivityKind{fleet.ActivityMoving, fleet.ActivityHandling, fleet.ActivityCharging,
	fleet.ActivityIdle, fleet.ActivityAtGoal, fleet.ActivityWaitBay, fleet.ActivityWaitRoute, fleet.ActivityWaitGate,
	fleet.ActivityWaitCustoms, fleet.ActivityWaitTraffic, fleet.ActivityWaitCharger, fleet.ActivityFault,
	fleet.ActivityEStop, fleet.ActivityPaused, fleet.ActivityOffline, fleet.ActivityOutOfService}

// shuttleFilter is what a shuttle listing keeps.
type shuttleFilter struct {
	state    fleet.ShuttleState
	activity fleet.ActivityKind
	centre   *geo.Centre
}

func (f shuttleFilter) keeps(r *daemon.ShuttleRow) bool {
	switch {
	case f.state != "" && (!r.Known || r.State != f.state):
		return false
	case f.activity != "" && (!r.Known || r.Activity.Kind != f.activity):
		return false
	case f.centre != nil && (!r.HasPos || !planar.PolygonContains(f.centre.XY, orb.Point{r.X, r.Y})):
		return false
	}
	return true
}

// shuttleQuery reads a listing's parameters: 400 naming the bad one.
func (s *Server) shuttleQuery(q url.Values) (f shuttleFilter, after string, limit int, err error) {
	if st := q.Get("state"); st != "" {
		if !slices.Contains(shuttleStates, fleet.ShuttleState(st)) {
			return f, "", 0, badRequest("state", "unknown shuttle state %q (one of %s)", st, joinAny(shuttleStates))
		}
		f.state = fleet.ShuttleState(st)
	}
	if a := q.Get("activity"); a != "" {
		if !slices.Contains(activityKinds, fleet.ActivityKind(a)) {
			return f, "", 0, badRequest("activity", "unknown activity %q (one of %s)", a, joinAny(activityKinds))
		}
		f.activity = fleet.ActivityKind(a)
	}
	if c := q.Get("centre"); c != "" {
		centre, ok := s.cfg.Site.Centre(c)
		if !ok {
			ids := make([]string, 0, len(s.cfg.Site.Centres))
			for _, x := range s.cfg.Site.Centres {
				ids = append(ids, x.ID)
			}
			return f, "", 0, badRequest("centre", "no logistics centre %q on the site (one of %s)", c, strings.Join(ids, ", "))
		}
		f.centre = &centre
	}
	limit = defaultShuttleLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxShuttleLimit {
			return f, "", 0, badRequest("limit", "limit %q: want a number from 1 to %d", l, maxShuttleLimit)
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(c, shuttleCursorPrefix))
		if !strings.HasPrefix(c, shuttleCursorPrefix) || err != nil || len(b) == 0 {
			return f, "", 0, badRequest("cursor", "cursor %q is not one this API gave (take next_cursor from the last page, or leave it out for the first)", c)
		}
		after = string(b)
	}
	for k := range q {
		switch k {
		case "state", "activity", "centre", "limit", "cursor":
		default:
			return f, "", 0, badRequest(k, "unknown parameter %q (state, activity, centre, limit, cursor)", k)
		}
	}
	return f, after, limit, nil
}

// joinAny lists values for a message.
func joinAny[S ~string](vs []S) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// listShuttles is GET /v1/shuttles: a page of shuttles in id order, at
// most limit, those after the cursor's, that the filters keep (for a
// viewer, as viewerShuttle shows them). It reads what the core last
// published: a listing never waits for the core.
func (s *Server) listShuttles(w http.ResponseWriter, r *http.Request, who Token) error {
	f, after, limit, err := s.shuttleQuery(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := s.published()
	if err != nil {
		return err
	}
	out := ShuttleList{Shuttles: []Shuttle{}, At: p.At}
	filtered := f != (shuttleFilter{})
	if !filtered {
		out.Total = p.Len()
	}
	start := 0
	if after != "" {
		start = p.After(after)
	}
	if filtered {
		for i := range start {
			if f.keeps(p.Row(i)) {
				out.Total++
			}
		}
	}
	more := false
	for i := start; i < p.Len(); i++ {
		row := p.Row(i)
		if filtered && !f.keeps(row) {
			continue
		}
		if filtered {
			out.Total++
		}
		if len(out.Shuttles) == limit {
			more = true
			if !filtered {
				break
			}
			continue
		}
		out.Shuttles = append(out.Shuttles, shuttleFor(who, s.shuttleOf(row)))
	}
	if more {
		last := out.Shuttles[len(out.Shuttles)-1].ID
		out.NextCursor = shuttleCursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(last))
		q := r.URL.Query()
		q.Set("cursor", out.NextCursor)
		out.Next = r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// shuttle finds one shuttle, as last published, or a 404.
func (s *Server) shuttle(r *http.Request) (Shuttle, error) {
	id := r.PathValue("id")
	p, err := s.published()
	if err != nil {
		return Shuttle{}, err
	}
	row, ok := p.Shuttle(id)
	if !ok {
		return Shuttle{}, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no shuttle %q", id), Field: "id"}
	}
	return s.shuttleOf(row), nil
}

// getShuttle is GET /v1/shuttles/{id} (for a viewer, as viewerShuttle
// shows it).
func (s *Server) getShuttle(w http.ResponseWriter, r *http.Request, who Token) error {
	sh, err := s.shuttle(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shuttleFor(who, sh))
	return nil
}

// shuttleVerb submits an operator's event about one joined shuttle, if
// check (when given) lets it, and answers with the shuttle afterwards. A
// verb takes no body (or {}).
func (s *Server) shuttleVerb(w http.ResponseWriter, r *http.Request, check func(Shuttle) error, ev func(id string) fleet.Event) error {
	if err := noBody(w, r, s.cfg.MaxBody); err != nil {
		return err
	}
	sh, err := s.shuttle(r)
	if err != nil {
		return err
	}
	if sh.State == "" {
		return &Error{Status: http.StatusConflict, Msg: fmt.Sprintf("shuttle %s has not joined the fleet", sh.ID), Field: "id"}
	}
	if check != nil {
		if err := check(sh); err != nil {
			return err
		}
	}
	if err := s.submit(r.Context(), ev(sh.ID), ""); err != nil {
		return err
	}
	if sh, err = s.shuttle(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sh)
	return nil
}

// pause is POST /v1/shuttles/{id}/pause (or /resume).
func (s *Server) pause(p bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ Token) error {
		return s.shuttleVerb(w, r, nil, func(id string) fleet.Event {
			if p {
				return fleet.PauseRequested{Shuttle: id}
			}
			return fleet.ResumeRequested{Shuttle: id}
		})
	}
}

// clearFault is POST /v1/shuttles/{id}/clear-fault: the Controller's
// fault is cleared (a FaultCleared event). Reasons only the vehicles'
// Master knows (a failed action, a position off the lanes) are not: they
// clear when the vehicle's reports do.
func (s *Server) clearFault(w http.ResponseWriter, r *http.Request, _ Token) error {
	return s.shuttleVerb(w, r, func(sh Shuttle) error {
		if sh.State != string(fleet.ShuttleFault) {
			return &Error{Status: http.StatusConflict, Msg: fmt.Sprintf("shuttle %s is %s, not in fault", sh.ID, sh.State), Field: "id"}
		}
		return nil
	}, func(id string) fleet.Event { return fleet.FaultCleared{Shuttle: id} })
}

// noBody refuses a request body that is neither empty nor {}.
func noBody(w http.ResponseWriter, r *http.Request, max int64) error {
	body, err := readBody(w, r, max)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	var v struct{}
	return decodeJSON(body, &v)
}
