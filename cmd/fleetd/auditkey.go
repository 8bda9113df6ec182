package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/borderfleet/borderfleet/audit"
)

// runAuditKey is `fleetd audit-key -o FILE` (make the deployment's audit
// key) and `fleetd audit-key FILE` (print the public half of one).
func runAuditKey(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("audit-key", stderr)
	out := fset.String("o", "", "write a new key to this `file` (mode 0600; never overwritten)")
	if code, done := parseFlags(fset, args, stdout, stderr); done {
		return code
	}
	switch {
	case *out != "" && fset.NArg() == 0:
		key, err := newAuditKeyFile(*out)
		if err != nil {
			fmt.Fprintf(stderr, "fleetd audit-key: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "audit key written to %s: keep it secret and backed up, and name it in fleetd's configuration as \"audit_key\"\n", *out)
		printPublic(stdout, key)
		return 0
	case *out == "" && fset.NArg() == 1:
		key, err := loadAuditKey(fset.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "fleetd audit-key: %v\n", err)
			return 1
		}
		printPublic(stdout, key)
		return 0
	}
	fmt.Fprintln(stderr, "usage: fleetd audit-key -o FILE   (make a key)\n       fleetd audit-key FILE      (print its public key)")
	return 2
}

// printPublic prints what an authority needs to check exports.
func printPublic(w io.Writer, key ed25519.PrivateKey) {
	pub := key.Public().(ed25519.PublicKey)
	fmt.Fprintf(w, "key id:     %s\npublic key: %s\n", audit.KeyID(pub), audit.EncodePublicKey(pub))
	fmt.Fprintf(w, "give the public key to each customs authority; they check an export with\n  fleetctl audit verify --export FILE --pubkey %s\n", audit.EncodePublicKey(pub))
}

// newAuditKeyFile makes a key and writes it as PKCS#8 PEM to a new file
// only the owner may read.
func newAuditKeyFile(path string) (ed25519.PrivateKey, error) {
	key, err := audit.NewKey()
	if err != nil {
		return nil, err
	}
	pem, err := audit.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists: a key is never overwritten (exports signed with it could no longer be checked); remove it first if you mean to replace it", path)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(pem); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, err
	}
	return key, nil
}

// loadAuditKey reads the deployment's audit key, saying clearly what is
// wrong with a missing or bad file.
func loadAuditKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("audit key %s: no such file (make one with fleetd audit-key -o %s)", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	key, err := audit.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return key, nil
}

// auditKey loads the configured audit key, if any, and warns when others
// than its owner may read the file.
func (o *fleetOpts) auditKey(stderr io.Writer) (ed25519.PrivateKey, error) {
	if o.file.AuditKey == "" {
		return nil, nil
	}
	key, err := loadAuditKey(o.file.AuditKey)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(o.file.AuditKey); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "fleetd: warning: the audit key %s may be read by others than its owner (mode %v); chmod 600 it\n", o.file.AuditKey, st.Mode().Perm())
	}
	return key, nil
}

// demoAuditKey makes the demo's key in a new temporary directory, which
// the returned func removes.
func demoAuditKey() (string, func(), error) {
	dir, err := os.MkdirTemp("", "fleetd-demo-key")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "audit-key.pem")
	if _, err := newAuditKeyFile(path); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// printAuditKey says which key signs exports, or that none does.
func printAuditKey(w io.Writer, key ed25519.PrivateKey, what string) {
	if key == nil {
		fmt.Fprintln(w, "audit export off: no audit_key configured (fleetd audit-key -o FILE makes one)")
		return
	}
	pub := key.Public().(ed25519.PublicKey)
	fmt.Fprintf(w, "audit exports signed with %skey %s (public key %s)\n", what, audit.KeyID(pub), audit.EncodePublicKey(pub))
}
