package main

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/borderfleet/borderfleet/internal/proc"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// fleetd runs fleetd demo (no shuttles, no demo moves: shuttle-sim
// drives, moves come through the API, the demo plays the officers) and
// starts it again when it ends without being killed, as a supervisor
// would; such ends are counted.
type fleetd struct {
	bin, log string
	args     []string

	mu       sync.Mutex
	p        *proc.Proc
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
	p, err := proc.Start(proc.Spec{Name: "fleetd", Log: f.log, Bin: f.bin, Args: f.args})
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
func (f *fleetd) watch(p *proc.Proc) {
	defer f.wg.Done()
	<-p.Done()
	f.mu.Lock()
	if f.stopping || f.p != p {
		f.mu.Unlock()
		return // killed by the schedule, or stopped at the end
	}
	f.exits = append(f.exits, fmt.Sprintf("%s: fleetd ended by itself (%v): %s", time.Now().Format(time.TimeOnly), p.Err(), strings.Join(proc.Tail(f.log, 6), " | ")))
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
		p.Kill()
	}
	return f.start()
}

func (f *fleetd) pid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.p == nil {
		return 0
	}
	return f.p.Pid()
}

// stop ends fleetd for good.
func (f *fleetd) stop() {
	f.mu.Lock()
	f.stopping = true
	p := f.p
	f.mu.Unlock()
	if p != nil {
		p.Stop(5 * time.Second)
	}
	f.wg.Wait()
}

func (f *fleetd) unplanned() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.exits...)
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
