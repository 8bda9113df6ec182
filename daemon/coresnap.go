package daemon

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// A snapshot of the core is the whole state that the journal's records
// up to one index built: the Controller's (fleet.Snapshot), the Master's
// (vehicles.Snapshot), and what the daemon itself keeps of the journal
// (the audit entries made, the outbound deliveries, the last input's
// time). Recovery restores the newest valid one and replays only the
// records after it; the core is deterministic, so that is the state a
// replay of every record builds.
//
// On disk (in the store, by the index it covers) a snapshot is
// snapshotFile as JSON, deflated: the version of its core's format, the
// index, when it was written, the SHA-256 of the core's JSON, and the
// core. Each version has its decoder (coreDecoders); a snapshot of a
// version this fleetd does not know, one whose checksum does not match
// (corrupted, truncated) or that does not decode is passed over for the
// one before it, with the reason logged.

// snapshotVersion is the version of the core state this fleetd writes.
const snapshotVersion = 1

// snapshotFile is a snapshot as stored.
type snapshotFile struct {
	V       int             `json:"v"`
	Seq     uint64          `json:"seq"`
	Written time.Time       `json:"written"`
	SHA256  string          `json:"sha256"`
	Core    json.RawMessage `json:"core"`
}

// coreState is the state of a snapshot of version 1, and the one this
// fleetd restores: a decoder of an older version makes one of these.
type coreState struct {
	// Settings are the journal's settings (see settings): a snapshot is
	// restored only with the same.
	Settings string              `json:"settings"`
	Applied  uint64              `json:"applied"`
	LastAt   time.Time           `json:"lastAt"`
	Wake     time.Time           `json:"wake"`
	Fleet    fleet.Snapshot      `json:"fleet"`
	Vehicles vehicles.Snapshot   `json:"vehicles"`
	Audit    auditState          `json:"audit"`
	Hooks    map[string]Delivery `json:"hooks"`
	// Archive: the moves that left the Controller and are not yet in the
	// store's archive (archive.go).
	Archive []fleet.MoveSnapshot `json:"archive,omitempty"`
}

// auditState is what the auditor made of the moves so far: how many of
// each move's history entries became audit entries, and the entries made
// and not yet written.
type auditState struct {
	Seen    map[string]int `json:"seen"`
	Pending []audit.Entry  `json:"pending,omitempty"`
}

// coreDecoders decode a snapshot's core, by version.
var coreDecoders = map[int]func([]byte) (coreState, error){
	1: func(b []byte) (coreState, error) {
		var cs coreState
		err := json.Unmarshal(b, &cs)
		return cs, err
	},
}

// coreState exports the core's state; it runs on the daemon's goroutine,
// between inputs. What it returns is a copy, but for what the core never
// changes (see vehicles.Master.Snapshot): it may be encoded on another
// goroutine while the core goes on.
func (d *Daemon) coreState() (coreState, error) {
	cs := coreState{Settings: d.settings, Applied: d.applied, LastAt: d.lastAt, Wake: d.wake,
		Fleet: d.ctl.Snapshot(), Vehicles: d.m.Snapshot(),
		Audit: auditState{Seen: map[string]int{}, Pending: append([]audit.Entry(nil), d.au.pending...)},
		Hooks: map[string]Delivery{}, Archive: d.archiveState()}
	for k, n := range d.au.seen {
		cs.Audit.Seen[k] = n
	}
	for k, v := range d.hooks {
		cs.Hooks[k] = v.clone()
	}
	return cs, nil
}

// encodeCore is the JSON of the core's state now.
func (d *Daemon) encodeCore() ([]byte, error) {
	cs, err := d.coreState()
	if err != nil {
		return nil, err
	}
	return cs.encode()
}

// encode is the JSON of a core's state.
func (cs coreState) encode() ([]byte, error) {
	b, err := json.Marshal(cs)
	if err != nil {
		return nil, fmt.Errorf("daemon: snapshot: %w", err)
	}
	return b, nil
}

// encodeSnapshot wraps a core's JSON for the store: the checksum, the
// envelope, deflated. It may run off the daemon's goroutine.
func encodeSnapshot(seq uint64, written time.Time, core []byte) ([]byte, error) {
	sum := sha256.Sum256(core)
	b, err := json.Marshal(snapshotFile{V: snapshotVersion, Seq: seq, Written: written.UTC(), SHA256: hex.EncodeToString(sum[:]), Core: core})
	if err != nil {
		return nil, fmt.Errorf("daemon: snapshot: %w", err)
	}
	return deflateSnapshot(b), nil
}

func deflateSnapshot(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestSpeed) // errs only on a bad level
	_, _ = w.Write(b)                              // a bytes.Buffer does not fail
	_ = w.Close()                                  // nor does its Close
	return out.Bytes()
}

func inflateSnapshot(b []byte) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), maxSnapshot))
	if err != nil {
		return nil, fmt.Errorf("daemon: snapshot: inflating: %w", err)
	}
	return raw, nil
}

