package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/borderfleet/borderfleet/api"
)

// movesCancel is "fleetctl moves cancel ID [--reason R]".
func movesCancel(fs *flag.FlagSet) verbFunc {
	reason := fs.String("reason", "", "why, for the move's history and the audit trail")
	return func(ctx context.Context, c call) error {
		return moveVerb(ctx, c, "cancel", api.CancelRequest{Reason: *reason}, "cancelled")
	}
}

// movesPriority is "fleetctl moves priority ID N".
func movesPriority(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		n, err := strconv.Atoi(c.args[1])
		if err != nil {
			return usagef("priority %q is not a whole number", c.args[1])
		}
		return moveVerb(ctx, c, "priority", api.PriorityRequest{Priority: &n}, "now has priority "+c.args[1])
	}
}

// moveVerb posts a verb about one move and prints the move afterwards.
func moveVerb(ctx context.Context, c call, action string, body any, done string) error {
	r, err := c.cl.do(ctx, http.MethodPost, "/v1/moves/"+url.PathEscape(c.args[0])+"/"+action, nil, body, nil)
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
	if _, err := fmt.Fprintf(c.stdout, "move %s %s; state now %s\n\n", m.ID, done, cell(m.State)); err != nil {
		return err
	}
	return printMove(c, m)
}

// shuttlesAdd is "fleetctl shuttles add --manufacturer M --serial S [--type T]".
func shuttlesAdd(fs *flag.FlagSet) verbFunc {
	man := fs.String("manufacturer", "", "as in the vehicle's VDA 5050 topics")
	serial := fs.String("serial", "", "the vehicle's serial number, as in its topics")
	typ := fs.String("type", "", "a model name, for people")
	return func(ctx context.Context, c call) error {
		if *man == "" || *serial == "" {
			return usagef("--manufacturer and --serial are required")
		}
		r, err := c.cl.do(ctx, http.MethodPost, "/v1/shuttles", nil,
			api.AddShuttleRequest{Manufacturer: *man, SerialNumber: *serial, Type: *typ}, nil, http.StatusCreated)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		s, err := decodeAs[api.Shuttle](r)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.stdout, "shuttle %s (%s) is on the roster; it joins the fleet when it reports its state from a node of the lanes\n\n", s.ID, s.Manufacturer); err != nil {
			return err
		}
		return printShuttle(c, s)
	}
}

// lanesList is "fleetctl lanes list": the closed lanes and links, or
// every lane with --all.
func lanesList(fs *flag.FlagSet) verbFunc {
	all := fs.Bool("all", false, "every lane, open ones too")
	return func(ctx context.Context, c call) error {
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/lanes", nil, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[struct {
			Lanes  []api.Lane `json:"lanes"`
			Closed []string   `json:"closed"`
		}](r)
		if err != nil {
			return err
		}
		if !*all && len(l.Closed) == 0 {
			_, err := fmt.Fprintf(c.stdout, "every lane is open (%d lanes; --all lists them)\n", len(l.Lanes))
			return err
		}
		tw := table(c, "LANE", "NAME", "CLOSED", "CLOSED LINKS")
		for _, ln := range l.Lanes {
			if *all || ln.Closed || len(ln.Links) > 0 {
				row(tw, ln.ID, ln.Name, yesNo(ln.Closed), strings.Join(ln.Links, ", "))
			}
		}
		return tw.Flush()
	}
}

// laneVerb is "fleetctl lanes close|reopen ID".
func laneVerb(action string) func(*flag.FlagSet) verbFunc {
	return func(*flag.FlagSet) verbFunc {
		return func(ctx context.Context, c call) error {
			r, err := c.cl.do(ctx, http.MethodPost, "/v1/lanes/"+url.PathEscape(c.args[0])+"/"+action, nil, nil, nil)
			if err != nil {
				return err
			}
			if c.asJSON {
				return c.raw(r)
			}
			ch, err := decodeAs[api.LaneChange](r)
			if err != nil {
				return err
			}
			state := "closed"
			if !ch.Closed {
				state = "open"
			}
			fmt.Fprintf(c.stdout, "lane %s is %s\n", ch.Lane, state)
			if len(ch.StillRoutedOver) > 0 {
				fmt.Fprintf(c.stdout, "still routed over it, with no other way to their goal: %s (stop them, or let them pass)\n", strings.Join(ch.StillRoutedOver, ", "))
			}
			closed := "none"
			if len(ch.ClosedLanes) > 0 {
				closed = strings.Join(ch.ClosedLanes, ", ")
			}
			_, err = fmt.Fprintf(c.stdout, "closed now: %s\n", closed)
			return err
		}
	}
}
