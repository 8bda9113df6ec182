package routing

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/paulmach/orb"
)

// fatalfer is what both *testing.T and *rapid.T offer.
type fatalfer interface {
	Fatalf(format string, args ...any)
	Helper()
}

// fleetSim drives shuttles over a Traffic in logical ticks, as a stand-in
// for real vehicles: each tick a shuttle that is not stopped drives one node
// further if it has been granted it. It checks the safety invariants after
// every tick and reports a deadlock when nothing can move for long.
type fleetSim struct {
	t         fatalfer
	tr        *Traffic
	rng       *rand.Rand
	goals     []string       // where shuttles may be sent
	ids       []string       // shuttle ids
	legs      map[string]int // legs still to drive
	stopUntil map[string]int // a stopped shuttle waits until this tick
	stopProb  float64
	holds     []string // stop lines: a route through one waits there
	divert    float64  // chance per tick that a held shuttle is re-routed instead of released
	lend      float64  // chance that a stop is a breakdown: the shuttle lends its grant (Lend) and reclaims it to go on
	lent      int
	// reclaimWait counts the ticks a stilled shuttle has waited to reclaim
	reclaimWait map[string]int
	diverted    int
	overtakes   int
	tick        int
	moves       int
	planFails   int
}

func newFleetSim(t fatalfer, tr *Traffic, rng *rand.Rand, starts, goals []string, legs int, stopProb float64) *fleetSim {
	f := &fleetSim{t: t, tr: tr, rng: rng, goals: goals, legs: map[string]int{}, stopUntil: map[string]int{}, stopProb: stopProb,
		reclaimWait: map[string]int{}}
	for i, at := range starts {
		id := fmt.Sprintf("s%03d", i)
		if err := tr.Place(id, at); err != nil {
			t.Fatalf("place %s at %s: %v", id, at, err)
		}
		f.ids = append(f.ids, id)
		f.legs[id] = legs
	}
	return f
}

// run ticks until every shuttle has driven its legs, failing on a broken
// invariant, a deadlock, or after maxTicks.
func (f *fleetSim) run(maxTicks int) {
	f.t.Helper()
	stalled := 0
	for f.tick = 0; f.tick < maxTicks; f.tick++ {
		if f.finished() {
			return
		}
		moved, stopped := f.step()
		f.check()
		if moved || stopped {
			stalled = 0
			continue
		}
		if stalled++; stalled > 200 {
			f.t.Fatalf("deadlock at tick %d: nothing moved for 200 ticks\n%s", f.tick, f.dump())
		}
	}
	f.t.Fatalf("not every shuttle arrived within %d ticks\n%s", maxTicks, f.dump())
}

func (f *fleetSim) finished() bool {
	for _, id := range f.ids {
		p, _ := f.tr.Position(id)
		if f.legs[id] > 0 || !p.Arrived || f.atHold(id) {
			return false
		}
	}
	return true
}

// step moves every shuttle once; it reports whether any moved or is
// stopped on purpose.
func (f *fleetSim) step() (moved, stopped bool) {
	order := slices.Clone(f.ids)
	f.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, id := range order {
		if f.tick < f.stopUntil[id] {
			stopped = true
			continue
		}
		if f.tr.Stilled(id) {
			ok, err := f.tr.Reclaim(id)
			if err != nil {
				f.t.Fatalf("reclaim %s: %v", id, err)
			}
			if !ok {
				// those that passed over its lent grant are still on it;
				// they were granted past it, so they drive off it soon
				if f.reclaimWait[id]++; f.reclaimWait[id] > 1000 {
					f.t.Fatalf("tick %d: %s has waited %d ticks to reclaim what it lent\n%s", f.tick, id, f.reclaimWait[id], f.dump())
				}
				stopped = true
				continue
			}
			f.reclaimWait[id] = 0
		}
		if f.atHold(id) {
			stopped = true
		}
		p, _ := f.tr.Position(id)
		if p.Arrived {
			if f.legs[id] > 0 && f.plan(id) {
				f.legs[id]--
				moved = true
			}
			continue
		}
		if f.atHold(id) {
			moved = f.decide(id) || moved
			continue
		}
		if _, err := f.tr.Grant(id); err != nil {
			f.t.Fatalf("grant %s: %v", id, err)
		}
		p, _ = f.tr.Position(id)
		if p.Granted == p.AtStep && f.rng.Float64() < 0.03 && f.tr.Overtake(id) {
			f.overtakes++
			f.tr.Grant(id)
			p, _ = f.tr.Position(id)
		}
		if p.Granted > p.AtStep {
			if err := f.tr.Progress(id, p.AtStep+2); err != nil {
				f.t.Fatalf("progress %s: %v", id, err)
			}
			moved = true
			f.moves++
			if f.rng.Float64() < f.stopProb {
				f.stopUntil[id] = f.tick + 1 + f.rng.Intn(40)
				if f.rng.Float64() < f.lend {
					if err := f.tr.Lend(id); err != nil {
						f.t.Fatalf("lend %s: %v", id, err)
					}
					f.lent++
				}
			}
		}
	}
	return moved, stopped
}

