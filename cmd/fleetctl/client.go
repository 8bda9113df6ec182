package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Where fleetctl finds fleetd's HTTP API and the token it sends.
const (
	serverEnv     = "FLEETCTL_SERVER"
	tokenEnv      = "FLEETCTL_TOKEN"
	defaultServer = "http://127.0.0.1:8080"
)

// requestTimeout bounds one request to fleetd.
const requestTimeout = 30 * time.Second

// maxResponse is the largest response body fleetctl reads.
const maxResponse = 64 << 20

// client calls fleetd's HTTP API. The token is sent as a bearer token
// and never printed.
type client struct {
	base  string // scheme://host[:port][/prefix], without /v1
	token string
	http  *http.Client
}

// newClient checks the server's URL and makes a client for it; a URL
// ending in /v1 (as fleetd demo prints it) is taken as its server.
func newClient(server, token string) (*client, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q: want a URL such as %s", server, defaultServer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("server %q: want scheme://host[:port] and at most a path", server)
	}
	if i := strings.IndexFunc(token, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }); i >= 0 {
		return nil, fmt.Errorf("the token (from --token or %s) has a space or control character at byte %d; a token is one word", tokenEnv, i)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(u.String(), "/"), "/v1")
	return &client{base: base, token: token, http: &http.Client{Timeout: requestTimeout}}, nil
}

// response is an API answer: its status line, status code and body as
// it came.
type response struct {
	status string // "201 Created"
	code   int
	body   []byte
}

// apiError is an error answer of the API: {"error": "...", "field": "..."}
// with its status line.
type apiError struct {
	Status string `json:"-"`
	Msg    string `json:"error"`
	Field  string `json:"field,omitempty"`
	hint   string // what to do about it, if fleetctl knows
}

func (e *apiError) Error() string {
	s := e.Status + ": " + e.Msg
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	if e.hint != "" {
		s += "\n" + e.hint
	}
	return s
}

// unreachableError is a server that could not be asked.
type unreachableError struct {
	url string
	err error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("cannot reach fleetd at %s: %v", e.url, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// do sends one request; body (when not nil) is sent as JSON, headers
// come in name, value pairs. A status of 400 or more is an *apiError,
// except for the statuses in ok.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body any, headers []string, ok ...int) (response, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, fmt.Errorf("encoding the request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return response{}, fmt.Errorf("request %s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return response{}, &unreachableError{url: u, err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return response{}, fmt.Errorf("reading the answer of %s %s: %w", method, u, err)
	}
	r := response{status: resp.Status, code: resp.StatusCode, body: b}
	if resp.StatusCode < 400 {
		return r, nil
	}
	for _, code := range ok {
		if code == resp.StatusCode {
			return r, nil
		}
	}
	return r, c.errorOf(r)
}

// errorOf makes an error answer an *apiError: the API's own, or the
// start of whatever else came (from a proxy, say).
func (c *client) errorOf(r response) *apiError {
	e := &apiError{}
	if err := json.Unmarshal(r.body, e); err != nil || e.Msg == "" {
		e.Msg = firstLine(r.body)
	}
	e.Status = r.status
	switch {
	case r.code == http.StatusUnauthorized && c.token == "":
		e.hint = "fleetctl: no token given: use --token or set " + tokenEnv
	case r.code == http.StatusUnauthorized:
		e.hint = "fleetctl: the token (from --token or " + tokenEnv + ") is not one fleetd knows"
	}
	return e
}

// firstLine is the start of a body for an error message.
func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		return "(no body)"
	}
	return s
}

// decodeAs decodes an answer's body.
func decodeAs[T any](r response) (T, error) {
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		return v, fmt.Errorf("the answer (%s) is not what fleetctl expected: %w", r.status, err)
	}
	return v, nil
}
