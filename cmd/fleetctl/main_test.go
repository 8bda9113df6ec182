package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/store/boltstore"
)

// at is the time of the first test entry.
var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// custody is a small audit log: two containers across the border.
func custody() []audit.Entry {
	raw := []audit.Entry{
		{Container: "MSCU1234565", Move: "m-1", Event: "created", Actor: "operator", Bay: "kz-bay-1"},
		{Container: "MSCU1234565", Move: "m-1", Event: "assigned", Actor: "fleetd", Shuttle: "s-1"},
		{Container: "TGHU7654321", Move: "m-2", Event: "created", Actor: "operator", Bay: "cn-bay-3"},
		{Container: "MSCU1234565", Move: "m-1", Event: "picked", Actor: "shuttle s-1", Shuttle: "s-1", Bay: "kz-bay-1"},
		{Container: "MSCU1234565", Move: "m-1", Event: "released", Actor: "officer 4711 (KZ)", Shuttle: "s-1", Checkpoint: "kz-gate", Detail: "smart gate\tno findings"},
		{Container: "MSCU1234565", Move: "m-1", Event: "delivered", Actor: "shuttle s-1", Shuttle: "s-1", Bay: "cn-bay-2"},
	}
	var out []audit.Entry
	var prev *audit.Entry
	for i, e := range raw {
		e.At = at.Add(time.Duration(i) * 7 * time.Minute)
		e.Input = uint64(100 + i)
		out = append(out, audit.Chain(prev, e))
		prev = &out[i]
	}
	return out
}

