package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/borderfleet/borderfleet/api"
)

// shuttlesList is "fleetctl shuttles list": every page of GET
// /v1/shuttles.
func shuttlesList(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		var l api.ShuttleList
		var raw []json.RawMessage // as they came: a viewer's lack what a viewer may not see
		q := url.Values{}
		for pages := 0; ; pages++ {
			r, err := c.cl.do(ctx, http.MethodGet, "/v1/shuttles", q, nil, nil)
			if err != nil {
				return err
			}
			page, err := decodeAs[api.ShuttleList](r)
			if err != nil {
				return err
			}
			if c.asJSON {
				if page.NextCursor == "" && pages == 0 {
					return c.raw(r) // one page: as fleetd answered
				}
				p, err := decodeAs[struct {
					Shuttles []json.RawMessage `json:"shuttles"`
				}](r)
				if err != nil {
					return err
				}
				raw = append(raw, p.Shuttles...)
			}
			l.Shuttles, l.Total, l.At = append(l.Shuttles, page.Shuttles...), page.Total, page.At
			if page.NextCursor == "" {
				break
			}
			q.Set("cursor", page.NextCursor)
		}
		if c.asJSON { // every page's shuttles in one list
			return c.json(map[string]any{"shuttles": raw, "total": l.Total, "at": l.At})
		}
		if len(l.Shuttles) == 0 {
			_, err := fmt.Fprintln(c.stdout, "no shuttles")
			return err
		}
		head := []string{"ID", "STATE", "ACTIVITY", "SOC", "LAST NODE", "MOVE", "LOADS", "CONNECTION", "OUT OF DISPATCH"}
		if c.wide {
			head = append(head, "MANUFACTURER", "SERIAL", "ORDER", "DRIVING", "STATE AT")
		}
		tw := table(c, head...)
		for _, s := range l.Shuttles {
			cells := []string{s.ID, s.State, s.Activity, soc(s.SoC), s.LastNode, s.Move, strings.Join(s.Loads, ","), s.Connection, strings.Join(s.Reasons, "; ")}
			if c.wide {
				at := ""
				if s.StateAt != nil {
					at = stamp(*s.StateAt)
				}
				cells = append(cells, s.Manufacturer, s.SerialNumber, s.OrderID, yesNo(s.Driving), at)
			}
			row(tw, cells...)
		}
		return tw.Flush()
	}
}

// shuttlesGet is "fleetctl shuttles get ID".
func shuttlesGet(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/shuttles/"+url.PathEscape(c.args[0]), nil, nil, nil)
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
		return printShuttle(c, s)
	}
}

// shuttleVerb is "fleetctl shuttles pause|resume|clear-fault|charge|park|
// emergency-stop|emergency-release|out-of-service|in-service ID": the
// shuttle afterwards.
func shuttleVerb(action string) func(*flag.FlagSet) verbFunc {
	return func(*flag.FlagSet) verbFunc {
		return func(ctx context.Context, c call) error {
			r, err := c.cl.do(ctx, http.MethodPost, "/v1/shuttles/"+url.PathEscape(c.args[0])+"/"+action, nil, nil, nil)
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
			done := map[string]string{"pause": "paused", "resume": "resumed", "clear-fault": "fault cleared",
				"charge": "sent to charge", "park": "sent to park", "emergency-stop": "stopped (emergency stop)",
				"emergency-release": "released", "out-of-service": "taken out of service", "in-service": "put back into service"}[action]
			if _, err := fmt.Fprintf(c.stdout, "shuttle %s %s; state now %s\n\n", s.ID, done, cell(s.State)); err != nil {
				return err
			}
			return printShuttle(c, s)
		}
	}
}

// printShuttle prints one shuttle, field by field.
func printShuttle(c call, s api.Shuttle) error {
	pos := ""
	if s.Position != nil {
		pos = fmt.Sprintf("x %.2f m, y %.2f m (map %s)", s.Position.X, s.Position.Y, s.Position.MapID)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fields := []struct{ k, v string }{
		{"ID", s.ID}, {"MANUFACTURER", s.Manufacturer}, {"SERIAL NUMBER", s.SerialNumber},
		{"CONNECTION", s.Connection}, {"JOINED", yesNo(s.Joined)}, {"STATE", s.State}, {"ACTIVITY", s.Activity},
		{"SOC", soc(s.SoC)}, {"LAST NODE", s.LastNode}, {"POSITION", pos}, {"DRIVING", yesNo(s.Driving)},
		{"ORDER", s.OrderID}, {"LOADS", strings.Join(s.Loads, ", ")}, {"MOVE", s.Move},
		{"OUT OF DISPATCH", strings.Join(s.Reasons, "; ")}, {"LAST STATE", stampPtr(s.StateAt)},
		{"FACTSHEET", factsheet(s.Factsheet)}, {"IGNORED KEYS", strings.Join(s.IgnoredKeys, ", ")},
	}
	for _, f := range fields {
		fmt.Fprintf(tw, "%s\t%s\n", f.k, cell(f.v))
	}
	return tw.Flush()
}

// soc is a state of charge (0 to 1) in per cent.
func soc(v float64) string {
	return fmt.Sprintf("%.0f%%", v*100)
}

// factsheet sums up what a vehicle's factsheet says; "" before one came.
func factsheet(f *api.Factsheet) string {
	if f == nil {
		return ""
	}
	out := fmt.Sprintf("%s (%s); orders at least %gs apart, states %gs; actions %s",
		f.SeriesName, f.AgvClass, f.MinOrderIntervalS, f.MinStateIntervalS, strings.Join(f.Actions, ", "))
	for _, w := range f.Warnings {
		out += "; WARNING: " + w
	}
	return out
}
