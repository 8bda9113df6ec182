package endtoend

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/borderfleet/borderfleet/internal/proc"
)

// service is a private Mosquitto or redis-server on a loopback port,
// started again on the same port after a kill.
type service struct {
	name, dir string
	port      int
	args      []string
	p         *proc.Proc
}

func (s *service) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

func (s *service) start() error {
	var err error
	s.p, err = proc.Start(proc.Spec{Name: s.name, Log: filepath.Join(s.dir, s.name+".log"), Bin: s.name, Args: s.args})
	if err != nil {
		return fmt.Errorf("endtoend: %s: %w", s.name, err)
	}
	if err := proc.WaitPort(s.addr(), 10*time.Second, s.p); err != nil {
		return fmt.Errorf("endtoend: %s: %w", s.name, err)
	}
	return nil
}

// restart kills the service and starts it again on its port (which may
// take a moment to be free again).
func (s *service) restart() error {
	s.p.Kill()
	var err error
	for range 50 {
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("endtoend: %s did not start again: %w", s.name, err)
}

func (s *service) stop() {
	if s != nil && s.p != nil {
		s.p.Stop(3 * time.Second)
	}
}

// startMosquitto starts a private Mosquitto without persistence.
func startMosquitto(dir string) (*service, error) {
	port, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, err
	}
	s := &service{name: "mosquitto", dir: dir, port: port, args: []string{"-c", conf}}
	return s, s.start()
}

// startRedis starts a private redis-server with an append-only file
// fsynced on every write, as fleetd's Redis must be configured.
func startRedis(dir string) (*service, error) {
	port, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	s := &service{name: "redis-server", dir: dir, port: port, args: []string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"}}
	return s, s.start()
}
