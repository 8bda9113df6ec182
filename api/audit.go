package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/fleet"
)

// AuditKey is the public half of the deployment's audit key: what an
// authority checks an export with (fleetctl audit verify --export).
type AuditKey struct {
	Algorithm string `json:"algorithm"` // Ed25519
	KeyID     string `json:"key_id"`
	// PublicKey is the standard base64 of the key's 32 raw bytes.
	PublicKey string `json:"public_key"`
	// PEM is the key as a PKIX "PUBLIC KEY" PEM block.
	PEM string `json:"pem"`
}

// auditPage is how many audit records one store read fetches.
const auditPage = 1000

// noKey is the answer when fleetd has no audit key.
func noKey() *Error {
	return &Error{Status: http.StatusServiceUnavailable,
		Msg: "no audit key is configured: make one with `fleetd audit-key -o FILE` and name it as audit_key in fleetd's configuration"}
}

// auditKey is GET /v1/audit/key.
func (s *Server) auditKey(w http.ResponseWriter, _ *http.Request, _ Token) error {
	if s.cfg.AuditKey == nil {
		return noKey()
	}
	pub := s.cfg.AuditKey.Public().(ed25519.PublicKey)
	p, err := audit.MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AuditKey{Algorithm: audit.ExportAlgorithm, KeyID: audit.KeyID(pub), PublicKey: audit.EncodePublicKey(pub), PEM: string(p)})
	return nil
}

// auditExport is GET /v1/audit/export?country=CC: the signed export of
// the audit log for one country's customs (see audit.WriteExport), as
// JSON Lines. An officer exports for the own country only (the default
// without country=); an admin for any country with a checkpoint.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, who Token) error {
	countries := Countries(s.cfg.Site)
	own := who.Role.country()
	country := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("country")))
	if country == "" {
		country = own
	}
	switch {
	case country == "":
		return badRequest("country", "country is required: one of the site's countries (%s)", strings.Join(countries, ", "))
	case !slices.Contains(countries, country):
		return badRequest("country", "the site has no checkpoint of %q (its countries: %s)", country, strings.Join(countries, ", "))
	case who.Role != RoleAdmin && own != country:
		return &Error{Status: http.StatusForbidden, Msg: fmt.Sprintf("an officer of %s may not export the audit log of %s", own, country), Field: "country"}
	case s.cfg.AuditKey == nil:
		return noKey()
	case s.cfg.Audit == nil:
		return &Error{Status: http.StatusServiceUnavailable, Msg: "fleetd keeps no audit log (it runs without a store)"}
	}
	// The log first, then the moves: every move the log names is in the
	// core by then.
	entries, err := s.readAudit(r.Context())
	if err != nil {
		return err
	}
	var now time.Time
	moves := map[string][]string{}
	if err := s.read(r.Context(), func(n time.Time, core coreView) {
		now = n
		for _, list := range [][]*fleet.Move{core.Moves(), core.Archiving()} {
			for _, m := range list {
				moves[m.ID] = m.Countries()
			}
		}
	}); err != nil {
		return err
	}
	// the moves that left the core after its retention: from the archive
	for _, e := range entries {
		if _, known := moves[e.Move]; known || e.Move == "" {
			continue
		}
		moves[e.Move] = nil
		if err := s.findMove(r.Context(), e.Move, func(m *fleet.Move) { moves[e.Move] = m.Countries() }); err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
				return err
			}
		}
	}
	share := audit.Sharing{CheckpointCountry: s.checkpointCountry, MoveCountries: func(id string) []string { return moves[id] }}
	var buf bytes.Buffer
	spec := audit.ExportSpec{Country: country, At: now, Key: s.cfg.AuditKey, Visible: func(e audit.Entry) bool { return share.Visible(e, country) }}
	h, err := audit.WriteExport(&buf, spec, entries)
	if errors.Is(err, audit.ErrBroken) {
		return &Error{Status: http.StatusInternalServerError, Msg: fmt.Sprintf("the audit log is broken, no export is signed: %v (see fleetctl audit verify)", err)}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s-%s.jsonl"`, country, h.ExportedAt.Format("20060102T150405Z")))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// checkpointCountry is a checkpoint's country on the site, or "".
func (s *Server) checkpointCountry(id string) string {
	for _, cp := range s.cfg.Site.Checkpoints {
		if cp.ID == id {
			return cp.Country
		}
	}
	return ""
}

// readAudit reads and decodes the whole audit log.
func (s *Server) readAudit(ctx context.Context) ([]audit.Entry, error) {
	var out []audit.Entry
	var after uint64
	for {
		recs, err := s.cfg.Audit.ReadAudit(ctx, after, auditPage)
		if err != nil {
			return nil, &Error{Status: http.StatusServiceUnavailable, Msg: "reading the audit log: " + err.Error()}
		}
		for _, rec := range recs {
			e, err := audit.Decode(rec.Data)
			if err == nil && e.Seq != rec.Index {
				err = fmt.Errorf("entry %d stored as record %d", e.Seq, rec.Index)
			}
			if err != nil {
				return nil, &Error{Status: http.StatusInternalServerError, Msg: fmt.Sprintf("the audit log is broken at record %d, no export is signed: %v (see fleetctl audit verify)", rec.Index, err)}
			}
			out = append(out, e)
			after = rec.Index
		}
		if len(recs) < auditPage {
			return out, nil
		}
	}
}
