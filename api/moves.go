package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// MoveRequest is the body of POST /v1/moves.
type MoveRequest struct {
	Container      string `json:"container"`
	Origin         string `json:"origin"`
	Destination    string `json:"destination"`
	Priority       int    `json:"priority"`
	EarliestPickup string `json:"earliest_pickup,omitempty"` // RFC 3339
	Deadline       string `json:"deadline,omitempty"`        // RFC 3339
	Declaration    string `json:"declaration,omitempty"`
	PreCleared     bool   `json:"pre_cleared"`
}

// Move is a container move as the API shows it.
type Move struct {
	ID             string     `json:"id"`
	Container      string     `json:"container"`
	Origin         string     `json:"origin"`
	Destination    string     `json:"destination"`
	Priority       int        `json:"priority"`
	EarliestPickup *time.Time `json:"earliest_pickup,omitempty"`
	Deadline       *time.Time `json:"deadline,omitempty"`
	Declaration    string     `json:"declaration,omitempty"`
	PreCleared     bool       `json:"pre_cleared"`
	State          string     `json:"state"`
	// StateSince is when the move came into its state (the core's
	// clock); Waiting is what it waits for of itself (a shuttle, a
	// customs decision, an inspection), if it does.
	StateSince time.Time    `json:"state_since"`
	Waiting    *Waiting     `json:"waiting,omitempty"`
	Shuttle    string       `json:"shuttle,omitempty"`
	Created    time.Time    `json:"created"`
	History    []Transition `json:"history,omitempty"`
	PassedOver []string     `json:"passed_over,omitempty"`
	// Clearances: where the container stands with customs at each
	// checkpoint of its way (in full views).
	Clearances []Clearance `json:"clearances,omitempty"`
	// Declarations: the customs declarations in force, one per country
	// (in full views).
	Declarations []CustomsDeclaration `json:"declarations,omitempty"`
	// SealAlerts: seal alerts raised on the move (every country of the
	// move sees them).
	SealAlerts []SealAlert `json:"seal_alerts,omitempty"`
}

// Transition is one change of a move's state, or a customs decision taken
// on it (decision set, from and to the state it was in).
type Transition struct {
	At       time.Time `json:"at"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Cause    string    `json:"cause"`
	Decision string    `json:"decision,omitempty"`
	// Event names a note that is no change of state: declaration,
	// seal_read, seal_alert or held. Actor says by whom a note, a decision
	// or a change of state was made ("officer NAME (CC)", "operator NAME",
	// "shuttle ID"; absent: fleetd), checkpoint where.
	Event      string `json:"event,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Checkpoint string `json:"checkpoint,omitempty"`
}

// MoveList is the body of GET /v1/moves: one page of moves, newest
// first.
type MoveList struct {
	Moves []Move `json:"moves"`
	// Total is how many moves match in all, on every page; absent when
	// the listing is by container and moves have left the core for the
	// archive (it would take reading the whole archive).
	Total *int `json:"total,omitempty"`
	// NextCursor is the cursor of the next page, Next the request for
	// it; both absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
	Next       string `json:"next,omitempty"`
}

// Limits of the move list (the page size) and the idempotency key.
const (
	defaultLimit   = 100
	maxLimit       = 1000
	maxKeyLen      = 200
	maxDeclaration = 200
)

// moveJSON copies a move for the API, with its history when full.
func moveJSON(m *fleet.Move, full bool) Move {
	out := Move{ID: m.ID, Container: string(m.Container), Origin: m.Origin, Destination: m.Destination, Priority: m.Priority,
		Declaration: m.Declaration, PreCleared: m.PreCleared, State: string(m.State), Shuttle: m.Shuttle, Created: m.Created,
		StateSince: stateSince(m), Waiting: moveWaiting(m)}
	out.EarliestPickup, out.Deadline = optTime(m.EarliestPickup), optTime(m.Deadline)
	if full {
		for _, h := range m.History {
			out.History = append(out.History, Transition{At: h.At, From: string(h.From), To: string(h.To), Cause: h.Cause, Decision: string(h.Decision),
				Event: h.Event, Actor: h.Actor, Checkpoint: h.Checkpoint})
		}
		for _, r := range m.PassedOver {
			out.PassedOver = append(out.PassedOver, r.String())
		}
		out.Clearances = clearancesJSON(m, "")
		for _, d := range m.Declarations {
			out.Declarations = append(out.Declarations, declarationJSON(d))
		}
		out.SealAlerts = sealAlerts(m)
	}
	return out
}

