package sim

import (
	"math"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// customs is the scenario's customs, as seen at one stop line.
type customs struct {
	preCleared, inspected, refused, inspectRefused float64
	decideS, inspectS                              float64
}

func customsOf(cfg Config) customs {
	return customs{cfg.PreCleared, cfg.Inspected, cfg.Refused, cfg.InspectRefused, cfg.DecideAfter.Seconds(), cfg.InspectTime.Seconds()}
}

// waitS is the expected customs wait of a container at one stop line.
func (c customs) waitS() float64 {
	return (1 - c.preCleared) * (c.decideS + c.inspected*c.inspectS)
}

// passShare is the share of containers not refused at one stop line.
func (c customs) passShare() float64 {
	return 1 - (1-c.preCleared)*(c.refused+c.inspected*c.inspectRefused)
}

// directions measures every ordered pair of centres over its fastest
// bay-to-bay routes, with the flows' shares.
func directions(cfg Config, g *routing.Graph, lim routing.Limits, flows []flow) []*DirectionBound {
	s := cfg.Site
	cps := map[string]geo.Checkpoint{}
	for _, cp := range s.Checkpoints {
		cps[cp.ID] = cp
	}
	var out []*DirectionBound
	for _, a := range s.Centres {
		for _, c := range s.Centres {
			if a.ID == c.ID {
				continue
			}
			d := &DirectionBound{From: a.ID, To: c.ID}
			for _, f := range flows {
				if f.from == a.ID && f.to == c.ID {
					d.Share += f.share
				}
			}
			d.routes = routesBetween(g, s, a.ID, c.ID, lim)
			d.measure(cps, customsOf(cfg))
			out = append(out, d)
		}
	}
	return out
}

// routesBetween finds the fastest route from every bay of one centre to
// every bay of another (pairs without a route are left out).
func routesBetween(g *routing.Graph, s *geo.Site, from, to string, lim routing.Limits) []*routing.Route {
	var out []*routing.Route
	for _, o := range s.BaysOf(from) {
		for _, d := range s.BaysOf(to) {
			if r, err := g.Route(o.ID, d.ID, lim); err == nil {
				out = append(out, r)
			}
		}
	}
	return out
}

// measure sets the direction's means over its routes and the stop lines
// they pass.
func (d *DirectionBound) measure(cps map[string]geo.Checkpoint, cu customs) {
	d.BayPairs = len(d.routes)
	if d.BayPairs == 0 {
		return
	}
	seen := map[string]int{}
	var order []string
	for _, r := range d.routes {
		d.RouteLengthM += r.Length
		d.DriveS += r.Duration.Seconds()
		n := 0
		for _, id := range r.Nodes {
			cp, ok := cps[id]
			if !ok {
				continue
			}
			n++
			d.ReleaseS += cp.ReleaseTime.Seconds()
			if seen[id] == 0 {
				order = append(order, id)
			}
			seen[id]++
		}
		if n == 0 {
			d.free++
		}
		d.GatesPerCrossing += float64(n)
		d.DeliveredShare += math.Pow(cu.passShare(), float64(n))
	}
	k := float64(d.BayPairs)
	d.RouteLengthM, d.DriveS, d.ReleaseS = d.RouteLengthM/k, d.DriveS/k, d.ReleaseS/k
	d.GatesPerCrossing, d.DeliveredShare = d.GatesPerCrossing/k, d.DeliveredShare/k
	d.GateS = cu.preCleared * d.ReleaseS
	d.CustomsWaitS = d.GatesPerCrossing * cu.waitS()
	d.CrossingS = d.GateS + d.CustomsWaitS
	for _, id := range order {
		if seen[id] >= d.BayPairs {
			d.StopLines = append(d.StopLines, id)
		} else {
			d.SomeStopLines = append(d.SomeStopLines, id)
		}
	}
}

// stopLine works out one stop line's capacity (see StopLineBound).
func stopLine(cp geo.Checkpoint, cu customs) StopLineBound {
	sl := StopLineBound{ID: cp.ID, InspectionBay: cp.InspectionBay, ReleaseS: cp.ReleaseTime.Seconds()}
	sl.LineS = cu.preCleared * sl.ReleaseS
	sl.BayS = (1 - cu.preCleared) * cu.inspected * cu.inspectS
	sl.CustomsS = cu.waitS()
	c := math.Min(perHour(sl.LineS), perHour(sl.BayS))
	c = math.Min(c, 2*perHour(sl.LineS+sl.CustomsS))
	sl.Capacity = finite(c)
	return sl
}

// gates works out the stop lines' capacities, each direction's (its stop
// lines in series) and all directions' together.
func (b *Bound) gates(s *geo.Site, cu customs, dirs []*DirectionBound) {
	lines := map[string]*StopLineBound{}
	var shared []sharedCap
	for _, cp := range s.Checkpoints {
		sl := stopLine(cp, cu)
		var users []int
		for k, d := range dirs {
			if !d.inDemand() {
				continue
			}
			if contains(d.StopLines, cp.ID) {
				users = append(users, k)
				sl.Directions = append(sl.Directions, d.Name())
			} else if !contains(d.SomeStopLines, cp.ID) {
				continue
			}
			lines[cp.ID] = &sl
		}
		if lines[cp.ID] == nil {
			continue
		}
		b.StopLines = append(b.StopLines, sl)
		if len(users) > 1 {
			shared = append(shared, sharedCap{capOf(sl), users})
		}
		if sl.Capacity > 0 {
			b.GateTimeS = math.Max(b.GateTimeS, 3600/sl.Capacity)
		}
	}
	caps := make([]float64, len(dirs))
	for k, d := range dirs {
		if d.inDemand() {
			caps[k] = d.gateCap(lines)
		}
		d.Gates = finite(caps[k])
	}
	b.Gates = finite(together(caps, shared))
}

// gateCap is what a direction's stop lines pass: the least of those every
// route passes; else, when every route passes some, all of them together.
func (d *DirectionBound) gateCap(lines map[string]*StopLineBound) float64 {
	c := math.Inf(1)
	for _, id := range d.StopLines {
		c = math.Min(c, capOf(*lines[id]))
	}
	if len(d.StopLines) > 0 || d.free > 0 {
		return c
	}
	c = 0
	for _, id := range d.SomeStopLines {
		c += capOf(*lines[id])
	}
	return c
}

// capOf is a stop line's capacity, infinite for no limit.
func capOf(sl StopLineBound) float64 {
	if sl.Capacity == 0 {
		return math.Inf(1)
	}
	return sl.Capacity
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
