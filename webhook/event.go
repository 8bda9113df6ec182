package webhook

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/geo"
)

// Event is the body of a delivery: the audit entry's fields as the audit
// log has them (so a receiver can check its hash with audit.HashOf and
// the chain with Prev), the subscriber's country, and the event's id.
type Event struct {
	// ID identifies the event; it is the entry's hash, as is the
	// Idempotency-Key header.
	ID string `json:"id"`
	// Country is the subscriber the event is for.
	Country string `json:"country"`
	audit.Entry
}

// sharing is audit.Sharing over a site and the moves' countries looked up
// for one batch of entries.
func sharing(site *geo.Site, moves map[string][]string) audit.Sharing {
	return audit.Sharing{
		CheckpointCountry: func(id string) string {
			for _, cp := range site.Checkpoints {
				if cp.ID == id {
					return cp.Country
				}
			}
			return ""
		},
		MoveCountries: func(move string) []string { return moves[move] },
	}
}

// moveCountries asks the core for the countries of the moves of es.
func moveCountries(ctx context.Context, f Fleet, es []audit.Entry) (map[string][]string, error) {
	want := map[string]bool{}
	for _, e := range es {
		want[e.Move] = true
	}
	out := map[string][]string{}
	err := f.Read(ctx, func(_ time.Time, v daemon.View) {
		for _, m := range v.Moves() {
			if want[m.ID] {
				out[m.ID] = slices.Clone(m.Countries())
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("webhook: the moves' countries: %w", err)
	}
	return out, nil
}

// readAudit reads up to limit entries of the audit log after seq.
func readAudit(ctx context.Context, log AuditLog, after uint64, limit int) ([]audit.Entry, error) {
	raw, err := log.ReadAudit(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook: reading the audit log: %w", err)
	}
	out := make([]audit.Entry, 0, len(raw))
	for _, r := range raw {
		e, err := audit.Decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("webhook: audit entry %d: %w", r.Index, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// visible reports, for each entry, whether country may see it, by
// audit.Sharing, with the moves' countries from the core.
func visible(ctx context.Context, f Fleet, site *geo.Site, country string, es []audit.Entry) ([]bool, error) {
	moves, err := moveCountries(ctx, f, es)
	if err != nil {
		return nil, err
	}
	sh := sharing(site, moves)
	out := make([]bool, len(es))
	for i, e := range es {
		out[i] = sh.Visible(e, country)
	}
	return out, nil
}