// parseTime reads an optional RFC 3339 time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, badRequest(field, "%s %q is not an RFC 3339 time (such as 2026-01-02T15:04:05Z)", field, s)
	}
	return t, nil
}

// validate checks a move request against the site and makes its event.
func (s *Server) validateMove(req MoveRequest) (fleet.MoveRequested, error) {
	ev := fleet.MoveRequested{Priority: req.Priority, Declaration: req.Declaration, PreCleared: req.PreCleared}
	if req.Container == "" {
		return ev, badRequest("container", "container is required (an ISO 6346 number such as MSCU1234566)")
	}
	c, err := fleet.ParseContainer(req.Container)
	if err != nil {
		return ev, badRequest("container", "%v", err)
	}
	ev.Container = string(c)
	for _, f := range []struct{ name, bay string }{{"origin", req.Origin}, {"destination", req.Destination}} {
		if f.bay == "" {
			return ev, badRequest(f.name, "%s is required (a yard bay id)", f.name)
		}
		if b, ok := s.cfg.Site.Bay(f.bay); !ok || b.Centre == "" {
			return ev, badRequest(f.name, "%s %q is not a yard bay of the site", f.name, f.bay)
		}
	}
	if req.Origin == req.Destination {
		return ev, badRequest("destination", "destination is the origin bay %q", req.Origin)
	}
	if req.Priority < -maxPriority || req.Priority > maxPriority {
		return ev, badRequest("priority", "priority %d: want -%d to %d", req.Priority, maxPriority, maxPriority)
	}
	ev.Origin, ev.Destination = req.Origin, req.Destination
	if ev.EarliestPickup, err = parseTime("earliest_pickup", req.EarliestPickup); err != nil {
		return ev, err
	}
	if ev.Deadline, err = parseTime("deadline", req.Deadline); err != nil {
		return ev, err
	}
	if !ev.Deadline.IsZero() && !ev.EarliestPickup.IsZero() && ev.Deadline.Before(ev.EarliestPickup) {
		return ev, badRequest("deadline", "deadline is before earliest_pickup")
	}
	if len(req.Declaration) > maxDeclaration {
		return ev, badRequest("declaration", "declaration longer than %d characters", maxDeclaration)
	}
	return ev, nil
}

// createMove is POST /v1/moves: 201 with the new move; 200 with the move
// an earlier request with the same Idempotency-Key made.
func (s *Server) createMove(w http.ResponseWriter, r *http.Request, _ Token) error {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return badRequest("Idempotency-Key", "the Idempotency-Key header is required (any unique string; a retry sends the same)")
	}
	if len(key) > maxKeyLen {
		return badRequest("Idempotency-Key", "Idempotency-Key longer than %d characters", maxKeyLen)
	}
	var req MoveRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	ev, err := s.validateMove(req)
	if err != nil {
		return err
	}
	ev.IdempotencyKey = key
	if ev.ID, err = newMoveID(); err != nil {
		return err
	}
	if err := s.submitMove(r.Context(), ev); err != nil {
		return err
	}
	m, ok, err := s.moveByKey(r.Context(), key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("api: move %s accepted but not found", ev.ID)
	}
	status := http.StatusOK // made by an earlier request with this key
	if m.ID == ev.ID {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/v1/moves/"+m.ID)
	writeJSON(w, status, m)
	return nil
}

// submitMove submits a move request as submit does; a key used for
// another move is a 409 on the Idempotency-Key header.
func (s *Server) submitMove(ctx context.Context, ev fleet.MoveRequested) error {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	err := s.cfg.Fleet.Submit(ctx, ev)
	if errors.Is(err, fleet.ErrKeyConflict) {
		return &Error{Status: http.StatusConflict, Msg: err.Error(), Field: "Idempotency-Key"}
	}
	return s.verdict(err, "")
}

// moveByKey finds the move made with an idempotency key.
func (s *Server) moveByKey(ctx context.Context, key string) (Move, bool, error) {
	var out Move
	var found bool
	err := s.read(ctx, func(_ time.Time, core coreView) {
		for _, m := range core.Moves() {
			if m.IdempotencyKey == key {
				out, found = moveJSON(m, true), true
				return
			}
		}
	})
	return out, found, err
}

// newMoveID is a fresh move id: "mv-" and 16 random hex digits.
func newMoveID() (string, error) {
	t, err := NewToken()
	if err != nil {
		return "", err
	}
	return "mv-" + t[:16], nil
}

