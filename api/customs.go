package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
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
	Held            string `json:"held,omitempty"`    // why it is held whatever was decided
	// Since is when the container reached the stop line (how long it has
	// waited at this checkpoint, inspection included).
	Since *time.Time `json:"since,omitempty"`
	// CanDecide: a decision on it here would be taken now (Move.CanDecide),
	// whoever's role may decide here.
	CanDecide bool `json:"can_decide"`
}

// Queue is the body of GET /v1/customs/queue.
type Queue struct {
	At    time.Time  `json:"at"` // the core's clock, to count waiting time from
	Queue []GateWait `json:"queue"`
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
	// Clearance is the container's record at the checkpoint afterwards.
	Clearance *Clearance `json:"clearance,omitempty"`
}

const maxReason = 500

// cmpSince orders the earlier time first, an unknown one last.
func cmpSince(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
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
// only the checkpoints of the officer's country; longest waiting first.
// It reads what the core last published (a decision is published before
// it is answered).
func (s *Server) customsQueue(w http.ResponseWriter, r *http.Request, who Token) error {
	cpID := r.URL.Query().Get("checkpoint")
	if cpID != "" {
		if _, err := s.checkpointFor(who, cpID); err != nil {
			return err
		}
	}
	p, err := s.published()
	if err != nil {
		return err
	}
	out := Queue{At: p.At, Queue: publishedGates(p)}
	country := who.Role.country()
	kept := out.Queue[:0]
	for _, g := range out.Queue {
		if (cpID == "" || g.Checkpoint == cpID) && (country == "" || g.Country == country) {
			kept = append(kept, g)
		}
	}
	out.Queue = kept
	writeJSON(w, http.StatusOK, out)
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
	switch fleet.Verdict(req.Decision) {
	case fleet.DecisionRelease, fleet.DecisionInspect, fleet.DecisionRefuse:
	default:
		return badRequest("decision", "decision %q: want release, inspect or refuse", req.Decision)
	}
	if len(req.Reason) > maxReason {
		return badRequest("reason", "reason longer than %d characters", maxReason)
	}
	if _, err := s.customsMove(r, who, req.Move); err != nil {
		return err
	}
	ev := fleet.CustomsDecision{Checkpoint: cp.ID, Country: cp.Country, Move: req.Move, Decision: fleet.Verdict(req.Decision), Officer: who.Name, Reason: req.Reason}
	if err := s.submit(r.Context(), ev, ""); err != nil {
		return err
	}
	m, err := s.customsMove(r, who, req.Move)
	if err != nil {
		return err
	}
	out := Decision{Checkpoint: cp.ID, Country: cp.Country, Move: req.Move, Decision: req.Decision,
		Officer: who.Name, Reason: req.Reason, MoveState: m.State}
	for _, c := range m.Clearances {
		if c.Checkpoint == cp.ID {
			out.Clearance = &c
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// customsMove finds a move for a customs caller: with its clearances at
// the checkpoints of the caller's country only, and, for an officer, only
// if its way passes one of them (a move elsewhere is not the officer's to
// know of: 404, as for no move at all).
func (s *Server) customsMove(r *http.Request, who Token, id string) (Move, error) {
	var out Move
	found := false
	country := who.Role.country()
	err := s.findMove(r.Context(), id, func(m *fleet.Move) {
		out, found = moveJSON(m, false), true
		out.Clearances = clearancesJSON(m, country)
	})
	var ae *Error
	if err != nil && (!errors.As(err, &ae) || ae.Status != http.StatusNotFound) {
		return out, err
	}
	if !found || country != "" && len(out.Clearances) == 0 {
		where := ""
		if country != "" {
			where = " at a checkpoint of " + country
		}
		return out, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no move %q%s", id, where), Field: "move"}
	}
	return out, nil
}

// Clearance is where a move's container stands with one checkpoint's
// customs: its status and since when, every decision taken there, and
// when it arrived, went to inspection, passed or was refused.
type Clearance struct {
	Checkpoint string          `json:"checkpoint"`
	Country    string          `json:"country"`
	Status     string          `json:"status"` // expected, pre_cleared, released, to_inspect, waiting, inspection, held, refused or passed
	Since      *time.Time      `json:"since,omitempty"`
	Decisions  []DecisionTaken `json:"decisions"`
	Arrived    *time.Time      `json:"arrived,omitempty"`
	Inspected  *time.Time      `json:"inspected,omitempty"`
	Passed     *time.Time      `json:"passed,omitempty"`
	Refused    *time.Time      `json:"refused,omitempty"`
	// Declaration is the customs declaration in force for the
	// checkpoint's country, if one is filed.
	Declaration *CustomsDeclaration `json:"declaration,omitempty"`
	// SealReadings are the seal readings taken here, oldest first.
	SealReadings []SealReading `json:"seal_readings,omitempty"`
	// SealAlert: what the last problem reading found, until an officer
	// decides here after it.
	SealAlert string `json:"seal_alert,omitempty"`
	// Held: why the container is held here whatever was decided.
	Held string `json:"held,omitempty"`
	// CanDecide: a decision here would be taken now (Move.CanDecide),
	// whoever's role may decide here.
	CanDecide bool `json:"can_decide"`
}

// DecisionTaken is one customs decision as taken.
type DecisionTaken struct {
	At       time.Time `json:"at"`
	Decision string    `json:"decision"`
	Officer  string    `json:"officer"`
	Reason   string    `json:"reason,omitempty"`
}

// optTime is t for a JSON field that is left out when t is zero.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// clearancesJSON copies a move's clearance records, only those of one
// country if country is not "".
func clearancesJSON(m *fleet.Move, country string) []Clearance {
	out := []Clearance{}
	for i := range m.Clearances {
		c := &m.Clearances[i]
		if country != "" && c.Country != country {
			continue
		}
		x := Clearance{Checkpoint: c.Checkpoint, Country: c.Country, Status: c.Status(m.PreCleared), Since: optTime(c.Since()),
			Decisions: []DecisionTaken{}, Arrived: optTime(c.Arrived), Inspected: optTime(c.Inspected), Passed: optTime(c.Passed), Refused: optTime(c.Refused),
			CanDecide: m.CanDecide(c.Checkpoint) == nil}
		for _, d := range c.Decisions {
			x.Decisions = append(x.Decisions, DecisionTaken{At: d.At, Decision: string(d.Decision), Officer: d.Officer, Reason: d.Reason})
		}
		if d := m.Declared(c.Country); d != nil {
			dj := declarationJSON(*d)
			x.Declaration = &dj
		}
		for _, rd := range c.Readings {
			x.SealReadings = append(x.SealReadings, readingJSON(rd))
		}
		x.SealAlert, x.Held = c.SealAlert, c.Held
		out = append(out, x)
	}
	return out
}

// ClearanceItem is one line of GET /v1/customs/clearances: a move's
// container at one checkpoint.
type ClearanceItem struct {
	Move      string `json:"move"`
	Container string `json:"container"`
	MoveState string `json:"move_state"`
	Clearance
	// SealAlerts are the seal alerts raised on the move at any of its
	// checkpoints: every country of the move sees them.
	SealAlerts []SealAlert `json:"seal_alerts,omitempty"`
}

// ClearanceList is the body of GET /v1/customs/clearances.
type ClearanceList struct {
	At         time.Time       `json:"at"` // the core's clock, to count waiting time from
	Clearances []ClearanceItem `json:"clearances"`
}

// customsClearances is GET /v1/customs/clearances?checkpoint=&status=&all=:
// the clearance records of the open moves (with all=true, of every move)
// at the checkpoints of the officer's country (an admin's: all), oldest
// move first.
func (s *Server) customsClearances(w http.ResponseWriter, r *http.Request, who Token) error {
	q := r.URL.Query()
	cpID, status, all := q.Get("checkpoint"), q.Get("status"), q.Get("all") == "true"
	if cpID != "" {
		if _, err := s.checkpointFor(who, cpID); err != nil {
			return err
		}
	}
	country := who.Role.country()
	out := ClearanceList{Clearances: []ClearanceItem{}}
	err := s.read(r.Context(), func(now time.Time, core coreView) {
		out.At = now
		for _, m := range core.Moves() {
			if m.State.Final() && !all {
				continue
			}
			for _, c := range clearancesJSON(m, country) {
				if (cpID == "" || c.Checkpoint == cpID) && (status == "" || c.Status == status) {
					out.Clearances = append(out.Clearances, ClearanceItem{Move: m.ID, Container: string(m.Container), MoveState: string(m.State), Clearance: c, SealAlerts: sealAlerts(m)})
				}
			}
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// publishedGates is the containers waiting at the checkpoints, as the
// core last published them, each with when it arrived and whether a
// decision on it would be taken; longest waiting first.
func publishedGates(p *daemon.Published) []GateWait {
	out := make([]GateWait, 0, len(p.Gates))
	for _, g := range p.Gates {
		w := GateWait{Checkpoint: g.Checkpoint, Country: g.Country, Move: g.Move, Container: string(g.Container),
			Shuttle: g.Shuttle, Inspection: g.Inspection, AtInspectionBay: g.AtInspectionBay, Decided: g.Decided, Held: g.Held,
			CanDecide: g.CanDecide}
		if !g.Arrived.IsZero() {
			t := g.Arrived
			w.Since = &t
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b GateWait) int { return cmpSince(a.Since, b.Since) })
	return out
}
