package api

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

// newFakeFleet is a fake daemon (daemontest.Fleet) on the default site,
// the site and its lane graph.
func newFakeFleet(t *testing.T) (*daemontest.Fleet, *geo.Site, *routing.Graph) {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	return newFakeFleetOn(t, site)
}

// newFakeFleetOn is newFakeFleet on another site.
func newFakeFleetOn(t *testing.T, site *geo.Site) (*daemontest.Fleet, *geo.Site, *routing.Graph) {
	t.Helper()
	f, g := daemontest.NewFleet(t, site)
	return f, site, g
}
