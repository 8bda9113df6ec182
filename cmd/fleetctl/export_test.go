package main

import (
	"bytes"
	"crypto/ed25519"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/store/boltstore"
)

// exportKey is the test deployment's audit key.
var exportKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))

// exportServer is fleetd with a store and an audit key, a move under way
// and a decision by each country's officer on it.
func exportServer(t *testing.T) string {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "fleet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	server := fleetdWith(t, st, exportKey)
	m := createMove(t, server)
	for _, d := range []struct{ token, checkpoint string }{{tokKZ, "kz-bakhty-out"}, {tokCN, "cn-pokitu-in"}} {
		r := apiCall(t, server, d.token, "customs", "release", "--checkpoint", d.checkpoint, "--move", m.ID, "--reason", "pre-cleared")
		if r.code != 0 {
			t.Fatalf("customs release at %s = %+v", d.checkpoint, r)
		}
	}
	waitFor(t, func() bool {
		recs, err := st.ReadAudit(t.Context(), 0, 0)
		return err == nil && len(recs) >= 4
	})
	return server
}

func TestAuditExportAndVerify(t *testing.T) {
	server := exportServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "kz.jsonl")
	r := apiCall(t, server, tokKZ, "audit", "export", "-o", file)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+file+": ") || !strings.Contains(r.stdout, "(export for KZ of ") {
		t.Fatalf("audit export = %+v", r)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "cn-pokitu") || strings.Contains(string(data), "officer-li") {
		t.Errorf("the KZ export shows CN's decision:\n%s", data)
	}
	pub := exportKey.Public().(ed25519.PublicKey)
	b64 := audit.EncodePublicKey(pub)
	pemFile := filepath.Join(dir, "pub.pem")
	p, _ := audit.MarshalPublicKey(pub)
	if err := os.WriteFile(pemFile, p, 0o644); err != nil {
		t.Fatal(err)
	}

	// Offline: no server, no store, no token in the environment.
	for _, key := range []string{b64, pemFile} {
		r = fleetctl(t, nil, "audit", "verify", "--export", file, "--pubkey", key)
		if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, " entries shown, ") ||
			!strings.Contains(r.stdout, " withheld, head seq ") || !strings.Contains(r.stdout, " signed by key "+audit.KeyID(pub)) {
			t.Errorf("audit verify --export with key %s = %+v", key, r)
		}
	}

	// One changed byte, anywhere: refused, with the reason.
	for _, i := range []int{0, len(data) / 3, len(data) / 2, len(data) - 20, len(data) - 1} {
		changed := bytes.Clone(data)
		changed[i] ^= 0x01
		bad := filepath.Join(dir, "changed.jsonl")
		if err := os.WriteFile(bad, changed, 0o600); err != nil {
			t.Fatal(err)
		}
		r = fleetctl(t, nil, "audit", "verify", "--export", bad, "--pubkey", b64)
		if r.code != 1 || !strings.Contains(r.stderr, "INVALID: audit: export invalid") || r.stdout != "" {
			t.Errorf("byte %d changed: audit verify = %+v", i, r)
		}
	}
	// Another deployment's key.
	other := audit.EncodePublicKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)).Public().(ed25519.PublicKey))
	r = fleetctl(t, nil, "audit", "verify", "--export", file, "--pubkey", other)
	if r.code != 1 || !strings.Contains(r.stderr, "but the key given is") {
		t.Errorf("audit verify with another key = %+v", r)
	}
}

func TestAuditExportToStdout(t *testing.T) {
	server := exportServer(t)
	r := apiCall(t, server, tokAdmin, "audit", "export", "--country", "CN")
	if r.code != 0 {
		t.Fatalf("audit export = %+v", r)
	}
	x, err := audit.VerifyExport([]byte(r.stdout), exportKey.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("the export on stdout: %v", err)
	}
	if x.Header.Country != "CN" || len(x.Withheld) == 0 {
		t.Errorf("CN export: %+v", x.Header)
	}
	for _, e := range x.Shown {
		if strings.HasPrefix(e.Checkpoint, "kz-") {
			t.Errorf("the CN export shows %+v", e)
		}
	}
	// Another country's officer: the API's 403, as fleetctl reports errors.
	r = apiCall(t, server, tokKZ, "audit", "export", "--country", "CN")
	if r.code != 1 || !strings.Contains(r.stderr, "403 Forbidden") {
		t.Errorf("a KZ officer's CN export = %+v", r)
	}
}

func TestAuditExportNoKey(t *testing.T) {
	server := fleetd(t)
	r := apiCall(t, server, tokAdmin, "audit", "export", "--country", "KZ", "-o", filepath.Join(t.TempDir(), "x"))
	if r.code != 1 || !strings.Contains(r.stderr, "503") || !strings.Contains(r.stderr, "audit_key") {
		t.Errorf("audit export without a key = %+v", r)
	}
	code, _ := get(t, server+"/v1/audit/key", tokViewer)
	if code != http.StatusServiceUnavailable {
		t.Errorf("GET /v1/audit/key without a key = %d", code)
	}
}

func TestAuditVerifyExportUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(file, []byte("nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := audit.EncodePublicKey(exportKey.Public().(ed25519.PublicKey))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"audit", "verify", "--export", file}, 2, "go together"},
		{[]string{"audit", "verify", "--pubkey", key}, 2, "go together"},
		{[]string{"audit", "verify", "--export", file, "--pubkey", "not-a-key"}, 2, "neither a base64 Ed25519 public key nor a key file"},
		{[]string{"audit", "verify", "--export", file, "--pubkey", file}, 2, "bad key"},
		{[]string{"audit", "verify", "--export", file + ".missing", "--pubkey", key}, 1, "no such file"},
		{[]string{"audit", "verify", "--export", file, "--pubkey", key}, 1, "INVALID"},
		{[]string{"audit", "show", "--export", file, "C"}, 2, "for audit verify"},
		{[]string{"audit", "export", "extra"}, 2, "unexpected argument"},
	} {
		r := fleetctl(t, nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("fleetctl %v = %+v, want %d and %q", tc.args, r, tc.code, tc.want)
		}
	}
}
