package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/borderfleet/borderfleet/internal/proc"
	"github.com/borderfleet/borderfleet/metrics"
	"io"
	"net/http"
	"os"
	"time"
)

// client talks to fleetd's HTTP API with an admin token.
type client struct {
	base, token string // base: http://host:port
	hc          *http.Client
}

func (c *client) do(ctx context.Context, method, path string, body any, header ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// ready waits until fleetd answers /v1/ready, or p ends.
func (c *client) ready(ctx context.Context, within time.Duration, p *proc.Proc) error {
	deadline := time.Now().Add(within)
	for {
		code, _, err := c.do(ctx, http.MethodGet, "/v1/ready", nil)
		if err == nil && code == http.StatusOK {
			return nil
		}
		if p.Exited() {
			return fmt.Errorf("load: fleetd ended: %v (see %s)", p.Err(), p.Log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("load: fleetd not ready after %v (last: %d, %v)", within, code, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// counters reads fleetd's unlabelled samples from /metrics by name.
func (c *client) counters(ctx context.Context) (map[string]float64, error) {
	code, b, err := c.do(ctx, http.MethodGet, "/metrics", nil)
	if err != nil {
		return nil, fmt.Errorf("load: GET /metrics: %w", err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("load: GET /metrics: %d", code)
	}
	return metrics.Unlabelled(bytes.NewReader(b))
}

// moveRequest is POST /v1/moves's body.
type moveRequest struct {
	Container   string `json:"container"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Declaration string `json:"declaration"`
	PreCleared  bool   `json:"pre_cleared"`
}

func (c *client) createMove(ctx context.Context, m moveRequest) error {
	code, b, err := c.do(ctx, http.MethodPost, "/v1/moves", m, "Idempotency-Key", m.Container)
	if err != nil {
		return fmt.Errorf("load: POST /v1/moves: %w", err)
	}
	if code/100 != 2 {
		return fmt.Errorf("load: POST /v1/moves: %d %s", code, bytes.TrimSpace(b))
	}
	return nil
}

// profile takes a CPU profile of fleetd for d and writes it to path, and
// a heap profile after it to heapPath.
func (c *client) profile(ctx context.Context, d time.Duration, path, heapPath string) error {
	if err := c.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(1, int(d/time.Second))), path); err != nil {
		return err
	}
	return c.fetch(ctx, "/debug/pprof/heap", heapPath)
}

// fetch writes what GET path answers to file.
func (c *client) fetch(ctx context.Context, path, file string) error {
	code, b, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return fmt.Errorf("load: GET %s: %w", path, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("load: GET %s: %d %s", path, code, bytes.TrimSpace(b))
	}
	return os.WriteFile(file, b, 0o644)
}
