package main

import (
	"fmt"
	"math/rand"
	"sort"
	"time"
)

// Kind is a kind of fault.
type Kind string

// The faults a chaos run sets off.
const (
	// Kill: fleetd gets SIGKILL and is started again at once.
	Kill Kind = "kill"
	// Broker: Mosquitto gets SIGKILL and is started again on its port.
	Broker Kind = "broker"
	// LinkCut: one shuttle's link to the broker is cut (its proxy closes
	// every connection and refuses new ones) for --link-cut.
	LinkCut Kind = "link"
	// PickCut: the link of a shuttle whose pick is under way at a bay is
	// cut for --link-cut: it finishes the pick unheard, and fleetd, which
	// took it out of dispatch for its silence, must not give the move to
	// another shuttle.
	PickCut Kind = "pick"
	// Stall: one shuttle breaks down on the road (shuttle-sim's SIGUSR1).
	Stall Kind = "stall"
	// Redis: redis-server gets SIGKILL and is started again on its port
	// and its append-only file (redis store only).
	Redis Kind = "redis"
	// DiskFull: the bolt store's folder, a tmpfs of fixed size, is
	// filled so that writes fail (bolt store only).
	DiskFull Kind = "disk"
)

// Fault is one fault of a schedule: its kind, when it is due from the
// start of the run, and its number among the faults of its kind (from 1).
type Fault struct {
	At   time.Duration
	Kind Kind
	N    int
}

func (f Fault) String() string { return fmt.Sprintf("%s #%d at %.1fs", f.Kind, f.N, f.At.Seconds()) }

// Plan draws a schedule from seed: kills SIGKILLs of fleetd at random
// times over the run, and one of each of the other kinds, at random times
// in the middle of it, no two of them within a tenth of the run of each
// other. The same arguments give the same schedule.
func Plan(seed int64, kills int, run time.Duration, others []Kind) []Fault {
	rng := rand.New(rand.NewSource(seed))
	var out []Fault
	for i := range kills {
		at := time.Duration((0.05 + 0.9*rng.Float64()) * float64(run))
		out = append(out, Fault{At: at, Kind: Kill, N: i + 1})
	}
	// the other faults each get a slot of their own, in a random order,
	// with a random offset inside the slot
	order := rng.Perm(len(others))
	slot := 0.7 / float64(max(len(others), 1))
	for i, k := range order {
		at := time.Duration((0.1 + slot*(float64(i)+0.2+0.6*rng.Float64())) * float64(run))
		out = append(out, Fault{At: at, Kind: others[k], N: 1})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}
