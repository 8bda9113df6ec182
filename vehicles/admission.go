package vehicles

import (
	"errors"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// ErrRosterFull is matched by a message of a vehicle that is not on the
// roster when auto-admission has filled it to Config.MaxVehicles.
var ErrRosterFull = errors.New("vehicles: the roster is full")

// RefusedFull: a vehicle auto-admission had no room for (ErrRosterFull).
const RefusedFull = "full"

// maxRefusedLogged is how many refused vehicles are remembered, each
// logged once; beyond them refusals are only counted.
const maxRefusedLogged = 1000

// rosterCap is the most vehicles auto-admission fills the roster to: the
// configured MaxVehicles, else the site's parking spots (a vehicle more
// would have nowhere to stand: the Controller refuses it,
// fleet.ErrSiteFull); 0: no cap.
func (c Config) rosterCap() int {
	switch {
	case c.MaxVehicles > 0:
		return c.MaxVehicles
	case c.MaxVehicles < 0 || c.Graph == nil || c.Graph.Site() == nil:
		return 0
	}
	return len(c.Graph.Site().Parking)
}

// admissible refuses a message of a vehicle that is not on the roster
// and that auto-admission would have to admit beyond the cap, before the
// message is journaled or handled: such a vehicle costs a lookup, not a
// roster entry, a controller event and a retry every few seconds. The
// first refusal of each vehicle is logged with the reason (a bounded
// number of them); all are counted by the caller under RefusedFull.
func (m *Master) admissible(manufacturer, serial string) error {
	if !m.cfg.AutoAdmit {
		return nil
	}
	limit := m.cfg.rosterCap()
	if limit == 0 || len(m.byID) < limit {
		return nil
	}
	if _, ok := m.cfg.Roster.Lookup(manufacturer, serial); ok {
		return nil
	}
	key := manufacturer + "/" + serial
	if _, seen := m.refusedFull[key]; !seen && len(m.refusedFull) < maxRefusedLogged {
		if m.refusedFull == nil {
			m.refusedFull = map[string]struct{}{}
		}
		m.refusedFull[key] = struct{}{}
		m.cfg.Log.Warn("vehicle not admitted: the roster is full; its messages are refused (counted, reason full) until an operator makes room",
			"manufacturer", manufacturer, "serial", serial, "roster", len(m.byID), "cap", limit)
	}
	return &RefusedError{Vehicle: key, Reason: RefusedFull, Err: ErrRosterFull}
}

// Join back-off: a vehicle the Controller refuses because the site is
// full (fleet.ErrSiteFull) tries again after joinRetryFirst, doubling with
// each refusal in a row up to joinRetryMax; any other refusal after
// joinRetryFirst.
const (
	joinRetryFirst = 10 * time.Second
	joinRetryMax   = 10 * time.Minute
)

// joinBackoff is the wait after the n-th refusal in a row (n >= 1).
func joinBackoff(n int, err error) time.Duration {
	if !errors.Is(err, fleet.ErrSiteFull) {
		return joinRetryFirst
	}
	d := joinRetryFirst
	for i := 1; i < n && d < joinRetryMax; i++ {
		d *= 2
	}
	return min(d, joinRetryMax)
}

// JoinsRefused is how many joins the Controller has refused since the
// Master was made (or restored); safe from any goroutine.
func (m *Master) JoinsRefused() int64 { return m.joinsRefused.Load() }
