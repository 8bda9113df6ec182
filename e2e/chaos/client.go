package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/borderfleet/borderfleet/metrics"
	"io"
	"net/http"
	"strings"
	"time"
)

// client talks to fleetd's HTTP API and metrics as an operator does.
type client struct {
	base  string // http://host:port
	token string
	hc    *http.Client
}

// apiMove is the part of the API's move the checks read.
type apiMove struct {
	ID        string `json:"id"`
	Container string `json:"container"`
	State     string `json:"state"`
	Shuttle   string `json:"shuttle"`
	History   []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"history"`
}

type apiError struct {
	Error string `json:"error"`
}

// moveRequest is POST /v1/moves's body.
type moveRequest struct {
	Container   string `json:"container"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Declaration string `json:"declaration,omitempty"`
}

// answer is an HTTP answer: its status (0: no answer at all) and body.
type answer struct {
	status int
	body   []byte
	err    error
}

// msg is the answer's error message, or what went wrong.
func (a answer) msg() string {
	if a.err != nil {
		return a.err.Error()
	}
	var e apiError
	if json.Unmarshal(a.body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return strings.TrimSpace(string(a.body))
}

func (c *client) do(ctx context.Context, method, path string, body any, hdr map[string]string) answer {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, err: err}
}

// createMove posts a move with an idempotency key.
func (c *client) createMove(ctx context.Context, key string, req moveRequest) (apiMove, answer) {
	a := c.do(ctx, http.MethodPost, "/v1/moves", req, map[string]string{"Idempotency-Key": key})
	var m apiMove
	if a.status == http.StatusCreated || a.status == http.StatusOK {
		if err := json.Unmarshal(a.body, &m); err != nil {
			a.err = fmt.Errorf("decoding the move: %w", err)
		}
	}
	return m, a
}

// moves lists every move (up to the API's limit of 1000).
func (c *client) moves(ctx context.Context) ([]apiMove, error) {
	a := c.do(ctx, http.MethodGet, "/v1/moves?limit=1000", nil, nil)
	if a.err != nil || a.status != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/moves: %d %s", a.status, a.msg())
	}
	var l struct {
		Moves []apiMove `json:"moves"`
		Total int       `json:"total"`
	}
	if err := json.Unmarshal(a.body, &l); err != nil {
		return nil, fmt.Errorf("GET /v1/moves: %w", err)
	}
	if l.Total > len(l.Moves) {
		return nil, fmt.Errorf("GET /v1/moves: %d moves, more than the API lists at once (%d): ask for fewer moves", l.Total, len(l.Moves))
	}
	return l.Moves, nil
}

// move is one move with its history.
func (c *client) move(ctx context.Context, id string) (apiMove, error) {
	a := c.do(ctx, http.MethodGet, "/v1/moves/"+id, nil, nil)
	if a.err != nil || a.status != http.StatusOK {
		return apiMove{}, fmt.Errorf("GET /v1/moves/%s: %d %s", id, a.status, a.msg())
	}
	var m apiMove
	return m, json.Unmarshal(a.body, &m)
}

// ready waits until fleetd answers /v1/ready with 200 (it holds the
// lease and has replayed its journal), and returns how long that took.
func (c *client) ready(ctx context.Context, within time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		a := c.do(ctx, http.MethodGet, "/v1/ready", nil, nil)
		if a.status == http.StatusOK {
			return time.Since(start), nil
		}
		if time.Since(start) > within {
			return time.Since(start), fmt.Errorf("fleetd not ready after %v (last answer: %d %s)", within, a.status, a.msg())
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// metrics reads the counters the checks use from /metrics (unlabelled
// samples by name).
func (c *client) metrics(ctx context.Context) (map[string]float64, error) {
	a := c.do(ctx, http.MethodGet, "/metrics", nil, nil)
	if a.err != nil || a.status != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d %s", a.status, a.msg())
	}
	return metrics.Unlabelled(bytes.NewReader(a.body))
}
