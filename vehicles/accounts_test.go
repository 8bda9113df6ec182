package vehicles

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccounts(t *testing.T) {
	r, err := NewRoster(Entry{Manufacturer: "acme", SerialNumber: "s1"}, Entry{Manufacturer: "acme", SerialNumber: "s2"})
	require.NoError(t, err)
	a, err := NewAccounts("", r, nil)
	require.NoError(t, err)
	require.Len(t, a.Vehicles, 2)
	assert.Equal(t, "acme/s1", a.Vehicles[0].Username)
	assert.NotEqual(t, a.Vehicles[0].Password, a.Vehicles[1].Password)
	assert.GreaterOrEqual(t, len(a.Fleetd.Password), 24)

	acl := a.MosquittoACL()
	s1 := acl[strings.Index(acl, "user acme/s1"):strings.Index(acl, "user acme/s2")]
	assert.Contains(t, s1, "topic write uagv/v2/acme/s1/state\n")
	assert.Contains(t, s1, "topic write uagv/v2/acme/s1/connection\n", "the will is published on it")
	assert.Contains(t, s1, "topic read uagv/v2/acme/s1/order\n")
	assert.NotContains(t, s1, "s2")
	assert.NotContains(t, s1, "+", "a vehicle has no wildcard")
	assert.Contains(t, acl, "user fleetd\ntopic read uagv/v2/+/+/state\n")

	pw, err := a.MosquittoPasswd(nil)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(pw), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		user, hash, ok := strings.Cut(l, ":")
		require.True(t, ok)
		assert.NotEmpty(t, user)
		assert.True(t, strings.HasPrefix(hash, "$7$101$"), "mosquitto_passwd's PBKDF2-SHA512 format: %s", hash)
		assert.NotContains(t, l, a.Fleetd.Password, "no plain password in the password file")
	}

	bad, err := NewRoster(Entry{Manufacturer: "acme", SerialNumber: "a:b"})
	require.NoError(t, err)
	_, err = NewAccounts("", bad, nil)
	assert.ErrorContains(t, err, "':'")
}
