package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/webhook"
)

// Webhooks is what the API needs of the customs webhooks (a
// *webhook.Deliverer).
type Webhooks interface {
	Status(ctx context.Context) ([]webhook.Status, error)
	DeadLetters(ctx context.Context, country string) ([]daemon.DeadLetter, error)
	Replay(ctx context.Context, country string, seq uint64) (int, error)
}

// WebhookList is the body of GET /v1/customs/webhooks.
type WebhookList struct {
	Webhooks []webhook.Status `json:"webhooks"`
}

// DeadLetterList is the body of GET
// /v1/customs/webhooks/{country}/dead-letters.
type DeadLetterList struct {
	Country     string              `json:"country"`
	DeadLetters []daemon.DeadLetter `json:"dead_letters"`
}

// ReplayRequest is the body of POST
// /v1/customs/webhooks/{country}/dead-letters/replay: one dead letter by
// its audit seq, or (no body, or no seq) all of them.
type ReplayRequest struct {
	Seq uint64 `json:"seq,omitempty"`
}

// Replayed is the answer to a replay.
type Replayed struct {
	Country  string `json:"country"`
	Replayed int    `json:"replayed"`
}

// webhookErr turns the webhooks' errors into responses.
func webhookErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, webhook.ErrNoSubscriber), errors.Is(err, daemon.ErrNoDeadLetter):
		return &Error{Status: http.StatusNotFound, Msg: err.Error()}
	case errors.Is(err, daemon.ErrStandby), errors.Is(err, daemon.ErrDeposed),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &Error{Status: http.StatusServiceUnavailable, Msg: err.Error()}
	}
	return err
}

// noWebhooks answers for a fleetd without subscribers.
func noWebhooks(country string) error {
	return &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no webhook subscriber for %q: none is configured", country)}
}

// webhooks is GET /v1/customs/webhooks.
func (s *Server) webhooks(w http.ResponseWriter, r *http.Request, _ Token) error {
	out := WebhookList{Webhooks: []webhook.Status{}}
	if s.cfg.Webhooks != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
		defer cancel()
		st, err := s.cfg.Webhooks.Status(ctx)
		if err != nil {
			return webhookErr(err)
		}
		out.Webhooks = st
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deadLetters is GET /v1/customs/webhooks/{country}/dead-letters.
func (s *Server) deadLetters(w http.ResponseWriter, r *http.Request, _ Token) error {
	country := strings.ToUpper(r.PathValue("country"))
	if s.cfg.Webhooks == nil {
		return noWebhooks(country)
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	dl, err := s.cfg.Webhooks.DeadLetters(ctx, country)
	if err != nil {
		return webhookErr(err)
	}
	if dl == nil {
		dl = []daemon.DeadLetter{}
	}
	writeJSON(w, http.StatusOK, DeadLetterList{Country: country, DeadLetters: dl})
	return nil
}

// replayDeadLetters is POST
// /v1/customs/webhooks/{country}/dead-letters/replay.
func (s *Server) replayDeadLetters(w http.ResponseWriter, r *http.Request, _ Token) error {
	country := strings.ToUpper(r.PathValue("country"))
	var req ReplayRequest
	body, err := readBody(w, r, s.cfg.MaxBody)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
	}
	if s.cfg.Webhooks == nil {
		return noWebhooks(country)
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	n, err := s.cfg.Webhooks.Replay(ctx, country, req.Seq)
	if err != nil {
		return webhookErr(err)
	}
	writeJSON(w, http.StatusOK, Replayed{Country: country, Replayed: n})
	return nil
}
