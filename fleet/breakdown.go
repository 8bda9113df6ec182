package fleet

// A broken-down shuttle and the lane it holds ahead: which shuttles may
// pass while it is repaired.
//
// A shuttle has been granted lane ahead of where it stands: the vehicle
// was told to drive there (the VDA 5050 base) and will once it goes on, so
// nobody else may stand there. When it breaks down, that lane is held for
// as long as the repair takes, which nobody bounds; where it is the way
// onto a yard ring, the whole yard waits behind it (seed 9 of the default
// day: a shuttle broke down leaving bay 10, a node short of the ring, and
// 17 of 20 shuttles stood for 76 minutes behind the ring node it held).
//
// So a broken-down shuttle that holds lane ahead of where it stands is
// paused (CmdPause). Once its vehicle confirms it stands paused on the node
// it last reached (PausedAtNode), what it holds beyond the edge its front
// is on is lent (routing.Traffic.Lend): a shuttle queued behind it there
// may pass over it, if it can be granted at once past the lent lane by
// its clearance, going ahead of what the broken-down one is queued for
// beyond where the queues stay acyclic (routing.Traffic.Grant). Once
// repaired, the shuttle takes the lane back (routing.Traffic.Reclaim:
// those that passed have driven off it), before it is given any work, and
// is resumed (CmdResume), on the route it was given. A vehicle that
// cannot be told anything (FaultReported.Unreachable), or that never
// confirms, lends nothing: it might drive on when repaired. While fleetd
// wants it paused, vehicles.Master sends it no order until it confirms,
// and asks again if it shows itself unpaused (a restart).

// stillState is how far a broken-down shuttle's stilling has come.
type stillState string

const (
	stillNone  stillState = ""
	stillAsked stillState = "asked" // paused; its vehicle has not confirmed it stands
	stillLent  stillState = "lent"  // its lane ahead is lent until it reclaims it
)

// still pauses a broken-down shuttle that holds lane ahead of where it
// stands, so that the lane may be lent once it confirms.
func (c *Controller) still(r *shuttleRec, unreachable bool) {
	if unreachable || r.stilled != stillNone {
		return
	}
	if p, ok := c.tr.Position(r.id); !ok || p.Granted <= p.AtStep {
		return // it holds nothing ahead
	}
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdPause})
	r.stilled = stillAsked
}

// pausedAtNode lends the lane a paused broken-down shuttle holds ahead.
// A confirmation of any other pause (an operator's, an emergency stop's)
// changes nothing.
func (c *Controller) pausedAtNode(e PausedAtNode) error {
	r, err := c.shuttle(e.Shuttle)
	if err != nil {
		return err
	}
	if r.stilled != stillAsked || (r.sm.State() != ShuttleFault && r.sm.Held() != ShuttleFault) {
		return nil
	}
	if p, _ := c.tr.Position(r.id); p.AtStep != e.Step {
		return nil // it has moved since, or says so of another node
	}
	if err := c.tr.Lend(r.id); err != nil {
		return err
	}
	r.stilled = stillLent
	return nil
}

// unstill ends the stilling of a repaired shuttle: at once where nothing
// was lent, and where it was, once the lane is back (routing's Reclaim:
// those that passed have driven off it). It reports whether the shuttle
// may drive; it stays paused until then.
func (c *Controller) unstill(r *shuttleRec) bool {
	switch r.stilled {
	case stillNone:
		return true
	case stillLent:
		if back, _ := c.tr.Reclaim(r.id); !back {
			return false
		}
	}
	r.stilled = stillNone
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdResume})
	return true
}

// resume lets a vehicle held by an operator's pause or emergency stop go
// on, unless it has lent its lane ahead: then unstill resumes it once it
// has the lane back. A stilling not confirmed yet is given up (a
// confirmation of the pause that comes later must not lend the lane of a
// vehicle that was told to go on).
func (c *Controller) resume(r *shuttleRec) {
	if r.stilled == stillLent {
		return
	}
	r.stilled = stillNone
	c.out = append(c.out, Command{Shuttle: r.id, Kind: CmdResume})
}
