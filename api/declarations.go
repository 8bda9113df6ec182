package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// declarers may file customs declarations: a country's officers (and its
// customs system, with an officer's token) for their own country,
// operators and admins for any.
var declarers = func(r Role) bool { return r.country() != "" || r == RoleOperator || r == RoleAdmin }

// DeclarationRequest is the body of POST /v1/customs/declarations.
type DeclarationRequest struct {
	Container   string   `json:"container"`
	Country     string   `json:"country"`
	Reference   string   `json:"reference"`
	Declarant   string   `json:"declarant"`
	Goods       string   `json:"goods"`
	GrossMassKg float64  `json:"gross_mass_kg"`
	Seals       []string `json:"seals"`
}

// CustomsDeclaration is a declaration in force for a container in one
// country.
type CustomsDeclaration struct {
	Container   string    `json:"container"`
	Country     string    `json:"country"`
	Reference   string    `json:"reference"`
	Declarant   string    `json:"declarant"`
	Goods       string    `json:"goods"`
	GrossMassKg float64   `json:"gross_mass_kg"`
	Seals       []string  `json:"seals"`
	FiledBy     string    `json:"filed_by"`
	Filed       time.Time `json:"filed"`
}

// DeclarationAnswer is the answer to POST /v1/customs/declarations: the
// declaration as in force, and the open move it went to ("" while the
// container has none: its next move takes it up).
type DeclarationAnswer struct {
	CustomsDeclaration
	Move string `json:"move,omitempty"`
}

// Seal is one seal as read: number and state (sealed, opened, tampered).
type Seal struct {
	Number string `json:"number"`
	State  string `json:"state"`
}

// SealReadingRequest is the body of POST /v1/customs/seals.
type SealReadingRequest struct {
	Checkpoint string `json:"checkpoint"`
	Container  string `json:"container"`
	Seals      []Seal `json:"seals"`
}

// SealReading is one reading of a container's seals at a checkpoint.
type SealReading struct {
	At       time.Time `json:"at"`
	ReadBy   string    `json:"read_by"`
	Seals    []Seal    `json:"seals"`
	Problems []string  `json:"problems"` // empty: it matches the declaration
}

// SealReadingAnswer is the answer to POST /v1/customs/seals.
type SealReadingAnswer struct {
	Checkpoint string `json:"checkpoint"`
	Country    string `json:"country"`
	Container  string `json:"container"`
	Move       string `json:"move"`
	SealReading
	// Held: a problem holds the container at the gate for an officer.
	Held      bool       `json:"held"`
	MoveState string     `json:"move_state"`
	Clearance *Clearance `json:"clearance,omitempty"`
}

// SealAlert is a seal alert raised on a move at one of its checkpoints;
// every country of the move sees it.
type SealAlert struct {
	At         time.Time `json:"at"`
	Checkpoint string    `json:"checkpoint"`
	Detail     string    `json:"detail"`
}

// actorOf names a caller as the audit trail does.
func actorOf(who Token) string {
	if c := who.Role.country(); c != "" {
		return fmt.Sprintf("officer %s (%s)", who.Name, c)
	}
	return fmt.Sprintf("%s %s", who.Role, who.Name)
}

// invalidField turns a fleet validation error into a 400 naming the field.
func invalidField(err error) error {
	var ie *fleet.InvalidError
	if errors.As(err, &ie) {
		return badRequest(ie.Field, "%s", ie.Detail)
	}
	return err
}

func declarationJSON(d fleet.Declaration) CustomsDeclaration {
	seals := slices.Clone(d.Seals)
	if seals == nil {
		seals = []string{}
	}
	return CustomsDeclaration{Container: string(d.Container), Country: d.Country, Reference: d.Reference, Declarant: d.Declarant,
		Goods: d.Goods, GrossMassKg: d.GrossMassKg, Seals: seals, FiledBy: d.By, Filed: d.Filed}
}

func readingJSON(r fleet.SealReading) SealReading {
	out := SealReading{At: r.At, ReadBy: r.By, Seals: []Seal{}, Problems: slices.Clone(r.Problems)}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	for _, s := range r.Seals {
		out.Seals = append(out.Seals, Seal{Number: s.Number, State: s.State})
	}
	return out
}

// sealAlerts lists the seal alerts raised on a move, for every country of
// the move (the sharing rule's exception).
func sealAlerts(m *fleet.Move) []SealAlert {
	var out []SealAlert
	for _, h := range m.History {
		if h.Event == fleet.NoteSealAlert {
			out = append(out, SealAlert{At: h.At, Checkpoint: h.Checkpoint, Detail: h.Cause})
		}
	}
	return out
}

