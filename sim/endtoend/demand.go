package endtoend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/sim"
	"github.com/borderfleet/borderfleet/sim/demand"
)

// operator asks for the scenario's moves through the HTTP API, as an
// operator would, on fleetd's clock: the in-process run's demand model
// (package demand) from the run's seed, each move with an
// Idempotency-Key and asked again until fleetd acknowledges it, so that
// a fleetd restart neither loses nor doubles one. (fleetd demo plays the
// officers only: a player restarted with fleetd would ask its moves
// again from the first.)
type operator struct {
	model *demand.Model
	rng   *rand.Rand
	seed  int64
	n     int
	next  time.Duration // when the next move is due, from the start
	due   []api.MoveRequest
	keys  []string
	acked map[string]string // idempotency key -> move id
	asked int
}

func newOperator(cfg sim.Config) (*operator, error) {
	m, err := demand.New(cfg.DemandConfig(), cfg.Site)
	if err != nil {
		return nil, fmt.Errorf("endtoend: %w", err)
	}
	o := &operator{model: m, rng: rand.New(rand.NewSource(cfg.Seed)), seed: cfg.Seed, acked: map[string]string{}}
	if cfg.MovesPerHour > 0 {
		o.next = m.Gap(o.rng)
	} else {
		o.next = -1
	}
	return o, nil
}

// ask posts every move due by now (and those not yet acknowledged).
func (o *operator) ask(ctx context.Context, cl *client, now, end time.Duration) {
	for o.next >= 0 && o.next <= now && o.next < end {
		mv := o.model.Move(o.rng)
		o.n++
		id := fmt.Sprintf("e2e%06d", o.n)
		o.due = append(o.due, api.MoveRequest{Container: string(demand.Container("BFLU", o.n)), Origin: mv.Origin,
			Destination: mv.Destination, PreCleared: mv.PreCleared, Declaration: "DECL-" + id})
		o.keys = append(o.keys, fmt.Sprintf("e2e-%d-%s", o.seed, id))
		o.next += o.model.Gap(o.rng)
	}
	for len(o.due) > 0 {
		id, err := cl.createMove(ctx, o.keys[0], o.due[0])
		o.asked++
		if err != nil {
			return // fleetd down or busy: asked again next minute
		}
		o.acked[o.keys[0]] = id
		o.due, o.keys = o.due[1:], o.keys[1:]
	}
}

// createMove posts a move; it returns the move's id once acknowledged
// (201, or 200 for a key seen before).
func (c *client) createMove(ctx context.Context, key string, req api.MoveRequest) (string, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/moves", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Idempotency-Key", key)
	resp, err := c.hc.Do(hr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /v1/moves: %d %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	var m api.Move
	if err := json.Unmarshal(body, &m); err != nil {
		return "", fmt.Errorf("POST /v1/moves: %w", err)
	}
	return m.ID, nil
}