// atHold reports whether a shuttle stands at a hold it may not pass.
func (f *fleetSim) atHold(id string) bool {
	s := f.tr.shuttles[id]
	return s.at == s.granted && s.step(s.at).hold && s.at < s.last()
}

// decide plays customs at a stop line: most shuttles are released after a
// while, some are re-routed from there (inspection or refusal). A re-route
// that cannot be made now is tried again later.
func (f *fleetSim) decide(id string) bool {
	switch r := f.rng.Float64(); {
	case r < f.divert:
		if f.plan(id) {
			f.diverted++
			return true
		}
	case r < f.divert+0.2:
		s := f.tr.shuttles[id]
		if err := f.tr.ClearHold(id, f.tr.g.Nodes[s.step(s.at).node].ID); err != nil {
			f.t.Fatalf("clear hold of %s: %v", id, err)
		}
		return true
	}
	return false
}

// plan sends a shuttle to a random goal, trying a few.
func (f *fleetSim) plan(id string) bool {
	for try := 0; try < 5; try++ {
		goal := f.goals[f.rng.Intn(len(f.goals))]
		if p, _ := f.tr.Position(id); p.At == goal {
			continue
		}
		_, err := f.tr.Plan(id, goal, PlanOptions{Holds: f.holds})
		if err == nil {
			return true
		}
		if !errors.Is(err, ErrBlocked) && !errors.Is(err, ErrNoRoute) {
			f.t.Fatalf("plan %s to %s: %v", id, goal, err)
		}
		f.planFails++
	}
	return false
}

// check verifies the safety invariants.
func (f *fleetSim) check() {
	f.t.Helper()
	tr := f.tr
	at := map[int][]string{}
	for _, id := range f.ids {
		s := tr.shuttles[id]
		n := s.step(s.at).node
		at[n] = append(at[n], id)
	}
	for n, ids := range at {
		if len(ids) > tr.res[n].capacity {
			f.t.Fatalf("tick %d: shuttles %v stand on node %s at once", f.tick, ids, tr.g.Nodes[n].ID)
		}
	}
	dirs := map[string]map[bool]map[string]bool{} // two-way link -> direction -> holders
	for ri := range tr.res {
		r := &tr.res[ri]
		// a stilled shuttle's grant beyond where it stands is lent: it
		// does not drive there until it has reclaimed it
		holders := 0
		var holding []*visit
		for i, v := range r.queue {
			if !v.granted || tr.lent(v) {
				continue
			}
			holders++
			holding = append(holding, v)
			ahead := 0
			for _, u := range r.queue[:i] {
				if u.s != v.s && !tr.lent(u) {
					ahead++
				}
			}
			if ahead >= r.capacity {
				f.t.Fatalf("tick %d: %s granted to %s behind %d others", f.tick, tr.resName(ri), v.s.id, ahead)
			}
			st := v.s.step(v.step)
			if st.edge >= 0 && tr.g.Blocks[tr.g.Edges[st.edge].Resource].TwoWay {
				e := tr.g.Edges[st.edge]
				if dirs[e.Link] == nil {
					dirs[e.Link] = map[bool]map[string]bool{false: {}, true: {}}
				}
				dirs[e.Link][e.Reverse][v.s.id] = true
			}
		}
		if holders > r.capacity && !sameShuttle(holding) {
			f.t.Fatalf("tick %d: %s held by %d shuttles", f.tick, tr.resName(ri), holders)
		}
	}
	for link, d := range dirs {
		for a := range d[false] {
			for b := range d[true] {
				if a != b {
					f.t.Fatalf("tick %d: two-way link %s held both ways, by %s and %s", f.tick, link, a, b)
				}
			}
		}
	}
	// the gap: nobody stands within the clearance behind a shuttle on its path
	for _, id := range f.ids {
		s := tr.shuttles[id]
		here := s.step(s.at)
		for j := s.released; j < s.at; j++ {
			st := s.step(j)
			if st.node < 0 || st.end+tr.clearance <= here.end || tr.res[st.res].capacity > 1 {
				continue
			}
			for _, other := range at[st.node] {
				if other != id {
					f.t.Fatalf("tick %d: %s stands at %s, %.1f m behind %s (clearance %.1f m)",
						f.tick, other, tr.g.Nodes[st.node].ID, here.end-st.end, id, tr.clearance)
				}
			}
		}
	}
}

