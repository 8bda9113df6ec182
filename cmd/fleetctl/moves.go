package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/borderfleet/borderfleet/api"
)

// movesList is "fleetctl moves list": newest first.
func movesList(fs *flag.FlagSet) verbFunc {
	state := fs.String("state", "", "only moves in this state")
	container := fs.String("container", "", "only moves of this container")
	limit := fs.Int("limit", 0, "at most this many moves (fleetd's default: 100)")
	return func(ctx context.Context, c call) error {
		q := url.Values{}
		if *state != "" {
			q.Set("state", *state)
		}
		if *container != "" {
			q.Set("container", *container)
		}
		if *limit < 0 {
			return usagef("--limit %d: want a positive number", *limit)
		}
		if *limit > 0 {
			q.Set("limit", strconv.Itoa(*limit))
		}
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/moves", q, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[api.MoveList](r)
		if err != nil {
			return err
		}
		if l.Total == 0 {
			_, err := fmt.Fprintln(c.stdout, "no moves")
			return err
		}
		tw := table(c, "ID", "CONTAINER", "STATE", "ORIGIN", "DESTINATION", "PRIORITY", "SHUTTLE", "CREATED")
		for _, m := range l.Moves {
			row(tw, m.ID, m.Container, m.State, m.Origin, m.Destination, strconv.Itoa(m.Priority), m.Shuttle, stamp(m.Created))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(l.Moves) < l.Total {
			_, err = fmt.Fprintf(c.stdout, "%d of %d moves (--limit for more)\n", len(l.Moves), l.Total)
		}
		return err
	}
}

// movesGet is "fleetctl moves get ID": the move and its history.
func movesGet(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/moves/"+url.PathEscape(c.args[0]), nil, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		m, err := decodeAs[api.Move](r)
		if err != nil {
			return err
		}
		return printMove(c, m)
	}
}

// movesCreate is "fleetctl moves create": a container move with an
// idempotency key (a random one, printed, unless given).
func movesCreate(fs *flag.FlagSet) verbFunc {
	var req api.MoveRequest
	fs.StringVar(&req.Container, "container", "", "the container's ISO 6346 number")
	fs.StringVar(&req.Origin, "origin", "", "the bay to pick it up at")
	fs.StringVar(&req.Destination, "destination", "", "the bay to drop it at")
	fs.IntVar(&req.Priority, "priority", 0, "the move's priority")
	fs.StringVar(&req.Declaration, "declaration", "", "the customs declaration")
	fs.BoolVar(&req.PreCleared, "pre-cleared", false, "cleared by customs in advance")
	fs.StringVar(&req.EarliestPickup, "earliest-pickup", "", "not picked up before (RFC 3339)")
	fs.StringVar(&req.Deadline, "deadline", "", "to be delivered by (RFC 3339)")
	key := fs.String("idempotency-key", "", "the request's key; a retry sends the same (default: a random one)")
	return func(ctx context.Context, c call) error {
		for _, f := range []struct{ name, v string }{{"container", req.Container}, {"origin", req.Origin}, {"destination", req.Destination}} {
			if f.v == "" {
				return usagef("--%s is required", f.name)
			}
		}
		if *key == "" {
			k, err := newKey()
			if err != nil {
				return err
			}
			*key = k
			fmt.Fprintf(c.stderr, "fleetctl: idempotency key %s (to retry this move, not make another: --idempotency-key %s)\n", k, k)
		}
		r, err := c.cl.do(ctx, http.MethodPost, "/v1/moves", nil, req, []string{"Idempotency-Key", *key})
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		m, err := decodeAs[api.Move](r)
		if err != nil {
			return err
		}
		what := "created"
		if r.code == http.StatusOK {
			what = "already created by an earlier request with this idempotency key"
		}
		if _, err := fmt.Fprintf(c.stdout, "move %s %s\n\n", m.ID, what); err != nil {
			return err
		}
		return printMove(c, m)
	}
}

// newKey is a random idempotency key.
func newKey() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making an idempotency key: %w", err)
	}
	return "fleetctl-" + hex.EncodeToString(b), nil
}

// printMove prints one move, field by field, and its history. A move
// without a container number is a viewer's (api.ViewerMove): its customs
// fields are not shown as if empty, but left out with a note.
func printMove(c call, m api.Move) error {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fields := []struct{ k, v string }{
		{"ID", m.ID}, {"CONTAINER", m.Container}, {"STATE", m.State}, {"SHUTTLE", m.Shuttle},
		{"ORIGIN", m.Origin}, {"DESTINATION", m.Destination}, {"PRIORITY", strconv.Itoa(m.Priority)},
		{"DECLARATION", m.Declaration}, {"PRE-CLEARED", yesNo(m.PreCleared)},
		{"EARLIEST PICKUP", stampPtr(m.EarliestPickup)}, {"DEADLINE", stampPtr(m.Deadline)},
		{"CREATED", stamp(m.Created)}, {"PASSED OVER", strings.Join(m.PassedOver, ", ")},
	}
	if m.Container == "" {
		fields = slices.DeleteFunc(fields, func(f struct{ k, v string }) bool {
			return f.k == "CONTAINER" || f.k == "DECLARATION" || f.k == "PRE-CLEARED" || f.k == "PASSED OVER"
		})
		fields = append(fields, struct{ k, v string }{"NOTE", "a viewer's view: no container number, declaration or customs records"})
	}
	for _, f := range fields {
		fmt.Fprintf(tw, "%s\t%s\n", f.k, cell(f.v))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(m.History) == 0 {
		return nil
	}
	fmt.Fprintln(c.stdout)
	tw = table(c, "AT", "FROM", "TO", "CAUSE")
	for _, h := range m.History {
		if h.Decision != "" { // a customs decision, not a change of state
			row(tw, stamp(h.At), h.From, "customs "+h.Decision, h.Cause)
			continue
		}
		if h.Event != "" { // a note (declaration, seal reading or alert, hold)
			row(tw, stamp(h.At), h.From, h.Event, h.Cause)
			continue
		}
		row(tw, stamp(h.At), h.From, h.To, h.Cause)
	}
	return tw.Flush()
}

// table starts a table with its header.
func table(c call, header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	row(tw, header...)
	return tw
}

// row writes one table row, each value made a cell.
func row(tw *tabwriter.Writer, cells ...string) {
	for i, s := range cells {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, cell(s))
	}
	fmt.Fprint(tw, "\n")
}

// stamp is a time in a table: UTC, to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func stampPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
