// Command chaos runs a borderfleet fleet over a private Mosquitto and
// sets off faults on a seeded schedule: SIGKILLs of fleetd, a broker
// restart, a shuttle's link cut for a while (one driving, one picking at
// a bay), a shuttle stalled on the
// road, a Redis restart (redis store) and a full disk under the bolt
// store (bolt store). After each fault, and at the end, it checks that
// no move acknowledged by the API (201) is lost, none is delivered or
// picked twice, no two shuttles meet, and fleetd reports no duplicate
// drop or illegal transition; the shuttle whose link was cut must stop
// at the end of its released base and go on when the link returns; a
// full disk must make fleetd refuse new moves with a clear error (503
// naming the store's write failure). It prints one JSON line of figures
// at the end and exits 0 when every check held, 1 when one did not, 2 on
// a usage error.
//
//	go run ./e2e/chaos --seed 1 --kills 100 --store bolt
//
// Every fault is logged with its time and the seed: the same seed gives
// the same schedule, so a failing run can be replayed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the parsed flags.
type options struct {
	seed                  int64
	kills                 int
	duration              time.Duration
	store                 string
	scale                 float64
	shuttles              int
	movesPerMin           float64
	linkCut, stall, full  time.Duration
	drain                 time.Duration
	faults                string
	fleetdBin, shuttleBin string
	diskSize              string
	keep, jsonOnly        bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Int64Var(&o.seed, "seed", 1, "seed of the fault schedule (same seed, same schedule)")
	fs.IntVar(&o.kills, "kills", 10, "how many times fleetd is SIGKILLed")
	fs.DurationVar(&o.duration, "duration", 0, "how long the faults are spread over (default 25s + 2.5s a kill + 8s a fault of another kind)")
	fs.StringVar(&o.store, "store", "bolt", "fleetd's store: bolt (on a tmpfs of fixed size: the disk-full fault) or redis (a private redis-server: the Redis restart)")
	fs.Float64Var(&o.scale, "time-scale", 60, "how much faster than real time fleetd and the shuttles run")
	fs.IntVar(&o.shuttles, "shuttles", 8, "shuttles in all (two of them, one link-cut and one stalled, in processes of their own); at least 3")
	fs.Float64Var(&o.movesPerMin, "moves-per-minute", 15, "moves asked for through the API per minute of real time while the faults go on")
	fs.DurationVar(&o.linkCut, "link-cut", 60*time.Second, "how long a shuttle's link stays cut (real time)")
	fs.DurationVar(&o.stall, "stall", 10*time.Minute, "mean repair time of the stalled shuttle (vehicle time)")
	fs.DurationVar(&o.full, "full-for", 6*time.Second, "how long the bolt store's disk stays full (real time)")
	fs.DurationVar(&o.drain, "drain", 4*time.Minute, "how long the acknowledged moves may take to be delivered after the last fault (real time)")
	fs.StringVar(&o.faults, "faults", "all", "comma-separated kinds besides kill to set off: broker,link,pick,stall,redis,disk, or all, or none (redis needs --store redis, disk --store bolt)")
	fs.StringVar(&o.fleetdBin, "fleetd", "", "fleetd binary (default: built from this module)")
	fs.StringVar(&o.shuttleBin, "shuttle-sim", "", "shuttle-sim binary (default: built from this module)")
	fs.StringVar(&o.diskSize, "disk-size", "48m", "size of the tmpfs under the bolt store")
	fs.BoolVar(&o.keep, "keep", false, "keep the run's folder (logs, store) even when every check held")
	fs.BoolVar(&o.jsonOnly, "json", false, "print only the JSON line on stdout (the fault log still goes to stderr)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.store != "bolt" && o.store != "redis":
		return o, fmt.Errorf("--store %q: want bolt or redis", o.store)
	case o.kills < 0:
		return o, fmt.Errorf("--kills %d: must not be negative", o.kills)
	case o.duration < 0:
		return o, fmt.Errorf("--duration %v: must not be negative", o.duration)
	case !(o.scale >= 1 && o.scale <= 600):
		return o, fmt.Errorf("--time-scale %g: want 1 to 600", o.scale)
	case o.shuttles < 3 || o.shuttles > 40:
		return o, fmt.Errorf("--shuttles %d: want 3 to 40", o.shuttles)
	case !(o.movesPerMin > 0 && o.movesPerMin <= 600):
		return o, fmt.Errorf("--moves-per-minute %g: want more than 0, at most 600", o.movesPerMin)
	case o.linkCut <= 0 || o.stall <= 0 || o.full <= 0 || o.drain <= 0:
		return o, errors.New("--link-cut, --stall, --full-for and --drain must be positive")
	}
	if _, err := o.kinds(); err != nil {
		return o, err
	}
	if o.duration == 0 {
		kinds, _ := o.kinds()
		o.duration = 25*time.Second + time.Duration(o.kills)*2500*time.Millisecond + time.Duration(len(kinds))*8*time.Second
	}
	return o, nil
}

