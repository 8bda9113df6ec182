package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/vehicles"
)

// GateWait is a container waiting for a customs decision.
type GateWait struct {
	Checkpoint      string `json:"checkpoint"`
	Country         string `json:"country"`
	Move            string `json:"move"`
	Container       string `json:"container"`
	Shuttle         string `json:"shuttle"`
	Inspection      bool   `json:"inspection"`        // sent to inspection
	AtInspectionBay bool   `json:"at_inspection_bay"` // being inspected
	Decided         bool   `json:"decided"`           // a decision waits to be applied
}

// DecisionRequest is the body of POST /v1/customs/decisions.
type DecisionRequest struct {
	Checkpoint string `json:"checkpoint"`
	Move       string `json:"move"`
	Decision   string `json:"decision"` // release, inspect or refuse
	Reason     string `json:"reason,omitempty"`
}

// Decision is a customs decision as recorded, with the move after it.
type Decision struct {
	Checkpoint string `json:"checkpoint"`
	Country    string `json:"country"`
	Move       string `json:"move"`
	Decision   string `json:"decision"`
	Officer    string `json:"officer"`
	Reason     string `json:"reason,omitempty"`
	MoveState  string `json:"move_state"`
}

const maxReason = 500

func gateWaits(q []fleet.GateWait) []GateWait {
	out := make([]GateWait, 0, len(q))
	for _, g := range q {
		out = append(out, GateWait{Checkpoint: g.Checkpoint, Country: g.Country, Move: g.Move, Container: string(g.Container),
			Shuttle: g.Shuttle, Inspection: g.Inspection, AtInspectionBay: g.AtInspectionBay, Decided: g.Decided})
	}
	return out
}

// checkpointFor finds a checkpoint an officer of who's role may act at:
// 400 if there is none by that id, 403 if it is the other country's.
func (s *Server) checkpointFor(who Token, id string) (geo.Checkpoint, error) {
	for _, cp := range s.cfg.Site.Checkpoints {
		if cp.ID != id {
			continue
		}
		if c := who.Role.country(); who.Role != RoleAdmin && c != cp.Country {
			return cp, &Error{Status: http.StatusForbidden, Msg: fmt.Sprintf("an officer of %s may not act at %s, a checkpoint of %s", c, cp.ID, cp.Country), Field: "checkpoint"}
		}
		return cp, nil
	}
	return geo.Checkpoint{}, badRequest("checkpoint", "no checkpoint %q on the site", id)
}

// customsQueue is GET /v1/customs/queue?checkpoint=: an officer sees
// only the checkpoints of the officer's country.
func (s *Server) customsQueue(w http.ResponseWriter, r *http.Request, who Token) error {
	cpID := r.URL.Query().Get("checkpoint")
	if cpID != "" {
		if _, err := s.checkpointFor(who, cpID); err != nil {
			return err
		}
	}
	var q []fleet.GateWait
	if err := s.read(r.Context(), func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) { q = ctl.GateQueue() }); err != nil {
		return err
	}
	country := who.Role.country()
	kept := q[:0]
	for _, g := range q {
		if (cpID == "" || g.Checkpoint == cpID) && (country == "" || g.Country == country) {
			kept = append(kept, g)
		}
	}
	writeJSON(w, http.StatusOK, map[string][]GateWait{"queue": gateWaits(kept)})
	return nil
}

// customsDecision is POST /v1/customs/decisions: the officer is the
// token's name, the country the role's (an admin decides for the
// checkpoint's country).
func (s *Server) customsDecision(w http.ResponseWriter, r *http.Request, who Token) error {
	var req DecisionRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Checkpoint == "" {
		return badRequest("checkpoint", "checkpoint is required")
	}
	cp, err := s.checkpointFor(who, req.Checkpoint)
	if err != nil {
		return err
	}
	if req.Move == "" {
		return badRequest("move", "move is required")
	}
	switch req.Decision {
	case fleet.DecisionRelease, fleet.DecisionInspect, fleet.DecisionRefuse:
	default:
		return badRequest("decision", "decision %q: want release, inspect or refuse", req.Decision)
	}
	if len(req.Reason) > maxReason {
		return badRequest("reason", "reason longer than %d characters", maxReason)
	}
	if _, ok, err := s.moveState(r, req.Move); err != nil {
		return err
	} else if !ok {
		return &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no move %q", req.Move), Field: "move"}
	}
	ev := fleet.CustomsDecision{Checkpoint: cp.ID, Country: cp.Country, Move: req.Move, Decision: req.Decision, Officer: who.Name, Reason: req.Reason}
	if err := s.submit(r.Context(), ev, ""); err != nil {
		return err
	}
	st, _, err := s.moveState(r, req.Move)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Decision{Checkpoint: cp.ID, Country: cp.Country, Move: req.Move, Decision: req.Decision,
		Officer: who.Name, Reason: req.Reason, MoveState: string(st)})
	return nil
}

// moveState is a move's state, if there is such a move.
func (s *Server) moveState(r *http.Request, id string) (fleet.MoveState, bool, error) {
	var st fleet.MoveState
	found := false
	err := s.read(r.Context(), func(_ time.Time, ctl *fleet.Controller, _ *vehicles.Master) {
		for _, m := range ctl.Moves() {
			if m.ID == id {
				st, found = m.State, true
				return
			}
		}
	})
	return st, found, err
}
