package api

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/vehicles"
)

// Fleet is what the API needs of the daemon (a *daemon.Daemon).
type Fleet interface {
	// Read runs fn on the core's goroutine with a read-only view of the
	// core.
	Read(ctx context.Context, fn func(now time.Time, v daemon.View)) error
	// Submit journals and applies an event and returns the Controller's
	// verdict.
	Submit(ctx context.Context, ev fleet.Event) error
	// Active reports whether this instance drives the fleet.
	Active() bool
	// Admit journals and puts a vehicle on the roster.
	Admit(ctx context.Context, e vehicles.Entry) error
	// Published is the core as last published, for reads that must not
	// wait for it (nil before the first publication).
	Published() *daemon.Published
}

// Archive is what the API reads of the moves that left the fleet's core
// after its retention (a *daemon.Daemon: daemon.Daemon.ArchivedMove and
// ArchivedMoves read them from the store).
type Archive interface {
	// ArchivedMove is the archived move of an id, or an error matching
	// daemon.ErrNotArchived.
	ArchivedMove(ctx context.Context, id string) (*fleet.Move, error)
	// ArchivedMoves are the archived moves numbered below before (0:
	// all), highest number first, at most limit.
	ArchivedMoves(ctx context.Context, before uint64, limit int) ([]*fleet.Move, error)
}

// coreView is what the API reads of the fleet's core (a daemon.View):
// the Controller's and the vehicles' queries it makes, none of their
// commands. It is valid only inside the function given to Server.read;
// what it returns must not be changed.
type coreView interface {
	Moves() []*fleet.Move
	Archiving() []*fleet.Move
	Move(id string) (*fleet.Move, bool)
	ChangedSince(seq uint64) ([]*fleet.Move, uint64)
	MoveCounts() map[fleet.MoveState]int
	GateQueue() []fleet.GateWait
	Declarations(c fleet.Container) []fleet.Declaration
	ClosedLanes() []string
	StillRoutedOver(lane string) []string
	ShuttleState(id string) (fleet.ShuttleState, float64, bool)
	Activity(id string) fleet.Activity
	ActivitySince(id string) (fleet.Activity, time.Time)
	ChargerSlots(station string) []charging.Slot
	Vehicles() []vehicles.Vehicle
}

// AuditLog is what the audit export reads of the store: the
// chain-of-custody log, record i holding the audit.Entry of Seq i.
type AuditLog interface {
	ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
}

// Config is what a Server needs. Zero fields take the defaults noted.
type Config struct {
	// Fleet is the running daemon. Required.
	Fleet Fleet
	// Site and Graph are the site and its lane graph. Required.
	Site  *geo.Site
	Graph *routing.Graph
	// Tokens are the callers that may use the API (see ParseTokens).
	// Without any, every request but health and ready is refused.
	Tokens []Token
	// Webhooks are the customs webhooks, for admins; nil: none configured.
	Webhooks Webhooks
	// MaxBody is the largest request body accepted; default 64 KiB.
	MaxBody int64
	// SnapshotEvery is how often the event stream sends a snapshot;
	// default 1 s.
	SnapshotEvery time.Duration
	// Archive is where moves that left the core are read (by id, and
	// in listings); nil: nowhere (fleetd keeps no store, and so every
	// move stays in the core).
	Archive Archive
	// Audit is the audit log GET /v1/audit/export reads; nil (fleetd keeps
	// no store): the export answers 503.
	Audit AuditLog
	// AuditKey is the deployment's key that signs audit exports; nil: the
	// export and GET /v1/audit/key answer 503.
	AuditKey ed25519.PrivateKey
	// Log is the server's logger; nil discards. Tokens are never logged.
	Log *slog.Logger
}

// DefaultMaxBody is the default request body limit.
const DefaultMaxBody = 64 << 10

func (c Config) withDefaults() Config {
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate says what is wrong with a config.
func (c Config) Validate() error {
	switch {
	case c.Fleet == nil:
		return errors.New("api: config has no fleet")
	case c.Site == nil:
		return errors.New("api: config has no site")
	case c.Graph == nil:
		return errors.New("api: config has no lane graph")
	case c.MaxBody < 0:
		return fmt.Errorf("api: MaxBody %d is negative", c.MaxBody)
	case c.SnapshotEvery < 0:
		return fmt.Errorf("api: SnapshotEvery %v is negative", c.SnapshotEvery)
	case c.AuditKey != nil && len(c.AuditKey) != ed25519.PrivateKeySize:
		return fmt.Errorf("api: AuditKey has %d bytes, an Ed25519 private key %d", len(c.AuditKey), ed25519.PrivateKeySize)
	}
	if err := checkTokens(c.Tokens); err != nil {
		return err
	}
	return CheckCountries(c.Tokens, Countries(c.Site))
}

// Countries are the countries with a checkpoint on a site, in site order:
// each has a customs role (CustomsRole).
func Countries(s *geo.Site) []string {
	var out []string
	for _, cp := range s.Checkpoints {
		if cp.Country != "" && !slices.Contains(out, cp.Country) {
			out = append(out, cp.Country)
		}
	}
	return out
}
