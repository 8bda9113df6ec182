package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/borderfleet/borderfleet/api"
)

// errStandby is the answer of a fleetd that does not drive the fleet.
var errStandby = errors.New("fleetd is on standby: another instance drives the fleet")

// chargers is "fleetctl chargers": the stations and who charges there.
func chargers(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/chargers", nil, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[struct {
			Stations []api.Station `json:"stations"`
		}](r)
		if err != nil {
			return err
		}
		tw := table(c, "STATION", "CENTRE", "CHARGERS", "FREE", "KW EACH", "GRID CAP KW", "CHARGING", "RESERVED")
		n := 0
		for _, s := range l.Stations {
			row(tw, s.ID, s.Centre, strconv.Itoa(s.Chargers), strconv.Itoa(s.Free), kw(s.ChargerPowerKW), kw(s.GridCapKW), strings.Join(s.Charging, ", "),
				strconv.Itoa(len(s.Reservations)))
			n += len(s.Reservations)
		}
		if err := tw.Flush(); err != nil || n == 0 {
			return err
		}
		fmt.Fprintln(c.stdout)
		tw = table(c, "STATION", "CHARGER", "SHUTTLE", "START", "END", "SOC FROM", "SOC TO", "KW", "PLUGGED IN")
		for _, s := range l.Stations {
			for _, r := range s.Reservations {
				row(tw, s.ID, strconv.Itoa(r.Charger), r.Shuttle, stamp(r.Start), stamp(r.End), soc(r.FromSoC), soc(r.ToSoC),
					strconv.FormatFloat(r.PowerKW, 'f', 0, 64), yesNo(r.CheckedIn))
			}
		}
		return tw.Flush()
	}
}

func kw(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// health is "fleetctl health": whether fleetd answers.
func health(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		return status(ctx, c, "/v1/health")
	}
}

// ready is "fleetctl ready": exit status 0 when this fleetd drives the
// fleet, 1 on standby.
func ready(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		return status(ctx, c, "/v1/ready")
	}
}

// status prints a {"status": ...} answer; a 503 is errStandby.
func status(ctx context.Context, c call, path string) error {
	r, err := c.cl.do(ctx, http.MethodGet, path, nil, nil, nil, http.StatusServiceUnavailable)
	if err != nil {
		return err
	}
	st, derr := decodeAs[struct {
		Status string `json:"status"`
	}](r)
	if r.code == http.StatusServiceUnavailable && (derr != nil || st.Status != "standby") {
		return c.cl.errorOf(r)
	}
	if c.asJSON {
		err = c.raw(r)
	} else if derr != nil {
		return derr
	} else {
		_, err = fmt.Fprintln(c.stdout, st.Status)
	}
	if err == nil && r.code == http.StatusServiceUnavailable {
		err = errStandby
	}
	return err
}
