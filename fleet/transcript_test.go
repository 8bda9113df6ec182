package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/require"
)

// Transcript tests, as etcd raft's testdata/: each file under
// testdata/transcripts is a scenario on the default site, written as
// blocks of events in, each followed by "----" and what came out of the
// Controller: the commands it sent, the moves' transitions and the
// shuttles' changes. The test replays the events and fails with a diff
// when the output differs; -update rewrites the output (fleet/README.md,
// "Transcripts", has the script's words).
//
// Values are printed through the fmt* functions below only, so that a
// change of a type in the package is a change of one line here.

func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "transcripts", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no transcripts")
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			want := string(data)
			if !strings.HasPrefix(want, "#") {
				t.Fatalf("%s: a transcript starts with a comment block that says what the scenario shows", path)
			}
			items := parseTranscript(want)
			tr := newTranscript(t, path)
			for i := range items {
				if items[i].input != nil {
					items[i].output = tr.run(items[i])
				}
			}
			got := renderTranscript(items)
			if got == want {
				return
			}
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				return
			}
			t.Errorf("%s is not what the Controller does now; if the change is meant, run\n"+
				"go test ./fleet -run TestTranscripts -update and review the diff:\n%s",
				path, unifiedDiff(path, "got", want, got))
		})
	}
}

// transcriptItem is a comment or blank line between blocks (input nil),
// or a block: its input lines and the output that follows "----".
type transcriptItem struct {
	text   string
	line   int // the block's first line, for errors
	input  []string
	output []string
}

// parseTranscript splits a transcript into comments and blocks. A block
// is input lines, then "----" and output lines, up to a blank line; a
// block with no "----" yet has no output.
func parseTranscript(data string) []transcriptItem {
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	var items []transcriptItem
	for i := 0; i < len(lines); {
		if l := lines[i]; strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			items = append(items, transcriptItem{text: l})
			i++
			continue
		}
		it := transcriptItem{line: i + 1}
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----"; i++ {
			it.input = append(it.input, lines[i])
		}
		if i < len(lines) && lines[i] == "----" {
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				it.output = append(it.output, lines[i])
			}
		}
		i++ // the blank line that ends the block
		items = append(items, it)
	}
	return items
}

