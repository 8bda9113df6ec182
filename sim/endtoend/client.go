package endtoend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/metrics"
)

// client reads fleetd's HTTP API and /metrics with an admin token.
type client struct {
	base, token string // base: http://host:port
	hc          *http.Client
}

// get decodes the JSON answer of a GET into v.
func (c *client) get(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if raw, ok := v.(*[]byte); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// ready waits until fleetd answers /v1/ready with 200 (it holds the
// lease and has replayed its journal), or the deadline passes, or
// stop tells that fleetd ended.
func (c *client) ready(ctx context.Context, within time.Duration, ended func() error) error {
	deadline := time.Now().Add(within)
	var last error
	for {
		var b []byte
		if last = c.get(ctx, "/v1/ready", &b); last == nil {
			return nil
		}
		if err := ended(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("endtoend: fleetd not ready after %v: %v", within, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// moves lists every move, page by page (without histories).
func (c *client) moves(ctx context.Context) ([]api.Move, error) {
	var out []api.Move
	cursor := ""
	for {
		path := "/v1/moves?limit=1000"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var l api.MoveList
		if err := c.get(ctx, path, &l); err != nil {
			return nil, err
		}
		out = append(out, l.Moves...)
		if l.NextCursor == "" {
			return out, nil
		}
		cursor = l.NextCursor
	}
}

// metrics are fleetd's unlabelled samples by name.
func (c *client) metrics(ctx context.Context) (map[string]float64, error) {
	var b []byte
	if err := c.get(ctx, "/metrics", &b); err != nil {
		return nil, err
	}
	return metrics.Unlabelled(bytes.NewReader(b))
}

// shuttleList is GET /v1/shuttles's body.
type shuttleList struct {
	Shuttles []api.Shuttle `json:"shuttles"`
}
