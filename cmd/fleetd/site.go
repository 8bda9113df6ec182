package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/geo/sitegen"
	"github.com/borderfleet/borderfleet/routing"
)

func runSite(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "fleetd site: want a subcommand, check, export, route or generate\n\n%s", groupHelp("site"))
		return 2
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, groupHelp("site"))
		return 0
	}
	switch args[0] {
	case "check":
		return siteCheck(args[1:], stdout, stderr)
	case "export":
		return siteExport(args[1:], stdout, stderr)
	case "route":
		return siteRoute(args[1:], stdout, stderr)
	case "generate":
		return siteGenerate(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "fleetd site: unknown subcommand %q (want check, export, route or generate)\n", args[0])
		return 2
	}
}

func siteCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("site check", stderr)
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	name, site, code := loadSite(fs.Arg(0), stderr)
	if site == nil {
		return code
	}
	printSummary(stdout, name, site.Summary())
	return 0
}

func siteExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("site export", stderr)
	out := fs.String("o", "", "write to this `file` instead of standard output")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	_, site, code := loadSite(fs.Arg(0), stderr)
	if site == nil {
		return code
	}
	data, err := site.Export()
	if err != nil {
		fmt.Fprintf(stderr, "fleetd: %v\n", err)
		return 1
	}
	return writeOut(*out, data, "export", stdout, stderr)
}

// writeOut writes data to the file named by -o, or to stdout when there
// is none; what names the data in an error.
func writeOut(out string, data []byte, what string, stdout, stderr io.Writer) int {
	var err error
	if out == "" {
		_, err = stdout.Write(data)
	} else {
		err = os.WriteFile(out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleetd: write %s: %v\n", what, err)
		return 1
	}
	return 0
}

func siteGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("site generate", stderr)
	seed := fs.Int64("seed", 0, "the seed the site is drawn from (required)")
	out := fs.String("o", "", "write to this `file` instead of standard output")
	var o sitegen.Options
	fs.IntVar(&o.Bays, "bays", 0, "yard bays per centre (0: drawn, 2 to 20)")
	fs.IntVar(&o.Parking, "parking", 0, "parking spots per centre (0: drawn, 4 to 60)")
	fs.IntVar(&o.Checkpoints, "checkpoints", 0, "stop lines per country and direction (0: drawn, 1 to 3)")
	fs.Float64Var(&o.DistanceM, "distance", 0, "metres of road between the centres (0: drawn, 500 to 15000)")
	yard := fs.String("yard", "", "yard layout, ring or rows (default: drawn for each centre)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	if fs.NArg() > 0 || !seedSet {
		if !seedSet {
			fmt.Fprintln(stderr, "fleetd site generate: --seed is required")
		}
		fs.Usage()
		return 2
	}
	o.Yard = sitegen.YardLayout(*yard)
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "fleetd: %v\n", err)
		return 2
	}
	_, data, err := sitegen.Generate(*seed, o)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd: %v\n", err)
		return 1
	}
	return writeOut(*out, data, "site", stdout, stderr)
}

// loadSite reads and validates a site file, or the embedded default when
// path is empty. On failure it prints every problem and returns the exit
// status.
func loadSite(path string, stderr io.Writer) (string, *geo.Site, int) {
	name, data := "embedded default site ("+geo.DefaultSiteName+")", geo.DefaultGeoJSON()
	if path != "" {
		var err error
		name = path
		if data, err = os.ReadFile(path); err != nil {
			fmt.Fprintf(stderr, "fleetd: %v\n", err)
			return name, nil, 1
		}
	}
	site, err := geo.Load(data)
	var verr *geo.ValidationError
	switch {
	case errors.As(err, &verr):
		fmt.Fprintf(stderr, "%s: invalid site, %d problem(s):\n", name, len(verr.Problems))
		for _, p := range verr.Problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return name, nil, 1
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return name, nil, 1
	}
	return name, site, 0
}

func printSummary(w io.Writer, name string, s geo.Summary) {
	fmt.Fprintf(w, "%s: valid\n", name)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(w, "  %-15s "+format+"\n", append([]any{k + ":"}, args...)...)
	}
	row("site", "%s", s.Name)
	row("map id", "%s", s.MapID)
	row("origin", "%.6f N, %.6f E", s.Origin.Lat(), s.Origin.Lon())
	row("zones", "%d", s.Zones)
	row("centres", "%d", s.Centres)
	row("bays", "%d (%d yard, %d inspection)", s.YardBays+s.InspectionBays, s.YardBays, s.InspectionBays)
	row("lanes", "%d, %.2f lane-km", s.Lanes, s.LaneKm)
	row("checkpoints", "%d", s.Checkpoints)
	row("chargers", "%d in %d station(s)", s.Chargers, s.Stations)
	row("parking spots", "%d", s.ParkingSpots)
	row("lane graph", "%d nodes, %d links", s.Nodes, s.Links)
	row("bounding box", "%.6f,%.6f to %.6f,%.6f (lon,lat)", s.Bound.Min.Lon(), s.Bound.Min.Lat(), s.Bound.Max.Lon(), s.Bound.Max.Lat())
	fmt.Fprintf(w, "  %-15s x %.0f to %.0f m, y %.0f to %.0f m (local frame)\n", "", s.BoundXY.Min[0], s.BoundXY.Max[0], s.BoundXY.Min[1], s.BoundXY.Max[1])
	var drives []string
	for _, d := range s.Drives {
		if d.OK {
			drives = append(drives, fmt.Sprintf("%s -> %s %.2f km", d.From, d.To, d.Metres/1000))
		} else {
			drives = append(drives, fmt.Sprintf("%s -> %s no path", d.From, d.To))
		}
	}
	row("shortest drive", "%s", strings.Join(drives, ", "))
}

func siteRoute(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("site route", stderr)
	file := fs.String("site", "", "site `file` (default: the embedded default site)")
	speed := fs.Float64("max-speed", 0, "the vehicle's top speed in km/h (0: the lanes' limits only)")
	var closed stringList
	fs.Var(&closed, "close", "close a `lane` or link (lane#n) to the route (repeatable)")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	_, site, code := loadSite(*file, stderr)
	if site == nil {
		return code
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		fmt.Fprintf(stderr, "fleetd: %v\n", err)
		return 1
	}
	for _, c := range closed {
		if err := g.Close(c); err != nil {
			fmt.Fprintf(stderr, "fleetd: %v\n", err)
			return 1
		}
	}
	r, err := g.Route(fs.Arg(0), fs.Arg(1), routing.Limits{MaxSpeed: *speed / 3.6})
	if err != nil {
		fmt.Fprintf(stderr, "fleetd: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s -> %s: %.0f m, %s, %d nodes, %d edges\n", fs.Arg(0), fs.Arg(1), r.Length, r.Duration.Round(time.Second), len(r.Nodes), len(r.Edges))
	var places []string
	for _, n := range r.Nodes {
		if i, ok := g.Node(n); ok && g.Nodes[i].Place != "" {
			places = append(places, n)
		}
	}
	fmt.Fprintf(stdout, "  via places: %s\n", strings.Join(places, ", "))
	return 0
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