// renderTranscript writes items back: every block is followed by a blank
// line unless it ends the file, and blank lines do not pile up.
func renderTranscript(items []transcriptItem) string {
	var b strings.Builder
	for i, it := range items {
		if it.input == nil {
			if strings.TrimSpace(it.text) == "" && strings.HasSuffix(b.String(), "\n\n") {
				continue
			}
			b.WriteString(it.text + "\n")
			continue
		}
		for _, l := range slices.Concat(it.input, []string{"----"}, it.output) {
			b.WriteString(l + "\n")
		}
		if i < len(items)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// transcript replays a script on the fleet tests' harness.
type transcript struct {
	t      *testing.T
	h      *harness
	site   *geo.Site
	places map[string]bool // the site's bays, parking spots, checkpoints and chargers
	path   string
	line   int      // of the input line being run
	ids    []string // the shuttles that joined, in order
}

func newTranscript(t *testing.T, path string) *transcript {
	site, err := geo.Default()
	require.NoError(t, err)
	places := map[string]bool{}
	for _, b := range site.Bays {
		places[b.ID] = true
	}
	for _, p := range site.Parking {
		places[p.ID] = true
	}
	for _, cp := range site.Checkpoints {
		places[cp.ID] = true
	}
	for _, st := range site.Stations {
		places[st.ID] = true
	}
	return &transcript{t: t, h: newHarness(t, "lookahead", nil), site: site, places: places, path: path}
}

// run replays a block's input and describes what came out.
func (tr *transcript) run(it transcriptItem) []string {
	before := tr.snapshot()
	tr.h.seen = nil
	var errs []string
	for k, line := range it.input {
		if strings.HasPrefix(line, "#") {
			continue
		}
		tr.line = it.line + k
		if err := tr.do(line); err != nil {
			errs = append(errs, "error: "+err.Error())
		}
	}
	var out []string
	if !tr.h.now.Equal(before.now) {
		out = append(out, "clock "+tr.h.now.Format("15:04:05"))
	}
	out = append(out, errs...)
	out = append(out, tr.changes(before)...)
	if len(out) == 0 {
		out = []string{"(nothing)"}
	}
	for i, l := range out { // an editor would strip it from the file
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
}

// fatalf stops the test at a line of the script it cannot run.
func (tr *transcript) fatalf(format string, args ...any) {
	tr.t.Helper()
	tr.t.Fatalf("%s:%d: %s", tr.path, tr.line, fmt.Sprintf(format, args...))
}

// send hands one event to the Controller; an error it returns is output.
func (tr *transcript) send(ev Event) error {
	rd, err := tr.h.c.Handle(tr.h.now, ev)
	cmds := rd.Commands
	tr.h.take(cmds)
	return err
}

// do runs one input line: a verb, its arguments, options ("by kz-7",
// "soc 25%", "precleared") and an optional reason after a colon.
func (tr *transcript) do(line string) error {
	head, reason, _ := strings.Cut(line, ":")
	reason = strings.TrimSpace(reason)
	f := strings.Fields(head)
	if len(f) == 0 {
		tr.fatalf("no verb")
	}
	verb, args := f[0], f[1:]
	// arg returns the first n arguments and the options after them, of names
	arg := func(n int, names ...string) ([]string, map[string]string) {
		if len(args) < n {
			tr.fatalf("%s takes %d arguments", verb, n)
		}
		return args[:n], tr.options(args[n:], names...)
	}
	h := tr.h
	switch verb {
	case "join": // join s1 kz-park-01 [soc 25%]
		a, o := arg(2, "soc")
		if soc, ok := o["soc"]; ok {
			h.soc[a[0]] = tr.percent(soc)
		}
		err := tr.send(ShuttleJoined{Shuttle: a[0], Node: a[1], SoC: h.socOf(a[0])})
		if err == nil {
			tr.ids = append(tr.ids, a[0])
		}
		return err
	case "move": // move m1 CSQU3054383 kz-bay-03 -> cn-bay-07 [precleared] [priority 2]
		a, o := arg(5, "precleared", "priority")
		if a[3] != "->" {
			tr.fatalf("want move <id> <container> <from> -> <to>")
		}
		req := request(a[0], a[1], a[2], a[4], false)
		_, req.PreCleared = o["precleared"]
		if p, ok := o["priority"]; ok {
			req.Priority = tr.number(p)
		}
		return tr.send(req)
	case "drive": // drive s1: report every node granted, 2 s apart
		a, _ := arg(1)
		h.drive(a[0])
	case "finish": // finish s1 pick|drop|charge [soc 80%]: 5 minutes later
		a, o := arg(2, "soc")
		id := a[0]
		cmd, ok := h.actions[id]
		if !ok {
			tr.fatalf("%s has no action to finish", id)
		}
		if w := actionWord(cmd); w != a[1] {
			tr.fatalf("%s was asked to %s, not to %s", id, w, a[1])
		}
		if soc, ok := o["soc"]; ok {
			h.soc[id] = tr.percent(soc)
		}
		h.finish(id)
	case "tick": // tick [+30s]
		var d time.Duration
		if len(args) > 1 {
			tr.fatalf("tick takes at most a duration")
		} else if len(args) == 1 {
			var err error
			if d, err = time.ParseDuration(strings.TrimPrefix(args[0], "+")); err != nil {
				tr.fatalf("tick: %v", err)
			}
		}
		h.wait(d)
	case "customs": // customs kz-bakhty-out m1 inspect [by kz-7] [as CN] [: reason]
		a, o := arg(3, "by", "as")
		return tr.send(tr.decision(a, o, reason))
	case "cancel": // cancel m1 [by op-anna] [: reason]
		a, o := arg(1, "by")
		return tr.send(CancelRequested{Move: a[0], By: o["by"], Reason: reason})
	default:
		a, _ := arg(1)
		return tr.send(tr.request(verb, a[0], reason))
	}
	return nil
}

// request makes an operator's request about a shuttle, or a vehicle's
// report of a fault or its repair.
func (tr *transcript) request(verb, id, reason string) Event {
	switch verb {
	case "charge":
		return ChargeRequested{Shuttle: id}
	case "park":
		return ParkRequested{Shuttle: id}
	case "pause":
		return PauseRequested{Shuttle: id}
	case "resume":
		return ResumeRequested{Shuttle: id}
	case "emergency-stop":
		return EmergencyStopRequested{Shuttle: id}
	case "emergency-release":
		return EmergencyReleaseRequested{Shuttle: id}
	case "fault": // fault s1 [: reason]
		return FaultReported{Shuttle: id, Reason: reason}
	case "repaired":
		return FaultCleared{Shuttle: id}
	}
	tr.fatalf("unknown verb %q", verb)
	return nil
}

// decision makes a customs decision at a checkpoint by an officer of its
// country, or of the country given with "as".
func (tr *transcript) decision(a []string, o map[string]string, reason string) CustomsDecision {
	ev := CustomsDecision{Checkpoint: a[0], Move: a[1], Officer: o["by"], Reason: reason, Country: o["as"]}
	for _, cp := range tr.site.Checkpoints {
		if cp.ID == a[0] && ev.Country == "" {
			ev.Country = cp.Country
		}
	}
	switch a[2] {
	case "release":
		ev.Decision = DecisionRelease
	case "inspect":
		ev.Decision = DecisionInspect
	case "refuse":
		ev.Decision = DecisionRefuse
	default:
		tr.fatalf("customs decision %q: want release, inspect or refuse", a[2])
	}
	return ev
}

// options reads the options after a verb's arguments, each one of names:
// "precleared" stands alone, any other takes the next word as its value.
func (tr *transcript) options(args []string, names ...string) map[string]string {
	o := map[string]string{}
	for i := 0; i < len(args); i++ {
		switch name := args[i]; {
		case len(names) == 0:
			tr.fatalf("unexpected %q", name)
		case !slices.Contains(names, name):
			tr.fatalf("unknown option %q (want one of %s)", name, strings.Join(names, ", "))
		case name == "precleared":
			o[name] = ""
		case i+1 < len(args):
			o[name] = args[i+1]
			i++
		default:
			tr.fatalf("option %q needs a value", name)
		}
	}
	return o
}

func (tr *transcript) percent(s string) float64 {
	return float64(tr.number(strings.TrimSuffix(s, "%"))) / 100
}

func (tr *transcript) number(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		tr.fatalf("%q is not a number", s)
	}
	return n
}

// transcriptSnap is what a block's output is measured against.
type transcriptSnap struct {
	now      time.Time
	shuttles map[string][2]string // id -> its state, and the rest of fmtShuttle
	history  map[string]int       // move id -> entries in its history
}

func (tr *transcript) snapshot() transcriptSnap {
	s := transcriptSnap{now: tr.h.now, shuttles: map[string][2]string{}, history: map[string]int{}}
	for _, id := range tr.ids {
		s.shuttles[id] = tr.fmtShuttle(id)
	}
	for _, m := range tr.h.c.Moves() {
		s.history[m.ID] = len(m.History)
	}
	return s
}

// changes describes what came out since before: the commands, by shuttle
// (a shuttle's own in the order sent), the moves' new history entries, in
// the moves' order, and the shuttles that changed, by id.
func (tr *transcript) changes(before transcriptSnap) []string {
	out := tr.fmtCommands(tr.h.seen)
	for _, m := range tr.h.c.Moves() {
		n, seen := before.history[m.ID]
		if !seen {
			out = append(out, fmtNewMove(m))
		}
		for _, t := range m.History[n:] {
			out = append(out, fmtTransition(m.ID, t))
		}
	}
	for _, id := range slices.Sorted(slices.Values(tr.ids)) {
		now, was := tr.fmtShuttle(id), before.shuttles[id]
		switch {
		case was[0] == "":
			out = append(out, fmt.Sprintf("%s new: %s %s", id, now[0], now[1]))
		case now[0] != was[0]:
			out = append(out, fmt.Sprintf("%s %s -> %s %s", id, was[0], now[0], now[1]))
		case now[1] != was[1]:
			out = append(out, fmt.Sprintf("%s %s %s", id, now[0], now[1]))
		}
	}
	return out
}

// fmtShuttle says a shuttle's state, and then what it is doing, where it
// stands, where it is bound if it is on its way, and its charge.
func (tr *transcript) fmtShuttle(id string) [2]string {
	st, soc, _ := tr.h.c.ShuttleState(id)
	p, _ := tr.h.c.Traffic().Position(id)
	s := fmt.Sprintf("(%s) at %s", tr.h.c.Activity(id), p.At)
	if !p.Arrived {
		s += " for " + p.Goal
	}
	return [2]string{fmt.Sprint(st), s + ", soc " + fmtPercent(soc)}
}

// driveRun is a run of drive commands to one shuttle, each extending the
// last, printed as one line.
type driveRun struct {
	last   Command // the last of the run, with its action if any
	from   int
	grants int
	nodes  []string // the nodes granted, in order
}

// fmtCommands prints commands, a shuttle's own in the order sent. A run
// of drives, each going on from where the last ended, is one line: where
// its authority ends and the places on the way (fmtDrive).
func (tr *transcript) fmtCommands(cmds []Command) []string {
	cmds = slices.Clone(cmds)
	slices.SortStableFunc(cmds, func(a, b Command) int { return strings.Compare(a.Shuttle, b.Shuttle) })
	var out []string
	var run *driveRun
	flush := func() {
		if run != nil {
			out = append(out, "> "+tr.fmtDrive(*run))
			run = nil
		}
	}
	for _, c := range cmds {
		if c.Kind != CmdDrive {
			flush()
			out = append(out, fmt.Sprintf("> %s %s", c.Shuttle, c.Kind))
			continue
		}
		if run == nil || run.last.Shuttle != c.Shuttle || run.last.To != c.From || run.last.Action != "" {
			flush()
			run = &driveRun{from: c.From}
		}
		run.last = c
		run.grants++
		for k := 1; k < len(c.Steps); k += 2 { // steps alternate edge, node
			run.nodes = append(run.nodes, c.Steps[k])
		}
	}
	flush()
	return out
}

// fmtDrive prints a run of drives: the global steps it grants, the node
// its authority ends at, the site's places (bays, parking, checkpoints,
// chargers) it passes on the way, the action at its end and, if more
// than one, how many drive commands it took.
func (tr *transcript) fmtDrive(r driveRun) string {
	c := r.last
	s := fmt.Sprintf("%s drive %d..%d", c.Shuttle, r.from, c.To)
	if n := len(r.nodes); n > 0 {
		s += " to " + r.nodes[n-1]
		var via []string
		for _, id := range r.nodes[:n-1] {
			if tr.places[id] {
				via = append(via, id)
			}
		}
		if len(via) > 0 {
			s += " via " + strings.Join(via, " ")
		}
	}
	if c.Action != "" {
		s += ", then " + fmtAction(c)
	}
	if r.grants > 1 {
		s += fmt.Sprintf(" (%d commands)", r.grants)
	}
	return s
}

// fmtAction prints the action at the end of a drive.
func fmtAction(c Command) string {
	if actionWord(c) == "charge" {
		return fmt.Sprintf("%s to %s", c.Action, fmtPercent(c.TargetSoC))
	}
	return fmt.Sprintf("%s %s", c.Action, c.Container)
}

// actionWord is what a shuttle reports when it finished a command's
// action: pick, drop or charge.
func actionWord(c Command) string {
	if w := fmt.Sprint(c.Action); w != "startCharging" {
		return w
	}
	return "charge"
}

func fmtNewMove(m *Move) string {
	s := fmt.Sprintf("%s new: %s %s -> %s", m.ID, m.Container, m.Origin, m.Destination)
	if m.PreCleared {
		s += ", pre-cleared"
	}
	return s
}

// fmtTransition prints one entry of a move's history: a change of state,
// a customs decision or a note.
func fmtTransition(move string, t MoveTransition) string {
	switch {
	case t.Changed():
		return fmt.Sprintf("%s %s -> %s: %s", move, t.From, t.To, t.Cause)
	case t.Event != "":
		return fmt.Sprintf("%s note %s: %s", move, t.Event, t.Cause)
	}
	return fmt.Sprintf("%s decision %s: %s", move, t.Decision, t.Cause)
}

func fmtPercent(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }
