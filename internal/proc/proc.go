// Package proc runs the helper processes of the load command (sim/load),
// the chaos command (e2e/chaos) and the end-to-end runner
// (sim/endtoend): brokers, stores and fleetd, each logging to a file of
// its own in a process group of its own, so that a stop reaches it
// alone; and it finds free loopback ports for them. StartMosquitto and
// StartRedis start the private broker and Redis they share, which can
// be killed and started again on their port.
package proc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Spec is a process to start.
type Spec struct {
	Name string // for logs and errors
	Log  string // the file its output is appended to
	Bin  string
	Args []string
	// DieWithParent has the kernel kill it when the process that started
	// it dies first (Linux), so that an interrupted run leaves nothing.
	// Only for processes started and stopped from one goroutine's run:
	// the signal follows the OS thread that started it.
	DieWithParent bool
}

// Proc is a started process.
type Proc struct {
	Name, Log string
	cmd       *exec.Cmd
	done      chan struct{}
	err       error // Wait's, once done is closed
}

// Start starts s.
func Start(s Spec) (*Proc, error) {
	f, err := os.OpenFile(s.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "\n=== %s: %s %s (started %s)\n", s.Name, s.Bin, strings.Join(s.Args, " "), time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.Bin, s.Args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if s.DieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", s.Name, err)
	}
	p := &Proc{Name: s.Name, Log: s.Log, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has ended.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is how it ended (Wait's error), once Done is closed.
func (p *Proc) Err() error { return p.err }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Pid is its process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Signal sends it a signal.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Kill sends SIGKILL and waits for the end.
func (p *Proc) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop asks the process to end (SIGTERM), and kills it after grace. A
// nil Proc is stopped already.
func (p *Proc) Stop(grace time.Duration) {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.Kill()
	}
}

// FreePort is a free loopback TCP port.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WaitPort waits until something listens on addr, at most within; with
// a process p (not nil), it gives up as soon as p has ended.
func WaitPort(addr string, within time.Duration, p *Proc) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if p != nil && p.Exited() {
			return fmt.Errorf("%s ended before it listened on %s: %v (see %s)", p.Name, addr, p.err, p.Log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after %v: %w", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Tail is the last n lines of a file (a process's log), none if it
// cannot be read.
func Tail(path string, n int) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[max(0, len(lines)-n):]
}
