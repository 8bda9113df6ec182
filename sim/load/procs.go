package load

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// waitPort waits until something listens on addr, or p ends.
func waitPort(addr string, within time.Duration, p *proc) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if p != nil && p.exited() {
			return fmt.Errorf("load: %s ended before it listened on %s: %v (see %s)", p.name, addr, p.err, p.logPath)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("load: nothing listens on %s after %v: %w", addr, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// proc is a child process whose output goes to a log file, in a process
// group of its own.
type proc struct {
	name, logPath string
	cmd           *exec.Cmd
	done          chan struct{}
	err           error // Wait's, once done is closed
}

func startProc(name, logPath, bin string, args ...string) (*proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "=== %s: %s %s\n", name, bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// its own process group, and killed with the run if the run dies
	// before it can stop it (Linux)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("load: start %s: %w", name, err)
	}
	p := &proc{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the process to end (SIGTERM) and kills it after grace.
func (p *proc) stop(grace time.Duration) {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// startMosquitto starts a private Mosquitto on a free loopback port.
func startMosquitto(dir string) (*proc, string, error) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/mosquitto"); serr != nil {
			return nil, "", errors.New("load: no mosquitto on PATH (install it, or use --broker embedded)")
		}
		bin = "/usr/sbin/mosquitto"
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, "", err
	}
	p, err := startProc("mosquitto", filepath.Join(dir, "mosquitto.log"), bin, "-c", conf)
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitPort(addr, 10*time.Second, p); err != nil {
		p.stop(time.Second)
		return nil, "", err
	}
	return p, "tcp://" + addr, nil
}

// startRedis starts a private redis-server on a free loopback port that
// keeps nothing on disk.
func startRedis(dir string) (*proc, string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", errors.New("load: no redis-server on PATH (install it, or use another --store)")
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	p, err := startProc("redis-server", filepath.Join(dir, "redis.log"), bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitPort(addr, 10*time.Second, p); err != nil {
		p.stop(time.Second)
		return nil, "", err
	}
	return p, "redis://" + addr + "/0", nil
}

// usage is what /proc says of a process: CPU time used so far and
// resident memory now and at its peak.
type usage struct {
	cpu       time.Duration
	rss, peak int64 // bytes
}

// clockTick is the kernel's USER_HZ, which /proc/PID/stat counts in: 100
// on every Linux architecture Go supports.
const clockTick = 100

func usageOf(pid int) (usage, error) {
	var u usage
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, fmt.Errorf("load: fleetd's CPU time: %w", err)
	}
	// the command name is in parentheses and may hold spaces: fields
	// count from after its closing one (field 3, state)
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return u, errors.New("load: /proc/PID/stat: no command name")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return u, errors.New("load: /proc/PID/stat: too few fields")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err := errors.Join(err1, err2); err != nil {
		return u, fmt.Errorf("load: /proc/PID/stat: %w", err)
	}
	u.cpu = time.Duration(ut+st) * time.Second / clockTick
	b, err = os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, fmt.Errorf("load: fleetd's memory: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		if k == "VmRSS" {
			u.rss = kb << 10
		} else {
			u.peak = kb << 10
		}
	}
	return u, nil
}
