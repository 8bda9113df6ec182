package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/sim/demand"
)

// Config is the traffic and customs a demo plays, with the model of
// package demand that the in-process simulation plays too. Zero fields take the
// defaults noted; shares are 0..1. Times are on the daemon's clock.
type Config struct {
	// MovesPerHour both ways together; default 40.
	MovesPerHour float64
	// Eastbound is the share of moves from the first centre to the second;
	// default 0.5.
	Eastbound float64
	// PreCleared share of containers cleared before they reach the gates;
	// default 0.3.
	PreCleared float64
	// Inspected and Refused shares of the decisions at a stop line;
	// defaults 0.1 and 0.02 (set NoRefusals to have none). Refused is
	// also the share refused after an inspection.
	Inspected, Refused float64
	NoRefusals         bool
	// DecideAfter is the mean time an officer takes to decide; default 1
	// minute. InspectTime is how long an inspection takes; default 10
	// minutes.
	DecideAfter, InspectTime time.Duration
	// MaxMoves stops asking for moves after this many; 0 means no limit.
	MaxMoves int
	// NoMoves plays only the officers: moves come from elsewhere.
	NoMoves bool
	// NoOfficers plays no officers: customs decisions come from elsewhere
	// (officers or a test over the API).
	NoOfficers bool
	// Seed for the demo's own randomness; default 1.
	Seed int64
	// Poll is how often (real time) it looks at the fleet; default 200 ms.
	Poll time.Duration
	// Model, if set, is the demand and the officers' model as given (a
	// scenario's, as the in-process simulation plays it: sim.Config's
	// DemandConfig), in place of MovesPerHour, Eastbound, PreCleared,
	// Inspected, Refused, NoRefusals, DecideAfter and InspectTime.
	Model *demand.Config
}

