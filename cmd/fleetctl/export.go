package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/audit"
)

// auditExportVerb is "fleetctl audit export": an API command, though
// not among verbs() (the audit group reads the store otherwise).
var auditExportVerb = verb{auditExportName, "[--country CC] [-o FILE]", 0, auditExport}

const auditExportName = "audit export"

// auditExport fetches one country's signed audit export: to FILE, or to
// standard output.
func auditExport(fs *flag.FlagSet) verbFunc {
	country := fs.String("country", "", "the country (ISO 3166 alpha-2); an officer's own by default")
	out := fs.String("o", "", "write the export to this `file` instead of standard output")
	return func(ctx context.Context, c call) error {
		q := url.Values{}
		if *country != "" {
			q.Set("country", *country)
		}
		r, err := c.cl.do(ctx, http.MethodGet, "/v1/audit/export", q, nil, nil)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err := c.stdout.Write(r.body)
			return err
		}
		// Check the download against the key fleetd serves: it proves the
		// file came whole, not that the key is the deployment's (that is
		// what the key got by another way is for).
		kr, err := c.cl.do(ctx, http.MethodGet, "/v1/audit/key", nil, nil, nil)
		if err != nil {
			return err
		}
		k, err := decodeAs[api.AuditKey](kr)
		if err != nil {
			return err
		}
		pub, err := audit.ParsePublicKey([]byte(k.PublicKey))
		if err != nil {
			return fmt.Errorf("the key fleetd serves: %w", err)
		}
		x, err := audit.VerifyExport(r.body, pub)
		if err != nil {
			return fmt.Errorf("the export fleetd sent does not verify: %w", err)
		}
		if err := os.WriteFile(*out, r.body, 0o600); err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.stdout, "wrote %s: %s\ncheck it with the deployment's public key, got from its operator: fleetctl audit verify --export %s --pubkey KEY\n",
			*out, summary(x), *out)
		return err
	}
}

// summary is the one-line account of a verified export.
func summary(x *audit.Export) string {
	h := x.Header
	return fmt.Sprintf("%d entries shown, %d withheld, head seq %d signed by key %s (export for %s of %s)",
		len(x.Shown), len(x.Withheld), h.HeadSeq, h.KeyID, h.Country, h.ExportedAt.UTC().Format(time.RFC3339))
}

// verifyExport is "fleetctl audit verify --export FILE --pubkey K":
// offline, with the file and the key only.
func verifyExport(g globals, file, key string) int {
	pub, err := publicKey(key)
	if err != nil {
		return usageError(g.stderr, err.Error())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fail(g.stderr, err)
	}
	x, err := audit.VerifyExport(data, pub)
	if err != nil {
		fmt.Fprintf(g.stderr, "audit export %s INVALID: %v\n", file, err)
		return 1
	}
	fmt.Fprintln(g.stdout, summary(x))
	return 0
}

// publicKey reads --pubkey: the base64 key itself, or the path of a
// key file (PEM, or base64).
func publicKey(arg string) (ed25519.PublicKey, error) {
	if pub, err := audit.ParsePublicKey([]byte(arg)); err == nil {
		return pub, nil
	}
	b, err := os.ReadFile(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--pubkey %q is neither a base64 Ed25519 public key nor a key file", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("--pubkey: %w", err)
	}
	pub, err := audit.ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("--pubkey %s: %w", arg, err)
	}
	return pub, nil
}