// kinds are the faults besides kills that the run sets off.
func (o options) kinds() ([]Kind, error) {
	all := []Kind{Broker, LinkCut, PickCut, Stall}
	if o.store == "bolt" {
		all = append(all, DiskFull)
	} else {
		all = append(all, Redis)
	}
	switch o.faults {
	case "all":
		return all, nil
	case "none", "":
		return nil, nil
	}
	var out []Kind
	for _, s := range strings.Split(o.faults, ",") {
		k := Kind(strings.TrimSpace(s))
		switch {
		case k == Redis && o.store != "redis":
			return nil, errors.New("--faults redis: needs --store redis (a bolt store uses no Redis)")
		case k == DiskFull && o.store != "bolt":
			return nil, errors.New("--faults disk: needs --store bolt (the disk filled is the bolt store's tmpfs)")
		case !slices.Contains([]Kind{Broker, LinkCut, PickCut, Stall, Redis, DiskFull}, k):
			return nil, fmt.Errorf("--faults: unknown fault %q (want broker, link, pick, stall, redis, disk)", k)
		case slices.Contains(out, k):
			return nil, fmt.Errorf("--faults: %q twice", k)
		}
		out = append(out, k)
	}
	return out, nil
}

// Figures is the JSON line a run ends with.
type Figures struct {
	Seed     int64          `json:"seed"`
	Store    string         `json:"store"`
	Scale    float64        `json:"time_scale"`
	Shuttles int            `json:"shuttles"`
	Faults   map[string]int `json:"faults"` // set off, by kind
	// Moves: asked for, acknowledged (201), delivered at the end.
	MovesRequested int `json:"moves_requested"`
	MovesAcked     int `json:"moves_acked"`
	MovesDelivered int `json:"moves_delivered"`
	// Lost: acknowledged moves missing from the API after a fault (count
	// of misses over all checks); the rest are counts at the end.
	Lost           int `json:"lost"`
	DeliveredTwice int `json:"delivered_twice"`
	DoublePicks    int `json:"double_picks"`
	Conflicts      int `json:"conflicts"`
	DuplicateDrops int `json:"duplicate_drops"`
	IllegalTrans   int `json:"illegal_transitions"`
	Checks         int `json:"checks"`
	// Recovery: real time from a SIGKILL to the new fleetd's ready.
	RecoveryMeanMS float64 `json:"recovery_mean_ms"`
	RecoveryMaxMS  float64 `json:"recovery_max_ms"`
	// FleetdExits: times fleetd ended by itself (started again).
	FleetdExits int `json:"fleetd_exits"`
	// Disk full: how, and what fleetd answered meanwhile.
	DiskMethod    string `json:"disk_method,omitempty"`
	FullRefused   int    `json:"full_refused,omitempty"`  // 503 naming the store
	FullAccepted  int    `json:"full_accepted,omitempty"` // 201 while full (then durable: checked)
	FullError     string `json:"full_error,omitempty"`    // the first refusal's message
	LinkStoppedAt string `json:"link_stopped_at,omitempty"`
	LinkBaseEnd   string `json:"link_base_end,omitempty"`
	// LinkFirstStateS: real time from the link's return to the first
	// state the broker relays from the shuttle.
	LinkFirstStateS float64 `json:"link_first_state_s,omitempty"`
	LinkContinuedS  float64 `json:"link_continued_s,omitempty"`
	// PickCutLaden: the shuttle whose link was cut while it picked came
	// back with the container aboard (it finished the pick unheard).
	PickCutLaden  bool     `json:"pick_cut_laden,omitempty"`
	StallResumedS float64  `json:"stall_resumed_s,omitempty"`
	WallS         float64  `json:"wall_s"`
	Violations    []string `json:"violations"`
	OK            bool     `json:"ok"`
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "chaos: %v\n", err)
		return 2
	}
	figs, err := chaos(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "chaos: %v\n", err)
		return 1
	}
	b, _ := json.Marshal(figs)
	fmt.Fprintln(stdout, string(b))
	if !figs.OK {
		return 1
	}
	return 0
}
