package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// This file holds the operators' verbs besides creating moves and
// pausing: cancel a move, change its priority; send a shuttle to charge
// or to park, stop and release it, take it out of service and back, add a
// vehicle to the roster; close and reopen lanes.

// CancelRequest is the body of POST /v1/moves/{id}/cancel (optional).
type CancelRequest struct {
	Reason string `json:"reason,omitempty"`
}

// PriorityRequest is the body of POST /v1/moves/{id}/priority.
type PriorityRequest struct {
	Priority *int `json:"priority"`
}

// maxPriority bounds priorities either way.
const maxPriority = fleet.MaxPriority

// moveVerb submits an event about one move, which must exist, and answers
// with the move afterwards.
func (s *Server) moveVerb(w http.ResponseWriter, r *http.Request, ev fleet.Event) error {
	id := r.PathValue("id")
	if _, err := s.moveByID(r, id); err != nil {
		return err
	}
	if err := s.submit(r.Context(), ev, ""); err != nil {
		return err
	}
	m, err := s.moveByID(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// cancelMove is POST /v1/moves/{id}/cancel.
func (s *Server) cancelMove(w http.ResponseWriter, r *http.Request, who Token) error {
	var req CancelRequest
	body, err := readBody(w, r, s.cfg.MaxBody)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
	}
	if len(req.Reason) > maxReason {
		return badRequest("reason", "reason longer than %d characters", maxReason)
	}
	return s.moveVerb(w, r, fleet.CancelRequested{Move: r.PathValue("id"), By: who.Name, Reason: req.Reason})
}

// movePriority is POST /v1/moves/{id}/priority.
func (s *Server) movePriority(w http.ResponseWriter, r *http.Request, who Token) error {
	var req PriorityRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	switch {
	case req.Priority == nil:
		return badRequest("priority", "priority is required (an integer; higher goes first)")
	case *req.Priority < -maxPriority || *req.Priority > maxPriority:
		return badRequest("priority", "priority %d: want -%d to %d", *req.Priority, maxPriority, maxPriority)
	}
	return s.moveVerb(w, r, fleet.PriorityChanged{Move: r.PathValue("id"), Priority: *req.Priority, By: who.Name})
}

// shuttleEvent is a shuttle verb that needs no check before it goes to the
// Controller, whose verdict (a 422) says what is wrong.
func (s *Server) shuttleEvent(ev func(id string) fleet.Event) handler {
	return func(w http.ResponseWriter, r *http.Request, _ Token) error {
		return s.shuttleVerb(w, r, nil, ev)
	}
}

// AddShuttleRequest is the body of POST /v1/shuttles: a VDA 5050 vehicle
// to put on the roster.
type AddShuttleRequest struct {
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serial_number"`
	Type         string `json:"type,omitempty"`
}

// addShuttle is POST /v1/shuttles: 201 with the vehicle as the API shows
// it (not joined until it reports its state from a node of the lanes).
func (s *Server) addShuttle(w http.ResponseWriter, r *http.Request, _ Token) error {
	var req AddShuttleRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	e := vehicles.Entry{Manufacturer: req.Manufacturer, SerialNumber: req.SerialNumber, Type: req.Type}
	if req.Manufacturer == "" {
		return badRequest("manufacturer", "manufacturer is required (as the vehicle puts it in its topics)")
	}
	if req.SerialNumber == "" {
		return badRequest("serial_number", "serial_number is required (as the vehicle puts it in its topics)")
	}
	if err := vda5050.CheckID(req.Manufacturer); err != nil {
		return badRequest("manufacturer", "manufacturer %q: %v", req.Manufacturer, err)
	}
	if err := vda5050.CheckID(req.SerialNumber); err != nil {
		return badRequest("serial_number", "serial_number %q: %v", req.SerialNumber, err)
	}
	if len(req.Type) > maxReason {
		return badRequest("type", "type longer than %d characters", maxReason)
	}
	if err := s.cfg.Fleet.Admit(r.Context(), e); err != nil {
		return s.fleetError(err, "serial_number")
	}
	r.SetPathValue("id", e.ID())
	sh, err := s.shuttle(r)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/shuttles/"+sh.ID)
	writeJSON(w, http.StatusCreated, sh)
	return nil
}

// fleetError turns an error from the daemon into a response: 409 for a
// vehicle on the roster already, else as submit does.
func (s *Server) fleetError(err error, field string) error {
	if errors.Is(err, vehicles.ErrDuplicate) {
		return &Error{Status: http.StatusConflict, Msg: err.Error(), Field: field}
	}
	return s.verdict(err, field)
}

// Lane is a lane of the site as the API shows it, with its closure.
type Lane struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Closed bool     `json:"closed"`
	Links  []string `json:"closed_links,omitempty"` // closed links of it, when not the whole lane
}

// LaneChange is the answer to closing or reopening a lane.
type LaneChange struct {
	Lane   string `json:"lane"`
	Closed bool   `json:"closed"`
	// StillRoutedOver lists the shuttles whose route still uses the lane
	// after it closed: there is no other way to their goal. Stop them, or
	// let them pass.
	StillRoutedOver []string `json:"still_routed_over"`
	ClosedLanes     []string `json:"closed_lanes"`
}

// lanes is GET /v1/lanes.
func (s *Server) lanes(w http.ResponseWriter, r *http.Request, _ Token) error {
	p, err := s.published()
	if err != nil {
		return err
	}
	closed := p.ClosedLanes
	out := make([]Lane, 0, len(s.cfg.Site.Lanes))
	for _, l := range s.cfg.Site.Lanes {
		ln := Lane{ID: l.ID, Name: l.Name, Closed: slices.Contains(closed, l.ID)}
		for _, c := range closed {
			if strings.HasPrefix(c, l.ID+"#") {
				ln.Links = append(ln.Links, c)
			}
		}
		out = append(out, ln)
	}
	writeJSON(w, http.StatusOK, map[string]any{"lanes": out, "closed": nonNil(closed)})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// closeLane is POST /v1/lanes/{id}/close (or /reopen): a lane id, or a
// link id ("lane#n") for one link of it.
func (s *Server) closeLane(closed bool) handler {
	return func(w http.ResponseWriter, r *http.Request, who Token) error {
		if err := noBody(w, r, s.cfg.MaxBody); err != nil {
			return err
		}
		id := r.PathValue("id")
		if !s.knownLane(id) {
			return &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no lane or link %q (GET /v1/lanes lists them)", id), Field: "id"}
		}
		var ev fleet.Event = fleet.LaneReopened{Lane: id, By: who.Name}
		if closed {
			ev = fleet.LaneClosed{Lane: id, By: who.Name}
		}
		if err := s.submit(r.Context(), ev, "id"); err != nil {
			return err
		}
		out := LaneChange{Lane: id, Closed: closed}
		if err := s.read(r.Context(), func(_ time.Time, core coreView) {
			out.ClosedLanes = nonNil(core.ClosedLanes())
			out.StillRoutedOver = []string{}
			if closed {
				out.StillRoutedOver = nonNil(core.StillRoutedOver(id))
			}
		}); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// knownLane tells whether id names a lane of the site or a link of the
// lane graph.
func (s *Server) knownLane(id string) bool {
	for _, l := range s.cfg.Site.Lanes {
		if l.ID == id {
			return true
		}
	}
	for _, b := range s.cfg.Graph.Blocks {
		if b.Link == id {
			return true
		}
	}
	return false
}
