package routing

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smallSite(t testing.TB) *geo.Site {
	t.Helper()
	data, err := os.ReadFile("../geo/testdata/small.geojson")
	require.NoError(t, err)
	s, err := geo.Load(data)
	require.NoError(t, err)
	return s
}

func defaultSite(t testing.TB) *geo.Site {
	t.Helper()
	s, err := geo.Default()
	require.NoError(t, err)
	return s
}

func newGraph(t testing.TB, s *geo.Site, block float64) *Graph {
	t.Helper()
	g, err := NewGraph(s, GraphConfig{BlockLength: block})
	require.NoError(t, err)
	return g
}

func TestGraphFromSmallSite(t *testing.T) {
	g := newGraph(t, smallSite(t), 20)
	// every site node is a graph node with the same id
	for _, id := range []string{"w-bay", "e-bay", "gate", "gate-inspection", "w-charge", "e-park", "main@5"} {
		_, ok := g.Node(id)
		assert.True(t, ok, id)
	}
	// main#1 runs from w-charge (x=-500) to w-bay (x=-450): 50 m, three blocks
	for _, id := range []string{"main#1/1", "main#1/2", "main#1/3", "main#1/1:r", "main#1/3:r"} {
		_, ok := g.Edge(id)
		assert.True(t, ok, id)
	}
	_, ok := g.Edge("main#1/4")
	assert.False(t, ok)
	e1, _ := g.Edge("main#1/2")
	e2, _ := g.Edge("main#1/2:r")
	assert.Equal(t, g.Edges[e1].Resource, g.Edges[e2].Resource, "two directions, one physical block")
	assert.InDelta(t, 50.0/3, g.Edges[e1].Length, 0.01)
	assert.Equal(t, g.Edges[e1].From, g.Edges[e2].To)
	// the spur is one-way: no reverse edges
	_, ok = g.Edge("spur#1/1:r")
	assert.False(t, ok)
	// speeds in metres per second
	assert.InDelta(t, 25/3.6, g.Edges[e1].MaxSpeed, 1e-9)
	// block nodes are named after their link
	n, ok := g.Node("main#1+1")
	require.True(t, ok)
	assert.Equal(t, KindBlock, g.Nodes[n].Kind)
	assert.InDelta(t, -500+50.0/3, g.Nodes[n].XY[0], 0.01)
}

func TestGraphConfigValidate(t *testing.T) {
	for _, bad := range []float64{-1, 0.5} {
		_, err := NewGraph(smallSite(t), GraphConfig{BlockLength: bad})
		assert.Error(t, err, "%g", bad)
	}
	_, err := NewGraph(nil, GraphConfig{})
	assert.ErrorContains(t, err, "routing: site has no lane network")
}

func TestRoute(t *testing.T) {
	g := newGraph(t, smallSite(t), 20)
	tests := []struct {
		name     string
		from, to string
		lim      Limits
		length   float64
		seconds  float64
		via      string // an edge the route must use
	}{
		{"west to east", "w-bay", "e-bay", Limits{}, 900, 900 / (25 / 3.6), "main#4/1"},
		{"east to west uses reverse edges", "e-bay", "w-bay", Limits{}, 900, 900 / (25 / 3.6), "main#4/1:r"},
		{"laden at 5 m/s", "w-bay", "e-bay", Limits{MaxSpeed: 5}, 900, 180, ""},
		{"into the inspection bay", "w-bay", "gate-inspection", Limits{}, 0, 0, "spur#1/1"},
		{"same place", "w-bay", "w-bay", Limits{}, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := g.Route(tc.from, tc.to, tc.lim)
			require.NoError(t, err)
			assert.Equal(t, tc.from, r.Nodes[0])
			assert.Equal(t, tc.to, r.Nodes[len(r.Nodes)-1])
			assert.Len(t, r.Edges, len(r.Nodes)-1)
			if tc.length > 0 {
				assert.InDelta(t, tc.length, r.Length, 0.01)
				assert.InDelta(t, tc.seconds, r.Duration.Seconds(), 0.01)
			}
			if tc.via != "" {
				assert.Contains(t, r.Edges, tc.via)
			}
			assert.Equal(t, len(r.XY), len(r.LonLat))
			assert.InDelta(t, g.Nodes[r.nodes[0]].XY[0], r.XY[0][0], 1e-9)
		})
	}
}

func TestRouteClosuresAndErrors(t *testing.T) {
	g := newGraph(t, smallSite(t), 20)
	_, err := g.Route("w-bay", "nowhere", Limits{})
	assert.ErrorIs(t, err, ErrNoRoute)
	assert.ErrorContains(t, err, `routing: no route from "w-bay" to "nowhere": no node "nowhere" in map tiny-v1`)

	require.NoError(t, g.Close("main#4"))
	assert.Equal(t, []string{"main#4"}, g.Closed())
	_, err = g.Route("w-bay", "e-bay", Limits{})
	var nr *NoRouteError
	require.True(t, errors.As(err, &nr))
	assert.Equal(t, "w-bay", nr.From)
	assert.Contains(t, nr.Reason, "every path uses a closed lane (closed: main#4)")
	// closing the main link of the gate area leaves the inspection spur,
	// but its inspection bay is a lay-by, never a way around a closure
	require.NoError(t, g.Reopen("main#4"))
	require.NoError(t, g.Close("main#3"))
	_, err = g.Route("w-bay", "e-bay", Limits{})
	assert.ErrorIs(t, err, ErrNoRoute)
	r, err := g.Route("w-bay", "gate-inspection", Limits{})
	require.NoError(t, err, "the bay is still a goal")
	assert.Contains(t, strings.Join(r.Edges, " "), "spur#")
	require.NoError(t, g.Reopen("main#3"))
	assert.ErrorIs(t, g.Close("motorway"), ErrUnknownLane)

	// the charging station is never driven through
	r, err = g.Route("w-bay", "e-bay", Limits{})
	require.NoError(t, err)
	assert.NotContains(t, r.Nodes, "w-charge")
	r, err = g.Route("w-charge", "e-bay", Limits{})
	require.NoError(t, err, "a route may start at a station")
	assert.Equal(t, "w-charge", r.Nodes[0])
}

func TestRouteDefaultSite(t *testing.T) {
	g := newGraph(t, defaultSite(t), 0)
	r, err := g.Route("kz-bay-01", "cn-bay-01", Limits{})
	require.NoError(t, err)
	assert.InDelta(t, 3200, r.Length, 400)
	var gates []string
	for _, n := range r.Nodes {
		if _, ok := g.Site().Bay(n); ok || strings.HasSuffix(n, "-in") || strings.HasSuffix(n, "-out") {
			gates = append(gates, n)
		}
	}
	assert.Equal(t, []string{"kz-bay-01", "kz-bakhty-out", "cn-pokitu-in", "cn-bay-01"}, gates, "through both checkpoints' eastbound stop lines")
}
