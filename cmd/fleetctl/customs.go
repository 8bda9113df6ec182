package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"

	"github.com/borderfleet/borderfleet/api"
)

// customsQueue is "fleetctl customs queue": the containers waiting at
// the caller's country's checkpoints.
func customsQueue(fs *flag.FlagSet) verbFunc {
	cp := fs.String("checkpoint", "", "only this checkpoint")
	return func(ctx context.Context, c call) error {
		q := url.Values{}
		if *cp != "" {
			q.Set("checkpoint", *cp)
		}
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/customs/queue", q, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[struct {
			Queue []api.GateWait `json:"queue"`
		}](r)
		if err != nil {
			return err
		}
		if len(l.Queue) == 0 {
			_, err := fmt.Fprintln(c.stdout, "no containers waiting")
			return err
		}
		tw := table(c, "CHECKPOINT", "COUNTRY", "MOVE", "CONTAINER", "SHUTTLE", "STATUS")
		for _, w := range l.Queue {
			row(tw, w.Checkpoint, w.Country, w.Move, w.Container, w.Shuttle, gateStatus(w))
		}
		return tw.Flush()
	}
}

// customsClearances is "fleetctl customs clearances": where each open
// move's container stands at the caller's country's checkpoints, with the
// last decision and who took it.
func customsClearances(fs *flag.FlagSet) verbFunc {
	cp := fs.String("checkpoint", "", "only this checkpoint")
	status := fs.String("status", "", "only this status (expected, pre_cleared, released, to_inspect, waiting, inspection, refused, passed)")
	all := fs.Bool("all", false, "moves that are over too")
	return func(ctx context.Context, c call) error {
		q := url.Values{}
		if *cp != "" {
			q.Set("checkpoint", *cp)
		}
		if *status != "" {
			q.Set("status", *status)
		}
		if *all {
			q.Set("all", "true")
		}
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/customs/clearances", q, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[struct {
			Clearances []api.ClearanceItem `json:"clearances"`
		}](r)
		if err != nil {
			return err
		}
		if len(l.Clearances) == 0 {
			_, err := fmt.Fprintln(c.stdout, "no clearance records")
			return err
		}
		tw := table(c, "MOVE", "CONTAINER", "CHECKPOINT", "STATUS", "SINCE", "LAST DECISION")
		for _, x := range l.Clearances {
			last := ""
			if n := len(x.Decisions); n > 0 {
				d := x.Decisions[n-1]
				last = fmt.Sprintf("%s by %s at %s", d.Decision, d.Officer, stamp(d.At))
			}
			row(tw, x.Move, x.Container, x.Checkpoint, x.Status, stampPtr(x.Since), last)
		}
		return tw.Flush()
	}
}

// gateStatus says where a waiting container stands.
func gateStatus(w api.GateWait) string {
	switch {
	case w.Decided:
		return "decided, to be applied"
	case w.AtInspectionBay:
		return "being inspected"
	case w.Inspection:
		return "sent to inspection"
	}
	return "waiting for a decision"
}

// customsDecision is "fleetctl customs release|inspect|refuse".
func customsDecision(decision string) func(*flag.FlagSet) verbFunc {
	return func(fs *flag.FlagSet) verbFunc {
		req := api.DecisionRequest{Decision: decision}
		fs.StringVar(&req.Checkpoint, "checkpoint", "", "the checkpoint deciding")
		fs.StringVar(&req.Move, "move", "", "the move whose container is decided")
		fs.StringVar(&req.Reason, "reason", "", "why, for the record")
		return func(ctx context.Context, c call) error {
			if req.Checkpoint == "" {
				return usagef("--checkpoint is required")
			}
			if req.Move == "" {
				return usagef("--move is required")
			}
			r, err := c.cl.do(ctx, http.MethodPost, "/v1/customs/decisions", nil, req, nil)
			if err != nil {
				return err
			}
			if c.asJSON {
				return c.raw(r)
			}
			d, err := decodeAs[api.Decision](r)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "move %s: %s at %s (%s) by %s; the move is now %s\n",
				d.Move, d.Decision, d.Checkpoint, d.Country, d.Officer, cell(d.MoveState))
			return err
		}
	}
}
