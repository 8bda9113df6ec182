package geo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default site must meet what the foundation issue asks of it.
func TestDefaultSite(t *testing.T) {
	s, err := Default()
	require.NoError(t, err)
	assert.Equal(t, "baqty-pokitu-v1", s.MapID)
	assert.NotEmpty(t, s.Sources, "the estimates name their sources")

	countries := map[string]bool{}
	for _, c := range s.Centres {
		countries[c.Country] = true
		assert.GreaterOrEqual(t, len(s.BaysOf(c.ID)), 8, "bays in centre %s", c.ID)
		chargers := 0
		for _, st := range s.Stations {
			if st.Centre == c.ID {
				chargers += st.Chargers
			}
		}
		assert.GreaterOrEqual(t, chargers, 4, "chargers in centre %s", c.ID)
	}
	assert.Equal(t, map[string]bool{"KZ": true, "CN": true}, countries)
	assert.GreaterOrEqual(t, len(s.Parking), 50, "a parking spot for each shuttle of the largest simulated fleet")

	gates := map[string]int{}
	for _, c := range s.Checkpoints {
		gates[c.Country]++
		_, ok := s.Bay(c.InspectionBay)
		assert.True(t, ok, "checkpoint %s has its inspection bay", c.ID)
	}
	assert.Equal(t, map[string]int{"KZ": 2, "CN": 2}, gates, "each country checks both directions")

	var zones []ZoneType
	for _, z := range s.Zones {
		zones = append(zones, z.Type)
	}
	assert.ElementsMatch(t, []ZoneType{ZoneTerritory, ZoneNeutral, ZoneTerritory}, zones)

	sum := s.Summary()
	require.Len(t, sum.Drives, 2)
	for _, d := range sum.Drives {
		assert.True(t, d.OK)
		assert.InDelta(t, 3000, d.Metres, 500, "about 3 km yard to yard, %s to %s", d.From, d.To)
	}
	// the road is one lane each way across the neutral zone
	east, _ := s.Lane("road-east")
	west, _ := s.Lane("road-west")
	assert.Equal(t, OneWay, east.Direction)
	assert.Equal(t, OneWay, west.Direction)
	assert.Greater(t, east.XY[len(east.XY)-1][0], east.XY[0][0], "road-east runs east")
	assert.Less(t, west.XY[len(west.XY)-1][0], west.XY[0][0], "road-west runs west")
}

// An exported site loads again to the same lane graph.
func TestExportLoadsAgain(t *testing.T) {
	s, err := Default()
	require.NoError(t, err)
	data, err := s.Export()
	require.NoError(t, err)
	again, err := Load(data)
	require.NoError(t, err)
	require.Equal(t, len(s.Network.Nodes), len(again.Network.Nodes))
	require.Equal(t, len(s.Network.Links), len(again.Network.Links))
	for i, n := range s.Network.Nodes {
		m := again.Network.Nodes[i]
		assert.Equal(t, n.ID, m.ID)
		assert.InDelta(t, n.Pos.XY[0], m.Pos.XY[0], 1e-6)
		assert.InDelta(t, n.Pos.XY[1], m.Pos.XY[1], 1e-6)
	}
}

// Node ids do not depend on the order of features in the file.
func TestNodeIDsAreStable(t *testing.T) {
	fx := loadFixture(t)
	a, err := Load(fx.bytes())
	require.NoError(t, err)
	for i, j := 0, len(fx.feat)-1; i < j; i, j = i+1, j-1 {
		fx.feat[i], fx.feat[j] = fx.feat[j], fx.feat[i]
	}
	b, err := Load(fx.bytes())
	require.NoError(t, err)
	ids := func(n *Network) map[string]bool {
		m := map[string]bool{}
		for _, x := range n.Nodes {
			m[x.ID] = true
		}
		return m
	}
	assert.Equal(t, ids(a.Network), ids(b.Network))
}
