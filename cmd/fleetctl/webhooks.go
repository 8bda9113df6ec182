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

// webhooksStatus is "fleetctl webhooks status": each customs system's
// subscription, how far it is delivered and what fails.
func webhooksStatus(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/customs/webhooks", nil, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[api.WebhookList](r)
		if err != nil {
			return err
		}
		if len(l.Webhooks) == 0 {
			_, err := fmt.Fprintln(c.stdout, "no webhook subscribers configured")
			return err
		}
		tw := table(c, "COUNTRY", "URL", "CURSOR", "BACKLOG", "HEAD", "ATTEMPTS", "LAST ERROR", "DEAD LETTERS", "REPLAYING")
		for _, w := range l.Webhooks {
			head := ""
			if w.Head != 0 {
				head = strconv.FormatUint(w.Head, 10)
			}
			row(tw, w.Country, w.URL, strconv.FormatUint(w.Cursor, 10), strconv.Itoa(w.Backlog), head,
				strconv.Itoa(w.Attempts), w.LastError, strconv.Itoa(w.DeadLetters), strconv.Itoa(w.Replaying))
		}
		return tw.Flush()
	}
}

// webhooksDeadLetters is "fleetctl webhooks dead-letters COUNTRY".
func webhooksDeadLetters(*flag.FlagSet) verbFunc {
	return func(ctx context.Context, c call) error {
		country := strings.ToUpper(c.args[0])
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/customs/webhooks/"+url.PathEscape(country)+"/dead-letters", nil, nil, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		l, err := decodeAs[api.DeadLetterList](r)
		if err != nil {
			return err
		}
		if len(l.DeadLetters) == 0 {
			_, err := fmt.Fprintf(c.stdout, "no dead letters for %s\n", l.Country)
			return err
		}
		tw := table(c, "SEQ", "GIVEN UP", "ATTEMPTS", "REASON")
		for _, d := range l.DeadLetters {
			row(tw, strconv.FormatUint(d.Seq, 10), stamp(d.At), strconv.Itoa(d.Attempts), d.Reason)
		}
		return tw.Flush()
	}
}

// webhooksReplay is "fleetctl webhooks replay COUNTRY [--seq N]".
func webhooksReplay(fs *flag.FlagSet) verbFunc {
	seq := fs.Uint64("seq", 0, "only the dead letter of this audit seq (default: all)")
	return func(ctx context.Context, c call) error {
		country := strings.ToUpper(c.args[0])
		r, err := c.cl.do(ctx, http.MethodPost, "/v1/customs/webhooks/"+url.PathEscape(country)+"/dead-letters/replay", nil,
			api.ReplayRequest{Seq: *seq}, nil)
		if err != nil {
			return err
		}
		if c.asJSON {
			return c.raw(r)
		}
		x, err := decodeAs[api.Replayed](r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.stdout, "%d dead letter(s) of %s queued for delivery\n", x.Replayed, x.Country)
		return err
	}
}
