package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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
		l, err := decodeAs[api.Queue](r)
		if err != nil {
			return err
		}
		if len(l.Queue) == 0 {
			_, err := fmt.Fprintln(c.stdout, "no containers waiting")
			return err
		}
		tw := table(c, "CHECKPOINT", "COUNTRY", "MOVE", "CONTAINER", "SHUTTLE", "WAITING", "STATUS")
		for _, w := range l.Queue {
			row(tw, w.Checkpoint, w.Country, w.Move, w.Container, w.Shuttle, waited(l.At, w), gateStatus(w))
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
			status := x.Status
			if x.Held != "" {
				status += ": " + x.Held
			}
			row(tw, x.Move, x.Container, x.Checkpoint, status, stampPtr(x.Since), last)
		}
		return tw.Flush()
	}
}

// gateStatus says where a waiting container stands.
// waited says how long a container has waited at its checkpoint, on the
// fleet's own clock (at, from the answer): "-" if the answer does not say
// when it arrived.
func waited(at time.Time, w api.GateWait) string {
	if w.Since == nil || at.IsZero() || at.Before(*w.Since) {
		return "-"
	}
	return at.Sub(*w.Since).Round(time.Second).String()
}

func gateStatus(w api.GateWait) string {
	switch {
	case w.Held != "":
		return "held: " + w.Held
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

// customsDeclare is "fleetctl customs declare": a customs declaration for
// a container in one country (an officer's own; an operator's any).
func customsDeclare(fs *flag.FlagSet) verbFunc {
	var req api.DeclarationRequest
	fs.StringVar(&req.Container, "container", "", "the container's ISO 6346 number")
	fs.StringVar(&req.Country, "country", "", "the country it is declared in (ISO 3166 alpha-2, e.g. KZ)")
	fs.StringVar(&req.Reference, "ref", "", "the declaration's reference")
	fs.StringVar(&req.Declarant, "declarant", "", "who declares the goods")
	fs.StringVar(&req.Goods, "goods", "", "the goods description")
	fs.Float64Var(&req.GrossMassKg, "mass-kg", 0, "gross mass in kg")
	seals := fs.String("seals", "", "the ISO 17712 seal numbers, comma-separated (\"\" for none)")
	return func(ctx context.Context, c call) error {
		for _, f := range []struct{ flag, v string }{{"container", req.Container}, {"country", req.Country}, {"ref", req.Reference},
			{"declarant", req.Declarant}, {"goods", req.Goods}} {
			if f.v == "" {
				return usagef("--%s is required", f.flag)
			}
		}
		if req.GrossMassKg <= 0 {
			return usagef("--mass-kg is required (the gross mass in kg, more than 0)")
		}
		req.Seals = []string{}
		for _, s := range strings.Split(*seals, ",") {
			if s = strings.TrimSpace(s); s != "" {
				req.Seals = append(req.Seals, s)
			}
		}
		r, err := c.cl.do(ctx, http.MethodPost, "/v1/customs/declarations", nil, req, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		d, err := decodeAs[api.DeclarationAnswer](r)
		if err != nil {
			return err
		}
		where := "kept for the container's next move"
		if d.Move != "" {
			where = "in force on move " + d.Move
		}
		_, err = fmt.Fprintf(c.stdout, "declaration %s for %s in %s filed by %s (seals %s); %s\n",
			d.Reference, d.Container, d.Country, d.FiledBy, cell(strings.Join(d.Seals, ", ")), where)
		return err
	}
}

// sealFlags are repeated --seal NUMBER=STATE flags.
type sealFlags []api.Seal

func (s *sealFlags) String() string { return fmt.Sprint(*s) }

func (s *sealFlags) Set(v string) error {
	n, st, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(n) == "" {
		return fmt.Errorf("want NUMBER=STATE (state sealed, opened or tampered), not %q", v)
	}
	switch st {
	case "sealed", "opened", "tampered":
	default:
		return fmt.Errorf("seal %s: state %q: want sealed, opened or tampered", n, st)
	}
	*s = append(*s, api.Seal{Number: strings.TrimSpace(n), State: st})
	return nil
}

// customsSeal is "fleetctl customs seal": a seal reader's reading of a
// container's seals at a checkpoint.
func customsSeal(fs *flag.FlagSet) verbFunc {
	var req api.SealReadingRequest
	fs.StringVar(&req.Checkpoint, "checkpoint", "", "the checkpoint where the seals were read")
	fs.StringVar(&req.Container, "container", "", "the container's ISO 6346 number")
	var seals sealFlags
	fs.Var(&seals, "seal", "a seal read, NUMBER=sealed|opened|tampered (repeat for each seal; none: no seal found)")
	return func(ctx context.Context, c call) error {
		if req.Checkpoint == "" {
			return usagef("--checkpoint is required")
		}
		if req.Container == "" {
			return usagef("--container is required")
		}
		req.Seals = append([]api.Seal{}, seals...)
		r, err := c.cl.do(ctx, http.MethodPost, "/v1/customs/seals", nil, req, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		a, err := decodeAs[api.SealReadingAnswer](r)
		if err != nil {
			return err
		}
		if len(a.Problems) == 0 {
			_, err = fmt.Fprintf(c.stdout, "seals of %s at %s match the declaration (move %s, %s)\n", a.Container, a.Checkpoint, a.Move, cell(a.MoveState))
			return err
		}
		_, err = fmt.Fprintf(c.stdout, "SEAL ALERT for %s at %s (move %s): %s; held for an officer\n",
			a.Container, a.Checkpoint, a.Move, strings.Join(a.Problems, "; "))
		return err
	}
}
