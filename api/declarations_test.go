package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const declKZ = `{"container": "CSQU3054383", "country": "KZ", "reference": "KZ-2026-0001", "declarant": "Trans LLP",
	"goods": "machine parts", "gross_mass_kg": 18400, "seals": ["KZ1234567", "CN7654321"]}`

// A country's officer files declarations for that country only; the
// answer is the declaration in force and the move it went to; bad fields
// are named.
func TestCustomsDeclarations(t *testing.T) {
	_, _, srv := newTestServer(t)
	// before the move exists: kept for it
	code, b := call(t, srv, "POST", "/v1/customs/declarations", tokKZ, declKZ)
	require.Equal(t, http.StatusCreated, code, "%s", b)
	d := decode[DeclarationAnswer](t, b)
	assert.Equal(t, "officer officer-aigerim (KZ)", d.FiledBy)
	assert.Equal(t, []string{"KZ1234567", "CN7654321"}, d.Seals)
	assert.Empty(t, d.Move, "no move yet")

	code, b = call(t, srv, "POST", "/v1/customs/declarations", tokKZ, `{"container": "CSQU3054383", "country": "CN", "reference": "x", "declarant": "y", "goods": "z", "gross_mass_kg": 1, "seals": []}`)
	assert.Equal(t, http.StatusForbidden, code, "%s", b)
	assert.Contains(t, string(b), "an officer of KZ may not file a declaration for CN")

	m := createMove(t, srv, "k1", moveBody)
	code, b = call(t, srv, "POST", "/v1/customs/declarations", tokOperator, `{"container": "CSQU3054383", "country": "CN", "reference": "CN-1", "declarant": "y", "goods": "z", "gross_mass_kg": 1, "seals": ["CN7654321"]}`)
	require.Equal(t, http.StatusCreated, code, "an operator files for any country: %s", b)
	assert.Equal(t, m.ID, decode[DeclarationAnswer](t, b).Move)
	assert.Equal(t, "operator otto", decode[DeclarationAnswer](t, b).FiledBy)

	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokOperator, "")
	require.Equal(t, 200, code)
	full := decode[Move](t, b)
	require.Len(t, full.Clearances, 2)
	require.NotNil(t, full.Clearances[0].Declaration, "taken up by the move")
	assert.Equal(t, "KZ-2026-0001", full.Clearances[0].Declaration.Reference)
	require.NotNil(t, full.Clearances[1].Declaration)
	assert.Equal(t, "CN-1", full.Clearances[1].Declaration.Reference)
	assert.Len(t, full.Declarations, 2)

	for _, tt := range []struct{ name, body, field, msg string }{
		{"unknown country", `{"container": "CSQU3054383", "country": "MN", "reference": "r", "declarant": "d", "goods": "g", "gross_mass_kg": 1, "seals": []}`, "country", `country "MN" has no checkpoint on the site (its countries: KZ, CN)`},
		{"bad container", `{"container": "CSQU3054384", "country": "KZ", "reference": "r", "declarant": "d", "goods": "g", "gross_mass_kg": 1, "seals": []}`, "container", "check digit"},
		{"no mass", `{"container": "CSQU3054383", "country": "KZ", "reference": "r", "declarant": "d", "goods": "g", "seals": []}`, "gross_mass_kg", "gross mass 0 kg"},
		{"no reference", `{"container": "CSQU3054383", "country": "KZ", "declarant": "d", "goods": "g", "gross_mass_kg": 1, "seals": []}`, "reference", "reference is required"},
		{"duplicate seal", `{"container": "CSQU3054383", "country": "KZ", "reference": "r", "declarant": "d", "goods": "g", "gross_mass_kg": 1, "seals": ["S1", "S1"]}`, "seals[1]", `seal "S1" is listed twice`},
		{"long seal", `{"container": "CSQU3054383", "country": "KZ", "reference": "r", "declarant": "d", "goods": "g", "gross_mass_kg": 1, "seals": ["12345678901234567890123456789012345678901"]}`, "seals[0]", "longer than 40"},
		{"no seals", `{"container": "CSQU3054383", "country": "KZ", "reference": "r", "declarant": "d", "goods": "g", "gross_mass_kg": 1}`, "seals", "seals is required"},
	} {
		code, b := call(t, srv, "POST", "/v1/customs/declarations", tokAdmin, tt.body)
		assert.Equal(t, http.StatusBadRequest, code, tt.name)
		e := decode[Error](t, b)
		assert.Equal(t, tt.field, e.Field, tt.name)
		assert.Contains(t, e.Msg, tt.msg, tt.name)
	}
}

