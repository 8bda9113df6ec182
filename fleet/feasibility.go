package fleet

import "github.com/borderfleet/borderfleet/charging"

// Feasibility: may this shuttle take this move? Each checker answers one
// part of the question, in the order the dispatcher asks them (cheap and
// decisive first), with a typed Rejection when the answer is no.

// RejectKind is why the dispatcher passed a shuttle over for a move, by
// kind; metrics count rejections by it.
type RejectKind string

const (
	RejectCentreFull     RejectKind = "destination centre full"      // as many moves on their way there as it takes
	RejectOriginBooked   RejectKind = "origin bay booked"            // another pick is booked at the origin bay
	RejectOriginOccupied RejectKind = "origin bay occupied"          // a shuttle stands at the origin bay or drives there
	RejectDropDueFirst   RejectKind = "origin bay drop due first"    // a drop at the origin bay comes first
	RejectNoRoute        RejectKind = "no route"                     // to the origin bay, or between the bays
	RejectNoStation      RejectKind = "no charging station"          // nowhere to charge after the move
	RejectBattery        RejectKind = "battery"                      // the worst case would take it below its reserve
	RejectEmptyAcross    RejectKind = "empty across the border"      // moves wait in its own centre
	RejectTraffic        RejectKind = "no route through traffic now" // assignment found no way through traffic
)

// Rejection is one shuttle passed over for a move, and why.
type Rejection struct {
	Shuttle string
	Kind    RejectKind
	Detail  string // for people: what was found, with the numbers
}

func (r Rejection) String() string { return r.Shuttle + ": " + r.Detail }

// checker is one feasibility check: the kind "" if the candidate passes
// it, else why not (the detail for people).
type checker interface {
	check(v fleetView, cd candidate, m *Move) (RejectKind, string)
}

// feasibilityChecks are the checks every policy makes, in order.
var feasibilityChecks = []checker{centreCapacity{}, originBay{}, batteryCheck{}}

// centreCapacity: a centre takes at most Tuning.InboundPerBay moves per bay
// on their way to it.
type centreCapacity struct{}

func (centreCapacity) check(v fleetView, cd candidate, m *Move) (RejectKind, string) {
	if n := v.inbound(m.destCentre); n >= v.maxInbound(m.destCentre) {
		return RejectCentreFull, v.fullReason(m.destCentre, n)
	}
	return "", ""
}

// originBay: one pick booked at a bay at a time; a shuttle free now goes
// only to an origin bay that nobody else stands at or drives to, and where
// no drop is due before its pick.
type originBay struct{}

func (originBay) check(v fleetView, cd candidate, m *Move) (RejectKind, string) {
	switch {
	case !v.canPick(m.Origin, m):
		return RejectOriginBooked, "origin bay: another pick is booked there"
	case cd.delay == 0 && cd.at != m.Origin && !v.bayFree(m.Origin):
		return RejectOriginOccupied, "origin bay: a shuttle stands there or is on its way"
	case cd.delay == 0 && !v.bayFirst(m.Origin, m, window{v.now(), v.now().Add(v.handling())}):
		return RejectDropDueFirst, "origin bay: a drop is due there first"
	}
	return "", ""
}

// batteryCheck: a route to the origin bay, and enough charge for the worst case
// (refused at the far gate, driven back laden, then to a charger at home)
// by charging's own check.
type batteryCheck struct{}

func (batteryCheck) check(v fleetView, cd candidate, m *Move) (RejectKind, string) {
	toPick := v.reach(cd.at, m.Origin)
	if !toPick.OK {
		return RejectNoRoute, "no route to the origin bay"
	}
	e := v.moveEnergy(m.Origin, m.Destination)
	switch e.why {
	case "":
	case whyNoStation:
		return RejectNoStation, e.why
	default:
		return RejectNoRoute, e.why
	}
	veh := v.vehicle()
	pick := veh.DriveKWh(charging.Leg{Metres: toPick.Metres, Duration: toPick.Duration}, v.ambientC())
	f := veh.Check(cd.soc, charging.Need{Name: "delivered", KWh: pick + e.delivered},
		charging.Need{Name: "refused at the far gate", KWh: pick + e.refused})
	if !f.OK {
		return RejectBattery, "battery: " + f.Reason()
	}
	return "", ""
}

// backhaul (lookahead only): a shuttle does not cross the border empty
// while moves wait to start in the centre it is at or drives to.
type backhaul struct{ pendingIn map[string]bool }

func (b backhaul) check(v fleetView, cd candidate, m *Move) (RejectKind, string) {
	if home := v.centreNear(cd); home != "" && home != m.originCentre && b.pendingIn[home] {
		return RejectEmptyAcross, "empty across the border while moves wait in its own centre"
	}
	return "", ""
}
