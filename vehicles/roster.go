package vehicles

import (
	"errors"
	"fmt"
	"sort"

	"github.com/borderfleet/borderfleet/vda5050"
)

// Entry is one vehicle the fleet may drive.
type Entry struct {
	// Manufacturer and SerialNumber as the vehicle puts them in its topics
	// and headers.
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serialNumber"`
	// Type is free text for people (a model name); optional.
	Type string `json:"type,omitempty"`
	// ActionParameters are the extra parameters this vehicle wants with an
	// action the fleet sends (pick, drop, startCharging), by action type
	// and key, e.g. {"pick": {"stationType": "FLOOR", "loadType": "TEU40"}}
	// (see its factsheet's actionParameters). fleetd always sends loadId
	// and stationName with pick and drop.
	ActionParameters map[string]map[string]any `json:"actionParameters,omitempty"`
}

// fleetParams are the action parameters fleetd sets itself.
var fleetParams = map[string]bool{"loadId": true, "stationName": true}

// ID is the shuttle's id in the fleet: its serial number. Serial numbers
// are unique in a roster.
func (e Entry) ID() string { return e.SerialNumber }

// Validate says what is wrong with an entry.
func (e Entry) Validate() error {
	if err := vda5050.CheckID(e.Manufacturer); err != nil {
		return fmt.Errorf("vehicles: manufacturer %q: %w", e.Manufacturer, err)
	}
	if err := vda5050.CheckID(e.SerialNumber); err != nil {
		return fmt.Errorf("vehicles: serial number %q: %w", e.SerialNumber, err)
	}
	for action, params := range e.ActionParameters {
		switch action {
		case vda5050.ActionPick, vda5050.ActionDrop, vda5050.ActionStartCharging:
		default:
			return fmt.Errorf("vehicles: %s: actionParameters for %q: fleetd sends only pick, drop and startCharging", e.SerialNumber, action)
		}
		for k, val := range params {
			switch {
			case k == "":
				return fmt.Errorf("vehicles: %s: actionParameters.%s: an empty key", e.SerialNumber, action)
			case fleetParams[k]:
				return fmt.Errorf("vehicles: %s: actionParameters.%s.%s: fleetd sets it itself", e.SerialNumber, action, k)
			case val == nil:
				return fmt.Errorf("vehicles: %s: actionParameters.%s.%s: a value must not be null", e.SerialNumber, action, k)
			}
		}
	}
	return nil
}

// paramsFor returns the configured parameters of an action, by key order.
func (e Entry) paramsFor(action string) []vda5050.ActionParameter {
	keys := make([]string, 0, len(e.ActionParameters[action]))
	for k := range e.ActionParameters[action] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]vda5050.ActionParameter, 0, len(keys))
	for _, k := range keys {
		out = append(out, vda5050.ActionParameter{Key: k, Value: e.ActionParameters[action][k]})
	}
	return out
}

// ErrDuplicate: a roster entry with that serial number exists already.
var ErrDuplicate = errors.New("vehicles: serial number already in the roster")

// Roster is the set of vehicles the fleet may drive.
type Roster struct {
	bySerial map[string]Entry
	order    []string
}

// NewRoster makes a roster of entries; each must be valid and serial
// numbers unique.
func NewRoster(entries ...Entry) (*Roster, error) {
	r := &Roster{bySerial: map[string]Entry{}}
	for i, e := range entries {
		if err := r.Add(e); err != nil {
			return nil, fmt.Errorf("vehicles: roster entry %d: %w", i, err)
		}
	}
	return r, nil
}

// Add puts a vehicle on the roster.
func (r *Roster) Add(e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if old, ok := r.bySerial[e.SerialNumber]; ok {
		return fmt.Errorf("%w: %q (manufacturer %q)", ErrDuplicate, e.SerialNumber, old.Manufacturer)
	}
	r.bySerial[e.SerialNumber] = e
	r.order = append(r.order, e.SerialNumber)
	return nil
}

// Lookup finds a vehicle by manufacturer and serial number.
func (r *Roster) Lookup(manufacturer, serial string) (Entry, bool) {
	e, ok := r.bySerial[serial]
	if !ok || e.Manufacturer != manufacturer {
		return Entry{}, false
	}
	return e, true
}

// Entries lists the roster in the order vehicles were added.
func (r *Roster) Entries() []Entry {
	out := make([]Entry, 0, len(r.order))
	for _, s := range r.order {
		out = append(out, r.bySerial[s])
	}
	return out
}
