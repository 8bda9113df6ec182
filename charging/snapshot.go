package charging

import (
	"fmt"
	"sort"
	"time"
)

// This file exports and restores a Scheduler's bookings, for a snapshot
// of the fleet's core: a new Scheduler over the same stations, restored
// from what Snapshot returned, answers every later call exactly as the
// original would (the order of slots that start at the same time, which
// decides ties, included).

// SchedulerSnapshot is the state of a Scheduler.
type SchedulerSnapshot struct {
	// Next is the last slot id handed out.
	Next     int               `json:"next"`
	Slots    []SlotSnapshot    `json:"slots"`
	Stations []StationSnapshot `json:"stations"`
}

// StationSnapshot is one station's bookings as slot ids: per charger and
// all of them, each list in the scheduler's order (by start, ties in the
// order booked), and the longest window booked there so far.
type StationSnapshot struct {
	ID       string  `json:"id"`
	Chargers [][]int `json:"chargers"`
	All      []int   `json:"all"`
	Longest  int64   `json:"longestNs"`
}

// SlotSnapshot is a Slot.
type SlotSnapshot struct {
	ID        int               `json:"id"`
	Request   RequestSnapshot   `json:"request"`
	Charger   int               `json:"charger"`
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	PowerKW   float64           `json:"powerKW"`
	Profile   []SegmentSnapshot `json:"profile"`
	CheckedIn bool              `json:"checkedIn,omitempty"`
}

// SegmentSnapshot is a Segment.
type SegmentSnapshot struct {
	Duration int64   `json:"durationNs"`
	KW       float64 `json:"kW"`
}

// RequestSnapshot is a Request.
type RequestSnapshot struct {
	Shuttle  string          `json:"shuttle"`
	Station  string          `json:"station"`
	Vehicle  VehicleSnapshot `json:"vehicle"`
	FromSoC  float64         `json:"fromSoC"`
	ToSoC    float64         `json:"toSoC"`
	Earliest time.Time       `json:"earliest"`
	Latest   time.Time       `json:"latest"`
	Urgent   bool            `json:"urgent,omitempty"`
}

// VehicleSnapshot is a Vehicle.
type VehicleSnapshot struct {
	Name             string  `json:"name"`
	BatteryKWh       float64 `json:"batteryKWh"`
	EmptyKWhPerKm    float64 `json:"emptyKWhPerKm"`
	LadenKWhPerKm    float64 `json:"ladenKWhPerKm"`
	AuxKW            float64 `json:"auxKW"`
	HeatingKWPerC    float64 `json:"heatingKWPerC"`
	ColdTractionPerC float64 `json:"coldTractionPerC"`
	ComfortC         float64 `json:"comfortC"`
	MinSoC           float64 `json:"minSoC"`
	MaxSoC           float64 `json:"maxSoC"`
	MaxChargeKW      float64 `json:"maxChargeKW"`
	KneeSoC          float64 `json:"kneeSoC"`
	EndShare         float64 `json:"endShare"`
	ChargeEfficiency float64 `json:"chargeEfficiency"`
	PlugOverhead     int64   `json:"plugOverheadNs"`
}

func vehicleSnapshot(v Vehicle) VehicleSnapshot {
	return VehicleSnapshot{Name: v.Name, BatteryKWh: v.BatteryKWh, EmptyKWhPerKm: v.EmptyKWhPerKm, LadenKWhPerKm: v.LadenKWhPerKm,
		AuxKW: v.AuxKW, HeatingKWPerC: v.HeatingKWPerC, ColdTractionPerC: v.ColdTractionPerC, ComfortC: v.ComfortC,
		MinSoC: v.MinSoC, MaxSoC: v.MaxSoC, MaxChargeKW: v.MaxChargeKW, KneeSoC: v.Curve.KneeSoC, EndShare: v.Curve.EndShare,
		ChargeEfficiency: v.ChargeEfficiency, PlugOverhead: int64(v.PlugOverhead)}
}

func (v VehicleSnapshot) vehicle() Vehicle {
	return Vehicle{Name: v.Name, BatteryKWh: v.BatteryKWh, EmptyKWhPerKm: v.EmptyKWhPerKm, LadenKWhPerKm: v.LadenKWhPerKm,
		AuxKW: v.AuxKW, HeatingKWPerC: v.HeatingKWPerC, ColdTractionPerC: v.ColdTractionPerC, ComfortC: v.ComfortC,
		MinSoC: v.MinSoC, MaxSoC: v.MaxSoC, MaxChargeKW: v.MaxChargeKW, Curve: Curve{KneeSoC: v.KneeSoC, EndShare: v.EndShare},
		ChargeEfficiency: v.ChargeEfficiency, PlugOverhead: time.Duration(v.PlugOverhead)}
}