// maxSnapshot bounds a snapshot inflated.
const maxSnapshot = 4 << 30

// decodeSnapshot undoes encodeSnapshot and checks what it finds: the
// index it was stored under (want), the checksum, the version.
func decodeSnapshot(b []byte, want uint64) (coreState, error) {
	raw, err := inflateSnapshot(b)
	if err != nil {
		return coreState{}, err
	}
	var f snapshotFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return coreState{}, fmt.Errorf("daemon: snapshot: %w", err)
	}
	dec, ok := coreDecoders[f.V]
	if !ok {
		return coreState{}, fmt.Errorf("daemon: snapshot of version %d, written by a newer fleetd: this one reads versions 1 to %d", f.V, snapshotVersion)
	}
	if f.Seq != want {
		return coreState{}, fmt.Errorf("daemon: snapshot of record %d stored as the one of %d", f.Seq, want)
	}
	if sum := sha256.Sum256(f.Core); hex.EncodeToString(sum[:]) != f.SHA256 {
		return coreState{}, fmt.Errorf("daemon: snapshot: checksum mismatch")
	}
	cs, err := dec(f.Core)
	if err != nil {
		return coreState{}, fmt.Errorf("daemon: snapshot: version %d: %w", f.V, err)
	}
	if cs.Applied != f.Seq {
		return coreState{}, fmt.Errorf("daemon: snapshot of record %d holds the state after record %d", f.Seq, cs.Applied)
	}
	return cs, nil
}

// restore puts the core in a snapshot's state. It changes nothing when it
// fails; a snapshot written with other settings fails with ErrSettings.
func (d *Daemon) restore(cs coreState) error {
	if cs.Settings != d.settings {
		return fmt.Errorf("%w:\n  snapshot: %s\n  now:      %s", ErrSettings, cs.Settings, d.settings)
	}
	closed := d.cfg.Graph.Closed() // as the core left in place on failure has them
	ctl, err := fleet.Restore(d.cfg.Fleet, cs.Fleet)
	if err != nil {
		_ = d.cfg.Graph.SetClosed(closed)
		return err
	}
	m, err := vehicles.Restore(d.cfg.Vehicles, cs.Vehicles)
	if err != nil {
		_ = d.cfg.Graph.SetClosed(closed)
		return err
	}
	d.ctl, d.m = ctl, m
	d.markAll()
	d.applied, d.lastAt, d.wake = cs.Applied, cs.LastAt, cs.Wake
	d.au.seen, d.au.pending = cs.Audit.Seen, cs.Audit.Pending
	d.arch = restoreArchive(cs.Archive)
	if d.au.seen == nil {
		d.au.seen = map[string]int{}
	}
	d.hooks = nil
	for k, v := range cs.Hooks {
		if d.hooks == nil {
			d.hooks = map[string]*Delivery{}
		}
		v := v.clone()
		d.hooks[k] = &v
	}
	return nil
}

// newestSnapshot is the index of the newest snapshot kept, 0 if none (or
// the store cannot say: loadSnapshot will).
func (d *Daemon) newestSnapshot(ctx context.Context) uint64 {
	if d.snaps == nil {
		return 0
	}
	seqs, err := d.snaps.Snapshots(ctx)
	if err != nil || len(seqs) == 0 {
		return 0
	}
	return seqs[len(seqs)-1]
}

// errNoSnapshot: no snapshot could be restored.
var errNoSnapshot = errors.New("daemon: no valid snapshot")

// loadSnapshot restores the newest valid snapshot of at least index min,
// trying older ones when one is not valid (each reason logged). It
// returns errNoSnapshot when none is.
func (d *Daemon) loadSnapshot(ctx context.Context, min uint64) error {
	if d.snaps == nil {
		return errNoSnapshot
	}
	seqs, err := d.snaps.Snapshots(ctx)
	if err != nil {
		return fmt.Errorf("daemon: listing snapshots: %w", err)
	}
	for i := len(seqs) - 1; i >= 0 && seqs[i] >= min && seqs[i] > 0; i-- {
		seq := seqs[i]
		start := time.Now()
		b, err := d.snaps.ReadSnapshot(ctx, seq)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.log.Warn("snapshot unreadable; trying an older one", "snapshot", seq, "err", err)
			continue
		}
		cs, err := decodeSnapshot(b, seq)
		if err == nil {
			err = d.restore(cs)
		}
		if errors.Is(err, ErrSettings) {
			return err
		}
		if err != nil {
			d.log.Warn("snapshot not valid; trying an older one", "snapshot", seq, "err", err)
			continue
		}
		d.fromSnapshot = seq
		d.log.Info("snapshot restored", "snapshot", seq, "bytes", len(b), "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	if len(seqs) > 0 {
		d.log.Warn("no valid snapshot", "kept", len(seqs), "from", min)
	}
	return errNoSnapshot
}
