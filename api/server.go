package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
)

// Server is the HTTP API. Build one with New; it holds no state of its
// own besides its configuration.
type Server struct {
	cfg    Config
	log    *slog.Logger
	routes []route
	mux    *http.ServeMux
	hist   history // publications sent on event streams, for Last-Event-ID
	epoch  string  // this server's, in its events' ids
}

// route is one endpoint: its method and path pattern, who may call it
// and its handler.
type route struct {
	method  string
	pattern string
	perm    perm
	h       handler
}

// handler serves one request for an authenticated caller (the zero Token
// on a public route); an *Error it returns becomes the response.
type handler func(w http.ResponseWriter, r *http.Request, who Token) error

// perm says which roles may call a route; nil: anyone, without a token.
type perm func(Role) bool

var (
	public   perm // no token needed
	anyRole  = func(Role) bool { return true }
	readers  = func(r Role) bool { return r == RoleViewer || r == RoleOperator || r == RoleAdmin }
	operates = func(r Role) bool { return r == RoleOperator || r == RoleAdmin }
	admins   = func(r Role) bool { return r == RoleAdmin }
	customs  = func(r Role) bool { return r.country() != "" || r == RoleAdmin }
)

// readTimeout bounds how long a request waits for the core.
const readTimeout = 5 * time.Second

// New builds a server.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Log, mux: http.NewServeMux(), epoch: strconv.FormatInt(time.Now().UnixNano(), 36)}
	s.routes = []route{
		{"GET", "/v1/health", public, s.health},
		{"GET", "/v1/ready", public, s.ready},
		{"GET", "/v1/openapi.json", anyRole, s.openapi},
		{"POST", "/v1/moves", operates, s.createMove},
		{"GET", "/v1/moves", readers, s.listMoves},
		{"GET", "/v1/moves/{id}", readers, s.getMove},
		{"POST", "/v1/moves/{id}/cancel", operates, s.cancelMove},
		{"POST", "/v1/moves/{id}/priority", operates, s.movePriority},
		{"GET", "/v1/shuttles", readers, s.listShuttles},
		{"GET", "/v1/shuttles/{id}", readers, s.getShuttle},
		{"POST", "/v1/shuttles/{id}/pause", operates, s.pause(true)},
		{"POST", "/v1/shuttles/{id}/resume", operates, s.pause(false)},
		{"POST", "/v1/shuttles/{id}/clear-fault", operates, s.clearFault},
		{"POST", "/v1/shuttles/{id}/charge", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.ChargeRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles/{id}/park", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.ParkRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles/{id}/emergency-stop", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.EmergencyStopRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles/{id}/emergency-release", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.EmergencyReleaseRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles/{id}/out-of-service", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.OutOfServiceRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles/{id}/in-service", operates, s.shuttleEvent(func(id string) fleet.Event { return fleet.InServiceRequested{Shuttle: id} })},
		{"POST", "/v1/shuttles", admins, s.addShuttle},
		{"GET", "/v1/lanes", readers, s.lanes},
		{"POST", "/v1/lanes/{id}/close", operates, s.closeLane(true)},
		{"POST", "/v1/lanes/{id}/reopen", operates, s.closeLane(false)},
		{"GET", "/v1/customs/queue", customs, s.customsQueue},
		{"GET", "/v1/customs/clearances", customs, s.customsClearances},
		{"POST", "/v1/customs/decisions", customs, s.customsDecision},
		{"POST", "/v1/customs/declarations", declarers, s.customsDeclaration},
		{"POST", "/v1/customs/seals", customs, s.customsSeals},
		{"GET", "/v1/customs/webhooks", admins, s.webhooks},
		{"GET", "/v1/customs/webhooks/{country}/dead-letters", admins, s.deadLetters},
		{"POST", "/v1/customs/webhooks/{country}/dead-letters/replay", admins, s.replayDeadLetters},
		{"GET", "/v1/chargers", readers, s.chargers},
		{"GET", "/v1/site", anyRole, s.site}, // officers see the map too
		{"GET", "/v1/events", readers, s.events},
		{"GET", "/v1/audit/export", customs, s.auditExport},
		{"GET", "/v1/audit/key", anyRole, s.auditKey},
	}
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path)})
	})
	return s, nil
}

// Handler is the API as an http.Handler.
func (s *Server) Handler() http.Handler { return s.mux }

// wrap authenticates and authorises a request, runs the handler and
// writes the error it returns.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var who Token
		if rt.perm != nil {
			var ok bool
			who, ok = s.authenticate(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="fleetd"`)
				writeError(w, &Error{Status: http.StatusUnauthorized, Msg: "a valid bearer token is required (Authorization: Bearer <token>)"})
				return
			}
			if !rt.perm(who.Role) {
				writeError(w, &Error{Status: http.StatusForbidden, Msg: fmt.Sprintf("role %s may not %s %s", who.Role, rt.method, rt.pattern)})
				return
			}
		}
		err := rt.h(w, r, who)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "caller", who.Name, "err", err)
			e = &Error{Status: http.StatusInternalServerError, Msg: "internal error"}
		}
		writeError(w, e)
	})
}

// authenticate finds the caller by its bearer token.
func (s *Server) authenticate(r *http.Request) (Token, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return Token{}, false
	}
	return lookup(s.cfg.Tokens, strings.TrimSpace(tok))
}

// read runs fn on the core's goroutine, with what the API reads of it.
func (s *Server) read(ctx context.Context, fn func(now time.Time, core coreView)) error {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	if err := s.cfg.Fleet.Read(ctx, func(now time.Time, v daemon.View) { fn(now, v) }); err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Msg: "the fleet core did not answer: " + err.Error()}
	}
	return nil
}

// submit hands an event to the core; a refusal becomes a 422 (or 409
// for conflict), a standby or stopped core, or an input the journal did not
// take, a 503.
func (s *Server) submit(ctx context.Context, ev fleet.Event, field string) error {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	return s.verdict(s.cfg.Fleet.Submit(ctx, ev), field)
}

// verdict turns the daemon's answer to an input into a response.
func (s *Server) verdict(err error, field string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, daemon.ErrStandby), errors.Is(err, daemon.ErrDeposed):
		return &Error{Status: http.StatusServiceUnavailable, Msg: err.Error()}
	case errors.Is(err, daemon.ErrNotJournaled), errors.Is(err, daemon.ErrJournalLost):
		// the store failed, not the request: it may be sent again (a move
		// with the same Idempotency-Key, which it requires)
		return &Error{Status: http.StatusServiceUnavailable, Msg: err.Error()}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &Error{Status: http.StatusServiceUnavailable, Msg: "the fleet core did not answer: " + err.Error()}
	case errors.Is(err, fleet.ErrConflict):
		return &Error{Status: http.StatusConflict, Msg: err.Error(), Field: field}
	}
	return &Error{Status: http.StatusUnprocessableEntity, Msg: err.Error(), Field: field}
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request, _ Token) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) ready(w http.ResponseWriter, _ *http.Request, _ Token) error {
	if !s.cfg.Fleet.Active() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "standby"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "active"})
	return nil
}