// Snapshot exports the scheduler's bookings.
func (s *Scheduler) Snapshot() SchedulerSnapshot {
	out := SchedulerSnapshot{Next: s.next, Slots: []SlotSnapshot{}, Stations: []StationSnapshot{}}
	for _, id := range s.ids() {
		sl := s.slots[id]
		r := sl.Request
		ss := SlotSnapshot{ID: sl.ID, Charger: sl.Charger, Start: sl.Start, End: sl.End, PowerKW: sl.PowerKW, CheckedIn: sl.CheckedIn,
			Request: RequestSnapshot{Shuttle: r.Shuttle, Station: r.Station, Vehicle: vehicleSnapshot(r.Vehicle), FromSoC: r.FromSoC,
				ToSoC: r.ToSoC, Earliest: r.Earliest, Latest: r.Latest, Urgent: r.Urgent},
			Profile: make([]SegmentSnapshot, len(sl.Profile))}
		for i, seg := range sl.Profile {
			ss.Profile[i] = SegmentSnapshot{Duration: int64(seg.Duration), KW: seg.KW}
		}
		out.Slots = append(out.Slots, ss)
	}
	ids := func(list []*Slot) []int {
		out := make([]int, len(list))
		for i, sl := range list {
			out[i] = sl.ID
		}
		return out
	}
	names := make([]string, 0, len(s.stations))
	for id := range s.stations {
		names = append(names, id)
	}
	sort.Strings(names)
	for _, id := range names {
		st := s.stations[id]
		ss := StationSnapshot{ID: id, All: ids(st.all), Longest: int64(st.longest), Chargers: make([][]int, len(st.chargers))}
		for i, c := range st.chargers {
			ss.Chargers[i] = ids(c)
		}
		out.Stations = append(out.Stations, ss)
	}
	return out
}

// Restore sets the bookings of a new Scheduler (one with no slots) to a
// snapshot's. The snapshot's stations must be the scheduler's.
func (s *Scheduler) Restore(snap SchedulerSnapshot) error {
	if len(s.slots) > 0 || s.next != 0 {
		return fmt.Errorf("charging: restore: the scheduler has bookings")
	}
	slots := map[int]*Slot{}
	for _, ss := range snap.Slots {
		r := ss.Request
		sl := &Slot{ID: ss.ID, Charger: ss.Charger, Start: ss.Start, End: ss.End, PowerKW: ss.PowerKW, CheckedIn: ss.CheckedIn,
			Request: Request{Shuttle: r.Shuttle, Station: r.Station, Vehicle: r.Vehicle.vehicle(), FromSoC: r.FromSoC,
				ToSoC: r.ToSoC, Earliest: r.Earliest, Latest: r.Latest, Urgent: r.Urgent}}
		if len(ss.Profile) > 0 {
			sl.Profile = make([]Segment, len(ss.Profile))
		}
		for i, seg := range ss.Profile {
			sl.Profile[i] = Segment{Duration: time.Duration(seg.Duration), KW: seg.KW}
		}
		if _, dup := slots[sl.ID]; dup || sl.ID > snap.Next || sl.ID < 1 {
			return fmt.Errorf("charging: restore: slot %d twice or out of range", sl.ID)
		}
		slots[sl.ID] = sl
	}
	if len(snap.Stations) != len(s.stations) {
		return fmt.Errorf("charging: restore: snapshot of %d stations, the scheduler has %d", len(snap.Stations), len(s.stations))
	}
	list := func(ids []int) ([]*Slot, error) {
		out := make([]*Slot, 0, len(ids))
		for _, id := range ids {
			sl, ok := slots[id]
			if !ok {
				return nil, fmt.Errorf("charging: restore: unknown slot %d", id)
			}
			out = append(out, sl)
		}
		return out, nil
	}
	for _, ss := range snap.Stations {
		st, ok := s.stations[ss.ID]
		if !ok || len(ss.Chargers) != len(st.chargers) {
			return fmt.Errorf("charging: restore: station %q is not the scheduler's", ss.ID)
		}
		var err error
		if st.all, err = list(ss.All); err != nil {
			return err
		}
		for i, ids := range ss.Chargers {
			if st.chargers[i], err = list(ids); err != nil {
				return err
			}
			if len(ids) == 0 {
				st.chargers[i] = nil
			}
		}
		if len(ss.All) == 0 {
			st.all = nil
		}
		st.longest = time.Duration(ss.Longest)
	}
	s.slots, s.next = slots, snap.Next
	return nil
}
