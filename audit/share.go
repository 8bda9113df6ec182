package audit

import "slices"

// Which entries each country's customs may see (the audit export, the
// webhooks and the filtered event stream all follow this one rule):
//
//   - an entry at a checkpoint (Checkpoint set: at_gate, customs
//     decisions, inspection, seal readings, and a declaration, which is
//     recorded at the first checkpoint of the country it was filed with)
//     is that checkpoint's country's alone: nothing of one country's
//     decisions or declarations reaches the other;
//   - an entry without a checkpoint (created, picked,
//     delivered, returned, cancelled, ...) is seen by every country whose
//     checkpoints lie on the move's way;
//   - a seal alert (EventSealAlert) is the exception both countries' law
//     shares: every country of the move sees it, wherever it was raised.

// EventSealAlert is the event of an entry that reports a seal that does
// not match the declaration, or was opened or tampered with.
const EventSealAlert = "seal_alert"

// Sharing answers the two questions the rule needs.
type Sharing struct {
	// CheckpointCountry returns the ISO 3166-1 alpha-2 code of a
	// checkpoint's country ("" if unknown).
	CheckpointCountry func(checkpoint string) string
	// MoveCountries returns the countries whose checkpoints lie on a
	// move's way.
	MoveCountries func(move string) []string
}

// Visible reports whether country's customs may see e.
func (s Sharing) Visible(e Entry, country string) bool {
	if country == "" {
		return false
	}
	if e.Checkpoint != "" && e.Event != EventSealAlert {
		return s.CheckpointCountry(e.Checkpoint) == country
	}
	return slices.Contains(s.MoveCountries(e.Move), country)
}
