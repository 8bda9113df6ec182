// Command fleetd is the borderfleet daemon: it drives VDA 5050 vehicles
// over MQTT (fleetd run), runs the demo (fleetd demo), simulates fleet
// days (fleetd sim) and checks, exports, routes on and generates site
// files.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `fleetd: the borderfleet fleet controller

Usage:
  fleetd site check [FILE]          validate a site file (default: the embedded
                                    Baqty–Pokitu site) and print its summary
  fleetd site export [-o OUT] [FILE]
                                    write the site and its derived lane graph
                                    as GeoJSON (to stdout, or OUT)
  fleetd site route [-site FILE] [-max-speed KMH] [-close LANE]... FROM TO
                                    the fastest route between two nodes
                                    (bays, stop lines, parking spots, ...)
  fleetd site generate --seed N [-o OUT] [--bays N] [--parking N]
            [--checkpoints N] [--distance M] [--yard ring|rows]
                                    draw a random valid site from a seed
                                    (same seed, same file) as GeoJSON
  fleetd sim [--shuttles N] [--hours H] [--policy lookahead|greedy]
            [--charging opportunity|threshold] [--seed S] [--drain D]
            [--scenario FILE] [--site FILE] [--json] [--report DIR]
                                    simulate a fleet day on a virtual clock
                                    and report throughput against its bound;
                                    --drain: stop demand at the end and report
                                    whether every move and shuttle came to
                                    rest within D; --report: a folder with the
                                    summary, events, time series, plots and
                                    index.html; a scenario with a "sweep" runs
                                    once per value and plots the figures
                                    against it
  fleetd sim compare [--report DIR] RUN RUN...
                                    put runs (report folders or summary JSON
                                    files) side by side with their ratios;
                                    --report: with overlaid plots
  fleetd run [--config FILE] [--broker URL] [--site FILE] [--auto-admit]
           [--store redis://HOST:PORT/DB | bolt:PATH] [--owner NAME]
           [--tokens FILE] [--audit-key FILE]
                                    drive VDA 5050 vehicles over MQTT (an
                                    embedded broker when no URL is given),
                                    keeping state in the store; several
                                    instances on one Redis fail over
  fleetd demo [--shuttles N] [--time-scale X] [--moves-per-hour R]
            [--no-officers] [--duration D] [--broker URL] [--store URL]
                                    fleetd with an embedded broker, simulated
                                    shuttles over MQTT and steady demand
  fleetd history --store URL [--shuttles N] [--duration D] [--config FILE]
            [--moves-per-hour R] [--time-scale X]
                                    write a fleet's history into a new store at
                                    full speed: fleetd's core on a virtual
                                    clock with simulated shuttles and the
                                    demo's traffic (journal, audit log,
                                    snapshots, compaction as configured), for
                                    recovery and failover measurements
  fleetd mqtt acl --config FILE -o DIR
                                    one broker account per roster vehicle and
                                    one for fleetd: a Mosquitto password file
                                    and ACL (each vehicle publishes and reads
                                    only its own topics) and the passwords
  fleetd audit-key -o FILE          make the deployment's Ed25519 key that signs
                                    the audit exports for customs (PKCS#8 PEM,
                                    mode 0600, never overwritten) and print its
                                    public key and key id; name it in the
                                    configuration as "audit_key" (or --audit-key)
  fleetd audit-key FILE             print the public key of an existing one
  fleetd help                       show this help

Exit status: 0 on success, 1 when a site or scenario is invalid or a file
cannot be read or written, 2 on a usage error, 3 when a simulated run broke
a safety promise (conflict, depletion, deadlock, lost or duplicate move,
illegal transition).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "site":
		return runSite(args[1:], stdout, stderr)
	case "sim":
		return runSim(args[1:], stdout, stderr)
	case "run":
		return runDaemon(args[1:], stdout, stderr)
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "history":
		return runHistory(args[1:], stdout, stderr)
	case "mqtt":
		return runMQTT(args[1:], stdout, stderr)
	case "audit-key":
		return runAuditKey(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "fleetd: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
