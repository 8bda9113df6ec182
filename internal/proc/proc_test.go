package proc

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A process logs to its file, runs until stopped, and is seen to end.
func TestStartStopAndTail(t *testing.T) {
	log := filepath.Join(t.TempDir(), "p.log")
	p, err := Start(Spec{Name: "sh", Log: log, Bin: "/bin/sh", Args: []string{"-c", "echo one; echo two; exec sleep 30"}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(Tail(log, 2)) == 2 && Tail(log, 2)[1] == "two" }, 5*time.Second, 10*time.Millisecond)
	assert.False(t, p.Exited())
	assert.Positive(t, p.Pid())
	p.Stop(5 * time.Second)
	assert.True(t, p.Exited())
	assert.Error(t, p.Err(), "ended by SIGTERM")
	assert.Equal(t, []string{"two"}, Tail(log, 1))
	assert.Nil(t, Tail(filepath.Join(t.TempDir(), "none"), 3))
	var none *Proc
	none.Stop(time.Second) // stopped already
}

// WaitPort sees a listener, gives up when the process it waits for ends,
// and names what it waited for after the deadline.
func TestWaitPort(t *testing.T) {
	port, err := FreePort()
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	assert.ErrorContains(t, WaitPort(addr, 200*time.Millisecond, nil), "nothing listens on "+addr)
	p, err := Start(Spec{Name: "false", Log: filepath.Join(t.TempDir(), "f.log"), Bin: "/bin/sh", Args: []string{"-c", "exit 3"}})
	require.NoError(t, err)
	assert.ErrorContains(t, WaitPort(addr, 10*time.Second, p), "false ended before it listened")
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	defer ln.Close()
	assert.NoError(t, WaitPort(addr, time.Second, nil))
	_, err = Start(Spec{Name: "x", Log: filepath.Join(t.TempDir(), "x.log"), Bin: filepath.Join(os.TempDir(), "no-such-binary-here")})
	assert.ErrorContains(t, err, "start x")
}