func (f *fleetSim) dump() string {
	var b strings.Builder
	for _, id := range f.ids {
		p, _ := f.tr.Position(id)
		fmt.Fprintf(&b, "  %s at %s (step %d), authority %s (step %d), goal %s, legs left %d, stopped until %d",
			id, p.At, p.AtStep, p.Authority, p.Granted, p.Goal, f.legs[id], f.stopUntil[id])
		s := f.tr.shuttles[id]
		if s.granted < s.last() {
			fmt.Fprintf(&b, "; %s", f.tr.WaitsFor(id))
		}
		for _, k := range []int{s.granted + 1, s.granted + 2} {
			if k > s.last() {
				break
			}
			st := s.step(k)
			q := f.tr.res[st.res].queue
			if i := slices.Index(q, st.v); i > 0 {
				ahead := q[0]
				fmt.Fprintf(&b, "; waits for %s behind %s (step %d, granted %v)", f.tr.resName(st.res), ahead.s.id, ahead.step, ahead.granted)
				break
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// restingPlaces lists the site's lay-by places, where a shuttle may stand
// without blocking a through lane.
func restingPlaces(s *geo.Site) []string {
	var out []string
	for _, b := range s.Bays {
		out = append(out, b.ID)
	}
	for _, p := range s.Parking {
		out = append(out, p.ID)
	}
	for _, c := range s.Stations {
		out = append(out, c.ID)
	}
	return out
}

// gridSite generates a square grid of two-way lanes, n by n junctions
// spacing metres apart, with a small centre and bay at two corners. With
// laybys, every cell gets a one-way parking lay-by along its south side,
// 0.3 spacing off the row (spacing must then be 40 m or more).
func gridSite(n int, spacing float64, laybys bool) (*geo.Site, error) {
	origin := orb.Point{82.8, 46.68}
	fr := geo.NewFrame(origin)
	ll := func(x, y float64) string {
		p := fr.ToWGS84(orb.Point{x, y})
		return fmt.Sprintf("[%.9f,%.9f]", p[0], p[1])
	}
	var feats []string
	add := func(geom, props string) {
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":%s}`, geom, props))
	}
	add(fmt.Sprintf(`{"type":"Point","coordinates":%s}`, ll(0, 0)), `{"kind":"site","id":"grid","name":"grid","map_id":"grid"}`)
	for i := 0; i < n; i++ {
		var row, col []string
		for j := 0; j < n; j++ {
			row = append(row, ll(float64(j)*spacing, float64(i)*spacing))
			col = append(col, ll(float64(i)*spacing, float64(j)*spacing))
		}
		add(`{"type":"LineString","coordinates":[`+strings.Join(row, ",")+`]}`,
			fmt.Sprintf(`{"kind":"lane","id":"row%d","direction":"two-way","speed_limit_kmh":20}`, i))
		add(`{"type":"LineString","coordinates":[`+strings.Join(col, ",")+`]}`,
			fmt.Sprintf(`{"kind":"lane","id":"col%d","direction":"two-way","speed_limit_kmh":20}`, i))
	}
	if laybys {
		for i := 0; i < n-1; i++ {
			for j := 0; j < n-1; j++ {
				x, y, d := float64(j)*spacing, float64(i)*spacing, spacing
				path := strings.Join([]string{ll(x, y), ll(x+0.2*d, y+0.3*d), ll(x+0.8*d, y+0.3*d), ll(x+d, y)}, ",")
				add(`{"type":"LineString","coordinates":[`+path+`]}`,
					fmt.Sprintf(`{"kind":"lane","id":"lay%d-%d","direction":"one-way","speed_limit_kmh":10}`, i, j))
				add(fmt.Sprintf(`{"type":"Point","coordinates":%s}`, ll(x+0.5*d, y+0.3*d)),
					fmt.Sprintf(`{"kind":"parking","id":"park%d-%d"}`, i, j))
			}
		}
	}
	far := float64(n-1) * spacing
	for k, c := range []orb.Point{{0, 0}, {far, far}} {
		h := spacing / 2
		ring := []string{ll(c[0]-h, c[1]-h), ll(c[0]+h, c[1]-h), ll(c[0]+h, c[1]+h), ll(c[0]-h, c[1]+h), ll(c[0]-h, c[1]-h)}
		add(`{"type":"Polygon","coordinates":[[`+strings.Join(ring, ",")+`]]}`,
			fmt.Sprintf(`{"kind":"centre","id":"c%d","name":"centre %d","country":"KZ"}`, k, k))
		add(fmt.Sprintf(`{"type":"Point","coordinates":%s}`, ll(c[0], c[1])),
			fmt.Sprintf(`{"kind":"bay","id":"bay%d","centre":"c%d"}`, k, k))
	}
	return geo.Load([]byte(`{"type":"FeatureCollection","features":[` + strings.Join(feats, ",\n") + `]}`))
}

// sameShuttle reports whether all visits are one shuttle's.
func sameShuttle(vs []*visit) bool {
	for _, v := range vs {
		if v.s != vs[0].s {
			return false
		}
	}
	return true
}