// A seal reader reads at its own country's checkpoints; a tampered seal
// holds the container and raises an alert both countries see; the
// reading itself is the checkpoint's country's only.
func TestCustomsSealReadings(t *testing.T) {
	_, _, srv := newTestServer(t)
	m := createMove(t, srv, "k1", moveBody)
	code, b := call(t, srv, "POST", "/v1/customs/declarations", tokKZ, declKZ)
	require.Equal(t, http.StatusCreated, code, "%s", b)

	reading := `{"checkpoint": "kz-bakhty-out", "container": "CSQU3054383", "seals": [{"number": "KZ1234567", "state": "sealed"}, {"number": "CN7654321", "state": "tampered"}]}`
	code, b = call(t, srv, "POST", "/v1/customs/seals", tokCN, reading)
	assert.Equal(t, http.StatusForbidden, code, "%s", b)
	assert.Contains(t, string(b), "an officer of CN may not read seals at kz-bakhty-out, a checkpoint of KZ")

	code, b = call(t, srv, "POST", "/v1/customs/seals", tokKZ, `{"checkpoint": "kz-nowhere", "container": "CSQU3054383", "seals": []}`)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, Error{Msg: `no checkpoint "kz-nowhere" on the site`, Field: "checkpoint"}, decode[Error](t, b))

	code, b = call(t, srv, "POST", "/v1/customs/seals", tokKZ, `{"checkpoint": "kz-bakhty-out", "container": "CSQU3054383", "seals": [{"number": "S1", "state": "broken"}]}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "seals[0].state", decode[Error](t, b).Field)

	code, b = call(t, srv, "POST", "/v1/customs/seals", tokKZ, `{"checkpoint": "kz-bakhty-out", "container": "MSCU1234566", "seals": []}`)
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, decode[Error](t, b).Msg, "container MSCU1234566 has no open move")

	code, b = call(t, srv, "POST", "/v1/customs/seals", tokCN, `{"checkpoint": "cn-pokitu-out", "container": "CSQU3054383", "seals": []}`)
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, decode[Error](t, b).Msg, "checkpoint cn-pokitu-out is not on move "+m.ID+"'s way")

	code, b = call(t, srv, "POST", "/v1/customs/seals", tokKZ, reading)
	require.Equal(t, http.StatusOK, code, "%s", b)
	ans := decode[SealReadingAnswer](t, b)
	assert.True(t, ans.Held)
	assert.Equal(t, m.ID, ans.Move)
	assert.Equal(t, "officer officer-aigerim (KZ)", ans.ReadBy)
	assert.Equal(t, []string{"seal CN7654321 tampered"}, ans.Problems)
	require.NotNil(t, ans.Clearance)
	assert.Equal(t, "held", ans.Clearance.Status)

	// KZ's officer sees KZ's declaration and readings
	code, b = call(t, srv, "GET", "/v1/customs/clearances", tokKZ, "")
	require.Equal(t, 200, code)
	kz := decode[ClearanceList](t, b).Clearances
	require.Len(t, kz, 1)
	require.NotNil(t, kz[0].Declaration)
	assert.Len(t, kz[0].SealReadings, 1)
	assert.Len(t, kz[0].SealAlerts, 1)
	// China's sees neither, but the alert
	code, b = call(t, srv, "GET", "/v1/customs/clearances", tokCN, "")
	require.Equal(t, 200, code)
	cn := decode[ClearanceList](t, b).Clearances
	require.Len(t, cn, 1)
	assert.Equal(t, "cn-pokitu-in", cn[0].Checkpoint)
	assert.Nil(t, cn[0].Declaration, "KZ's declaration is KZ's")
	assert.Empty(t, cn[0].SealReadings, "KZ's reading is KZ's")
	require.Len(t, cn[0].SealAlerts, 1, "a seal alert reaches both countries")
	assert.Equal(t, "kz-bakhty-out", cn[0].SealAlerts[0].Checkpoint)
	assert.Contains(t, cn[0].SealAlerts[0].Detail, "seal CN7654321 tampered")

	// the move's history names the reader and the checkpoint (to an
	// operator: a viewer sees changes of state only)
	code, b = call(t, srv, "GET", "/v1/moves/"+m.ID, tokOperator, "")
	require.Equal(t, 200, code)
	var events []string
	for _, h := range decode[Move](t, b).History {
		if h.Event != "" {
			events = append(events, h.Event+" "+h.Checkpoint+" "+h.Actor)
		}
	}
	assert.Equal(t, []string{"declaration kz-bakhty-out officer officer-aigerim (KZ)", "seal_read kz-bakhty-out officer officer-aigerim (KZ)",
		"seal_alert kz-bakhty-out fleetd", "held kz-bakhty-out fleetd"}, events)
}