// customsDeclaration is POST /v1/customs/declarations.
func (s *Server) customsDeclaration(w http.ResponseWriter, r *http.Request, who Token) error {
	var req DeclarationRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	req.Country = strings.ToUpper(strings.TrimSpace(req.Country))
	ev := fleet.DeclarationFiled{Container: req.Container, Country: req.Country, Reference: req.Reference, Declarant: req.Declarant,
		Goods: req.Goods, GrossMassKg: req.GrossMassKg, Seals: req.Seals, By: actorOf(who)}
	if req.Container == "" {
		return badRequest("container", "container is required (an ISO 6346 number such as MSCU1234566)")
	}
	c, err := fleet.ParseContainer(req.Container)
	if err != nil {
		return badRequest("container", "%v", err)
	}
	ev.Container = string(c)
	countries := Countries(s.cfg.Site)
	if req.Country == "" {
		return badRequest("country", "country is required (one of %s)", strings.Join(countries, ", "))
	}
	if !slices.Contains(countries, req.Country) {
		return badRequest("country", "country %q has no checkpoint on the site (its countries: %s)", req.Country, strings.Join(countries, ", "))
	}
	if own := who.Role.country(); own != "" && own != req.Country {
		return &Error{Status: http.StatusForbidden, Msg: fmt.Sprintf("an officer of %s may not file a declaration for %s", own, req.Country), Field: "country"}
	}
	if req.Seals == nil {
		return badRequest("seals", "seals is required (the container's ISO 17712 seal numbers; [] if it has none)")
	}
	if err := ev.Validate(); err != nil {
		return invalidField(err)
	}
	if err := s.submit(r.Context(), ev, ""); err != nil {
		return invalidField(err)
	}
	var out DeclarationAnswer
	err = s.read(r.Context(), func(_ time.Time, core coreView) {
		for _, d := range core.Declarations(c) {
			if d.Country == req.Country {
				out.CustomsDeclaration = declarationJSON(d)
			}
		}
		for _, m := range core.Moves() {
			if m.Container == c && !m.State.Final() && (who.Role.country() == "" || slices.Contains(m.Countries(), who.Role.country())) {
				out.Move = m.ID
			}
		}
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// sealCheckpoint finds the checkpoint of a seal reading: 404 if there is
// none by that id, 403 if it is another country's than the officer's.
func (s *Server) sealCheckpoint(who Token, id string) (geo.Checkpoint, error) {
	if id == "" {
		return geo.Checkpoint{}, badRequest("checkpoint", "checkpoint is required")
	}
	for _, cp := range s.cfg.Site.Checkpoints {
		if cp.ID == id {
			if c := who.Role.country(); who.Role != RoleAdmin && c != cp.Country {
				return cp, &Error{Status: http.StatusForbidden, Msg: fmt.Sprintf("an officer of %s may not read seals at %s, a checkpoint of %s", c, cp.ID, cp.Country), Field: "checkpoint"}
			}
			return cp, nil
		}
	}
	return geo.Checkpoint{}, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no checkpoint %q on the site", id), Field: "checkpoint"}
}

// customsSeals is POST /v1/customs/seals: a seal reader (with the token
// of an officer of the checkpoint's country) reports the seals it read.
func (s *Server) customsSeals(w http.ResponseWriter, r *http.Request, who Token) error {
	var req SealReadingRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	cp, err := s.sealCheckpoint(who, req.Checkpoint)
	if err != nil {
		return err
	}
	if req.Seals == nil {
		return badRequest("seals", "seals is required: the seals read, each {number, state: sealed|opened|tampered} ([] if none was found)")
	}
	ev := fleet.SealRead{Checkpoint: cp.ID, Container: req.Container, By: actorOf(who)}
	for _, x := range req.Seals {
		ev.Seals = append(ev.Seals, fleet.SealState{Number: x.Number, State: x.State})
	}
	if err := ev.Validate(); err != nil {
		return invalidField(err)
	}
	c, _ := fleet.ParseContainer(req.Container)
	ev.Container = string(c)
	if err := s.submit(r.Context(), ev, ""); err != nil {
		return invalidField(err)
	}
	out := SealReadingAnswer{Checkpoint: cp.ID, Country: cp.Country, Container: string(c)}
	err = s.read(r.Context(), func(_ time.Time, core coreView) {
		for _, m := range core.Moves() {
			if m.Container != c || m.State.Final() {
				continue
			}
			out.Move, out.MoveState = m.ID, string(m.State)
			for _, x := range clearancesJSON(m, cp.Country) {
				if x.Checkpoint == cp.ID {
					out.Clearance = &x
					if n := len(x.SealReadings); n > 0 {
						out.SealReading = x.SealReadings[n-1]
					}
					out.Held = x.SealAlert != ""
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
