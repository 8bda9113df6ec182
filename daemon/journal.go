package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Journal is what the daemon needs of a store: an append-only journal of
// its inputs and an audit log, both fenced by a lease (see package store).
type Journal interface {
	Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error)
	Read(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
	AppendAudit(ctx context.Context, token uint64, entries ...[]byte) (uint64, error)
	ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
	Acquire(ctx context.Context, owner string, ttl time.Duration) (uint64, error)
	Renew(ctx context.Context, owner string, token uint64, ttl time.Duration) error
	Release(ctx context.Context, owner string, token uint64) error
}

// record is one input to the core, as journaled: the core is deterministic,
// so replaying the records in order rebuilds its state exactly.
//
// The format on disk is this struct's JSON names and, for an event, the
// name in eventNames and the event type's JSON names; no Go type or field
// name is written. V is the format's version: records written before it
// existed have none and are version 1, whose events are named by their Go
// types and fields (the same names, but for case) and include the one-event
// forms of pause, emergency stop and service requests and of lane
// closures. Each version has its decoder table (decoders); a record of a
// version this fleetd does not know is refused with both versions named.
type record struct {
	V       int             `json:"v,omitempty"`
	Kind    string          `json:"k"` // one of the kind constants
	At      time.Time       `json:"at"`
	Topic   string          `json:"topic,omitempty"`
	JSON    json.RawMessage `json:"json,omitempty"`    // a message that is JSON, as it is
	Payload []byte          `json:"payload,omitempty"` // one that is not (base64)
	Event   *eventJSON      `json:"event,omitempty"`
	// Vehicle ("manufacturer/serial") and Silence, for kindSilent.
	Vehicle string        `json:"vehicle,omitempty"`
	Silence time.Duration `json:"silence,omitempty"`
	// Settings, for kindConfig.
	Settings string `json:"settings,omitempty"`
	// Entry, for kindAdmit.
	Entry *vehicles.Entry `json:"entry,omitempty"`
	// Hooks, for kindHook.
	Hooks []DeliveryOp `json:"hooks,omitempty"`

	// checked is a live message as the check decoded it (not journaled):
	// applied without decoding it again
	checked *vehicles.Checked
}

// Record kinds.
const (
	kindMessage = "msg"    // a vehicle's message (not visualization)
	kindTick    = "tick"   // time passes
	kindEvent   = "event"  // an operator's or officer's event
	kindSilent  = "silent" // a vehicle has sent nothing for too long
	kindResume  = "resume" // a fleetd took over: ask every vehicle for its state
	kindConfig  = "config" // the first record: the settings the journal was written with
	kindAdmit   = "admit"  // an operator put a vehicle on the roster
	kindHook    = "hook"   // outbound deliveries of the audit log progressed (see Delivery)
)

// payload is the message of a kindMessage record.
func (r record) payload() []byte {
	if r.JSON != nil {
		return r.JSON
	}
	return r.Payload
}

// eventJSON is a fleet event with its type.
type eventJSON struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// journalVersion is the version of the records this fleetd writes.
const journalVersion = 2

// eventName is the name the journal gives an event an operator or officer
// may submit (written as the record's event type): fixed here, whatever
// the Go type is called. false: not a submittable event.
func eventName(ev fleet.Event) (string, bool) {
	switch ev.(type) {
	case fleet.MoveRequested:
		return "MoveRequested", true
	case fleet.CustomsDecision:
		return "CustomsDecision", true
	case fleet.DeclarationFiled:
		return "DeclarationFiled", true
	case fleet.SealRead:
		return "SealRead", true
	case fleet.PauseRequested:
		return "PauseRequested", true
	case fleet.ResumeRequested:
		return "ResumeRequested", true
	case fleet.FaultCleared:
		return "FaultCleared", true
	case fleet.CancelRequested:
		return "CancelRequested", true
	case fleet.PriorityChanged:
		return "PriorityChanged", true
	case fleet.ChargeRequested:
		return "ChargeRequested", true
	case fleet.ParkRequested:
		return "ParkRequested", true
	case fleet.EmergencyStopRequested:
		return "EmergencyStopRequested", true
	case fleet.EmergencyReleaseRequested:
		return "EmergencyReleaseRequested", true
	case fleet.OutOfServiceRequested:
		return "OutOfServiceRequested", true
	case fleet.InServiceRequested:
		return "InServiceRequested", true
	case fleet.LaneClosed:
		return "LaneClosed", true
	case fleet.LaneReopened:
		return "LaneReopened", true
	}
	return "", false
}

