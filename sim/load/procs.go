package load

import (
	"errors"
	"fmt"
	"github.com/borderfleet/borderfleet/internal/proc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// startMosquitto starts a private Mosquitto on a free loopback port.
func startMosquitto(dir string) (*proc.Proc, string, error) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/mosquitto"); serr != nil {
			return nil, "", errors.New("load: no mosquitto on PATH (install it, or use --broker embedded)")
		}
		bin = "/usr/sbin/mosquitto"
	}
	port, err := proc.FreePort()
	if err != nil {
		return nil, "", err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, "", err
	}
	p, err := proc.Start(proc.Spec{Name: "mosquitto", Log: filepath.Join(dir, "mosquitto.log"), Bin: bin, Args: []string{"-c", conf}, DieWithParent: true})
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := proc.WaitPort(addr, 10*time.Second, p); err != nil {
		p.Stop(time.Second)
		return nil, "", err
	}
	return p, "tcp://" + addr, nil
}

// startRedis starts a private redis-server on a free loopback port that
// keeps nothing on disk.
func startRedis(dir string) (*proc.Proc, string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", errors.New("load: no redis-server on PATH (install it, or use another --store)")
	}
	port, err := proc.FreePort()
	if err != nil {
		return nil, "", err
	}
	p, err := proc.Start(proc.Spec{Name: "redis-server", Log: filepath.Join(dir, "redis.log"), Bin: bin, DieWithParent: true,
		Args: []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}})
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := proc.WaitPort(addr, 10*time.Second, p); err != nil {
		p.Stop(time.Second)
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
