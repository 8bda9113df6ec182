package routing

import (
	"fmt"
	"slices"
	"sort"
)

// This file exports and restores the state of a Traffic (and the lane
// closures of its Graph), for a snapshot of the fleet's core: restoring
// what Snapshot returned into a new Traffic on the same graph gives one
// that answers every later call exactly as the original would. Nodes,
// edges and resources are named by their indexes in the graph: a snapshot
// is restored only on the graph of the same site.

// TrafficSnapshot is the state of a Traffic.
type TrafficSnapshot struct {
	// Nodes, Edges and Blocks are the graph's sizes, checked on restore.
	Nodes  int `json:"nodes"`
	Edges  int `json:"edges"`
	Blocks int `json:"blocks"`
	// Gen and WaitGen are the generations of the marks of searches over
	// visits and of waiting sets; Waits is Traffic.Waits.
	Gen      uint32           `json:"gen"`
	WaitGen  uint32           `json:"waitGen"`
	Waits    int              `json:"waits"`
	Shuttles []TrafficShuttle `json:"shuttles"`
	// Resources lists the resources in use (a queue, finals or steps
	// not yet queued), by index.
	Resources []TrafficResource `json:"resources"`
}

// TrafficShuttle is one shuttle's route state. Steps are global indexes.
type TrafficShuttle struct {
	ID        string        `json:"id"`
	Steps     []TrafficStep `json:"steps"`
	Base      int           `json:"base"`
	Granted   int           `json:"granted"`
	Queued    int           `json:"queued"`
	Stuck     string        `json:"stuck,omitempty"`
	At        int           `json:"at"`
	Released  int           `json:"released"`
	Finals    []int         `json:"finals,omitempty"`
	FirstWait int           `json:"firstWait"`
	FirstGen  uint32        `json:"firstGen"`
	Done      int           `json:"done"`
	DoneGen   uint32        `json:"doneGen"`
	Blocked   bool          `json:"blocked,omitempty"`
	Stilled   bool          `json:"stilled,omitempty"`
}

// TrafficStep is one step of a route: a node or an edge (the other -1),
// and its visit if it is queued.
type TrafficStep struct {
	Node  int           `json:"node"`
	Edge  int           `json:"edge"`
	Res   int           `json:"res"`
	End   float64       `json:"end"`
	Hold  bool          `json:"hold,omitempty"`
	Visit *TrafficVisit `json:"visit,omitempty"`
}

// TrafficVisit is a step's visit of its resource.
type TrafficVisit struct {
	Granted bool   `json:"granted,omitempty"`
	Mark    uint32 `json:"mark,omitempty"`
	Wait    uint32 `json:"wait,omitempty"`
}

// TrafficResource is one resource's queue (visits named by shuttle and
// global step, in queue order), the shuttles that will stand there, and
// the steps over it not queued yet.
type TrafficResource struct {
	Index  int       `json:"i"`
	Queue  []VisitOf `json:"queue,omitempty"`
	Finals []string  `json:"finals,omitempty"`
	Later  int       `json:"later,omitempty"`
}

// VisitOf names a visit: the shuttle and its global step.
type VisitOf struct {
	Shuttle string `json:"shuttle"`
	Step    int    `json:"step"`
}

// Snapshot exports the traffic state.
func (t *Traffic) Snapshot() TrafficSnapshot {
	s := TrafficSnapshot{Nodes: len(t.g.Nodes), Edges: len(t.g.Edges), Blocks: len(t.g.Blocks),
		Gen: t.gen, WaitGen: t.wgen, Waits: t.waits, Shuttles: []TrafficShuttle{}, Resources: []TrafficResource{}}
	ids := make([]string, 0, len(t.shuttles))
	for id := range t.shuttles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sh := t.shuttles[id]
		ts := TrafficShuttle{ID: sh.id, Base: sh.base, Granted: sh.granted, Queued: sh.queued, Stuck: sh.stuck,
			At: sh.at, Released: sh.released, Finals: slices.Clone(sh.finals), FirstWait: sh.firstWait,
			FirstGen: sh.firstGen, Done: sh.done, DoneGen: sh.doneGen, Blocked: sh.blocked, Stilled: sh.stilled,
			Steps: make([]TrafficStep, len(sh.steps))}
		for i, st := range sh.steps {
			ts.Steps[i] = TrafficStep{Node: st.node, Edge: st.edge, Res: st.res, End: st.end, Hold: st.hold}
			if v := st.v; v != nil {
				ts.Steps[i].Visit = &TrafficVisit{Granted: v.granted, Mark: v.mark, Wait: v.wait}
			}
		}
		s.Shuttles = append(s.Shuttles, ts)
	}
	for i := range t.res {
		r := &t.res[i]
		if len(r.queue) == 0 && len(r.finals) == 0 && r.later == 0 {
			continue
		}
		tr := TrafficResource{Index: i, Later: r.later}
		for _, v := range r.queue {
			tr.Queue = append(tr.Queue, VisitOf{Shuttle: v.s.id, Step: v.step})
		}
		for _, f := range r.finals {
			tr.Finals = append(tr.Finals, f.id)
		}
		s.Resources = append(s.Resources, tr)
	}
	return s
}

