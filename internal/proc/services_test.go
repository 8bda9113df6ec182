package proc

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func needBin(t *testing.T, name string) {
	t.Helper()
	if _, err := LookBin(name); err != nil {
		t.Skipf("%v", err)
	}
}

// redisDo sends one command in RESP and returns the first line of the
// reply.
func redisDo(t *testing.T, addr string, args ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	_, err = c.Write([]byte(b.String()))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, err = r.ReadString('\n')
		require.NoError(t, err)
	}
	return strings.TrimRight(line, "\r\n")
}

// A private Mosquitto takes the extra configuration lines, listens on
// its port, and listens on the same port after a restart.
func TestStartMosquittoRestart(t *testing.T) {
	needBin(t, "mosquitto")
	dir := t.TempDir()
	m, err := StartMosquitto(dir, MosquittoConf("max_queued_messages 100000"))
	require.NoError(t, err)
	defer m.Stop(3 * time.Second)
	conf, err := os.ReadFile(filepath.Join(dir, "mosquitto.conf"))
	require.NoError(t, err)
	assert.Contains(t, string(conf), "\nmax_queued_messages 100000\n")
	assert.Contains(t, string(conf), "persistence false\n")
	require.NoError(t, WaitPort(m.Addr(), time.Second, nil))
	first := m.Proc()
	require.NoError(t, m.Restart())
	assert.True(t, first.Exited(), "the first broker was killed")
	assert.NotEqual(t, first.Pid(), m.Proc().Pid())
	assert.NoError(t, WaitPort(m.Addr(), time.Second, nil))
	assert.Equal(t, filepath.Join(dir, "mosquitto.log"), m.Log())
	m.Stop(3 * time.Second)
	assert.True(t, m.Proc().Exited())
	var none *Service
	none.Stop(time.Second) // stopped already
}

// With AppendOnly("always") what Redis acknowledged survives its
// SIGKILL and restart; without it, nothing does.
func TestStartRedisAppendOnly(t *testing.T) {
	needBin(t, "redis-server")
	for _, c := range []struct {
		opts []ServiceOption
		want string
	}{
		{[]ServiceOption{AppendOnly("always")}, "v"},
		{nil, "$-1"},
	} {
		r, err := StartRedis(t.TempDir(), c.opts...)
		require.NoError(t, err)
		assert.Equal(t, "+OK", redisDo(t, r.Addr(), "SET", "k", "v"))
		port := r.Port
		require.NoError(t, r.Restart())
		assert.Equal(t, port, r.Port)
		assert.Equal(t, c.want, redisDo(t, r.Addr(), "GET", "k"))
		r.Stop(3 * time.Second)
	}
}

// LookBin names what it did not find, as exec.ErrNotFound.
func TestLookBin(t *testing.T) {
	_, err := LookBin("no-such-borderfleet-helper")
	assert.ErrorIs(t, err, exec.ErrNotFound)
	assert.ErrorContains(t, err, "no-such-borderfleet-helper")
	sh, err := LookBin("sh")
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(sh))
}
