package api

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
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

// shuttles lists every vehicle on the roster as the API shows it.
func (s *Server) shuttlesOf(core coreView) []Shuttle {
	moveOf := map[string]string{}
	for _, mv := range core.Moves() {
		if mv.Shuttle != "" && !mv.State.Final() {
			moveOf[mv.Shuttle] = mv.ID
		}
	}
	vs := core.Vehicles()
	out := make([]Shuttle, 0, len(vs))
	for _, v := range vs {
		sh := Shuttle{ID: v.ID, Manufacturer: v.Manufacturer, SerialNumber: v.SerialNumber, Connection: v.Connection,
			Joined: v.Joined, SoC: v.SoC, LastNode: v.LastNode, Driving: v.Driving, OrderID: v.OrderID,
			Loads: slices.Clone(v.Loads), Reasons: slices.Clone(v.Reasons), Move: moveOf[v.ID]}
		if st, soc, ok := core.ShuttleState(v.ID); ok {
			a, since := core.ActivitySince(v.ID)
			sh.State, sh.SoC, sh.Activity, sh.ActivityDetail = string(st), soc, a.String(), a.Detail
			if !since.IsZero() {
				sh.ActivitySince = &since
			}
			sh.Waiting = shuttleWaiting(a, sh.ActivitySince)
		}
		if f := v.Factsheet; f != nil {
			sh.Factsheet = &Factsheet{SeriesName: f.SeriesName, AgvClass: f.AgvClass, MinOrderIntervalS: f.MinOrderInterval,
				MinStateIntervalS: f.MinStateInterval, Actions: slices.Clone(f.Actions), Warnings: slices.Clone(f.Warnings)}
		}
		sh.IgnoredKeys = slices.Clone(v.IgnoredKeys)
		if v.HasPos {
			sh.Position = &Position{X: v.X, Y: v.Y, MapID: s.cfg.Graph.MapID}
		}
		if !v.StateAt.IsZero() {
			t := v.StateAt
			sh.StateAt = &t
		}
		out = append(out, sh)
	}
	return out
}

// listShuttles is GET /v1/shuttles (for a viewer, as viewerShuttle shows
// them).
func (s *Server) listShuttles(w http.ResponseWriter, r *http.Request, who Token) error {
	var out []Shuttle
	if err := s.read(r.Context(), func(_ time.Time, core coreView) { out = s.shuttlesOf(core) }); err != nil {
		return err
	}
	for i := range out {
		out[i] = shuttleFor(who, out[i])
	}
	writeJSON(w, http.StatusOK, map[string][]Shuttle{"shuttles": out})
	return nil
}

// shuttle finds one shuttle, or a 404.
func (s *Server) shuttle(r *http.Request) (Shuttle, error) {
	id := r.PathValue("id")
	var out Shuttle
	found := false
	err := s.read(r.Context(), func(_ time.Time, core coreView) {
		for _, sh := range s.shuttlesOf(core) {
			if sh.ID == id {
				out, found = sh, true
			}
		}
	})
	if err != nil {
		return out, err
	}
	if !found {
		return out, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no shuttle %q", id), Field: "id"}
	}
	return out, nil
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