// Restore sets the state of a new Traffic (one nothing was placed or
// planned on) to a snapshot's. It checks that the snapshot fits the graph
// and holds together: a queue holds only visits of steps over its
// resource, each once. (A step keeps its visit after the visit left the
// queue, released: such a visit is in no queue.)
func (t *Traffic) Restore(s TrafficSnapshot) error {
	if len(t.shuttles) > 0 {
		return fmt.Errorf("routing: restore: traffic is in use")
	}
	if s.Nodes != len(t.g.Nodes) || s.Edges != len(t.g.Edges) || s.Blocks != len(t.g.Blocks) {
		return fmt.Errorf("routing: restore: snapshot of a graph of %d nodes, %d edges, %d blocks; this one has %d, %d, %d",
			s.Nodes, s.Edges, s.Blocks, len(t.g.Nodes), len(t.g.Edges), len(t.g.Blocks))
	}
	visits := map[VisitOf]*visit{}
	shuttles := map[string]*shuttle{}
	for _, ts := range s.Shuttles {
		if _, dup := shuttles[ts.ID]; dup {
			return fmt.Errorf("routing: restore: shuttle %q twice", ts.ID)
		}
		sh := &shuttle{id: ts.ID, base: ts.Base, granted: ts.Granted, queued: ts.Queued, stuck: ts.Stuck,
			at: ts.At, released: ts.Released, finals: slices.Clone(ts.Finals), firstWait: ts.FirstWait,
			firstGen: ts.FirstGen, done: ts.Done, doneGen: ts.DoneGen, blocked: ts.Blocked, stilled: ts.Stilled,
			steps: make([]step, len(ts.Steps))}
		for i, st := range ts.Steps {
			if st.Res < 0 || st.Res >= len(t.res) || st.Node >= len(t.g.Nodes) || st.Edge >= len(t.g.Edges) {
				return fmt.Errorf("routing: restore: shuttle %q: step %d out of the graph", ts.ID, ts.Base+i)
			}
			sh.steps[i] = step{node: st.Node, edge: st.Edge, res: st.Res, end: st.End, hold: st.Hold}
			if st.Visit != nil {
				v := &visit{s: sh, step: ts.Base + i, granted: st.Visit.Granted, mark: st.Visit.Mark, wait: st.Visit.Wait, qi: -1}
				sh.steps[i].v = v
				visits[VisitOf{ts.ID, v.step}] = v
			}
		}
		for _, ri := range sh.finals {
			if ri < 0 || ri >= len(t.res) {
				return fmt.Errorf("routing: restore: shuttle %q: final resource %d out of the graph", ts.ID, ri)
			}
		}
		shuttles[ts.ID] = sh
	}
	for _, tr := range s.Resources {
		if tr.Index < 0 || tr.Index >= len(t.res) {
			return fmt.Errorf("routing: restore: resource %d out of the graph", tr.Index)
		}
		r := &t.res[tr.Index]
		r.later = tr.Later
		for _, ref := range tr.Queue {
			v, ok := visits[ref]
			if !ok || v.qi >= 0 || v.s.step(v.step).res != tr.Index {
				return fmt.Errorf("routing: restore: resource %d: visit of %q at step %d is not a queued step of it", tr.Index, ref.Shuttle, ref.Step)
			}
			v.qi = len(r.queue)
			r.queue = append(r.queue, v)
		}
		for _, id := range tr.Finals {
			sh, ok := shuttles[id]
			if !ok {
				return fmt.Errorf("routing: restore: resource %d: final of unknown shuttle %q", tr.Index, id)
			}
			r.finals = append(r.finals, sh)
		}
	}
	t.shuttles, t.gen, t.wgen, t.waits = shuttles, s.Gen, s.WaitGen, s.Waits
	return nil
}

// SetClosed closes exactly the lanes and links ids (as Closed lists
// them) and reopens every other.
func (g *Graph) SetClosed(ids []string) error {
	for _, id := range g.Closed() {
		if !slices.Contains(ids, id) {
			if err := g.Reopen(id); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		if err := g.Close(id); err != nil {
			return err
		}
	}
	return nil
}
