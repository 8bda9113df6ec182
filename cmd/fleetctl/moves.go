package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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

// movesList is "fleetctl moves list": newest first, following fleetd's
// pages until it has --limit moves (or every one, with --all).
func movesList(fs *flag.FlagSet) verbFunc {
	state := fs.String("state", "", "only moves in this state")
	container := fs.String("container", "", "only moves of this container")
	limit := fs.Int("limit", 0, "at most this many moves (default 100), read page by page")
	all := fs.Bool("all", false, "every move, read page by page (archived moves too)")
	pageSize := fs.Int("page", movesPage, "moves asked for per request (1 to 1000)")
	return func(ctx context.Context, c call) error {
		q := url.Values{}
		if *state != "" {
			q.Set("state", *state)
		}
		if *container != "" {
			q.Set("container", *container)
		}
		switch {
		case *limit < 0:
			return usagef("--limit %d: want a positive number", *limit)
		case *all && *limit > 0:
			return usagef("--all and --limit %d: give one or the other", *limit)
		case *pageSize < 1 || *pageSize > movesPage:
			return usagef("--page %d: want 1 to %d", *pageSize, movesPage)
		}
		want := *limit
		if want == 0 {
			want = defaultMoves
		}
		l, err := readMoves(ctx, c, q, want, *all, *pageSize)
		if err != nil {
			return err
		}
		if c.asJSON && l.pages == 1 {
			return c.raw(l.first) // as it came
		}
		if c.asJSON {
			return c.json(l)
		}
		if len(l.Moves) == 0 && l.NextCursor == "" {
			_, err := fmt.Fprintln(c.stdout, "no moves")
			return err
		}
		head := []string{"ID", "CONTAINER", "STATE", "ORIGIN", "DESTINATION", "PRIORITY", "SHUTTLE", "CREATED"}
		if c.wide {
			head = append(head, "PRE-CLEARED", "DECLARATION", "EARLIEST PICKUP", "DEADLINE", "LAST CHANGE")
		}
		tw := table(c, head...)
		for _, raw := range l.Moves {
			var m api.Move
			if err := json.Unmarshal(raw, &m); err != nil {
				return fmt.Errorf("fleetctl: a move of GET /v1/moves: %w", err)
			}
			cells := []string{m.ID, m.Container, m.State, m.Origin, m.Destination, strconv.Itoa(m.Priority), m.Shuttle, stamp(m.Created)}
			if c.wide {
				last := ""
				if n := len(m.History); n > 0 {
					last = stamp(m.History[n-1].At)
				}
				cells = append(cells, yesNo(m.PreCleared), m.Declaration, stampPtr(m.EarliestPickup), stampPtr(m.Deadline), last)
			}
			row(tw, cells...)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		switch {
		case l.NextCursor == "":
		case l.Total != nil:
			_, err = fmt.Fprintf(c.stdout, "%d of %d moves (--limit or --all for more)\n", len(l.Moves), *l.Total)
		default:
			_, err = fmt.Fprintf(c.stdout, "%d moves, more after them (--limit or --all for more)\n", len(l.Moves))
		}
		return err
	}
}

// Pages of moves fleetctl reads.
const (
	defaultMoves = 100  // moves list's default --limit
	movesPage    = 1000 // the largest page fleetd gives
)

// movePages is GET /v1/moves's pages, as they came: each move as it
// came (a viewer's lacks what a viewer may not see).
type movePages struct {
	Moves      []json.RawMessage `json:"moves"`
	Total      *int              `json:"total,omitempty"`
	NextCursor string            `json:"next_cursor,omitempty"`
	first      response          // the first page's answer
	pages      int
}

// readMoves follows GET /v1/moves's pages until it has want moves, or
// every one with all, pageSize at a time; NextCursor is set when more
// follow.
func readMoves(ctx context.Context, c call, q url.Values, want int, all bool, pageSize int) (movePages, error) {
	out := movePages{Moves: []json.RawMessage{}}
	for {
		page := pageSize
		if !all {
			page = min(pageSize, want-len(out.Moves))
		}
		q.Set("limit", strconv.Itoa(page))
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/moves", q, nil, nil)
		if err != nil {
			return out, err
		}
		l, err := decodeAs[movePages](r)
		if err != nil {
			return out, err
		}
		if out.pages == 0 {
			out.first = r
		}
		out.pages++
		out.Moves = append(out.Moves, l.Moves...)
		out.Total, out.NextCursor = l.Total, l.NextCursor
		if l.NextCursor == "" || !all && len(out.Moves) >= want {
			return out, nil
		}
		q.Set("cursor", l.NextCursor)
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
