package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/store"
)

// The Controller lets ended moves go after its retention
// (fleet.Config.Retention, Ready.Archived); the daemon keeps them in the
// store's archive of moves, where readers find them by id or page through
// them by number. A move that left is pending until the store has it:
// pending moves are part of the core's state (a snapshot holds them), and
// readers see them (View.Move, View.Archiving), so that no reader ever
// misses a move between the Controller and the store. Like the audit
// entries, they are made the same way live and in replay, and written
// only by the active instance, fenced by its token; a standby forgets
// those the active one wrote. Writing one again (after a replay, a
// failover) replaces it with the same bytes.
//
// In the store a move is archiveRecord as JSON: the version of its format
// and the move as a snapshot holds it (fleet.MoveSnapshot).

// ArchiveStore is what the daemon needs of a store for the archive of
// moves (see package store); a Journal that also is one gets it.
type ArchiveStore interface {
	PutArchived(ctx context.Context, token uint64, moves ...store.Archived) error
	ArchivedMove(ctx context.Context, id string) (store.Archived, error)
	ListArchived(ctx context.Context, before uint64, limit int) ([]store.Archived, error)
}

// ErrNotArchived: the store's archive has no move of the id asked for.
var ErrNotArchived = store.ErrNotArchived

// archiveVersion is the version of archiveRecord this fleetd writes.
const archiveVersion = 1

// archiveRecord is a move as the archive keeps it.
type archiveRecord struct {
	V    int                `json:"v"`
	Move fleet.MoveSnapshot `json:"move"`
}

// archiveDecoders decode an archived move, by version.
var archiveDecoders = map[int]func([]byte) (fleet.MoveSnapshot, error){
	1: func(b []byte) (fleet.MoveSnapshot, error) {
		var r archiveRecord
		err := json.Unmarshal(b, &r)
		return r.Move, err
	},
}

func encodeArchived(m *fleet.Move) (store.Archived, error) {
	b, err := json.Marshal(archiveRecord{V: archiveVersion, Move: m.Snapshot()})
	if err != nil {
		return store.Archived{}, fmt.Errorf("daemon: archiving move %s: %w", m.ID, err)
	}
	return store.Archived{Num: m.Num, ID: m.ID, Data: b}, nil
}

func decodeArchived(a store.Archived) (*fleet.Move, error) {
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(a.Data, &head); err != nil {
		return nil, fmt.Errorf("daemon: archived move %s: %w", a.ID, err)
	}
	dec, ok := archiveDecoders[head.V]
	if !ok {
		return nil, fmt.Errorf("daemon: archived move %s of version %d, written by a newer fleetd: this one reads versions 1 to %d", a.ID, head.V, archiveVersion)
	}
	ms, err := dec(a.Data)
	if err != nil {
		return nil, fmt.Errorf("daemon: archived move %s: version %d: %w", a.ID, head.V, err)
	}
	if ms.ID != a.ID || ms.Num != a.Num {
		return nil, fmt.Errorf("daemon: archived move %s (%d) holds move %s (%d)", a.ID, a.Num, ms.ID, ms.Num)
	}
	return fleet.RestoredMove(ms), nil
}

// archived takes the moves the Controller let go in one input: the
// auditor forgets them, and they are pending until written.
func (d *Daemon) archived(moves []*fleet.Move) {
	for _, m := range moves {
		delete(d.au.seen, m.ID)
		d.arch = append(d.arch, m)
	}
}

// flushArchive writes the pending moves to the store, when this instance
// is active (has taken the lease, as the auditor's live says); they stay pending when the store does not take them, and
// the next input tries again.
func (d *Daemon) flushArchive(ctx context.Context) error {
	if d.archive == nil || !d.au.live || len(d.arch) == 0 {
		return nil
	}
	batch := make([]store.Archived, 0, len(d.arch))
	for _, m := range d.arch {
		a, err := encodeArchived(m)
		if err != nil {
			return err
		}
		batch = append(batch, a)
	}
	if err := d.archive.PutArchived(ctx, d.token, batch...); err != nil {
		return fmt.Errorf("daemon: archiving %d moves: %w", len(batch), err)
	}
	clear(d.arch)
	d.arch = d.arch[:0]
	return nil
}

// pruneArchive, while standing by, forgets the pending moves the active
// instance has written.
func (d *Daemon) pruneArchive(ctx context.Context) error {
	if d.archive == nil {
		return nil
	}
	keep := d.arch[:0]
	for _, m := range d.arch {
		_, err := d.archive.ArchivedMove(ctx, m.ID)
		switch {
		case errors.Is(err, store.ErrNotArchived):
			keep = append(keep, m)
		case err != nil:
			return fmt.Errorf("daemon: reading the archive: %w", err)
		}
	}
	clear(d.arch[len(keep):])
	d.arch = keep
	return nil
}

// ArchivedMove reads a move that left the core from the store's archive
// (View.Move finds those that have not). It returns an error matching
// ErrNotArchived when the archive has none of that id, or when fleetd
// keeps no store.
func (d *Daemon) ArchivedMove(ctx context.Context, id string) (*fleet.Move, error) {
	if d.archive == nil {
		return nil, fmt.Errorf("daemon: no store: %w", ErrNotArchived)
	}
	a, err := d.archive.ArchivedMove(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeArchived(a)
}

// ArchivedMoves reads moves that left the core from the store's archive:
// those numbered below before (0: all), highest number first, at most
// limit. Without a store there are none.
func (d *Daemon) ArchivedMoves(ctx context.Context, before uint64, limit int) ([]*fleet.Move, error) {
	if d.archive == nil {
		return nil, nil
	}
	as, err := d.archive.ListArchived(ctx, before, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*fleet.Move, 0, len(as))
	for _, a := range as {
		m, err := decodeArchived(a)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// archiveState is the pending moves as a snapshot holds them.
func (d *Daemon) archiveState() []fleet.MoveSnapshot {
	var out []fleet.MoveSnapshot
	for _, m := range d.arch {
		out = append(out, m.Snapshot())
	}
	return out
}

// restoreArchive makes the pending moves of a snapshot's.
func restoreArchive(ms []fleet.MoveSnapshot) []*fleet.Move {
	out := make([]*fleet.Move, 0, len(ms))
	for _, m := range ms {
		out = append(out, fleet.RestoredMove(m))
	}
	return slices.Clip(out)
}
