package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/store/boltstore"
)

// writerEnv makes the test binary a writer that appends until it is killed.
const writerEnv = "BOLTSTORE_TEST_WRITER"

// TestMain runs the writer when asked to, else the tests.
func TestMain(m *testing.M) {
	if path := os.Getenv(writerEnv); path != "" {
		writer(path)
		return
	}
	os.Exit(m.Run())
}

// writer appends records to the store at path for ever, printing the index
// of each as soon as Append has returned.
func writer(path string) {
	s, err := boltstore.Open(path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	tok, err := s.Acquire(ctx, "writer", time.Hour)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for i := 1; ; i++ {
		n, err := s.Append(ctx, tok, fmt.Appendf(nil, "record %d", i))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(n)
	}
}

// TestSurvivesSIGKILL kills a process that is appending and checks that
// every record it was told was written is in the file.
func TestSurvivesSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), writerEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	var acked uint64
	for acked < 200 && lines.Scan() {
		n, err := strconv.ParseUint(lines.Text(), 10, 64)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("writer: %s", lines.Text())
		}
		acked = n
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	if acked < 200 {
		t.Fatalf("writer stopped after %d records", acked)
	}

	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	got, err := s.Read(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(got)) < acked {
		t.Fatalf("%d records after SIGKILL, but %d were acknowledged", len(got), acked)
	}
	for i, e := range got {
		if e.Index != uint64(i+1) || string(e.Data) != fmt.Sprintf("record %d", i+1) {
			t.Fatalf("record %d after SIGKILL: %d %q", i+1, e.Index, e.Data)
		}
	}
	// The killed writer's lease is still there; the same owner takes over.
	if _, err := s.Acquire(t.Context(), "writer", time.Minute); err != nil {
		t.Errorf("Acquire by the same owner after SIGKILL: %v", err)
	}
}