func (c Config) withDefaults() Config {
	if c.MovesPerHour == 0 {
		c.MovesPerHour = 40
	}
	if c.Eastbound == 0 {
		c.Eastbound = 0.5
	}
	if c.PreCleared == 0 {
		c.PreCleared = 0.3
	}
	if c.Inspected == 0 {
		c.Inspected = 0.1
	}
	if c.Refused == 0 && !c.NoRefusals {
		c.Refused = 0.02
	}
	if c.DecideAfter == 0 {
		c.DecideAfter = time.Minute
	}
	if c.InspectTime == 0 {
		c.InspectTime = 10 * time.Minute
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Poll == 0 {
		c.Poll = 200 * time.Millisecond
	}
	return c
}

// Validate says what is wrong with a config.
func (c Config) Validate() error {
	for name, s := range map[string]float64{"Eastbound": c.Eastbound, "PreCleared": c.PreCleared, "Inspected": c.Inspected, "Refused": c.Refused} {
		if s < 0 || s > 1 {
			return fmt.Errorf("demo: %s share %v is not between 0 and 1", name, s)
		}
	}
	if c.Inspected+c.Refused > 1 {
		return errors.New("demo: Inspected and Refused shares add up to more than 1")
	}
	if c.MovesPerHour < 0 || c.DecideAfter < 0 || c.InspectTime < 0 || c.MaxMoves < 0 {
		return errors.New("demo: negative rate, time or move count")
	}
	return nil
}

// Fleet is what the demo needs of the daemon.
type Fleet interface {
	Submit(ctx context.Context, ev fleet.Event) error
	GateQueue(ctx context.Context) ([]fleet.GateWait, time.Time, error)
	// Active: the fleet takes requests (a standby fleetd does not).
	Active() bool
}

// Player plays operators and officers.
type Player struct {
	cfg     Config
	model   *demand.Model
	f       Fleet
	rng     *rand.Rand // for moves: the same seed asks for the same moves, whatever customs does
	officer *rand.Rand // for decisions
	n       int
	next    time.Time
	decided map[string]bool // move|checkpoint|stage -> a decision is scheduled
	due     []decision
	errs    int
}

type decision struct {
	at  time.Time
	key string
	ev  fleet.CustomsDecision
}

// New makes a player for a site with two or more centres.
func New(cfg Config, site *geo.Site, f Fleet) (*Player, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	mc := demand.Config{MovesPerHour: cfg.MovesPerHour, Eastbound: cfg.Eastbound, PreCleared: cfg.PreCleared,
		Inspected: cfg.Inspected, Refused: cfg.Refused, InspectRefused: cfg.Refused,
		DecideAfter: cfg.DecideAfter, InspectTime: cfg.InspectTime}
	if cfg.Model != nil {
		mc = *cfg.Model
		cfg.MovesPerHour = mc.MovesPerHour
		cfg.NoMoves = cfg.NoMoves || mc.MovesPerHour == 0
	}
	model, err := demand.New(mc, site)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return &Player{cfg: cfg, model: model, f: f, rng: rand.New(rand.NewSource(cfg.Seed)), officer: rand.New(rand.NewSource(cfg.Seed + 1)), decided: map[string]bool{}}, nil
}

// Moves is how many moves it has asked for.
func (p *Player) Moves() int { return p.n }

// Run plays until ctx is cancelled. A player started again with the same
// seed asks for the same moves with the same idempotency keys, so a fleet
// that restarted takes each only once.
func (p *Player) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := p.Step(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}

// Step asks for the moves that are due and plays customs, once: Run
// does it every Poll; a caller on a virtual clock (package
// demo/history) does it itself.
func (p *Player) Step(ctx context.Context) error {
	if !p.f.Active() {
		return nil // a standby fleetd: its turn may come
	}
	queue, now, err := p.f.GateQueue(ctx)
	if err != nil {
		return err
	}
	if p.next.IsZero() {
		p.next = now
	}
	for !p.cfg.NoMoves && !now.Before(p.next) && (p.cfg.MaxMoves == 0 || p.n < p.cfg.MaxMoves) {
		p.requestMove(ctx, now)
		p.next = p.next.Add(p.model.Gap(p.rng))
	}
	if !p.cfg.NoOfficers {
		p.officers(now, queue)
	}
	rest := p.due[:0]
	for _, d := range p.due {
		if now.Before(d.at) {
			rest = append(rest, d)
			continue
		}
		if err := p.f.Submit(ctx, d.ev); err != nil {
			p.errs++
			delete(p.decided, d.key) // decide again when it still waits
		}
	}
	p.due = rest
	return nil
}

func (p *Player) requestMove(ctx context.Context, now time.Time) {
	mv := p.model.Move(p.rng)
	p.n++
	id := fmt.Sprintf("demo-%d-%05d", p.cfg.Seed, p.n)
	c := demand.Container("BFDU", int(p.cfg.Seed)*10000+p.n)
	err := p.f.Submit(ctx, fleet.MoveRequested{ID: id, Container: string(c),
		Origin: mv.Origin, Destination: mv.Destination,
		PreCleared: mv.PreCleared, Declaration: "DEMO-" + id, IdempotencyKey: id})
	if err != nil {
		p.errs++
	}
}

// officers schedule a decision for every container that waits for one.
func (p *Player) officers(now time.Time, queue []fleet.GateWait) {
	for _, w := range queue {
		if w.Decided {
			continue
		}
		stage := "gate"
		if w.Inspection {
			if !w.AtInspectionBay {
				continue // on its way to the inspection bay
			}
			stage = "inspection"
		}
		key := w.Move + "|" + w.Checkpoint + "|" + stage
		if p.decided[key] {
			continue
		}
		d, after := p.model.AtStopLine(p.officer)
		if w.Inspection {
			d, after = p.model.AfterInspection(p.officer)
		}
		p.decided[key] = true
		p.due = append(p.due, decision{at: now.Add(after), key: key, ev: fleet.CustomsDecision{
			Checkpoint: w.Checkpoint, Country: w.Country, Move: w.Move, Decision: d,
			Officer: "demo-officer-" + w.Country, Reason: "demo " + stage}})
	}
}
