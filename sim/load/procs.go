package load

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

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
