package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one redis-server process (a server or a sentinel).
type Server struct {
	// Addr is its host:port on loopback.
	Addr string
	// Port is Addr's port.
	Port int

	t    testing.TB
	dir  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// Binary returns the path of redis-server, or skips the test when there is
// none. redis-server runs as a sentinel with --sentinel, so no
// redis-sentinel binary is needed.
func Binary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redistest: no redis-server on PATH (Debian: apt-get install redis-server; scripts/test.sh installs it)")
	}
	return p
}

// Start starts a redis-server with the given extra configuration lines
// (e.g. "replicaof 127.0.0.1 6379"), without persistence, and waits until it
// answers.
func Start(t testing.TB, conf ...string) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir(), Port: FreePort(t)}
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.Port)
	lines := append([]string{"bind 127.0.0.1", "port " + strconv.Itoa(s.Port), "dir " + s.dir,
		"save \"\"", "appendonly no", "protected-mode no",
		"repl-diskless-sync-delay 0"}, conf...)
	s.write("redis.conf", lines)
	s.args = []string{filepath.Join(s.dir, "redis.conf")}
	s.start()
	return s
}

// StartSentinel starts a redis-server --sentinel that monitors the primary
// at primary as master with the given quorum, declaring it down after
// downAfter and allowing failoverTimeout per failover.
func StartSentinel(t testing.TB, master, primary string, quorum int, downAfter, failoverTimeout time.Duration) *Server {
	t.Helper()
	host, port, err := net.SplitHostPort(primary)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	s := &Server{t: t, dir: t.TempDir(), Port: FreePort(t)}
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.Port)
	s.write("sentinel.conf", []string{
		"bind 127.0.0.1", "port " + strconv.Itoa(s.Port), "dir " + s.dir, "protected-mode no",
		fmt.Sprintf("sentinel monitor %s %s %s %d", master, host, port, quorum),
		fmt.Sprintf("sentinel down-after-milliseconds %s %d", master, downAfter.Milliseconds()),
		fmt.Sprintf("sentinel failover-timeout %s %d", master, failoverTimeout.Milliseconds()),
		fmt.Sprintf("sentinel parallel-syncs %s 1", master),
	})
	s.args = []string{filepath.Join(s.dir, "sentinel.conf"), "--sentinel"}
	s.start()
	return s
}

func (s *Server) write(name string, lines []string) {
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
}

func (s *Server) start() {
	s.t.Helper()
	s.cmd = exec.Command(Binary(s.t), s.args...)
	log, err := os.Create(filepath.Join(s.dir, "log"))
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		log.Close()
		s.t.Fatalf("redistest: starting redis-server %v: %v", s.args, err)
	}
	done := make(chan struct{})
	s.done = done
	cmd := s.cmd
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(done)
	}()
	s.t.Cleanup(s.Kill)
	if err := s.Command("PING"); err != nil {
		s.t.Fatalf("redistest: redis-server %v does not answer: %v\n%s", s.args, err, s.Log())
	}
}

// Kill sends SIGKILL and waits for the process to end. It does nothing to
// a process already ended.
func (s *Server) Kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Restart starts the server again, on the same port and folder, with conf
// lines added to its configuration (a killed primary comes back as a
// replica with "replicaof host port").
func (s *Server) Restart(conf ...string) {
	s.t.Helper()
	s.Kill()
	b, err := os.ReadFile(s.args[0])
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	lines := append(strings.Split(strings.TrimSpace(string(b)), "\n"), conf...)
	s.write(filepath.Base(s.args[0]), lines)
	s.start()
}

// Log returns what the server has logged so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "log"))
	return string(b)
}

// Command sends one command over a fresh connection and returns an error
// reply as an error, retrying a refused connection for up to 5 s (a server
// just started).
func (s *Server) Command(args ...string) error {
	_, err := s.Do(args...)
	return err
}

// Do sends one command over a fresh connection and returns its reply's
// first line (without the type byte) or, for an array, its elements
// joined by spaces (one level deep, bulk strings only).
func (s *Server) Do(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var c net.Conn
	var err error
	for {
		var d net.Dialer
		if c, err = d.DialContext(ctx, "tcp", s.Addr); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(20 * time.Millisecond): // a server starting up: polling its port
		}
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(req.String())); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	return readReply(r)
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("redistest: empty reply")
	}
	switch line[0] {
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		parts := make([]string, 0, max(n, 0))
		for range n {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, " "), nil
	}
	return line[1:], nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Cluster is a primary, its replicas and the sentinels that watch them.
type Cluster struct {
	// Master is the name the sentinels know the primary by.
	Master    string
	Primary   *Server
	Replicas  []*Server
	Sentinels []*Server
}

// StartCluster starts one primary, replicas replicas of it and sentinels
// sentinels (quorum: a majority of them), with failure detection after
// downAfter, and waits until every sentinel knows every replica and the
// other sentinels.
func StartCluster(t testing.TB, replicas, sentinels int, downAfter time.Duration) *Cluster {
	t.Helper()
	c := &Cluster{Master: "bfmaster", Primary: Start(t)}
	for range replicas {
		c.Replicas = append(c.Replicas, Start(t, "replicaof 127.0.0.1 "+strconv.Itoa(c.Primary.Port), "replica-priority 100"))
	}
	for range sentinels {
		c.Sentinels = append(c.Sentinels, StartSentinel(t, c.Master, c.Primary.Addr, sentinels/2+1, downAfter, 4*downAfter))
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, s := range c.Sentinels {
		for {
			info, err := s.Do("SENTINEL", "MASTER", c.Master)
			if err == nil && field(info, "num-slaves") == strconv.Itoa(replicas) && field(info, "num-other-sentinels") == strconv.Itoa(sentinels-1) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redistest: sentinel %s does not see the cluster: %q, %v", s.Addr, info, err)
			}
			time.Sleep(50 * time.Millisecond) // polling processes that discover each other
		}
	}
	return c
}

// field reads name's value from a flat "name value name value" reply.
func field(reply, name string) string {
	f := strings.Fields(reply)
	for i := 0; i+1 < len(f); i += 2 {
		if f[i] == name {
			return f[i+1]
		}
	}
	return ""
}

// MasterAddr is the primary's host:port as sentinel s reports it.
func (c *Cluster) MasterAddr(s *Server) (string, error) {
	r, err := s.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", c.Master)
	if err != nil {
		return "", err
	}
	host, port, ok := strings.Cut(r, " ")
	if !ok {
		return "", fmt.Errorf("redistest: sentinel %s: master address %q", s.Addr, r)
	}
	return net.JoinHostPort(host, port), nil
}

// URL is a redisstore URL that reaches the primary through the sentinels,
// with query appended (e.g. "prefix=x:&wait=1").
func (c *Cluster) URL(query string) string {
	u := "redis://" + c.Sentinels[0].Addr + "?master_name=" + c.Master
	for _, s := range c.Sentinels[1:] {
		u += "&addr=" + s.Addr
	}
	if query != "" {
		u += "&" + query
	}
	return u
}