// eventDecoder decodes an event record's data.
type eventDecoder func([]byte) (fleet.Event, error)

// decoders are, per record version, the events by their journal names.
var decoders = map[int]map[string]eventDecoder{
	1: {
		"MoveRequested":             decodeAs[fleet.MoveRequested],
		"CustomsDecision":           decodeAs[fleet.CustomsDecision],
		"DeclarationFiled":          decodeAs[fleet.DeclarationFiled],
		"SealRead":                  decodeAs[fleet.SealRead],
		"PauseRequested":            decodePause,
		"ResumeRequested":           decodeAs[fleet.ResumeRequested],
		"FaultCleared":              decodeAs[fleet.FaultCleared],
		"CancelRequested":           decodeAs[fleet.CancelRequested],
		"PriorityChanged":           decodeAs[fleet.PriorityChanged],
		"ChargeRequested":           decodeAs[fleet.ChargeRequested],
		"ParkRequested":             decodeAs[fleet.ParkRequested],
		"EmergencyStopRequested":    decodeEmergencyStop,
		"EmergencyReleaseRequested": decodeAs[fleet.EmergencyReleaseRequested],
		"OutOfServiceRequested":     decodeAs[fleet.OutOfServiceRequested],
		"InServiceRequested":        decodeAs[fleet.InServiceRequested],
		"ServiceRequested":          decodeService,
		"LaneClosed":                decodeLaneClosed,
		"LaneReopened":              decodeAs[fleet.LaneReopened],
	},
	2: {
		"MoveRequested":             decodeAs[fleet.MoveRequested],
		"CustomsDecision":           decodeAs[fleet.CustomsDecision],
		"DeclarationFiled":          decodeAs[fleet.DeclarationFiled],
		"SealRead":                  decodeAs[fleet.SealRead],
		"PauseRequested":            decodeAs[fleet.PauseRequested],
		"ResumeRequested":           decodeAs[fleet.ResumeRequested],
		"FaultCleared":              decodeAs[fleet.FaultCleared],
		"CancelRequested":           decodeAs[fleet.CancelRequested],
		"PriorityChanged":           decodeAs[fleet.PriorityChanged],
		"ChargeRequested":           decodeAs[fleet.ChargeRequested],
		"ParkRequested":             decodeAs[fleet.ParkRequested],
		"EmergencyStopRequested":    decodeAs[fleet.EmergencyStopRequested],
		"EmergencyReleaseRequested": decodeAs[fleet.EmergencyReleaseRequested],
		"OutOfServiceRequested":     decodeAs[fleet.OutOfServiceRequested],
		"InServiceRequested":        decodeAs[fleet.InServiceRequested],
		"LaneClosed":                decodeAs[fleet.LaneClosed],
		"LaneReopened":              decodeAs[fleet.LaneReopened],
	},
}

func decodeAs[T fleet.Event](b []byte) (fleet.Event, error) {
	var x T
	err := json.Unmarshal(b, &x)
	return x, err
}

// decodeLaneClosed reads a LaneClosed record. Before LaneReopened, a
// reopening was journaled as a LaneClosed with Closed false: such a
// record replays as the LaneReopened it meant.
func decodeLaneClosed(b []byte) (fleet.Event, error) {
	var x struct {
		fleet.LaneClosed
		Closed *bool // only in journals written before LaneReopened
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	if x.Closed != nil && !*x.Closed {
		return fleet.LaneReopened{Lane: x.Lane, By: x.By}, nil
	}
	return x.LaneClosed, nil
}

// Journals written before the paired events had one event with a bool:
// PauseRequested{Pause}, EmergencyStopRequested{Stop} and
// ServiceRequested{InService}. Such a record replays as the event it
// meant.

// decodePaired makes the version 1 decoder of an event that chose between
// two by a bool field (flag): the value true, or no flag (absent), gives
// on; false gives off.
func decodePaired(flag string, absent bool, on, off func(shuttle string) fleet.Event) eventDecoder {
	return func(b []byte) (fleet.Event, error) {
		var x struct{ Shuttle string }
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &x); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, err
		}
		v := absent
		if raw, ok := fields[flag]; ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("%s: %w", flag, err)
			}
		}
		if v {
			return on(x.Shuttle), nil
		}
		return off(x.Shuttle), nil
	}
}

