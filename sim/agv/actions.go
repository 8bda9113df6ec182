package agv

import (
	"fmt"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/vda5050"
)

// startActions starts the waiting actions of traversed nodes in order:
// NONE and SOFT ones at once, a HARD one only when nothing else runs, and
// nothing after a HARD one until it is done.
func (v *Vehicle) startActions() {
	if v.halted() {
		return
	}
	for _, a := range v.s.actions {
		if a.instant || !a.triggered {
			continue
		}
		switch {
		case a.running():
			if a.BlockingType == vda5050.BlockingHard {
				return
			}
		case a.status == vda5050.StatusWaiting:
			if a.BlockingType == vda5050.BlockingHard && v.orderActionRunning() {
				return
			}
			v.start(a)
			if a.running() && a.BlockingType == vda5050.BlockingHard {
				return
			}
		}
	}
}

func (v *Vehicle) orderActionRunning() bool {
	for _, a := range v.s.actions {
		if !a.instant && a.running() {
			return true
		}
	}
	return false
}

// blocked: an action keeps the vehicle from driving.
func (v *Vehicle) blocked() bool {
	for _, a := range v.s.actions {
		if terminal(a.status) || !a.triggered || a.ActionType == vda5050.ActionCancelOrder {
			continue
		}
		switch a.ActionType {
		case vda5050.ActionPick, vda5050.ActionDrop, vda5050.ActionStartCharging:
			return true
		}
		if a.BlockingType != vda5050.BlockingNone {
			return true
		}
	}
	return false
}

// start begins an action of a node or an instant startCharging or
// stopCharging.
func (v *Vehicle) start(a *action) {
	v.s.dirty = true
	switch a.ActionType {
	case vda5050.ActionPick:
		if len(v.s.loads) > 0 {
			v.fail(a, fmt.Sprintf("pick: the vehicle already carries %s", loadName(v.s.loads[0])))
			return
		}
		a.status, a.left = vda5050.StatusRunning, v.cfg.Handling
	case vda5050.ActionDrop:
		if len(v.s.loads) == 0 {
			v.fail(a, "drop: the vehicle carries no load")
			return
		}
		a.status, a.left = vda5050.StatusRunning, v.cfg.Handling
	case vda5050.ActionStartCharging:
		v.startCharging(a)
	case vda5050.ActionStopCharging:
		if v.s.charge == nil {
			v.done(a, "not charging")
			return
		}
		v.stopCharging()
		v.done(a, "")
	default:
		v.fail(a, fmt.Sprintf("unsupported action type %q", a.ActionType))
	}
}

// finish ends a running action whose time is up.
func (v *Vehicle) finish(a *action) {
	switch a.ActionType {
	case vda5050.ActionPick:
		l := vda5050.Load{LoadID: param(a.Action, "loadId"), LoadType: param(a.Action, "loadType")}
		v.s.loads = []vda5050.Load{l}
		v.done(a, "picked "+loadName(l))
	case vda5050.ActionDrop:
		l := v.s.loads[0]
		v.s.loads = []vda5050.Load{}
		v.done(a, "dropped "+loadName(l))
	case vda5050.ActionStartCharging:
		if c := v.s.charge; c != nil && c.act == a {
			c.act = nil
		}
		v.done(a, "charging")
	default:
		v.done(a, "")
	}
}

func (v *Vehicle) done(a *action, result string) {
	a.status, a.result, a.left = vda5050.StatusFinished, result, 0
	v.s.dirty = true
}

func (v *Vehicle) fail(a *action, result string) {
	a.status, a.result, a.left = vda5050.StatusFailed, result, 0
	v.s.dirty = true
}

// station is the charging station the vehicle stands at, if any.
func (v *Vehicle) station() (geo.ChargingStation, bool) {
	if v.s.leg != nil {
		return geo.ChargingStation{}, false
	}
	i, ok := v.graph.Node(v.s.lastNode)
	if !ok || v.graph.Nodes[i].Kind != geo.NodeCharger {
		return geo.ChargingStation{}, false
	}
	for _, s := range v.cfg.Site.Stations {
		if s.ID == v.graph.Nodes[i].Place {
			return s, true
		}
	}
	return geo.ChargingStation{}, false
}

// startCharging plugs in at a charging station: the action runs for the
// plug-in overhead, then charging goes on by itself.
func (v *Vehicle) startCharging(a *action) {
	st, ok := v.station()
	switch {
	case !ok:
		v.fail(a, fmt.Sprintf("startCharging: node %s is not a charging station", v.s.lastNode))
		return
	case v.s.charge != nil:
		v.done(a, "already charging")
		return
	case v.s.soc >= 1:
		v.done(a, "battery full")
		return
	}
	v.s.charge = &session{start: v.s.clock, from: v.s.soc, kw: st.ChargerPowerKW, act: a}
	a.status, a.left = vda5050.StatusRunning, v.cfg.Model.PlugOverhead
	if a.left <= 0 {
		v.finish(a)
	}
	v.log.Info("charging", "station", st.ID, "kw", st.ChargerPowerKW, "soc", v.s.soc)
}

