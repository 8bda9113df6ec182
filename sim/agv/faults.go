package agv

import (
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
)

// breakDown stops the vehicle with a FATAL error for a repair time.
func (v *Vehicle) breakDown(repair time.Duration) {
	if repair <= 0 {
		repair = v.draw(v.cfg.MTTR)
	}
	if v.s.broken {
		v.s.repair = max(v.s.repair, repair)
		return
	}
	v.s.broken, v.s.repair, v.s.dirty = true, repair, true
	v.log.Warn("breakdown", "repair", repair, "node", v.s.lastNode)
}

// repaired clears the breakdown.
func (v *Vehicle) repaired() {
	v.s.broken, v.s.repair, v.s.dirty = false, 0, true
	v.s.nextBreak = v.draw(v.cfg.MTBF)
	v.log.Info("repaired", "node", v.s.lastNode)
}

// loseLink cuts the link for an outage, if the link can be cut.
func (v *Vehicle) loseLink(outage time.Duration) {
	c, ok := v.link.(Cutter)
	if !ok || v.s.linkDown {
		return
	}
	if outage <= 0 {
		outage = v.draw(v.cfg.LinkOutage)
	}
	if err := c.Cut(); err != nil {
		v.log.Warn("cannot cut the link", "err", err)
		return
	}
	v.s.linkDown, v.s.outage = true, outage
	v.log.Warn("link lost", "outage", outage)
}

// restored handles the end of a Restore: ONLINE and a state again, or
// another try after an outage.
func (v *Vehicle) restored(err error) {
	v.s.restoring = false
	if err != nil {
		v.log.Warn("link not restored; trying again", "err", err)
		v.s.outage = v.cfg.LinkOutage
		return
	}
	v.s.linkDown = false
	v.s.nextLoss = v.draw(v.cfg.LinkLossMTBF)
	v.publishConnection(vda5050.ConnectionOnline, v.s.last)
	v.s.dirty = true
	v.log.Info("link restored")
}