var (
	decodePause = decodePaired("Pause", true,
		func(s string) fleet.Event { return fleet.PauseRequested{Shuttle: s} },
		func(s string) fleet.Event { return fleet.ResumeRequested{Shuttle: s} })
	decodeEmergencyStop = decodePaired("Stop", true,
		func(s string) fleet.Event { return fleet.EmergencyStopRequested{Shuttle: s} },
		func(s string) fleet.Event { return fleet.EmergencyReleaseRequested{Shuttle: s} })
	decodeService = decodePaired("InService", false,
		func(s string) fleet.Event { return fleet.InServiceRequested{Shuttle: s} },
		func(s string) fleet.Event { return fleet.OutOfServiceRequested{Shuttle: s} })
)

func encodeEvent(ev fleet.Event) (*eventJSON, error) {
	name, ok := eventName(ev)
	if !ok {
		return nil, fmt.Errorf("daemon: event %T cannot be submitted", ev)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	return &eventJSON{Type: name, Data: b}, nil
}

// decode decodes an event of a record of version v (decodeRecord checked
// that there is a decoder table for it).
func (e *eventJSON) decode(v int) (fleet.Event, error) {
	dec, ok := decoders[v][e.Type]
	if !ok {
		return nil, fmt.Errorf("daemon: journal: unknown event type %q (record version %d)", e.Type, v)
	}
	ev, err := dec(e.Data)
	if err != nil {
		return nil, fmt.Errorf("daemon: journal: %s: %w", e.Type, err)
	}
	return ev, nil
}

func decodeRecord(b []byte) (record, error) { return (*inflater)(nil).decodeRecord(b) }

// decodeRecord decodes a record, inflating it with f's decompressor (a
// nil f makes one for the record).
func (f *inflater) decodeRecord(b []byte) (record, error) {
	var r record
	b, err := f.inflate(b)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("daemon: journal record: %w", err)
	}
	if r.V == 0 {
		r.V = 1 // written before records had a version
	}
	if _, ok := decoders[r.V]; !ok {
		return r, fmt.Errorf("daemon: journal record of version %d, written by a newer fleetd: this one reads versions 1 to %d", r.V, journalVersion)
	}
	switch r.Kind {
	case kindMessage, kindTick, kindEvent, kindSilent, kindResume, kindConfig, kindAdmit, kindHook:
	default:
		return r, fmt.Errorf("daemon: journal record of unknown kind %q", r.Kind)
	}
	if r.Kind == kindEvent && r.Event == nil {
		return r, fmt.Errorf("daemon: journal event record without an event")
	}
	if r.Kind == kindHook && len(r.Hooks) == 0 {
		return r, fmt.Errorf("daemon: journal hook record without steps")
	}
	if r.Kind == kindAdmit && r.Entry == nil {
		return r, fmt.Errorf("daemon: journal admit record without a roster entry")
	}
	return r, nil
}

// settings describes everything a replay depends on besides the journal:
// the same journal replayed with other settings would build another
// state, so a fleetd refuses a journal written with other settings.
func settings(cfg Config) string {
	f, v := cfg.Fleet, cfg.Vehicles
	roster := []string{}
	if v.Roster != nil {
		for _, e := range v.Roster.Entries() {
			roster = append(roster, e.Manufacturer+"/"+e.SerialNumber)
		}
	}
	m := map[string]any{
		"site":      fmt.Sprintf("%s, %d nodes, %d edges", cfg.Graph.MapID, len(cfg.Graph.Nodes), len(cfg.Graph.Edges)),
		"seed":      cfg.Seed,
		"dispatch":  f.Dispatch,
		"charging":  fmt.Sprintf("%T %+v", f.Charging, f.Charging),
		"handling":  f.Handling.String(),
		"horizon":   f.Horizon.String(),
		"ambient":   f.AmbientC,
		"vehicle":   fmt.Sprintf("%+v", f.Vehicle),
		"traffic":   fmt.Sprintf("%+v", f.Traffic),
		"interface": v.Interface,
		"autoAdmit": v.AutoAdmit,
		"resend":    v.ResendAfter.String(),
		"deviation": v.Deviation,
		"place":     v.PlaceWithin,
		"roster":    roster,
	}
	if f.HoldWithoutDeclaration {
		// only when on, so that journals written before it existed replay
		m["holdWithoutDeclaration"] = true
	}
	if e := v.FactsheetEvery; e != 0 && e != vehicles.DefaultFactsheetEvery {
		// only when not the default, so that journals written before it
		// existed replay
		m["factsheetEvery"] = e.String()
	}
	if f.Tuning != (fleet.Tuning{}) {
		// only when set, so that journals written before it existed replay
		m["tuning"] = f.Tuning
	}
	b, _ := json.Marshal(m)
	return string(b)
}
