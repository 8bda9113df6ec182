package api

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Role is what a token's holder may do.
type Role string

// Roles.
const (
	// RoleViewer is a wallboard's: it reads the fleet (moves, shuttles,
	// lanes, chargers, the site, the event stream) but not the customs
	// queue and clearances, and sees moves and shuttles without container
	// numbers or customs records (viewer.go).
	RoleViewer Role = "viewer"
	// RoleOperator reads, asks for moves and pauses, resumes and clears
	// shuttles.
	RoleOperator Role = "operator"
	// RoleAdmin may do everything.
	RoleAdmin Role = "admin"
)

// CustomsRole is the role of the customs officers of a country (ISO 3166
// alpha-2, as the site's checkpoints name it): "customs:KZ". They see the
// gate queue and clearances of their own country's checkpoints and decide
// there only. Which countries there are comes from the site: every country
// with a checkpoint has one. ("customs-kz", the older spelling, is the
// same role.)
func CustomsRole(country string) Role { return Role("customs:" + strings.ToUpper(country)) }

// country is the country whose officers hold a customs role, or "".
func (r Role) country() string {
	s := string(r)
	for _, prefix := range []string{"customs:", "customs-"} {
		if cc, ok := strings.CutPrefix(s, prefix); ok && len(cc) == 2 && isLetters(cc) {
			return strings.ToUpper(cc)
		}
	}
	return ""
}

func isLetters(s string) bool {
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

func (r Role) valid() bool {
	switch r {
	case RoleViewer, RoleOperator, RoleAdmin:
		return true
	}
	return r.country() != ""
}

// roleHelp says which roles there are, for errors and help.
const roleHelp = "viewer, operator, admin or customs:<country> (the ISO 3166 alpha-2 code of a country with a checkpoint on the site, such as customs:KZ)"

// CheckCountries refuses a customs role of a country that has no
// checkpoint on the site: nobody could decide anything with it, and it is
// most likely a typing error. countries are the site's, in site order.
func CheckCountries(ts []Token, countries []string) error {
	for i, t := range ts {
		if c := t.Role.country(); c != "" && !slices.Contains(countries, c) {
			return fmt.Errorf("api: tokens: entry %d (%s): role %q: the site has no checkpoint of %s (its countries: %s)", i, t.Name, t.Role, c, strings.Join(countries, ", "))
		}
	}
	return nil
}

// Token is one caller: the secret it presents as a bearer token, its
// name (an officer's id in customs decisions) and its role.
type Token struct {
	Token string `json:"token"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
}

// MinTokenLen is the shortest token accepted.
const MinTokenLen = 16

// ParseTokens reads a tokens file: a JSON array of {"token", "name",
// "role"}. Unknown fields, short or repeated tokens, empty names and
// unknown roles are errors; an error never quotes a token.
func ParseTokens(b []byte) ([]Token, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ts []Token
	if err := dec.Decode(&ts); err != nil {
		return nil, fmt.Errorf("api: tokens: %w", err)
	}
	if err := checkTokens(ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// LoadTokens reads a tokens file (see ParseTokens).
func LoadTokens(path string) ([]Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	ts, err := ParseTokens(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

func checkTokens(ts []Token) error {
	seen := map[string]int{}
	for i, t := range ts {
		switch {
		case len(t.Token) < MinTokenLen:
			return fmt.Errorf("api: tokens: entry %d (%s): token shorter than %d characters", i, t.Name, MinTokenLen)
		case strings.TrimSpace(t.Name) == "":
			return fmt.Errorf("api: tokens: entry %d: no name", i)
		case !t.Role.valid():
			return fmt.Errorf("api: tokens: entry %d (%s): role %q: want %s", i, t.Name, t.Role, roleHelp)
		}
		if j, dup := seen[t.Token]; dup {
			return fmt.Errorf("api: tokens: entries %d and %d have the same token", j, i)
		}
		seen[t.Token] = i
	}
	return nil
}

// NewToken makes a random token (32 hex digits), for a demo's admin.
func NewToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("api: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// lookup finds the caller a bearer token belongs to, comparing in
// constant time against every token.
func lookup(ts []Token, presented string) (Token, bool) {
	var found Token
	ok := false
	p := []byte(presented)
	for _, t := range ts {
		if subtle.ConstantTimeCompare([]byte(t.Token), p) == 1 {
			found, ok = t, true
		}
	}
	return found, ok
}
