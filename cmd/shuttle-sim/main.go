// Command shuttle-sim runs simulated borderfleet shuttles that speak VDA
// 5050 2.0 over MQTT, each as its own MQTT client with its own last will,
// so that fleetd (or any master control) can drive them like real ones.
//
// SIGINT or SIGTERM stops it: every shuttle publishes OFFLINE and
// disconnects gracefully. SIGUSR1 makes every shuttle of the process
// break down where it is, driving or not (a FATAL error for a repair
// time around --breakdown-mttr, then it goes on): a stall on the road
// that a chaos run (e2e/chaos) sets off from outside.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/sim/agv"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// options are the parsed flags.
type options struct {
	broker, username, password    string
	credentials                   string
	tlsCA, tlsCert, tlsKey        string
	tlsInsecure                   bool
	iface, manufacturer, prefix   string
	shuttles                      int
	site, start, loads            string
	soc, scale, ambient, topSpeed float64
	handling, statePeriod         time.Duration
	visPeriod                     time.Duration
	mtbf, mttr, lossMTBF, outage  time.Duration
	seed                          int64
	logJSON, verbose, vendorKeys  bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("shuttle-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.broker, "broker", "tcp://127.0.0.1:1883", "MQTT broker URL (tcp://, ssl://, tls://, mqtts://, ws://, wss://)")
	fs.StringVar(&o.username, "username", "", "MQTT user name")
	fs.StringVar(&o.password, "password", "", "MQTT password (or env BORDERFLEET_MQTT_PASSWORD)")
	fs.StringVar(&o.credentials, "credentials", "", "credentials.json of fleetd mqtt acl: each shuttle logs in with its own account")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "PEM file of the CA to trust (default: the system's roots)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM client certificate")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM client key")
	fs.BoolVar(&o.tlsInsecure, "tls-insecure", false, "do not verify the broker's certificate (testing only)")
	fs.StringVar(&o.iface, "interface", vda5050.DefaultInterface, "VDA 5050 interface name (first topic level)")
	fs.StringVar(&o.manufacturer, "manufacturer", agv.DefaultManufacturer, "manufacturer in topics and headers")
	fs.IntVar(&o.shuttles, "shuttles", 1, "how many shuttles")
	fs.StringVar(&o.prefix, "serial-prefix", "shuttle-", "serial numbers are this plus two digits: shuttle-01, ...")
	fs.StringVar(&o.site, "site", "", "site GeoJSON file (default: the embedded "+geo.DefaultSiteName+")")
	fs.StringVar(&o.loads, "loads", "", "comma-separated ids of the loads aboard at start, one per shuttle in order, empty for none (with --start: shuttles in the place of those a fleet had)")
	fs.StringVar(&o.start, "start", "", "comma-separated start nodes, one per shuttle in order (default: parking spots of both centres in turn)")
	fs.Float64Var(&o.soc, "soc", agv.DefaultStartSoC, "state of charge at start, 0..1")
	fs.Float64Var(&o.scale, "time-scale", 1, "vehicle time per real time (60: a minute a second)")
	fs.Float64Var(&o.ambient, "ambient", -17, "ambient temperature in °C")
	fs.Float64Var(&o.topSpeed, "top-speed", agv.DefaultTopSpeedKmh, "top speed in km/h")
	fs.DurationVar(&o.handling, "handling", agv.DefaultHandling, "time to pick or drop a container (vehicle time)")
	fs.DurationVar(&o.statePeriod, "state-period", agv.DefaultStatePeriod, "state period while driving (real time)")
	fs.DurationVar(&o.visPeriod, "vis-period", agv.DefaultVisPeriod, "visualization period while driving (real time; negative: none)")
	fs.DurationVar(&o.mtbf, "breakdown-mtbf", 0, "mean time between random breakdowns per shuttle (vehicle time; 0: none)")
	fs.DurationVar(&o.mttr, "breakdown-mttr", agv.DefaultMTTR, "mean repair time (vehicle time)")
	fs.DurationVar(&o.lossMTBF, "link-loss-mtbf", 0, "mean time between random MQTT link losses per shuttle (vehicle time; 0: none)")
	fs.DurationVar(&o.outage, "link-outage", agv.DefaultLinkOutage, "mean link outage (vehicle time)")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the random faults")
	fs.BoolVar(&o.logJSON, "log-json", false, "log JSON lines instead of text")
	fs.BoolVar(&o.verbose, "v", false, "log debug messages")
	fs.BoolVar(&o.vendorKeys, "vendor-keys", false, "add keys fleetd does not know to every state, as third-party vehicles do")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.password == "" {
		o.password = os.Getenv("BORDERFLEET_MQTT_PASSWORD")
	}
	return o, nil
}

