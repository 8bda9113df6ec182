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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	if args[0] == "__complete" {
		return complete(stdout, args[1:]) // for the completion scripts
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
	case "bench":
		return runBench(args[1:], stdout, stderr)
	case "history":
		return runHistory(args[1:], stdout, stderr)
	case "mqtt":
		return runMQTT(args[1:], stdout, stderr)
	case "audit-key":
		return runAuditKey(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(args[1:], stdout, stderr)
	case "help":
		return runHelp(args[1:], stdout, stderr)
	case "completion":
		return runCompletion(args[1:], stdout, stderr)
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	default:
		fmt.Fprintf(stderr, "fleetd: unknown command %q\n\n%s", args[0], usage())
		return 2
	}
}
