package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Service is a private Mosquitto or redis-server: a process of its own
// on a free loopback port, logging to a file in its folder, that can be
// killed and started again on the same port (the broker restart and the
// Redis restart of e2e/chaos and sim/endtoend).
type Service struct {
	Name string // the binary's name: mosquitto, redis-server
	Port int
	spec Spec
	p    *Proc
}

// ServiceOption sets what differs between the callers of StartMosquitto
// and StartRedis.
type ServiceOption func(*serviceOpts)

type serviceOpts struct {
	confLines     []string
	appendFsync   string
	dieWithParent bool
}

// MosquittoConf adds lines to the generated mosquitto.conf (for
// instance "max_queued_messages 100000").
func MosquittoConf(lines ...string) ServiceOption {
	return func(o *serviceOpts) { o.confLines = append(o.confLines, lines...) }
}

// AppendOnly has redis-server keep an append-only file in its folder,
// fsynced as fsync says ("always": what it acknowledged survives its
// SIGKILL, as fleetd's Redis must be configured; "everysec"; "no").
// Without it the Redis keeps nothing on disk.
func AppendOnly(fsync string) ServiceOption {
	return func(o *serviceOpts) { o.appendFsync = fsync }
}

// DieWithParent starts the service with Spec.DieWithParent: only for a
// service started, and never restarted, from one goroutine.
func DieWithParent() ServiceOption {
	return func(o *serviceOpts) { o.dieWithParent = true }
}

// LookBin finds a helper binary on PATH, or else in /usr/sbin (where
// Debian puts mosquitto, outside a user's PATH). Its error wraps
// exec.ErrNotFound when there is none.
func LookBin(name string) (string, error) {
	bin, err := exec.LookPath(name)
	if err == nil {
		return bin, nil
	}
	sbin := filepath.Join("/usr/sbin", name)
	if st, serr := os.Stat(sbin); serr == nil && !st.IsDir() {
		return sbin, nil
	}
	return "", fmt.Errorf("no %s on PATH nor in /usr/sbin: %w", name, exec.ErrNotFound)
}

// StartMosquitto starts a private Mosquitto without persistence on a
// free loopback port, anonymous clients allowed, its configuration
// (mosquitto.conf) and log (mosquitto.log) in dir.
func StartMosquitto(dir string, opts ...ServiceOption) (*Service, error) {
	return startService("mosquitto", filepath.Join(dir, "mosquitto.log"), opts, func(port int, o serviceOpts) ([]string, error) {
		conf := filepath.Join(dir, "mosquitto.conf")
		lines := append([]string{fmt.Sprintf("listener %d 127.0.0.1", port), "allow_anonymous true", "persistence false"}, o.confLines...)
		lines = append(lines, "log_dest stderr", "log_type error", "log_type warning")
		return []string{"-c", conf}, os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	})
}

// StartRedis starts a private redis-server on a free loopback port, its
// files and log (redis.log) in dir, with no snapshots and, unless
// AppendOnly says otherwise, no append-only file.
func StartRedis(dir string, opts ...ServiceOption) (*Service, error) {
	return startService("redis-server", filepath.Join(dir, "redis.log"), opts, func(port int, o serviceOpts) ([]string, error) {
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""}
		if o.appendFsync != "" {
			return append(args, "--appendonly", "yes", "--appendfsync", o.appendFsync), nil
		}
		return append(args, "--appendonly", "no"), nil
	})
}

// startService starts the binary name on a free port with the arguments
// args makes for that port.
func startService(name, log string, opts []ServiceOption, args func(port int, o serviceOpts) ([]string, error)) (*Service, error) {
	var o serviceOpts
	for _, f := range opts {
		f(&o)
	}
	bin, err := LookBin(name)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	a, err := args(port, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Service{Name: name, Port: port, spec: Spec{Name: name, Log: log, Bin: bin, Args: a, DieWithParent: o.dieWithParent}}
	return s, s.start()
}

// Addr is host:port.
func (s *Service) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// Proc is the running process (another after a Restart).
func (s *Service) Proc() *Proc { return s.p }

// Log is the file the service's output goes to.
func (s *Service) Log() string { return s.spec.Log }

func (s *Service) start() error {
	p, err := Start(s.spec)
	if err != nil {
		return err
	}
	s.p = p
	if err := WaitPort(s.Addr(), 10*time.Second, p); err != nil {
		p.Stop(time.Second)
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	return nil
}

// Restart kills the service and starts it again on its port, trying
// for 5 s as the port may take a moment to be free again.
func (s *Service) Restart() error {
	s.p.Kill()
	var err error
	for range 50 {
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not start again on port %d: %w", s.Name, s.Port, err)
}

// Stop ends the service (Proc.Stop). A nil Service, or one that never
// started, is stopped already.
func (s *Service) Stop(grace time.Duration) {
	if s != nil && s.p != nil {
		s.p.Stop(grace)
	}
}
