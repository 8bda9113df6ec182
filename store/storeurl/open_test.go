package storeurl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/store/redisstore"
)

func TestBoltPath(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"bolt:fleet.db", "fleet.db", true},
		{"bolt:/var/lib/fleetd/state", "/var/lib/fleetd/state", true},
		{"file:/tmp/x.bolt", "/tmp/x.bolt", true},
		{"file:///tmp/x.bolt", "/tmp/x.bolt", true},
		{"bolt://rel/x", "rel/x", true},
		{"/var/lib/fleetd/fleet.db", "/var/lib/fleetd/fleet.db", true},
		{"fleet.db", "fleet.db", true},
		{"bolt:", "", false},
		{"fleet.bolt", "", false},
		{"http://host/x.db", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := boltPath(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("boltPath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOpenBolt(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{"bolt:" + filepath.Join(dir, "a"), "file:" + filepath.Join(dir, "b"), filepath.Join(dir, "c.db")} {
		s, err := Open(t.Context(), u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		if _, ok := s.(*boltstore.Store); !ok {
			t.Errorf("Open(%q) = %T, want *boltstore.Store", u, s)
		}
		s.Close()
	}
	for _, name := range []string{"a", "b", "c.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("store file: %v", err)
		}
	}
}

func TestOpenRedis(t *testing.T) {
	addr := os.Getenv("BORDERFLEET_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("BORDERFLEET_TEST_REDIS_ADDR is not set: no private redis-server to test against")
	}
	s, err := Open(t.Context(), "redis://"+addr+"?prefix=bftest:storeurl:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*redisstore.Store); !ok {
		t.Errorf("Open = %T, want *redisstore.Store", s)
	}
}

func TestOpenFails(t *testing.T) {
	tests := []struct {
		in     string
		target error
		want   string
	}{
		{"mysql://host/db", ErrUnknown, "redis://"},
		{"fleet.json", ErrUnknown, "bolt:PATH"},
		{"", ErrUnknown, "PATH.db"},
		{"redis://host:6379?nonsense=1", nil, "storeurl: redisstore: "},
	}
	for _, tt := range tests {
		_, err := Open(t.Context(), tt.in)
		if err == nil {
			t.Errorf("Open(%q) succeeded", tt.in)
			continue
		}
		if tt.target != nil && !errors.Is(err, tt.target) {
			t.Errorf("Open(%q) = %v, want %v", tt.in, err, tt.target)
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "storeurl: ") {
			t.Errorf("Open(%q) = %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// Check accepts the forms Open does and refuses the rest, creating nothing.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	for _, ok := range []string{"redis://127.0.0.1:1/0", "rediss://h:6380", "bolt:" + dir + "/x", dir + "/y.db"} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"mysql://host/db", "fleet.json", "", "bolt:"} {
		if err := Check(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("Check(%q) = %v, want ErrUnknown", bad, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Check created %v", entries)
	}
}