// listMoves is GET /v1/moves?state=&container=&limit=&cursor=&clearances=:
// a page of moves, newest first (pages.go says how paging works), those
// archived included; with clearances=true each with its clearance records (as
// in the full view), so a screen shows where each container stands with
// customs from one request. A viewer gets the moves as viewerMove shows
// them, and may ask neither for a container (the answer would tell
// whether it is moved) nor for clearances: 403.
func (s *Server) listMoves(w http.ResponseWriter, r *http.Request, who Token) error {
	q := r.URL.Query()
	viewer := who.Role == RoleViewer
	if viewer {
		if q.Has("container") {
			return &Error{Status: http.StatusForbidden, Msg: "role viewer may not look moves up by container: a viewer sees no container numbers", Field: "container"}
		}
		if q.Has("clearances") {
			return &Error{Status: http.StatusForbidden, Msg: "role viewer may not ask for clearance records: a viewer sees none", Field: "clearances"}
		}
	}
	state := fleet.MoveState(q.Get("state"))
	if state != "" && !knownMoveState(state) {
		return badRequest("state", "unknown move state %q", state)
	}
	var cont fleet.Container
	if c := q.Get("container"); c != "" {
		var err error
		if cont, err = fleet.ParseContainer(c); err != nil {
			return badRequest("container", "%v", err)
		}
	}
	limit := defaultLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return badRequest("limit", "limit %q: want a number from 1 to %d", l, maxLimit)
		}
		limit = n
	}
	before, err := parseCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	withClearances := false
	switch c := q.Get("clearances"); c {
	case "", "false":
	case "true":
		withClearances = true
	default:
		return badRequest("clearances", "clearances %q: want true or false", c)
	}
	show := func(m *fleet.Move) any {
		if viewer {
			return viewerMove(m, false)
		}
		mv := moveJSON(m, false)
		if withClearances {
			mv.Clearances = clearancesJSON(m, "")
		}
		return mv
	}
	page, err := s.pageOfMoves(r.Context(), before, limit, moveFilter{state: state, container: cont}, show)
	if err != nil {
		return err
	}
	var next, link string
	if page.next > 0 {
		next, link = encodeCursor(page.next), nextLink(r, page.next)
	}
	if viewer {
		out := ViewerMoveList{Moves: []ViewerMove{}, Total: page.total, NextCursor: next, Next: link}
		for _, it := range page.items {
			out.Moves = append(out.Moves, it.shown.(ViewerMove))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	out := MoveList{Moves: []Move{}, Total: page.total, NextCursor: next, Next: link}
	for _, it := range page.items {
		out.Moves = append(out.Moves, it.shown.(Move))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// moveStates are every move state, for filters and the OpenAPI document.
var moveStates = []fleet.MoveState{fleet.MovePending, fleet.MoveAssigned, fleet.MoveToPickup, fleet.MoveLoading, fleet.MoveLaden,
	fleet.MoveAtGate, fleet.MoveInspection, fleet.MoveToDropoff, fleet.MoveUnloading, fleet.MoveDelivered, fleet.MoveReturning,
	fleet.MoveReturned, fleet.MoveCancelled, fleet.MoveFailed}

func knownMoveState(s fleet.MoveState) bool { return slices.Contains(moveStates, s) }

// getMove is GET /v1/moves/{id}, with its history (for a viewer, as
// viewerMove shows it).
func (s *Server) getMove(w http.ResponseWriter, r *http.Request, who Token) error {
	var out any
	if err := s.withMove(r, r.PathValue("id"), func(m *fleet.Move) { out = moveFor(who, m, true) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// moveFor is a move as the caller may see it: for a viewer as
// viewerMove shows it, for anyone else the Move (with its history and
// clearance records when full).
func moveFor(who Token, m *fleet.Move, full bool) any {
	if who.Role == RoleViewer {
		return viewerMove(m, full)
	}
	return moveJSON(m, full)
}

// moveByID finds a move with its history, or a 404.
func (s *Server) moveByID(r *http.Request, id string) (Move, error) {
	var out Move
	err := s.withMove(r, id, func(m *fleet.Move) { out = moveJSON(m, true) })
	return out, err
}

// withMove runs fn with the move of an id (on the core's goroutine
// when the core has it, else read from the archive), or is a 404.
func (s *Server) withMove(r *http.Request, id string, fn func(m *fleet.Move)) error {
	return s.findMove(r.Context(), id, fn)
}