// run starts the shuttles and returns the exit status: 0 after a signal,
// 1 on a failure, 2 on a usage error.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "shuttle-sim: %v\n", err)
		return 2
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	var h slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	if o.logJSON {
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	}
	log := slog.New(h)
	slog.SetDefault(log)
	fleet, mq, err := build(o, log)
	if err != nil {
		fmt.Fprintf(stderr, "shuttle-sim: %v\n", err)
		return 1
	}
	logins, err := readLogins(o.credentials)
	if err != nil {
		fmt.Fprintf(stderr, "shuttle-sim: %v\n", err)
		return 1
	}
	f, err := agv.NewFleet(fleet, agv.MQTTDialAs(mq, logins, log), log)
	if err != nil {
		fmt.Fprintf(stderr, "shuttle-sim: %v\n", err)
		return 1
	}
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	defer signal.Stop(usr1)
	bctx, stopBreakdowns := context.WithCancel(ctx)
	defer stopBreakdowns()
	go breakdowns(bctx, usr1, vehiclesOf(f), log)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "shuttle-sim: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// build turns options into the fleet and broker configuration.
func build(o options, log *slog.Logger) (agv.FleetConfig, mqttbus.Config, error) {
	site, err := loadSite(o.site)
	if err != nil {
		return agv.FleetConfig{}, mqttbus.Config{}, err
	}
	mq := mqttbus.Config{URL: o.broker, ClientID: "shuttle-sim", Username: o.username, Password: o.password}
	if o.tlsCA != "" || o.tlsCert != "" || o.tlsKey != "" || o.tlsInsecure {
		if mq.TLS, err = mqttbus.TLSFiles(o.tlsCA, o.tlsCert, o.tlsKey, o.tlsInsecure); err != nil {
			return agv.FleetConfig{}, mqttbus.Config{}, err
		}
	}
	if err := mq.Validate(); err != nil {
		return agv.FleetConfig{}, mqttbus.Config{}, err
	}
	f := agv.FleetConfig{
		Shuttles:     o.shuttles,
		SerialPrefix: o.prefix,
		Vehicle: agv.Config{
			Manufacturer:        o.manufacturer,
			Interface:           o.iface,
			Site:                site,
			StartSoC:            o.soc,
			TopSpeedKmh:         o.topSpeed,
			Handling:            o.handling,
			AmbientC:            o.ambient,
			StatePeriod:         o.statePeriod,
			VisualizationPeriod: o.visPeriod,
			TimeScale:           o.scale,
			MTBF:                o.mtbf,
			MTTR:                o.mttr,
			LinkLossMTBF:        o.lossMTBF,
			LinkOutage:          o.outage,
			Seed:                o.seed,
			VendorKeys:          o.vendorKeys,
		},
	}
	if o.shuttles < 1 {
		return f, mq, fmt.Errorf("--shuttles %d: at least 1", o.shuttles)
	}
	if o.start != "" {
		f.StartNodes = strings.Split(o.start, ",")
	}
	if o.loads != "" {
		f.StartLoads = strings.Split(o.loads, ",")
	}
	if o.soc <= 0 || o.soc > 1 {
		return f, mq, fmt.Errorf("--soc %g: want 0 < soc <= 1", o.soc)
	}
	check := f.Vehicle
	check.SerialNumber = o.prefix + "01"
	if len(f.StartNodes) > 0 {
		check.StartNode = f.StartNodes[0]
	}
	if err := check.Validate(); err != nil {
		return f, mq, err
	}
	log.Info("shuttle-sim", "broker", o.broker, "shuttles", o.shuttles, "site", site.Name, "time_scale", o.scale)
	return f, mq, nil
}

func loadSite(path string) (*geo.Site, error) {
	if path == "" {
		return geo.Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := geo.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// readLogins reads the vehicles' accounts from a credentials.json that
// `fleetd mqtt acl` wrote, by client id; none for "".
func readLogins(path string) (map[string]agv.Login, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var acc vehicles.Accounts
	if err := json.Unmarshal(b, &acc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(acc.Vehicles) == 0 {
		return nil, fmt.Errorf("%s: no vehicle accounts", path)
	}
	out := map[string]agv.Login{}
	for _, v := range acc.Vehicles {
		out[v.Manufacturer+"-"+v.SerialNumber] = agv.Login{Username: v.Username, Password: v.Password}
	}
	return out, nil
}

// breaker is a vehicle that can be made to break down.
type breaker interface {
	Breakdown(repair time.Duration)
	Serial() string
}

func vehiclesOf(f *agv.Fleet) []breaker {
	var out []breaker
	for _, v := range f.Vehicles() {
		out = append(out, v)
	}
	return out
}

// breakdowns makes every vehicle break down (for a random repair time
// around the configured MTTR) each time a signal comes, until ctx ends.
func breakdowns(ctx context.Context, sig <-chan os.Signal, vs []breaker, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			for _, v := range vs {
				log.Warn("breakdown on signal", "serial", v.Serial())
				v.Breakdown(0)
			}
		}
	}
}