// stopCharging ends the charging session; a startCharging still plugging
// in fails.
func (v *Vehicle) stopCharging() {
	c := v.s.charge
	if c == nil {
		return
	}
	v.s.charge = nil
	if c.act != nil && c.act.running() {
		v.fail(c.act, "charging stopped while plugging in")
	}
	v.s.dirty = true
	v.log.Info("charging stopped", "soc", v.s.soc)
}

// instant runs instant actions in order.
func (v *Vehicle) instant(msg vda5050.InstantActions) {
	if err := msg.Validate(); err != nil {
		v.warn(ErrTypeValidation, err.Error(), []vda5050.ErrorReference{ref("headerId", fmt.Sprint(msg.HeaderID)), ref("topic", string(vda5050.TopicInstantActions))})
		return
	}
	for _, ia := range msg.Actions {
		a := &action{Action: ia, status: vda5050.StatusWaiting, instant: true, triggered: true}
		v.s.dirty = true
		switch ia.ActionType {
		case vda5050.ActionCancelOrder:
			v.cancelOrder(a)
		case vda5050.ActionStartPause:
			v.pause(true)
			v.done(a, "paused")
		case vda5050.ActionStopPause:
			v.pause(false)
			v.done(a, "resumed")
		case vda5050.ActionStateRequest:
			v.done(a, "")
		case vda5050.ActionFactsheetRequest:
			v.s.factsheet = true
			v.done(a, "")
		case vda5050.ActionStartCharging, vda5050.ActionStopCharging:
			v.start(a)
		default:
			v.fail(a, fmt.Sprintf("unsupported instant action %q", ia.ActionType))
			v.warn(ErrTypeInstantAction, fmt.Sprintf("the vehicle cannot run %q as an instant action", ia.ActionType),
				[]vda5050.ErrorReference{ref("actionId", ia.ActionID), ref("actionType", ia.ActionType)})
		}
		v.s.actions = append(v.s.actions, a)
	}
}

// pause enters or leaves pause mode; running actions are PAUSED meanwhile.
func (v *Vehicle) pause(on bool) {
	if v.s.paused == on {
		return
	}
	v.s.paused = on
	from, to := vda5050.StatusRunning, vda5050.StatusPaused
	if !on {
		from, to = to, from
	}
	for _, a := range v.s.actions {
		if a.status == from && a.ActionType != vda5050.ActionCancelOrder {
			a.status = to
		}
	}
	v.s.dirty = true
}

// cancelOrder stops the order at the end of the current edge: waiting
// actions fail, running ones (pick and drop cannot be interrupted) run to
// their end, and the cancel finishes once all has stopped.
func (v *Vehicle) cancelOrder(a *action) {
	switch {
	case v.s.cancel != nil:
		v.fail(a, "a cancelOrder is already under way: "+v.s.cancel.ActionID)
		return
	case !v.active():
		v.fail(a, "no order to cancel")
		v.warn(ErrTypeNoOrderToCancel, "cancelOrder without an order", []vda5050.ErrorReference{ref("actionId", a.ActionID)})
		return
	}
	a.status, v.s.cancel = vda5050.StatusRunning, a
	keep := 0
	if v.s.leg != nil {
		keep = 1
	}
	v.s.nodes, v.s.edges = v.s.nodes[:min(keep, len(v.s.nodes))], v.s.edges[:min(keep, len(v.s.edges))]
	for _, x := range v.s.actions {
		if !x.instant && x.status == vda5050.StatusWaiting {
			v.fail(x, "cancelled")
		}
	}
	v.log.Info("order cancelled", "order", v.s.orderID)
}

// finishCancel ends a cancelOrder once the vehicle stands and no order
// action runs.
func (v *Vehicle) finishCancel() {
	if a := v.s.cancel; a != nil && v.s.leg == nil && !v.orderActionRunning() {
		v.s.cancel = nil
		v.done(a, "")
	}
}

func param(a vda5050.Action, key string) string {
	for _, p := range a.ActionParameters {
		if p.Key == key {
			if s, ok := p.Value.(string); ok {
				return s
			}
			return fmt.Sprint(p.Value)
		}
	}
	return ""
}

func loadName(l vda5050.Load) string {
	if l.LoadID == "" {
		return "a load"
	}
	return "load " + l.LoadID
}
