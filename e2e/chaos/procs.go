package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// freePort is a free loopback TCP port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitPort waits until something listens on addr.
func waitPort(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after %v: %w", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// proc is a child process whose output goes to a log file. Its process
// group is its own, so that a stop reaches it alone.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's, once done is closed
}

func startProc(name, logPath string, bin string, args ...string) (*proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "\n=== %s: %s %s (started %s)\n", name, bin, strings.Join(args, " "), time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("chaos: start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the end.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to end (SIGTERM), and kills it after a while.
func (p *proc) stop(grace time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

// mosquitto is a private Mosquitto on a loopback port, started again on
// the same port after a kill.
type mosquitto struct {
	dir  string
	port int
	p    *proc
}

func startMosquitto(dir string) (*mosquitto, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, err
	}
	m := &mosquitto{dir: dir, port: port}
	return m, m.start()
}

func (m *mosquitto) addr() string { return fmt.Sprintf("127.0.0.1:%d", m.port) }
func (m *mosquitto) URL() string  { return "tcp://" + m.addr() }

func (m *mosquitto) start() error {
	var err error
	m.p, err = startProc("mosquitto", filepath.Join(m.dir, "mosquitto.log"), "mosquitto", "-c", filepath.Join(m.dir, "mosquitto.conf"))
	if err != nil {
		return err
	}
	return waitPort(m.addr(), 10*time.Second)
}

// restart kills the broker and starts it again on its port.
func (m *mosquitto) restart() error {
	m.p.kill()
	// the port may take a moment to be free again
	var err error
	for range 50 {
		if err = m.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("chaos: mosquitto did not start again: %w", err)
}

// redis is a private redis-server on a loopback port with an append-only
// file fsynced on every write, so that what it acknowledged survives its
// SIGKILL (as a production Redis under fleetd must be configured).
type redis struct {
	dir  string
	port int
	p    *proc
}

func startRedis(dir string) (*redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &redis{dir: dir, port: port}
	return r, r.start()
}

func (r *redis) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func (r *redis) start() error {
	var err error
	r.p, err = startProc("redis-server", filepath.Join(r.dir, "redis.log"), "redis-server",
		"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--dir", r.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always")
	if err != nil {
		return err
	}
	return waitPort(r.addr(), 10*time.Second)
}

func (r *redis) restart() error {
	r.p.kill()
	var err error
	for range 50 {
		if err = r.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("chaos: redis-server did not start again: %w", err)
}

// fleetd runs fleetd demo (no shuttles, no demo moves: shuttle-sim
// drives, moves come through the API, the demo plays the officers) and
// starts it again when it ends without being killed, as a supervisor
// would; such ends are counted.
type fleetd struct {
	bin, log string
	args     []string

	mu       sync.Mutex
	p        *proc
	stopping bool
	exits    []string // unplanned ends, with the last lines of output
	starts   int
	wg       sync.WaitGroup
}

func (f *fleetd) start() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.startLocked()
}

func (f *fleetd) startLocked() error {
	p, err := startProc("fleetd", f.log, f.bin, f.args...)
	if err != nil {
		return err
	}
	f.p = p
	f.starts++
	f.wg.Add(1)
	go f.watch(p)
	return nil
}

// watch starts fleetd again if p ends by itself.
func (f *fleetd) watch(p *proc) {
	defer f.wg.Done()
	<-p.done
	f.mu.Lock()
	if f.stopping || f.p != p {
		f.mu.Unlock()
		return // killed by the schedule, or stopped at the end
	}
	f.exits = append(f.exits, fmt.Sprintf("%s: fleetd ended by itself (%v): %s", time.Now().Format(time.TimeOnly), p.err, tail(f.log, 6)))
	f.mu.Unlock()
	time.Sleep(500 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopping || f.p != p {
		return // a kill started another meanwhile
	}
	if err := f.startLocked(); err != nil {
		f.exits = append(f.exits, "could not start fleetd again: "+err.Error())
	}
}

// kill SIGKILLs the running fleetd and starts a new one at once.
func (f *fleetd) kill() error {
	f.mu.Lock()
	p := f.p
	f.p = nil
	f.mu.Unlock()
	if p != nil {
		p.kill()
	}
	return f.start()
}

func (f *fleetd) pid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.p == nil {
		return 0
	}
	return f.p.cmd.Process.Pid
}

// stop ends fleetd for good.
func (f *fleetd) stop() {
	f.mu.Lock()
	f.stopping = true
	p := f.p
	f.mu.Unlock()
	if p != nil {
		p.stop(5 * time.Second)
	}
	f.wg.Wait()
}

func (f *fleetd) unplanned() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.exits...)
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(bytes.TrimRight(b, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// tmpfs mounts a tmpfs of a fixed size on dir, when this process may
// (root, or CAP_SYS_ADMIN).
func mountTmpfs(dir, size string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0750", "tmpfs", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mount -t tmpfs -o size=%s on %s: %v: %s", size, dir, err, bytes.TrimSpace(out))
	}
	return nil
}

func unmount(dir string) error {
	out, err := exec.Command("umount", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("umount %s: %v: %s", dir, err, bytes.TrimSpace(out))
	}
	return nil
}

// fill writes a file into dir until the file system is full, and
// returns how many bytes it took.
func fill(path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := bytes.Repeat([]byte{0xAA}, 1<<20)
	var n int64
	for {
		k, err := f.Write(buf)
		n += int64(k)
		if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) {
			if len(buf) > 512 {
				buf = buf[:len(buf)/2] // the last pages too
				continue
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if n > 8<<30 {
			return n, errors.New("chaos: wrote 8 GiB and the file system is not full: is it a tmpfs of fixed size?")
		}
	}
}
