package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/internal/flaghelp"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/storeurl"
)

// page is how many audit records one read fetches.
const page = 1000

// auditReader is the part of a store the audit commands use.
type auditReader interface {
	ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
}

// runAudit runs "fleetctl audit ...".
func runAudit(ctx context.Context, g globals, args []string) int {
	if len(args) == 0 {
		return usageError(g.stderr, "audit: want verify, show or export")
	}
	if isHelp(args[0]) {
		fmt.Fprint(g.stdout, auditUsage)
		return 0
	}
	if args[0] == "export" {
		return runVerb(ctx, g, auditExportVerb, args[1:])
	}
	fs := flag.NewFlagSet("fleetctl audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.store, "store", g.store, "the store's `URL` (default $"+storeEnv+")")
	asJSON := fs.Bool("json", false, "audit show: JSON lines instead of a table")
	exportFile := fs.String("export", "", "audit verify: an export `file` to check offline, with --pubkey")
	pubkey := fs.String("pubkey", "", "audit verify: the deployment's public `key`, in base64 or a PEM file")
	if err := fs.Parse(args[1:]); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(g.stdout, "%s\nFlags:\n", auditUsage)
		flaghelp.Print(g.stdout, fs)
		return 0
	} else if err != nil {
		return usageError(g.stderr, "audit "+args[0]+": "+err.Error())
	}
	var cmd func(context.Context, auditReader) int
	switch {
	case args[0] == "verify" && *exportFile != "" && *pubkey != "" && fs.NArg() == 0 && !*asJSON:
		return verifyExport(g, *exportFile, *pubkey) // offline: no store, no API
	case args[0] == "verify" && (*exportFile != "" || *pubkey != ""):
		return usageError(g.stderr, "audit verify: --export FILE and --pubkey KEY go together (and with nothing else)")
	case args[0] == "show" && (*exportFile != "" || *pubkey != ""):
		return usageError(g.stderr, "audit show: --export and --pubkey are for audit verify")
	case args[0] == "verify" && fs.NArg() == 0 && !*asJSON:
		cmd = func(ctx context.Context, r auditReader) int { return verify(ctx, g, r) }
	case args[0] == "show" && fs.NArg() == 1:
		container := fs.Arg(0)
		cmd = func(ctx context.Context, r auditReader) int { return show(ctx, g, r, container, *asJSON) }
	case args[0] == "verify" || args[0] == "show":
		return usageError(g.stderr, "audit "+args[0]+": wrong arguments")
	default:
		return usageError(g.stderr, fmt.Sprintf("audit: unknown command %q", args[0]))
	}
	u, err := g.storeURL()
	if err != nil {
		return usageError(g.stderr, err.Error())
	}
	s, err := storeurl.Open(ctx, u)
	if err != nil {
		return fail(g.stderr, err)
	}
	defer s.Close()
	return cmd(ctx, s)
}

// auditUsage is the usage of the audit commands.
const auditUsage = `Usage:
  fleetctl [--store URL] audit verify
                                    check the whole audit log's hash chain
  fleetctl [--store URL] audit show [--json] CONTAINER
                                    the chain of custody of one container
  fleetctl audit verify --export FILE --pubkey KEY
                                    check an audit export offline
  fleetctl audit export [--country CC] [-o FILE]
                                    over the API: the entries a country may
                                    see, signed (fleetctl audit export -h)
`

// eachRecord calls f with every audit record in order, a page at a time.
func eachRecord(ctx context.Context, r auditReader, f func(store.Entry) error) error {
	var after uint64
	for {
		recs, err := r.ReadAudit(ctx, after, page)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if err := f(rec); err != nil {
				return err
			}
			after = rec.Index
		}
		if len(recs) < page {
			return nil
		}
	}
}

// verify checks the whole chain and reports.
func verify(ctx context.Context, g globals, r auditReader) int {
	var last *audit.Entry
	var n int
	err := eachRecord(ctx, r, func(rec store.Entry) error {
		e, err := audit.Decode(rec.Data)
		if err != nil {
			return &audit.BrokenError{Seq: rec.Index, Reason: err.Error()}
		}
		if err := audit.VerifyFrom(last, []audit.Entry{e}); err != nil {
			return err
		}
		if e.Seq != rec.Index {
			return &audit.BrokenError{Seq: rec.Index, Container: e.Container, Reason: fmt.Sprintf("stored as record %d", rec.Index)}
		}
		last, n = &e, n+1
		return nil
	})
	var be *audit.BrokenError
	switch {
	case errors.As(err, &be):
		fmt.Fprintf(g.stderr, "audit log BROKEN after %d intact entries: %v\n", n, err)
		return 1
	case err != nil:
		return fail(g.stderr, err)
	case last == nil:
		fmt.Fprintln(g.stdout, "audit log intact: 0 entries")
	default:
		fmt.Fprintf(g.stdout, "audit log intact: %d entries, last %s\n", n, last.Hash)
	}
	return 0
}

// show prints the chain of custody of one container.
func show(ctx context.Context, g globals, r auditReader, container string, asJSON bool) int {
	var entries []audit.Entry
	var broken error
	var last *audit.Entry
	err := eachRecord(ctx, r, func(rec store.Entry) error {
		e, err := audit.Decode(rec.Data)
		if err != nil {
			if broken == nil {
				broken = fmt.Errorf("audit record %d: %w", rec.Index, err)
			}
			return nil
		}
		if broken == nil {
			broken = audit.VerifyFrom(last, []audit.Entry{e})
		}
		last = &e
		if strings.EqualFold(e.Container, container) {
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return fail(g.stderr, err)
	}
	if broken != nil {
		fmt.Fprintf(g.stderr, "fleetctl: warning: the audit log is broken, what follows may have been tampered with (see fleetctl audit verify): %v\n", broken)
	}
	if len(entries) == 0 {
		return fail(g.stderr, fmt.Errorf("no audit entries for container %q", container))
	}
	if asJSON {
		return showJSON(g, entries)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tEVENT\tACTOR\tSHUTTLE\tBAY\tCHECKPOINT\tDETAIL")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339),
			cell(e.Event), cell(e.Actor), cell(e.Shuttle), cell(e.Bay), cell(e.Checkpoint), cell(e.Detail))
	}
	if err := tw.Flush(); err != nil {
		return fail(g.stderr, err)
	}
	return 0
}

func showJSON(g globals, entries []audit.Entry) int {
	for _, e := range entries {
		b, err := audit.Encode(e)
		if err != nil {
			return fail(g.stderr, err)
		}
		if _, err := fmt.Fprintf(g.stdout, "%s\n", b); err != nil {
			return fail(g.stderr, err)
		}
	}
	return 0
}

// cell makes a value fit one table cell: "-" when empty, no tabs or line
// breaks.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