// writeStore writes entries to a new bolt store and returns its path.
func writeStore(t *testing.T, entries []audit.Entry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, err := s.Acquire(t.Context(), "test", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := audit.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendAudit(t.Context(), tok, b); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// overwrite replaces audit record idx in the bolt file at path behind the
// store's back, as someone tampering with the file would.
func overwrite(t *testing.T, path string, idx uint64, data []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).Put(binary.BigEndian.AppendUint64(nil, idx), data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func fleetctl(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestVerifyIntact(t *testing.T) {
	entries := custody()
	path := writeStore(t, entries)
	last := entries[len(entries)-1].Hash
	for _, how := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--store", "bolt:" + path, "audit", "verify"}},
		{nil, []string{"audit", "verify", "--store", path}},
		{map[string]string{storeEnv: "file:" + path}, []string{"audit", "verify"}},
	} {
		r := fleetctl(t, how.env, how.args...)
		want := fmt.Sprintf("audit log intact: 6 entries, last %s\n", last)
		if r.code != 0 || r.stdout != want {
			t.Errorf("fleetctl %v = %d, %q, %q; want 0, %q", how.args, r.code, r.stdout, r.stderr, want)
		}
	}
}

func TestVerifyEmpty(t *testing.T) {
	path := writeStore(t, nil)
	r := fleetctl(t, nil, "--store", path, "audit", "verify")
	if r.code != 0 || r.stdout != "audit log intact: 0 entries\n" {
		t.Errorf("verify of an empty log = %+v", r)
	}
}

func TestVerifyTampered(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, entries []audit.Entry)
		want   string
	}{
		{"changed field kept hash", func(t *testing.T, path string, l []audit.Entry) {
			e := l[4]
			e.Event, e.Actor = "refused", "officer 9 (KZ)"
			b, _ := audit.Encode(e)
			overwrite(t, path, 5, b)
		}, "entry 5 (container MSCU1234565): hash"},
		{"changed and rehashed", func(t *testing.T, path string, l []audit.Entry) {
			e := l[2]
			e.Bay = "cn-bay-9"
			e.Hash = audit.HashOf(e)
			b, _ := audit.Encode(e)
			overwrite(t, path, 3, b)
		}, "entry 4 (container MSCU1234565): prev"},
		{"not an entry", func(t *testing.T, path string, _ []audit.Entry) {
			overwrite(t, path, 2, []byte("garbage"))
		}, "entry 2: audit: bad entry"},
		{"forged entry appended", func(t *testing.T, path string, l []audit.Entry) {
			s, err := boltstore.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tok, err := s.Acquire(t.Context(), "test", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			forged := audit.Chain(&l[1], audit.Entry{At: at, Container: "TGHU7654321", Move: "m-2", Event: "delivered", Actor: "shuttle s-9"})
			b, _ := audit.Encode(forged)
			if _, err := s.AppendAudit(t.Context(), tok, b); err != nil {
				t.Fatal(err)
			}
		}, "entry 7 (container TGHU7654321): seq 3, want 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := custody()
			path := writeStore(t, entries)
			tt.tamper(t, path, entries)
			r := fleetctl(t, nil, "--store", path, "audit", "verify")
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "BROKEN") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("verify = %d, %q, %q; want 1 and a message with %q", r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}

func TestShow(t *testing.T) {
	path := writeStore(t, custody())
	r := fleetctl(t, nil, "--store", path, "audit", "show", "MSCU1234565")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("show = %+v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := [][]string{
		{"TIME", "EVENT", "ACTOR", "SHUTTLE", "BAY", "CHECKPOINT", "DETAIL"},
		{"2026-03-02T09:00:00Z", "created", "operator", "-", "kz-bay-1", "-", "-"},
		{"2026-03-02T09:07:00Z", "assigned", "fleetd", "s-1", "-", "-", "-"},
		{"2026-03-02T09:21:00Z", "picked", "shuttle s-1", "s-1", "kz-bay-1", "-", "-"},
		{"2026-03-02T09:28:00Z", "released", "officer 4711 (KZ)", "s-1", "-", "kz-gate", "smart gate no findings"},
		{"2026-03-02T09:35:00Z", "delivered", "shuttle s-1", "s-1", "cn-bay-2", "-", "-"},
	}
	if len(lines) != len(want) {
		t.Fatalf("show printed %d lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	// Columns line up: every cell starts where its header does.
	starts := columnStarts(lines[0], want[0])
	for i, line := range lines {
		for j, cellText := range want[i] {
			if !strings.HasPrefix(line[starts[j]:], cellText) {
				t.Errorf("line %d column %s: %q, want %q", i, want[0][j], line[starts[j]:], cellText)
			}
		}
	}
}

// columnStarts returns where each header begins in the header line.
func columnStarts(header string, names []string) []int {
	var out []int
	for _, n := range names {
		out = append(out, strings.Index(header, n))
	}
	return out
}

func TestShowJSON(t *testing.T) {
	entries := custody()
	path := writeStore(t, entries)
	r := fleetctl(t, nil, "--store", path, "audit", "show", "--json", "tghu7654321")
	if r.code != 0 {
		t.Fatalf("show --json = %+v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("show --json printed %q", r.stdout)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	e, err := audit.Decode([]byte(lines[0]))
	if err != nil || e.Hash != entries[2].Hash || m["bay"] != "cn-bay-3" {
		t.Errorf("show --json = %s (%v)", lines[0], err)
	}
}

func TestShowTamperedWarns(t *testing.T) {
	entries := custody()
	path := writeStore(t, entries)
	e := entries[1]
	e.Shuttle = "s-2"
	b, _ := audit.Encode(e)
	overwrite(t, path, 2, b)
	r := fleetctl(t, nil, "--store", path, "audit", "show", "MSCU1234565")
	if r.code != 0 || !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "entry 2") || !strings.Contains(r.stdout, "s-2") {
		t.Errorf("show of a tampered log = %+v", r)
	}
}

func TestErrors(t *testing.T) {
	path := writeStore(t, custody())
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "Usage"},
		{"unknown command", nil, []string{"erase"}, 2, `unknown command "erase"`},
		{"unknown audit command", nil, []string{"--store", path, "audit", "erase"}, 2, `unknown command "erase"`},
		{"audit alone", nil, []string{"audit"}, 2, "verify, show or export"},
		{"show without container", nil, []string{"--store", path, "audit", "show"}, 2, "wrong arguments"},
		{"verify with argument", nil, []string{"--store", path, "audit", "verify", "x"}, 2, "wrong arguments"},
		{"bad flag", nil, []string{"--nope"}, 2, "nope"},
		{"no store", nil, []string{"audit", "verify"}, 2, storeEnv},
		{"bad store", nil, []string{"--store", "mysql://x", "audit", "verify"}, 1, "bolt:PATH"},
		{"unknown container", nil, []string{"--store", path, "audit", "show", "ABCU0000000"}, 1, `no audit entries for container "ABCU0000000"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fleetctl(t, tt.env, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("fleetctl %v = %d, %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
}

func TestLockedStore(t *testing.T) {
	path := writeStore(t, custody())
	s, err := boltstore.Open(path) // fleetd running
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := fleetctl(t, nil, "--store", path, "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "another process") {
		t.Errorf("verify of a locked store = %+v", r)
	}
}

func TestHelp(t *testing.T) {
	r := fleetctl(t, nil, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "HTTP API") || !strings.Contains(r.stdout, storeEnv) {
		t.Errorf("help = %+v", r)
	}
}
